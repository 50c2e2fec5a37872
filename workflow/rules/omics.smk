# Multi-omics -> AE / VAE embeddings (early or joint integration) -> test-split downstream
# metrics beside PCA of the same size and the raw features, over several seeded splits.


rule simulate_omics:
    output:
        mrna="resources/simulated/{omics_dataset}/mrna.tsv",
        mirna="resources/simulated/{omics_dataset}/mirna.tsv",
        methylation="resources/simulated/{omics_dataset}/methylation.tsv",
        labels="resources/simulated/{omics_dataset}/labels.tsv",
    params:
        settings=lambda wc: omics_settings(wc)["simulate"],
        folder=lambda wc: f"resources/simulated/{wc.omics_dataset}",
        seed=config["seed"],
    log:
        "logs/{omics_dataset}/simulate_omics.log",
    benchmark:
        "benchmarks/rules/{omics_dataset}/simulate_omics.tsv"
    conda:
        "../envs/biodl.yaml"
    shell:
        "python -m biodl simulate-omics --out-dir {params.folder}"
        " --n-per-subtype {params.settings[n_per_subtype]} --subtypes {params.settings[subtypes]}"
        " --missing-fraction {params.settings[missing_fraction]} --seed {params.seed} > {log} 2>&1"


rule prepare_omics:
    input:
        unpack(omics_inputs),
    output:
        data="results/{omics_dataset}/seed{seed}/data.npz",
        report="results/{omics_dataset}/seed{seed}/report.json",
    params:
        omics=omic_args,
        settings=settings_subset(omics_settings, "sample_column", "label_column", "val_fraction", "test_fraction"),
        complete_cases=lambda wc: "--complete-cases" if omics_settings(wc)["complete_cases"] else "",
    log:
        "logs/{omics_dataset}/prepare_omics_seed{seed}.log",
    benchmark:
        "benchmarks/rules/{omics_dataset}/prepare_omics_seed{seed}.tsv"
    conda:
        "../envs/biodl.yaml"
    shell:
        "python -m biodl prepare-omics {params.omics} --labels {input.labels}"
        " --sample-column {params.settings[sample_column]} --label-column {params.settings[label_column]}"
        " --out {output.data} --report {output.report} {params.complete_cases}"
        " --val-fraction {params.settings[val_fraction]} --test-fraction {params.settings[test_fraction]}"
        " --seed {wildcards.seed} > {log} 2>&1"


rule train_omics:
    input:
        data="results/{omics_dataset}/seed{seed}/data.npz",
    output:
        model="results/{omics_dataset}/{omics_model}/seed{seed}/model.keras",
        history="results/{omics_dataset}/{omics_model}/seed{seed}/history.tsv",
    params:
        model=lambda wc: as_json(omics_model_settings(wc)),
        training=lambda wc: as_json(omics_settings(wc)["training"]),
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=60,
    log:
        "logs/{omics_dataset}/train_{omics_model}_seed{seed}.log",
    benchmark:
        "benchmarks/rules/{omics_dataset}/train_{omics_model}_seed{seed}.tsv"
    conda:
        "../envs/biodl.yaml"
    shell:
        "python -m biodl train-omics --data {input.data} --model-out {output.model}"
        " --history {output.history} --model {params.model} --training {params.training}"
        " --seed {wildcards.seed} --threads {threads} > {log} 2>&1"


rule evaluate_omics:
    input:
        models=omics_runs,
    output:
        metrics="results/{omics_dataset}/metrics.json",
        table="results/{omics_dataset}/table.tsv",
        embeddings="results/{omics_dataset}/embeddings.tsv",
        importance="results/{omics_dataset}/feature_importance.tsv",
        latent=report(
            "results/{omics_dataset}/latent.png",
            caption="../report/latent.rst",
            category="Multi-omics",
            subcategory="{omics_dataset}",
        ),
        reconstruction=report(
            "results/{omics_dataset}/reconstruction.png",
            caption="../report/reconstruction.rst",
            category="Multi-omics",
            subcategory="{omics_dataset}",
        ),
    params:
        runs=omics_run_args,
        latent_dim=lambda wc: omics_settings(wc)["latent_dim"],
        seed=config["seed"],
    threads: config["threads"]
    log:
        "logs/{omics_dataset}/evaluate_omics.log",
    benchmark:
        "benchmarks/rules/{omics_dataset}/evaluate_omics.tsv"
    conda:
        "../envs/biodl.yaml"
    shell:
        "python -m biodl evaluate-omics --runs {params.runs} --latent-dim {params.latent_dim}"
        " --metrics {output.metrics} --table {output.table} --embeddings {output.embeddings}"
        " --importance {output.importance} --latent-plot {output.latent}"
        " --reconstruction-plot {output.reconstruction} --seed {params.seed} --threads {threads}"
        " > {log} 2>&1"
