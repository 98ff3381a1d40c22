"""Books per minute and parallel efficiency of `databook batch` for Kanagawa.

Builds all 33 books of 神奈川県 from the repository's data/raw/ twice from
scratch: once with 1 worker process and once with 2. Each run starts from an
empty output folder, so nothing comes from the build cache. Parallel
efficiency is (time with 1 worker) ÷ (2 × time with 2 workers).

Run from the repository root:

    .venv/bin/python benchmarks/bench_batch.py [--workers 1,2]
"""

from __future__ import annotations

import argparse
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from databook.batch import run_batch
from databook.new import default_data_folder


def time_batch(workers: int) -> tuple[float, int, int]:
    """Return seconds, books built and books failed for one cold batch."""
    out = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        started = time.perf_counter()
        result = run_batch("神奈川県", out, default_data_folder(), workers=workers)
        seconds = time.perf_counter() - started
    finally:
        shutil.rmtree(out, ignore_errors=True)
    failed = len(result.failures)
    return seconds, len(result.outcomes) - failed, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2", help="worker counts to time")
    counts = [int(n) for n in parser.parse_args().workers.split(",")]

    print(f"Python {platform.python_version()}, {platform.machine()}")
    timings = {}
    for workers in counts:
        seconds, built, failed = time_batch(workers)
        timings[workers] = seconds
        rate = built / seconds * 60
        print(
            f"{workers} worker(s): {built} books, {failed} failed, "
            f"{seconds:.1f} s, {rate:.2f} books/min"
        )
    if 1 in timings:
        for workers, seconds in timings.items():
            if workers > 1:
                efficiency = timings[1] / (workers * seconds)
                print(f"parallel efficiency at {workers} workers: {efficiency:.2f}")


if __name__ == "__main__":
    main()
