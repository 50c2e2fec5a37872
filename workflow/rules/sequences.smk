# DNA -> one-hot -> 1D CNN -> test-split metrics beside a PWM-scan baseline.


rule simulate_dna:
    output:
        fasta="resources/simulated/{seq_dataset}/sequences.fa.gz",
        labels="resources/simulated/{seq_dataset}/labels.tsv",
        truth="resources/simulated/{seq_dataset}/truth.tsv",
    params:
        classes=simulate_class_args,
        settings=lambda wc: sequence_settings(wc)["simulate"],
        seed=config["seed"],
        release=config["jaspar_release"],
    log:
        "logs/{seq_dataset}/simulate_dna.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/simulate_dna.tsv"
    conda:
        "../envs/biodl.yaml"
    shell:
        "python -m biodl simulate-dna --fasta {output.fasta} --labels {output.labels}"
        " --truth {output.truth} {params.classes}"
        " --n-per-class {params.settings[n_per_class]} --length {params.settings[length]}"
        " --sites-per-sequence {params.settings[sites_per_sequence]} --gc {params.settings[gc]}"
        " --jaspar-release {params.release} --seed {params.seed} > {log} 2>&1"


rule prepare_sequences:
    input:
        unpack(sequence_inputs),
    output:
        data="results/{seq_dataset}/data/encoded.npz",
        splits="results/{seq_dataset}/data/splits.tsv",
        report="results/{seq_dataset}/data/report.json",
    params:
        settings=settings_subset(sequence_settings, "task", "ambiguous", "split"),
        label_columns=lambda wc: optional_flag("--label-columns", sequence_settings(wc)["label_columns"]),
        length=lambda wc: optional_flag("--length", sequence_settings(wc)["length"]),
        test_chromosomes=lambda wc: sequence_settings(wc)["split"]["test_chromosomes"],
        val_chromosomes=lambda wc: sequence_settings(wc)["split"]["val_chromosomes"],
        seed=config["seed"],
    log:
        "logs/{seq_dataset}/prepare_sequences.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/prepare_sequences.tsv"
    conda:
        "../envs/biodl.yaml"
    shell:
        "python -m biodl prepare-sequences --fasta {input.fasta} --labels {input.labels}"
        " --out {output.data} --splits {output.splits} --report {output.report}"
        " {params.label_columns} {params.length} --task {params.settings[task]}"
        " --ambiguous {params.settings[ambiguous]} --split-method {params.settings[split][method]}"
        " --val-fraction {params.settings[split][val_fraction]}"
        " --test-fraction {params.settings[split][test_fraction]}"
        " --test-chromosomes {params.test_chromosomes} --val-chromosomes {params.val_chromosomes}"
        " --seed {params.seed} > {log} 2>&1"


rule train_cnn1d:
    input:
        data="results/{seq_dataset}/data/encoded.npz",
    output:
        model="results/{seq_dataset}/cnn1d/model.keras",
        history="results/{seq_dataset}/cnn1d/history.tsv",
    params:
        model=lambda wc: as_json(sequence_settings(wc)["model"]),
        training=lambda wc: as_json(sequence_settings(wc)["training"]),
        precision="--mixed-precision" if config["mixed_precision"] else "",
        seed=config["seed"],
    threads: config["threads"]
    resources:
        mem_mb=8000,
        runtime=120,
    log:
        "logs/{seq_dataset}/train_cnn1d.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/train_cnn1d.tsv"
    conda:
        "../envs/biodl.yaml"
    shell:
        "python -m biodl train --architecture cnn1d --data {input.data} --model-out {output.model}"
        " --history {output.history} --model {params.model} --training {params.training}"
        " {params.precision} --seed {params.seed} --threads {threads} > {log} 2>&1"


rule evaluate_cnn1d:
    input:
        data="results/{seq_dataset}/data/encoded.npz",
        model="results/{seq_dataset}/cnn1d/model.keras",
        history="results/{seq_dataset}/cnn1d/history.tsv",
    output:
        metrics="results/{seq_dataset}/cnn1d/metrics.json",
        predictions="results/{seq_dataset}/cnn1d/predictions.tsv",
        performance=report(
            "results/{seq_dataset}/cnn1d/performance.png",
            caption="../report/performance.rst",
            category="Sequences",
            subcategory="{seq_dataset}",
        ),
        curves=report(
            "results/{seq_dataset}/cnn1d/training_curves.png",
            caption="../report/training_curves.rst",
            category="Sequences",
            subcategory="{seq_dataset}",
        ),
    params:
        motifs=lambda wc: sequence_settings(wc)["baseline_motifs"],
        release=config["jaspar_release"],
        seed=config["seed"],
    threads: config["threads"]
    resources:
        mem_mb=8000,
    log:
        "logs/{seq_dataset}/evaluate_cnn1d.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/evaluate_cnn1d.tsv"
    conda:
        "../envs/biodl.yaml"
    shell:
        "python -m biodl evaluate-sequences --data {input.data} --model {input.model}"
        " --history {input.history} --baseline-motifs {params.motifs}"
        " --jaspar-release {params.release} --metrics {output.metrics}"
        " --predictions {output.predictions} --performance {output.performance}"
        " --curves {output.curves} --seed {params.seed} --threads {threads} > {log} 2>&1"
