# Multi-omics -> AE / VAE embeddings (early or joint integration) -> test-split downstream
# metrics beside PCA of the same size and the raw features, over several seeded splits.
# Steps: biodl.data.simulate.simulate_omics, biodl.omics.prepare / train / evaluate.


rule simulate_omics:
    output:
        labels=simulated("{omics_dataset}", "labels.tsv"),
        mrna=simulated("{omics_dataset}", "mrna.tsv"),
        mirna=simulated("{omics_dataset}", "mirna.tsv"),
        methylation=simulated("{omics_dataset}", "methylation.tsv"),
    params:
        settings=settings_param(omics_steps.simulate_omics, config),
    log:
        "logs/{omics_dataset}/simulate_omics.log",
    benchmark:
        "benchmarks/rules/{omics_dataset}/simulate_omics.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule prepare_omics:
    input:
        unpack(omics_inputs),
    output:
        data="results/{omics_dataset}/seed{seed}/data.npz",
        report="results/{omics_dataset}/seed{seed}/report.json",
    params:
        settings=settings_param(omics_steps.prepare_omics, config),
    log:
        "logs/{omics_dataset}/prepare_omics_seed{seed}.log",
    benchmark:
        "benchmarks/rules/{omics_dataset}/prepare_omics_seed{seed}.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule search_omics:
    input:
        data="results/{omics_dataset}/seed{seed}/data.npz",
    output:
        trials="results/{omics_dataset}/search/seed{seed}/trials.tsv",
        summary="results/{omics_dataset}/search/seed{seed}/summary.json",
        snippet="results/{omics_dataset}/search/seed{seed}/settings.yaml",
    params:
        settings=settings_param(omics_steps.search_omics, config),
        mixed_precision=config["mixed_precision"],
        devices=config["devices"],
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=lambda wc: search_runtime("omics", wc.omics_dataset),
    log:
        "logs/{omics_dataset}/search_omics_seed{seed}.log",
    benchmark:
        "benchmarks/rules/{omics_dataset}/search_omics_seed{seed}.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule train_omics:
    input:
        unpack(searched_settings),
        data="results/{omics_dataset}/seed{seed}/data.npz",
    output:
        model="results/{omics_dataset}/{omics_model}/seed{seed}/model.keras",
        history="results/{omics_dataset}/{omics_model}/seed{seed}/history.tsv",
    params:
        settings=settings_param(omics_steps.train_omics, config),
        mixed_precision=config["mixed_precision"],
        devices=config["devices"],
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
    script:
        "../scripts/run_step.py"


rule evaluate_omics:
    input:
        data=lambda wc: expand("results/{dataset}/seed{seed}/data.npz", dataset=wc.omics_dataset,
                               seed=config["omics"][wc.omics_dataset]["seeds"]),
        models=lambda wc: trained_models("omics", wc.omics_dataset),
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
        settings=settings_param(omics_steps.evaluate_omics, config),
    threads: config["threads"]
    log:
        "logs/{omics_dataset}/evaluate_omics.log",
    benchmark:
        "benchmarks/rules/{omics_dataset}/evaluate_omics.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"
