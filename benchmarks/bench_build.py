"""Time the sample book's builds: cold, unchanged, text edit, data edit, naive.

Run by hand from the repository root:

    .venv/bin/python benchmarks/bench_build.py [--runs 3]

Each scenario runs `databook build` as a user would (a new process each time)
on a copy of the sample project and reports the median wall time and the
peak resident memory of the databook process (chromium, which kaleido starts,
is a separate process and not counted). The naive route draws every chart
with its own `fig.write_image` call, which starts a browser per chart, and
then lays out the same PDF. The export rate is the sample's charts drawn
through one running chart server, after its browser has started. The preview
times are those of `databook serve` after a chapter text edit, in one warm
process: until the site is rewritten, then until the PDF is laid out too.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Runs one build in a child process and prints its peak memory in KiB.
BUILD = """
import resource, sys
from pathlib import Path
from databook.build import build
build(Path(sys.argv[1]), force=sys.argv[2] == "force")
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

# Draws the sample's charts as SVG and as PNG through one chart server and
# prints the seconds of each batch as JSON, after a first chart has started
# the browser.
EXPORT_RATE = """
import json, sys, time
from pathlib import Path
from databook.build import IMAGE_SUFFIXES, analyse, assemble_book, Tally
from databook.cache import StepCache
from databook.charts.export import ChartServer
from databook.charts.figures import build_figure, print_size
from databook.config import load_config

project = Path(sys.argv[1])
config = load_config(project / "databook.yml")
area, findings = analyse(config, StepCache(project / "rate-cache"), Tally())
book = assemble_book(config, area, findings)
charts = [block for chapter in book.chapters for block in chapter.charts]
out = project / "rate"
out.mkdir(exist_ok=True)
seconds = {}
with ChartServer() as server:
    first = charts[0].spec
    server.export([(build_figure(first, for_print=True), out / "warm.svg", 600, 400)])
    for suffix in IMAGE_SUFFIXES:
        jobs = []
        for block in charts:
            width, height = print_size(block.spec)
            figure = build_figure(block.spec, for_print=True)
            jobs.append((figure, out / f"{block.spec.id}.{suffix}", width, height))
        started = time.perf_counter()
        server.export(jobs)
        seconds[suffix] = time.perf_counter() - started
print(json.dumps({"charts": len(charts), "seconds": seconds}))
"""

# The same book without cache or chart server: one write_image per chart.
NAIVE = """
import resource, sys
from pathlib import Path
import plotly.io
from databook.build import assemble_book, analyse, Tally
from databook.cache import StepCache
from databook.charts.figures import build_figure, print_size
from databook.config import load_config
from databook.publish.pdf import write_pdf

project = Path(sys.argv[1])
config = load_config(project / "databook.yml")
cache = StepCache(project / "naive-cache", read=False)
area, findings = analyse(config, cache, Tally())
book = assemble_book(config, area, findings)
out = project / "naive"
(out / "charts").mkdir(parents=True, exist_ok=True)
plotly.io.defaults.mathjax = None
for chapter in book.chapters:
    for block in chapter.charts:
        width, height = print_size(block.spec)
        figure = build_figure(block.spec, for_print=True)
        path = out / "charts" / f"{block.spec.id}.svg"
        figure.write_image(path, width=width, height=height)
write_pdf(book, out / "databook.pdf", base=out, chart_dir="charts")
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


# Times databook serve's two builds after a chapter edit, in one process that
# has built the book once, and prints them as JSON.
PREVIEW = """
import json, sys, time
from pathlib import Path
from databook.build import build

project = Path(sys.argv[1])
build(project)
chapter = project / "chapters" / "01-population.qmd"
chapter.write_text(chapter.read_text("utf-8") + "\\n試しの一文\\n", "utf-8")
started = time.perf_counter()
site = build(project, defer_pdf=True)
site_ready = time.perf_counter()
build(project)
pdf_ready = time.perf_counter()
assert site.pdf_deferred
print(json.dumps({"site": site_ready - started, "pdf": pdf_ready - started}))
"""


def copy_sample(target: Path) -> Path:
    shutil.copy(REPO / "databook.yml", target / "databook.yml")
    shutil.copytree(REPO / "chapters", target / "chapters")
    shutil.copytree(REPO / "data" / "raw", target / "data" / "raw")
    return target


def run(script: str, project: Path, mode: str = "") -> tuple[float, int]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", script, str(project), mode],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    seconds = time.perf_counter() - started
    return seconds, int(result.stdout.strip().splitlines()[-1])


def run_json(script: str, project: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", script, str(project)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_cli(project: Path) -> tuple[float, int]:
    """Run the CLI for the unchanged case, where the process exits early."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "databook.cli", "build", "-q"],
        cwd=project,
        check=True,
    )
    return time.perf_counter() - started, 0


def edit_chapter(project: Path, run_number: int) -> None:
    chapter = project / "chapters" / "01-population.qmd"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text + f"\n編集 {run_number}\n", encoding="utf-8")


def edit_data(project: Path, run_number: int) -> None:
    """Change 真鶴町's 2023 births (SSDSE-A-2026 line 722, column W) each run."""
    path = project / "data" / "raw" / "ssdse" / "SSDSE-A-2026.csv"
    lines = path.read_bytes().decode("cp932").split("\n")
    cells = lines[721].split(",")
    cells[22] = str(13 + run_number + 1)
    lines[721] = ",".join(cells)
    path.write_bytes("\n".join(lines).encode("cp932"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    results: dict[str, list[tuple[float, int]]] = {}
    rates: list[dict] = []
    previews: list[dict] = []
    with tempfile.TemporaryDirectory() as folder:
        project = copy_sample(Path(folder))
        for number in range(args.runs):
            shutil.rmtree(project / "build", ignore_errors=True)
            shutil.rmtree(project / ".databook-cache", ignore_errors=True)
            results.setdefault("(a) cold build", []).append(run(BUILD, project))
            results.setdefault("(b) nothing changed", []).append(run_cli(project))
            edit_chapter(project, number)
            results.setdefault("(c) chapter text changed", []).append(
                run(BUILD, project)
            )
            edit_data(project, number)
            results.setdefault("(d) data file changed", []).append(run(BUILD, project))
            results.setdefault("(e) naive route", []).append(run(NAIVE, project))
            rates.append(run_json(EXPORT_RATE, project))
            previews.append(run_json(PREVIEW, project))

    print("| scenario | median | runs | peak memory (databook process) |")
    print("|---|---|---|---|")
    for name, runs in results.items():
        seconds = [s for s, _ in runs]
        memory = max(m for _, m in runs)
        shown = f"{memory / 1024:.0f} MiB" if memory else "—"
        listed = ", ".join(f"{s:.2f}" for s in seconds)
        print(f"| {name} | {statistics.median(seconds):.2f} s | {listed} | {shown} |")

    print()
    print("| format | charts per second (median) | runs |")
    print("|---|---|---|")
    for suffix in ("svg", "png"):
        per_second = [rate["charts"] / rate["seconds"][suffix] for rate in rates]
        listed = ", ".join(f"{r:.1f}" for r in per_second)
        print(f"| {suffix} | {statistics.median(per_second):.1f} | {listed} |")

    print()
    print("| preview after a chapter edit | median | runs |")
    print("|---|---|---|")
    for key, label in (("site", "site rewritten"), ("pdf", "PDF laid out")):
        seconds = [preview[key] for preview in previews]
        listed = ", ".join(f"{s:.2f}" for s in seconds)
        print(f"| {label} | {statistics.median(seconds):.2f} s | {listed} |")


if __name__ == "__main__":
    main()
