# What a trained sequence CNN learned: attributions -> filters / MoDISco motifs ->
# TOMTOM against JASPAR -> logos, and FIMO sites of the discovered motifs.


rule attribute_sequences:
    input:
        data="results/{seq_dataset}/data/encoded.npz",
        model="results/{seq_dataset}/cnn1d/model.keras",
    output:
        attributions="results/{seq_dataset}/interpret/attributions.npz",
        tracks=report(
            "results/{seq_dataset}/interpret/attribution_tracks.png",
            caption="../report/attribution_tracks.rst",
            category="Motifs",
            subcategory="{seq_dataset}",
        ),
    params:
        settings=interpret_settings,
        outputs=lambda wc: optional_flag("--outputs", interpret_settings(wc)["outputs"]),
        seed=config["seed"],
    threads: config["threads"]
    resources:
        mem_mb=8000,
    log:
        "logs/{seq_dataset}/attribute_sequences.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/attribute_sequences.tsv"
    conda:
        "../envs/biodl.yaml"
    shell:
        "python -m biodl attribute --data {input.data} --model {input.model}"
        " --out {output.attributions} --tracks {output.tracks} {params.outputs}"
        " --methods {params.settings[methods]} --split {params.settings[split]}"
        " --max-sequences {params.settings[max_sequences]} --ig-steps {params.settings[ig_steps]}"
        " --ig-baseline {params.settings[ig_baseline]} --seed {params.seed} --threads {threads}"
        " > {log} 2>&1"


rule filter_motifs:
    input:
        data="results/{seq_dataset}/data/encoded.npz",
        model="results/{seq_dataset}/cnn1d/model.keras",
    output:
        meme="results/{seq_dataset}/interpret/filters/motifs.meme",
        table="results/{seq_dataset}/interpret/filters/filters.tsv",
    params:
        settings=interpret_settings,
        seed=config["seed"],
    threads: config["threads"]
    log:
        "logs/{seq_dataset}/filter_motifs.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/filter_motifs.tsv"
    conda:
        "../envs/biodl.yaml"
    shell:
        "python -m biodl filter-motifs --data {input.data} --model {input.model}"
        " --meme {output.meme} --table {output.table} --split {params.settings[split]}"
        " --threshold {params.settings[filter_threshold]}"
        " --min-sites {params.settings[filter_min_sites]} --seed {params.seed} --threads {threads}"
        " > {log} 2>&1"


rule modisco:
    input:
        attributions="results/{seq_dataset}/interpret/attributions.npz",
    output:
        meme="results/{seq_dataset}/interpret/modisco/motifs.meme",
        table="results/{seq_dataset}/interpret/modisco/patterns.tsv",
    params:
        settings=interpret_settings,
    threads: config["threads"]
    log:
        "logs/{seq_dataset}/modisco.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/modisco.tsv"
    conda:
        "../envs/biodl.yaml"
    shell:
        "NUMBA_NUM_THREADS={threads} python -m biodl modisco --attributions {input.attributions}"
        " --meme {output.meme} --table {output.table} --method {params.settings[modisco_method]}"
        " --max-seqlets {params.settings[max_seqlets]} > {log} 2>&1"


rule tomtom:
    input:
        motifs="results/{seq_dataset}/interpret/{motif_source}/motifs.meme",
    output:
        "results/{seq_dataset}/interpret/{motif_source}/tomtom.tsv",
    params:
        database=database_args,
        top=lambda wc: interpret_settings(wc)["tomtom_top"],
    threads: config["threads"]
    log:
        "logs/{seq_dataset}/tomtom_{motif_source}.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/tomtom_{motif_source}.tsv"
    conda:
        "../envs/biodl.yaml"
    shell:
        "NUMBA_NUM_THREADS={threads} python -m biodl tomtom --motifs {input.motifs} --out {output}"
        " --top {params.top} {params.database} > {log} 2>&1"


rule motif_logos:
    input:
        motifs="results/{seq_dataset}/interpret/{motif_source}/motifs.meme",
        matches="results/{seq_dataset}/interpret/{motif_source}/tomtom.tsv",
    output:
        report(
            "results/{seq_dataset}/interpret/{motif_source}/logos.png",
            caption="../report/motif_logos.rst",
            category="Motifs",
            subcategory="{seq_dataset}",
        ),
    params:
        database=database_args,
    log:
        "logs/{seq_dataset}/motif_logos_{motif_source}.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/motif_logos_{motif_source}.tsv"
    conda:
        "../envs/biodl.yaml"
    shell:
        "python -m biodl logos --motifs {input.motifs} --matches {input.matches} --out {output}"
        " {params.database} > {log} 2>&1"


rule fimo:
    input:
        motifs="results/{seq_dataset}/interpret/modisco/motifs.meme",
        data="results/{seq_dataset}/data/encoded.npz",
    output:
        "results/{seq_dataset}/interpret/modisco/fimo_hits.tsv",
    params:
        settings=interpret_settings,
    threads: config["threads"]
    log:
        "logs/{seq_dataset}/fimo.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/fimo.tsv"
    conda:
        "../envs/biodl.yaml"
    shell:
        "NUMBA_NUM_THREADS={threads} python -m biodl fimo --motifs {input.motifs} --data {input.data}"
        " --out {output} --split {params.settings[split]}"
        " --threshold {params.settings[fimo_threshold]} > {log} 2>&1"
