"""Incremental builds: what is reused, what is made again, and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from databook.build import build
from databook.cache import CACHE_DIR, StepCache, is_up_to_date
from databook.errors import EnvironmentProblem
from tests.conftest import block_ids, run_databook
from tests.test_build import pdf_text, tree_digest


@pytest.fixture(scope="module")
def cached_project(tmp_path_factory) -> Path:
    """A sample project built once, so that its cache is warm."""
    from tests.conftest import copy_project

    project = copy_project(tmp_path_factory.mktemp("cached"))
    build(project)
    return project


def chart_count(project: Path) -> int:
    return sum(1 for _, kind, _ in block_ids(project) if kind == "chart")


def touch_chapter(project: Path, text: str) -> None:
    chapter = project / "chapters" / "01-population.qmd"
    chapter.write_text(chapter.read_text(encoding="utf-8") + f"\n{text}\n", "utf-8")


def test_nothing_changed_writes_nothing(cached_project):
    before = tree_digest(cached_project / "build")
    result = run_databook("build", cwd=cached_project)
    assert result.returncode == 0, result.stderr
    assert "変更はありません" in result.stderr
    assert tree_digest(cached_project / "build") == before


def test_chapter_text_change_reuses_charts(cached_project):
    touch_chapter(cached_project, "本文を少し直しました。")
    result = build(cached_project)
    assert result.reused == {"findings": 1, "charts": chart_count(cached_project)}
    assert result.rebuilt == {"pdf": 1}
    page = (cached_project / "build" / "site" / "01-population.html").read_text("utf-8")
    assert "本文を少し直しました。" in page


def test_deferred_pdf_laid_out_next_build(cached_project):
    pdf = cached_project / "build" / "databook.pdf"
    before = pdf.read_bytes()
    touch_chapter(cached_project, "PDF は次のビルドで組みます。")

    result = build(cached_project, defer_pdf=True)

    assert result.pdf_deferred
    assert result.rebuilt == {}
    assert pdf.read_bytes() == before
    page = (cached_project / "build" / "site" / "01-population.html").read_text("utf-8")
    assert "PDF は次のビルドで組みます。" in page
    assert not is_up_to_date(cached_project)

    result = build(cached_project)

    assert not result.pdf_deferred
    assert result.rebuilt == {"pdf": 1}
    assert "PDF は次のビルドで組みます。" in pdf_text(pdf)
    assert is_up_to_date(cached_project)


def test_data_change_redraws_only_its_charts(cached_project):
    # SSDSE-A-2026.csv line 722 (真鶴町): change births 2023 (column W) from 13
    # to 14. Births feed the vital chart and the natural change in balance.
    path = cached_project / "data" / "raw" / "ssdse" / "SSDSE-A-2026.csv"
    lines = path.read_bytes().decode("cp932").split("\n")
    cells = lines[721].split(",")
    assert cells[0] == "R14383"
    assert cells[22] == "13"
    cells[22] = "14"
    lines[721] = ",".join(cells)
    path.write_bytes("\n".join(lines).encode("cp932"))

    result = build(cached_project)

    assert result.rebuilt["findings"] == 1
    assert result.rebuilt["charts"] == 2
    assert result.reused["charts"] == chart_count(cached_project) - 2
    vital = (cached_project / "build" / "site" / "data" / "vital.csv").read_text(
        encoding="utf-8-sig"
    )
    assert "出生数,A4101,出生数,14383,真鶴町,2023,14," in vital


def test_corrupt_cache_entry_rebuilt(cached_project):
    # Corrupt the cache entry that holds the current vital chart.
    current = (cached_project / "build" / "charts" / "vital.svg").read_bytes()
    entries = [
        entry
        for entry in (cached_project / CACHE_DIR / "charts").glob("*.svg")
        if entry.read_bytes() == current
    ]
    assert len(entries) == 1
    entries[0].write_bytes(b"<svg>half written")
    touch_chapter(cached_project, "もう一度直しました。")

    result = build(cached_project)

    assert result.rebuilt.get("charts") == 1
    assert result.reused["charts"] == chart_count(cached_project) - 1
    for svg in (cached_project / "build" / "charts").glob("*.svg"):
        assert svg.read_bytes().startswith(b"<svg"), svg.name
        assert b"half written" not in svg.read_bytes()


def test_force_rebuilds_everything(cached_project):
    result = build(cached_project, force=True)
    assert result.reused == {}
    charts = chart_count(cached_project)
    assert result.rebuilt == {"findings": 1, "charts": charts, "pdf": 1}


def test_cache_folder_that_is_file(tmp_path):
    (tmp_path / CACHE_DIR).write_text("stale", encoding="utf-8")
    with pytest.raises(EnvironmentProblem) as raised:
        StepCache(tmp_path / CACHE_DIR)
    assert "フォルダではなくファイル" in raised.value.message
    assert CACHE_DIR in raised.value.hint


def test_cache_entry_folder_that_is_file(tmp_path):
    # A file where the folder of the "findings" entries belongs.
    root = tmp_path / CACHE_DIR
    root.mkdir()
    (root / "findings").write_text("stale", encoding="utf-8")
    cache = StepCache(root)
    with pytest.raises(EnvironmentProblem) as raised:
        cache.put("findings", "0" * 64, b"content")
    assert "書き込めません" in raised.value.message
    assert raised.value.detail.startswith("FileExistsError")
