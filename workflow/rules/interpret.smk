# What a trained sequence CNN learned: attributions -> filters / MoDISco motifs -> TOMTOM
# against known motifs -> logos, and FIMO sites of the discovered motifs.
# Steps: biodl.interpret.attribution.attribute, .filters.filter_motifs,
# .modisco.discover_patterns, .compare.tomtom_matches / fimo_hits, biodl.evaluation.plots.plot_motif_matches,
# .hits.motif_hits (significant attribution stretches, named, as BED), .screen.motif_screen (every known
# motif inserted into shuffled backgrounds) and .families.rank_families (one ranked answer per output).


rule attribute:
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
        convergence="results/{seq_dataset}/interpret/convergence.tsv",
    params:
        settings=settings_param(interpret_steps.attribute, config),
    threads: config["threads"]
    resources:
        mem_mb=8000,
    log:
        "logs/{seq_dataset}/attribute.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/attribute.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule filter_motifs:
    input:
        data="results/{seq_dataset}/data/encoded.npz",
        model="results/{seq_dataset}/cnn1d/model.keras",
    output:
        meme="results/{seq_dataset}/interpret/filters/motifs.meme",
        table="results/{seq_dataset}/interpret/filters/filters.tsv",
        null="results/{seq_dataset}/interpret/filters/null_motifs.meme",
    params:
        settings=settings_param(interpret_steps.filter_motifs, config),
    threads: config["threads"]
    log:
        "logs/{seq_dataset}/filter_motifs.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/filter_motifs.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule modisco:
    input:
        attributions="results/{seq_dataset}/interpret/attributions.npz",
        filters="results/{seq_dataset}/interpret/filters/motifs.meme",
        filter_table="results/{seq_dataset}/interpret/filters/filters.tsv",
    output:
        meme="results/{seq_dataset}/interpret/modisco/motifs.meme",
        table="results/{seq_dataset}/interpret/modisco/patterns.tsv",
        summary="results/{seq_dataset}/interpret/modisco/summary.json",
    params:
        settings=settings_param(interpret_steps.modisco, config),
    threads: config["threads"]
    log:
        "logs/{seq_dataset}/modisco.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/modisco.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule tomtom:
    input:
        unpack(tomtom_inputs),
    output:
        table="results/{seq_dataset}/interpret/{motif_source}/tomtom.tsv",
        summary="results/{seq_dataset}/interpret/{motif_source}/tomtom_summary.json",
    params:
        settings=settings_param(interpret_steps.tomtom, config),
    threads: config["threads"]
    log:
        "logs/{seq_dataset}/tomtom_{motif_source}.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/tomtom_{motif_source}.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule logos:
    input:
        motifs="results/{seq_dataset}/interpret/{motif_source}/motifs.meme",
        matches="results/{seq_dataset}/interpret/{motif_source}/tomtom.tsv",
    output:
        logos=report(
            "results/{seq_dataset}/interpret/{motif_source}/logos.png",
            caption="../report/motif_logos.rst",
            category="Motifs",
            subcategory="{seq_dataset}",
        ),
    params:
        settings=settings_param(interpret_steps.logos, config),
    log:
        "logs/{seq_dataset}/logos_{motif_source}.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/logos_{motif_source}.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule fimo:
    input:
        motifs="results/{seq_dataset}/interpret/modisco/motifs.meme",
        data="results/{seq_dataset}/data/encoded.npz",
    output:
        hits="results/{seq_dataset}/interpret/modisco/fimo_hits.tsv",
    params:
        settings=settings_param(interpret_steps.fimo, config),
    threads: config["threads"]
    log:
        "logs/{seq_dataset}/fimo.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/fimo.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule motif_hits:
    input:
        unpack(planted_sites),
        attributions="results/{seq_dataset}/interpret/attributions.npz",
        patterns="results/{seq_dataset}/interpret/modisco/motifs.meme",
        pattern_matches="results/{seq_dataset}/interpret/modisco/tomtom.tsv",
    output:
        bed="results/{seq_dataset}/interpret/hits.bed",
        table="results/{seq_dataset}/interpret/hits.tsv",
        summary="results/{seq_dataset}/interpret/hits.json",
    params:
        settings=settings_param(interpret_steps.motif_hits, config),
    log:
        "logs/{seq_dataset}/motif_hits.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/motif_hits.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule motif_screen:
    input:
        data="results/{seq_dataset}/data/encoded.npz",
        model="results/{seq_dataset}/cnn1d/model.keras",
    output:
        screen="results/{seq_dataset}/interpret/screen.tsv",
    params:
        settings=settings_param(interpret_steps.motif_screen, config),
    threads: config["threads"]
    resources:
        mem_mb=8000,
    log:
        "logs/{seq_dataset}/motif_screen.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/motif_screen.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule motif_families:
    input:
        patterns="results/{seq_dataset}/interpret/modisco/patterns.tsv",
        pattern_matches="results/{seq_dataset}/interpret/modisco/tomtom.tsv",
        pattern_motifs="results/{seq_dataset}/interpret/modisco/motifs.meme",
        filter_matches="results/{seq_dataset}/interpret/filters/tomtom.tsv",
        filter_table="results/{seq_dataset}/interpret/filters/filters.tsv",
        screen="results/{seq_dataset}/interpret/screen.tsv",
        metrics="results/{seq_dataset}/cnn1d/metrics.json",
    output:
        table="results/{seq_dataset}/interpret/motif_families.tsv",
        summary="results/{seq_dataset}/interpret/motif_families.json",
        plot=report(
            "results/{seq_dataset}/interpret/motif_families.png",
            caption="../report/motif_families.rst",
            category="Motifs",
            subcategory="{seq_dataset}",
        ),
    params:
        settings=settings_param(interpret_steps.motif_families, config),
    log:
        "logs/{seq_dataset}/motif_families.log",
    benchmark:
        "benchmarks/rules/{seq_dataset}/motif_families.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"
