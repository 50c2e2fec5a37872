# Peaks + count tracks -> profile windows -> a BPNet (bpnet) -> held-out count and profile
# metrics beside the average-profile x k-mer baseline, and the predicted tracks as bigWigs.
# The genome is indexed by index_genome (sequences.smk).
# With a bias block also ChromBPNet's factorisation: a bias model on background windows (bias/),
# frozen beside a second BPNet (chrombpnet/).
# With a search block, search_profiles chooses settings on the validation chromosomes and
# searched_<model> trains with them.
# Steps: biodl.data.simulate.simulate_profiles, biodl.profiles.prepare / train_bias / search / train /
# evaluate / interpret / predict_regions.


rule simulate_profiles:
    wildcard_constraints:
        prof_dataset=_names_pattern(SIMULATED_PROFILES),
    output:
        genome=simulated("{prof_dataset}", "genome.fa"),
        peaks=simulated("{prof_dataset}", "peaks.narrowPeak"),
        truth=simulated("{prof_dataset}", "truth.tsv"),
        cuts=simulated("{prof_dataset}", "cuts.bw"),
    params:
        settings=settings_param(profile_steps.simulate_profiles, config),
    log:
        "logs/{prof_dataset}/simulate_profiles.log",
    benchmark:
        "benchmarks/rules/{prof_dataset}/simulate_profiles.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule prepare_profiles:
    input:
        unpack(profile_inputs),
        genome="resources/genomes/{prof_dataset}/genome.fa",
        index="resources/genomes/{prof_dataset}/genome.fa.fai",
    output:
        data="results/{prof_dataset}/data/profiles.npz",
        report="results/{prof_dataset}/data/report.json",
    params:
        settings=settings_param(profile_steps.prepare_profiles, config),
    resources:
        mem_mb=16000,
    log:
        "logs/{prof_dataset}/prepare_profiles.log",
    benchmark:
        "benchmarks/rules/{prof_dataset}/prepare_profiles.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule train_profile_bias:
    input:
        data="results/{prof_dataset}/data/profiles.npz",
    output:
        model="results/{prof_dataset}/bias/model.keras",
        history="results/{prof_dataset}/bias/history.tsv",
    params:
        settings=settings_param(profile_steps.train_profile_bias, config),
        mixed_precision=config["mixed_precision"],
        devices=config["devices"],
    threads: config["threads"]
    resources:
        mem_mb=16000,
        runtime=240,
    log:
        "logs/{prof_dataset}/train_bias.log",
    benchmark:
        "benchmarks/rules/{prof_dataset}/train_bias.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule search_profiles:
    input:
        unpack(bias_model),
        data="results/{prof_dataset}/data/profiles.npz",
    output:
        trials="results/{prof_dataset}/search/trials.tsv",
        summary="results/{prof_dataset}/search/summary.json",
        snippet="results/{prof_dataset}/search/settings.yaml",
    params:
        settings=settings_param(profile_steps.search_profiles, config),
        mixed_precision=config["mixed_precision"],
        devices=config["devices"],
    threads: config["threads"]
    resources:
        mem_mb=16000,
        runtime=lambda wc: search_runtime("profiles", wc.prof_dataset),
    log:
        "logs/{prof_dataset}/search_profiles.log",
    benchmark:
        "benchmarks/rules/{prof_dataset}/search_profiles.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule train_profiles:
    wildcard_constraints:
        prof_model="(searched_)?(bpnet|chrombpnet)",
    input:
        unpack(bias_model),
        unpack(searched_settings),
        unpack(pretrained_model),
        data="results/{prof_dataset}/data/profiles.npz",
    output:
        model="results/{prof_dataset}/{prof_model}/model.keras",
        history="results/{prof_dataset}/{prof_model}/history.tsv",
    params:
        settings=settings_param(profile_steps.train_profiles, config),
        mixed_precision=config["mixed_precision"],
        devices=config["devices"],
    threads: config["threads"]
    resources:
        mem_mb=16000,
        runtime=240,
    log:
        "logs/{prof_dataset}/train_{prof_model}.log",
    benchmark:
        "benchmarks/rules/{prof_dataset}/train_{prof_model}.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule interpret_profiles:
    input:
        data="results/{prof_dataset}/data/profiles.npz",
        model="results/{prof_dataset}/{prof_model}/model.keras",
    output:
        attributions="results/{prof_dataset}/{prof_model}/interpret/attributions.npz",
        convergence="results/{prof_dataset}/{prof_model}/interpret/convergence.tsv",
        patterns="results/{prof_dataset}/{prof_model}/interpret/modisco/motifs.meme",
        pattern_table="results/{prof_dataset}/{prof_model}/interpret/modisco/patterns.tsv",
        pattern_summary="results/{prof_dataset}/{prof_model}/interpret/modisco/summary.json",
        tomtom="results/{prof_dataset}/{prof_model}/interpret/modisco/tomtom.tsv",
        tomtom_summary="results/{prof_dataset}/{prof_model}/interpret/modisco/tomtom_summary.json",
        logos=report(
            "results/{prof_dataset}/{prof_model}/interpret/modisco/logos.png",
            caption="../report/profile_logos.rst",
            category="Profiles",
            subcategory="{prof_dataset}",
        ),
        footprints="results/{prof_dataset}/{prof_model}/interpret/footprints.tsv",
        depth="results/{prof_dataset}/{prof_model}/interpret/footprint_depth.tsv",
        footprint_plot=report(
            "results/{prof_dataset}/{prof_model}/interpret/footprints.png",
            caption="../report/footprints.rst",
            category="Profiles",
            subcategory="{prof_dataset}",
        ),
    params:
        settings=settings_param(profile_steps.interpret_profiles, config),
    threads: config["threads"]
    resources:
        mem_mb=16000,
    log:
        "logs/{prof_dataset}/interpret_{prof_model}.log",
    benchmark:
        "benchmarks/rules/{prof_dataset}/interpret_{prof_model}.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule predict_profile_regions:
    input:
        model="results/{prof_dataset}/{prof_model}/model.keras",
        genome="resources/genomes/{prof_dataset}/genome.fa",
        index="resources/genomes/{prof_dataset}/genome.fa.fai",
        regions=lambda wildcards: config["profiles"][wildcards.prof_dataset]["predict_regions"],
    output:
        tracks=directory("results/{prof_dataset}/{prof_model}/predicted_regions"),
        report="results/{prof_dataset}/{prof_model}/predicted_regions.json",
    params:
        settings=settings_param(profile_steps.predict_profile_regions, config),
    threads: config["threads"]
    resources:
        mem_mb=8000,
    log:
        "logs/{prof_dataset}/predict_regions_{prof_model}.log",
    benchmark:
        "benchmarks/rules/{prof_dataset}/predict_regions_{prof_model}.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"


rule evaluate_profiles:
    input:
        data="results/{prof_dataset}/data/profiles.npz",
        model="results/{prof_dataset}/{prof_model}/model.keras",
        history="results/{prof_dataset}/{prof_model}/history.tsv",
    output:
        metrics="results/{prof_dataset}/{prof_model}/metrics.json",
        predictions="results/{prof_dataset}/{prof_model}/predictions.tsv",
        tracks=directory("results/{prof_dataset}/{prof_model}/predicted_tracks"),
        example=report(
            "results/{prof_dataset}/{prof_model}/profile_example.png",
            caption="../report/profile_example.rst",
            category="Profiles",
            subcategory="{prof_dataset}",
        ),
        counts=report(
            "results/{prof_dataset}/{prof_model}/counts.png",
            caption="../report/profile_counts.rst",
            category="Profiles",
            subcategory="{prof_dataset}",
        ),
        curves=report(
            "results/{prof_dataset}/{prof_model}/training_curves.png",
            caption="../report/training_curves.rst",
            category="Profiles",
            subcategory="{prof_dataset}",
        ),
    params:
        settings=settings_param(profile_steps.evaluate_profiles, config),
    threads: config["threads"]
    resources:
        mem_mb=16000,
    log:
        "logs/{prof_dataset}/evaluate_{prof_model}.log",
    benchmark:
        "benchmarks/rules/{prof_dataset}/evaluate_{prof_model}.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"
