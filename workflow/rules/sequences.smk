# DNA -> one-hot -> the 1D CNN (cnn1d) -> test-split metrics beside PWM-scan and k-mer baselines.
# Regions on a genome are first cut into labelled windows (index_genome, extract_regions).
# Steps: biodl.data.simulate.simulate_dna / simulate_genome, biodl.io.genome.index_genome,
# biodl.data.windows.extract, biodl.sequences.prepare / train / evaluate.


rule simulate_dna:
    wildcard_constraints:
        seq_dataset=_names_pattern(SIMULATED_DNA),
    output:
        fasta=simulated("{seq_dataset}", "sequences.fa.gz"),
        labels=simulated("{seq_dataset}", "labels.tsv"),
        truth=simulated("{seq_dataset}", "truth.tsv"),
    params:
        settings=settings_param(sequence_steps.simulate_dna, config),
    log:
        "logs/{seq_dataset}/simulate_dna.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/simulate_dna.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule simulate_genome:
    wildcard_constraints:
        seq_dataset=_names_pattern(SIMULATED_GENOMES),
    output:
        genome=simulated("{seq_dataset}", "genome.fa"),
        peaks=simulated("{seq_dataset}", "peaks.narrowPeak"),
        truth=simulated("{seq_dataset}", "truth.tsv"),
        variants=simulated("{seq_dataset}", "variants.vcf"),
        variant_truth=simulated("{seq_dataset}", "variant_truth.tsv"),
    params:
        settings=settings_param(sequence_steps.simulate_genome, config),
    log:
        "logs/{seq_dataset}/simulate_genome.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/simulate_genome.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule index_genome:
    input:
        source=genome_source,
    output:
        genome="resources/genomes/{genome_dataset}/genome.fa",
        index="resources/genomes/{genome_dataset}/genome.fa.fai",
    params:
        settings=settings_param(sequence_steps.index_genome, config),
    log:
        "logs/{genome_dataset}/index_genome.log",
    benchmark:
        "benchmarks/rules/{genome_dataset}/index_genome.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule extract_regions:
    input:
        unpack(region_inputs),
        genome="resources/genomes/{seq_dataset}/genome.fa",
        index="resources/genomes/{seq_dataset}/genome.fa.fai",
    output:
        fasta="results/{seq_dataset}/data/windows.fa.gz",
        labels="results/{seq_dataset}/data/window_labels.tsv",
        windows="results/{seq_dataset}/data/windows.tsv",
        report="results/{seq_dataset}/data/windows.json",
        gc_plot=report(
            "results/{seq_dataset}/data/window_gc.png",
            caption="../report/window_gc.rst",
            category="Sequences",
            subcategory="{seq_dataset}",
        ),
    params:
        settings=settings_param(sequence_steps.extract_regions, config),
    resources:
        mem_mb=8000,
    log:
        "logs/{seq_dataset}/extract_regions.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/extract_regions.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule prepare_sequences:
    input:
        unpack(sequence_inputs),
    output:
        data="results/{seq_dataset}/data/encoded.npz",
        splits="results/{seq_dataset}/data/splits.tsv",
        report="results/{seq_dataset}/data/report.json",
    params:
        settings=settings_param(sequence_steps.prepare_sequences, config),
    log:
        "logs/{seq_dataset}/prepare_sequences.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/prepare_sequences.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule search_sequences:
    input:
        data="results/{seq_dataset}/data/encoded.npz",
    output:
        trials="results/{seq_dataset}/search/trials.tsv",
        summary="results/{seq_dataset}/search/summary.json",
        snippet="results/{seq_dataset}/search/settings.yaml",
    params:
        settings=settings_param(sequence_steps.search_sequences, config),
        mixed_precision=config["mixed_precision"],
        devices=config["devices"],
    threads: config["threads"]
    resources:
        mem_mb=8000,
        runtime=lambda wc: search_runtime("sequences", wc.seq_dataset),
    log:
        "logs/{seq_dataset}/search_sequences.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/search_sequences.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule train_sequences:
    input:
        unpack(searched_settings),
        unpack(pretrained_model),
        data="results/{seq_dataset}/data/encoded.npz",
    output:
        model="results/{seq_dataset}/{seq_model}/model.keras",
        history="results/{seq_dataset}/{seq_model}/history.tsv",
    params:
        settings=settings_param(sequence_steps.train_sequences, config),
        mixed_precision=config["mixed_precision"],
        devices=config["devices"],
    threads: config["threads"]
    resources:
        mem_mb=8000,
        runtime=120,
    log:
        "logs/{seq_dataset}/train_{seq_model}.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/train_{seq_model}.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule evaluate_sequences:
    input:
        data="results/{seq_dataset}/data/encoded.npz",
        model="results/{seq_dataset}/{seq_model}/model.keras",
        history="results/{seq_dataset}/{seq_model}/history.tsv",
    output:
        metrics="results/{seq_dataset}/{seq_model}/metrics.json",
        predictions="results/{seq_dataset}/{seq_model}/predictions.tsv",
        performance=report(
            "results/{seq_dataset}/{seq_model}/performance.png",
            caption="../report/performance.rst",
            category="Sequences",
            subcategory="{seq_dataset}",
        ),
        curves=report(
            "results/{seq_dataset}/{seq_model}/training_curves.png",
            caption="../report/training_curves.rst",
            category="Sequences",
            subcategory="{seq_dataset}",
        ),
    params:
        settings=settings_param(sequence_steps.evaluate_sequences, config),
    threads: config["threads"]
    resources:
        mem_mb=8000,
    log:
        "logs/{seq_dataset}/evaluate_{seq_model}.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/evaluate_{seq_model}.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"
