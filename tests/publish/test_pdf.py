"""The booklet as a reader and a printer get it: structure, pages, greyscale."""

from __future__ import annotations

import itertools
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import block_ids, copy_project, run_databook, words_past_margin


def page_texts(pdf: Path) -> list[str]:
    reader = PdfReader(pdf)
    return [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in range(1, len(reader.pages) + 1)
    ]


def outline_titles(reader: PdfReader) -> list[str]:
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


def test_metadata_and_tags(sample_book):
    reader = PdfReader(sample_book / "build" / "databook.pdf")
    assert reader.metadata.title == "真鶴町 地域経済データブック（2025年版）"
    assert reader.metadata.author == "真鶴町"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "ja"
    assert bool(root["/MarkInfo"]["/Marked"])


def test_bookmark_per_chapter(sample_book):
    reader = PdfReader(sample_book / "build" / "databook.pdf")
    titles = outline_titles(reader)
    assert "第1章 人口" in titles
    assert "第2章 人口動態" in titles
    assert "凡例" in titles
    assert "出典とデータについて" in titles


def test_no_blank_page(sample_book):
    for number, text in enumerate(
        page_texts(sample_book / "build" / "databook.pdf"), 1
    ):
        assert text.strip(), f"page {number} is blank"


def test_legend_glossary_and_colophon(sample_book):
    texts = page_texts(sample_book / "build" / "databook.pdf")
    whole = "\n".join(texts)
    assert "凡例" in texts[2]
    legend = texts[2].replace("\n", "")
    assert "本文では和暦を添えています" in legend
    assert "記事の記載をそのまま引用したもの" in legend
    assert "補間や推計をした数値はありません" in legend
    assert "用語の解説" in whole
    assert "高齢化率" in whole
    # The colophon is the last page and carries the publisher.
    assert "発行" in texts[-1]
    assert "真鶴町" in texts[-1]


def test_long_table_keeps_source_on_its_page(sample_book):
    texts = page_texts(sample_book / "build" / "databook.pdf")
    page = next(t for t in texts if "表1-2" in t)
    assert "川崎市" in page
    assert "出典：" in page


def luminance(rgb: tuple[int, int, int]) -> float:
    """Return CIE L* of an sRGB colour."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 116 * y ** (1 / 3) - 16 if y > 216 / 24389 else y * 24389 / 27


def series_colours(svg: Path) -> list[tuple[int, int, int]]:
    """Return the colours of the drawn marks: line strokes and bar fills."""
    colours = set()
    for element in ET.parse(svg).iter():
        classes = element.get("class", "").split()
        if "js-line" in classes:
            pattern, styled = r"stroke: rgb\((\d+), (\d+), (\d+)\)", element
        elif "point" in classes:
            # A bar is a path inside its point group; a marker is the point path.
            styled = next((c for c in element.iter() if c.get("style")), element)
            pattern = r"fill: rgb\((\d+), (\d+), (\d+)\)"
        else:
            continue
        match = re.search(pattern, styled.get("style", ""))
        if match:
            colours.add(tuple(int(v) for v in match.groups()))
    return sorted(colours)


def test_series_apart_in_greyscale(sample_book):
    charts = sorted((sample_book / "build" / "charts").glob("*.svg"))
    placed = [name for _, kind, name in block_ids(sample_book) if kind == "chart"]
    assert sorted(svg.stem for svg in charts) == sorted(placed)
    measured = 0
    for svg in charts:
        colours = series_colours(svg)
        assert colours, svg.name
        for first, second in itertools.combinations(colours, 2):
            gap = abs(luminance(first) - luminance(second))
            assert gap >= 15, (svg.name, first, second, gap)
            measured += 1
    # age_structure has 3 series, vital, migration and balance 2 each.
    assert measured >= 6


def test_line_charts_carry_markers_and_dashes(sample_book):
    svg = (sample_book / "build" / "charts" / "vital.svg").read_text(encoding="utf-8")
    assert "stroke-dasharray" in svg
    assert svg.count('class="point"') >= 16


@pytest.fixture(scope="module")
def a5_duplex_book(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("a5"))
    config = project / "databook.yml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("  site: true", "  site: false\n  paper: A5\n  duplex: true")
    text = text.replace(
        "publisher: 真鶴町", "publisher: 真鶴町\ncontact: 企画調整課 0465-68-1131"
    )
    assert "era: both " in text
    text = text.replace("era: both ", "era: japanese ")
    config.write_text(text, encoding="utf-8")
    result = run_databook("build", cwd=project)
    assert result.returncode == 0, result.stderr
    return project


def test_a5_page_size(a5_duplex_book):
    reader = PdfReader(a5_duplex_book / "build" / "databook.pdf")
    box = reader.pages[0].mediabox
    # A5 is 148 × 210 mm = 419.5 × 595.3 pt.
    assert float(box.width) == pytest.approx(419.5, abs=1)
    assert float(box.height) == pytest.approx(595.3, abs=1)
    assert not (a5_duplex_book / "build" / "site").exists()


def test_a5_text_within_margins(a5_duplex_book):
    # The 9 columns of the settled-accounts table and the sources table are
    # the widest; A5's margins are 14 mm on both sides.
    pdf = a5_duplex_book / "build" / "databook.pdf"
    assert words_past_margin(pdf, margin_mm=14) == []


def test_duplex_chapters_on_right_pages(a5_duplex_book):
    texts = page_texts(a5_duplex_book / "build" / "databook.pdf")
    for title in ("第1章 人口", "第2章 人口動態"):
        first = next(
            n
            for n, text in enumerate(texts, 1)
            if title in text.splitlines()[0:4] or f"\n{title}\n" in text
        )
        assert first % 2 == 1, (title, first)


def test_contact_in_colophon(a5_duplex_book):
    texts = page_texts(a5_duplex_book / "build" / "databook.pdf")
    assert "企画調整課 0465-68-1131" in texts[-1]


def test_legend_follows_era_setting(a5_duplex_book):
    whole = "".join(page_texts(a5_duplex_book / "build" / "databook.pdf"))
    whole = whole.replace("\n", "")
    assert "本文の年は和暦で、図表の年は西暦で示しています" in whole
    assert "本文では和暦を添えています" not in whole
    # The body writes 2020年 as 令和2年 alone.
    assert "令和2年の国勢調査によると" in whole


def test_heading_never_ends_a_page(a5_duplex_book):
    """A heading stays with the table below it, even one longer than a page."""
    headings = {
        line[3:].strip()
        for chapter in (a5_duplex_book / "chapters").glob("*.qmd")
        for line in chapter.read_text(encoding="utf-8").splitlines()
        if line.startswith("## ")
    }
    for number, text in enumerate(
        page_texts(a5_duplex_book / "build" / "databook.pdf"), 1
    ):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        content = [line for line in lines if not line.isdigit()]
        if content:
            assert content[-1] not in headings, (number, content[-1])


def test_a5_cover_title_breaks_at_space(a5_duplex_book):
    # 真鶴町 地域経済データブック is 14 characters of 28 pt, wider than the 120 mm
    # of A5 text, so it breaks at its space, not inside データブック.
    cover = page_texts(a5_duplex_book / "build" / "databook.pdf")[0]
    lines = [line.strip() for line in cover.splitlines()]
    assert "真鶴町" in lines
    assert "地域経済データブック" in lines
