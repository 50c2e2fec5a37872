"""Screenshots of the Snakemake report (`make report`) as a person sees it, by headless Chromium.

    python tools/screenshot_report.py results/report.html screenshots/ [dataset ...]

writes ``summary.png`` (the report showing results/summary.html) and, per dataset named,
the report's page of that dataset (its plots and metrics table listed on the left) with its
metrics table opened (``<dataset>_metrics.png``) and with its first plot opened
(``<dataset>_plot.png``). The report is
a single-page app, so each view is opened by a copy of the report that calls the app's own
``setView`` after loading. Needs the ``chromium`` executable (Debian: apt-get install chromium).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

OPEN_VIEW = """
<script>
window.addEventListener("load", function () {{
  setTimeout(function () {{
    var view = {view};
    var state = {{}};
    if (view.category) {{
      state = {{navbarMode: "subcategory", category: view.category, subcategory: view.subcategory}};
    }}
    if (view.result) {{
      var path = Object.keys(results).find(function (p) {{ return p.endsWith(view.result); }});
      var kind = results[path].mime_type.startsWith("image/") ? "img" : "html";
      Object.assign(state, {{content: kind, contentPath: results[path].data_uri, resultPath: path}});
    }}
    app.setView(state);
  }}, 300);
}});
</script>
"""


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    raise SystemExit("no chromium executable found (Debian: apt-get install chromium)")


def screenshot(report: Path, view: dict, output: Path, size: str = "1500,1000") -> Path:
    """``output`` PNG of ``report`` opened at ``view`` (``{"result": path suffix}`` or
    ``{"category", "subcategory"}``)."""
    html = report.read_text()
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "report.html"
        head, tail = html.rsplit("</body>", 1)  # the last: the embedded scripts contain the string too
        page.write_text(head + OPEN_VIEW.format(view=json.dumps(view)) + "</body>" + tail)
        subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--window-size={size}", "--virtual-time-budget=15000", f"--screenshot={output}",
                        page.as_uri()], check=True, capture_output=True, timeout=180)
    return output


def dataset_page(report_html: str, dataset: str) -> tuple[str, list[str]]:
    """The report category holding ``dataset``'s page, and the result files listed there."""
    start = report_html.index("var categories = ") + len("var categories = ")
    categories, _ = json.JSONDecoder().raw_decode(report_html[start:])
    return next((name, subcategories[dataset]) for name, subcategories in categories.items()
                if dataset in subcategories)


def main(argv: list[str]) -> None:
    report, folder, datasets = Path(argv[0]), Path(argv[1]), argv[2:]
    folder.mkdir(parents=True, exist_ok=True)
    print(screenshot(report, {"result": "results/summary.html"}, folder / "summary.png"))
    html = report.read_text()
    for dataset in datasets:
        category, files = dataset_page(html, dataset)
        page = {"category": category, "subcategory": dataset}
        table = next(path for path in files if path.endswith("metrics.html"))
        plot = next(path for path in files if path.endswith(".png"))
        print(screenshot(report, {**page, "result": table}, folder / f"{dataset}_metrics.png"))
        print(screenshot(report, {**page, "result": plot}, folder / f"{dataset}_plot.png"))


if __name__ == "__main__":
    main(sys.argv[1:])
