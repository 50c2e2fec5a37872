# Variant effects: each trained DNA model scores the variants of the config's variants block
# (reference vs. alternative window, both strands) against matched background variants, then
# explains the top ones (attributions of both alleles, JASPAR motifs lost or gained); motifs
# inserted into shuffled backgrounds, alone and in pairs (in-silico experiments).
# Steps: biodl.interpret.variant_effects.score_variants, .variant_explanations.explain_variants,
# .experiments.run_experiments.


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


rule explain_variants:
    input:
        data="results/{seq_dataset}/data/encoded.npz",
        model="results/{seq_dataset}/{seq_model}/model.keras",
        genome="resources/genomes/{seq_dataset}/genome.fa",
        index="resources/genomes/{seq_dataset}/genome.fa.fai",
        scores="results/{seq_dataset}/{seq_model}/variants/scores.tsv.gz",
    output:
        table="results/{seq_dataset}/{seq_model}/variants/top_variants.tsv",
        changes="results/{seq_dataset}/{seq_model}/variants/top_motif_changes.tsv",
        figures=report(
            directory("results/{seq_dataset}/{seq_model}/variants/top"),
            patterns=["{name}.png"],
            caption="../report/variant_alleles.rst",
            category="Variants",
            subcategory="{seq_dataset}",
        ),
    params:
        settings=settings_param(variant_steps.explain_variants, config),
    threads: config["threads"]
    resources:
        mem_mb=8000,
    log:
        "logs/{seq_dataset}/explain_variants_{seq_model}.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/explain_variants_{seq_model}.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule insert_motifs:
    input:
        unpack(discovered_patterns),
        data="results/{seq_dataset}/data/encoded.npz",
        model="results/{seq_dataset}/{seq_model}/model.keras",
    output:
        insertions="results/{seq_dataset}/{seq_model}/experiments/insertions.tsv",
        insertions_plot=report(
            "results/{seq_dataset}/{seq_model}/experiments/insertions.png",
            caption="../report/insertions.rst",
            category="Experiments",
            subcategory="{seq_dataset}",
        ),
        spacing="results/{seq_dataset}/{seq_model}/experiments/spacing.tsv",
        spacing_plot=report(
            "results/{seq_dataset}/{seq_model}/experiments/spacing.png",
            caption="../report/spacing.rst",
            category="Experiments",
            subcategory="{seq_dataset}",
        ),
    params:
        settings=settings_param(variant_steps.insert_motifs, config),
    threads: config["threads"]
    resources:
        mem_mb=8000,
    log:
        "logs/{seq_dataset}/insert_motifs_{seq_model}.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/insert_motifs_{seq_model}.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"
