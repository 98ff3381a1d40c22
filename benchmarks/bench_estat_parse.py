"""Time and peak memory of parsing one 100,000-row e-Stat getStatsData page.

Compares databook's parser (JSON text to a tidy Dataset with periods, area
codes, statuses and provenance) with a plain `pandas.json_normalize` of the
same page's VALUE list, which only flattens the objects into columns.

Run from the repository root:

    .venv/bin/python benchmarks/bench_estat_parse.py

The page is generated from the real response in tests/data/estat/ (see
tests/data/SOURCES.md), so no network is needed.
"""

from __future__ import annotations

import gc
import json
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd

from databook.sources.estat import parse_stats_data, tidy_pages
from tests.estat_responses import large_page

RUNS = 5


def parse_with_databook(body: bytes) -> int:
    document = json.loads(body)
    page = parse_stats_data(document, place="benchmark")
    return len(tidy_pages([page]).frame)


def parse_with_json_normalize(body: bytes) -> int:
    document = json.loads(body)
    values = document["GET_STATS_DATA"]["STATISTICAL_DATA"]["DATA_INF"]["VALUE"]
    return len(pd.json_normalize(values))


def measure(function: Callable[[bytes], int], body: bytes) -> tuple[float, float]:
    """Return the median seconds of RUNS calls and the peak traced MiB of one."""
    times = []
    for _ in range(RUNS):
        gc.collect()
        started = time.perf_counter()
        rows = function(body)
        times.append(time.perf_counter() - started)
        assert rows == 100_000, rows

    gc.collect()
    tracemalloc.start()
    function(body)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak / 2**20


def main() -> None:
    body = json.dumps(large_page(), ensure_ascii=False).encode("utf-8")
    print(f"page: {len(body) / 2**20:.1f} MiB of JSON, 100,000 VALUE rows")
    print(
        f"python {platform.python_version()}, pandas {pd.__version__}, "
        f"{platform.machine()}, {platform.processor() or platform.system()}"
    )
    for name, function in (
        ("databook tidy_pages", parse_with_databook),
        ("pandas.json_normalize", parse_with_json_normalize),
    ):
        seconds, mebibytes = measure(function, body)
        print(f"{name}: median {seconds:.2f} s of {RUNS}, peak {mebibytes:.0f} MiB")


if __name__ == "__main__":
    main()
