"""Shared fixtures: copies of the sample project, built once per session."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"
TEST_DATA = Path(__file__).resolve().parent / "data"


def copy_project(target: Path) -> Path:
    """Copy the sample project's inputs (not its outputs) into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "databook.yml", target / "databook.yml")
    shutil.copytree(REPO / "chapters", target / "chapters")
    shutil.copytree(RAW, target / "data" / "raw")
    return target


def run_databook(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run the installed `databook` command as a user would."""
    # PYTHONPATH makes the subprocess import this checkout's package, also
    # from a git worktree whose package is not the one installed.
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "databook.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def set_municipality(project: Path, code: str) -> None:
    config = project / "databook.yml"
    text = config.read_text(encoding="utf-8")
    lines = [
        f'municipality: "{code}"' if line.startswith("municipality:") else line
        for line in text.splitlines()
    ]
    lines = [line for line in lines if not line.startswith(("title:", "publisher:"))]
    lines = _without_quoting_chapters(lines)
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")


# Chapters whose text quotes 真鶴町's published findings; another town has
# none of those findings, so its book leaves these chapters out.
QUOTING_CHAPTERS = ("04-tourism.qmd", "05-fishery.qmd", "06-economy.qmd")


def _without_quoting_chapters(lines: list[str]) -> list[str]:
    kept: list[str] = []
    skipping = False
    for line in lines:
        if line.startswith("  - file: chapters/"):
            skipping = line.endswith(QUOTING_CHAPTERS)
        elif not line.startswith("    "):
            skipping = False
        if not skipping:
            kept.append(line)
    return kept


@pytest.fixture(scope="session")
def sample_book(tmp_path_factory) -> Path:
    """The sample project, built once with the real command."""
    project = copy_project(tmp_path_factory.mktemp("sample"))
    result = run_databook("build", cwd=project)
    assert result.returncode == 0, result.stderr
    return project


@pytest.fixture(scope="session")
def yugawara_book(tmp_path_factory) -> Path:
    """The same files built for 湯河原町 (14384)."""
    project = copy_project(tmp_path_factory.mktemp("yugawara"))
    set_municipality(project, "14384")
    result = run_databook("build", cwd=project)
    assert result.returncode == 0, result.stderr
    return project


@pytest.fixture
def project(tmp_path) -> Path:
    """A fresh, unbuilt copy of the sample project."""
    return copy_project(tmp_path / "project")


def block_ids(project: Path) -> list[tuple[str, str, str]]:
    """Return (number, kind, id) of every chart and table the chapters place.

    Read from the chapter texts and databook.yml's chapter order, not from
    the build, so that tests can check the build against it.
    """
    import re

    import yaml

    config = yaml.safe_load((project / "databook.yml").read_text(encoding="utf-8"))
    blocks = []
    for number, chapter in enumerate(config["chapters"], start=1):
        text = (project / chapter["file"]).read_text(encoding="utf-8")
        counts = {"chart": 0, "table": 0}
        for kind, name in re.findall(
            r"^\{\{<\s*(chart|table)\s+(\S+)\s*>\}\}\s*$", text, re.M
        ):
            counts[kind] += 1
            prefix = "図" if kind == "chart" else "表"
            blocks.append((f"{prefix}{number}-{counts[kind]}", kind, name))
    return blocks


def words_past_margin(pdf: Path, *, margin_mm: float) -> list[tuple[int, str]]:
    """Return (page, word) for every word that reaches into the right margin.

    `margin_mm` is the page's right margin (PAGE_MARGINS_MM in publish/pdf.py);
    a word may reach 1 pt into it.
    """
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = []
    for number, page in enumerate(boxes.split("<page ")[1:], start=1):
        width = float(re.search(r'width="([\d.]+)"', page).group(1))
        limit = width - margin_mm * 72 / 25.4 + 1
        for right, word in re.findall(r'xMax="([\d.]+)"[^>]*>([^<]*)</word>', page):
            if float(right) > limit:
                found.append((number, word))
    return found
