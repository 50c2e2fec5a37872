# Variant effects: each trained DNA model scores the variants of the config's variants block
# (reference vs. alternative window, both strands) against matched background variants.
# Steps: biodl.interpret.variant_effects.score_variants, biodl.evaluation.plots.plot_variant_scores.


rule score_variants:
    input:
        unpack(variant_inputs),
        data="results/{seq_dataset}/data/encoded.npz",
        model="results/{seq_dataset}/{seq_model}/model.keras",
        genome="resources/genomes/{seq_dataset}/genome.fa",
        index="resources/genomes/{seq_dataset}/genome.fa.fai",
    output:
        scores="results/{seq_dataset}/{seq_model}/variants/scores.tsv.gz",
        null="results/{seq_dataset}/{seq_model}/variants/null.tsv",
        unscored="results/{seq_dataset}/{seq_model}/variants/unscored.tsv",
        summary="results/{seq_dataset}/{seq_model}/variants/summary.json",
        plot=report(
            "results/{seq_dataset}/{seq_model}/variants/scores.png",
            caption="../report/variant_scores.rst",
            category="Variants",
            subcategory="{seq_dataset}",
        ),
    params:
        settings=settings_param(variant_steps.score_variants, config),
    threads: config["threads"]
    resources:
        mem_mb=8000,
    log:
        "logs/{seq_dataset}/score_variants_{seq_model}.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/score_variants_{seq_model}.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"
