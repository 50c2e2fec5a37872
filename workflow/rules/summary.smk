rule summarize:
    input:
        unpack(summary_inputs),
    output:
        tsv="results/summary.tsv",
        markdown="results/summary.md",
        page=report(
            "results/summary.html",
            caption="../report/summary.rst",
            category="Summary",
        ),
        tables=report(
            directory("results/tables"),
            patterns=["{kind}/{dataset}/metrics.html"],
            caption="../report/metrics_table.rst",
            category=lambda wildcards: REPORT_CATEGORIES[wildcards.kind],
            subcategory="{dataset}",
        ),
    params:
        settings=settings_param(summary_steps.summarize, config),
    log:
        "logs/summarize.log",
    benchmark:
        "benchmarks/rules/summarize.tsv"
    conda:
        "../envs/biodl.yaml"
    script:
        "../scripts/run_step.py"
