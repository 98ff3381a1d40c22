"""Time writing build/quarto/ for the sample project, apart from the rest of a build.

Run it in a project folder that `databook build` has built once, because the
chart SVGs come from its build/charts/:
    python path/to/benchmarks/quarto_project.py [repeats]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from databook.build import assemble_book, resolve_area
from databook.config import load_config
from databook.inputs import load_inputs
from databook.publish.quarto import write_quarto_project


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    root = Path.cwd()
    config = load_config(root / "databook.yml")
    inputs = load_inputs(config)
    book = assemble_book(config, inputs, resolve_area(config, inputs.master))
    svg_dir = root / "build" / "charts"

    seconds = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            write_quarto_project(
                book, Path(folder) / "quarto", source_root=root, svg_dir=svg_dir
            )
            seconds.append(time.perf_counter() - started)
    print(
        f"write_quarto_project: median {statistics.median(seconds):.3f} s, "
        f"min {min(seconds):.3f} s, max {max(seconds):.3f} s ({repeats} runs)"
    )


if __name__ == "__main__":
    main()
