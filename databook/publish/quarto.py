"""The Quarto book project in build/quarto/, for offices that render with Quarto.

The chapter .qmd files are copied unchanged. `{{< var >}}` is Quarto's own
shortcode and reads _variables.yml. `{{< chart >}}` and `{{< table >}}` come
from the shortcode extension in _extensions/databook/, which inserts a block
that databook wrote beforehand into _fragments/<chapter>/: the HTML of the
built-in site for html output, and Markdown (the chart SVG or a pipe table)
for the typst PDF.
"""

from __future__ import annotations

import logging
import shutil
from importlib import resources
from pathlib import Path

import yaml

from databook.cache import StepCache
from databook.charts.figures import CSS_PIXELS_PER_MM, PAPER_TEXT_WIDTH_MM, print_size
from databook.publish.book import Book, credit_line
from databook.publish.chapters import (
    BLOCK_LABELS,
    NO_DATA_BLOCK,
    NO_DATA_SENTENCE,
    ChartBlock,
    TableBlock,
    _escape_markdown,
)
from databook.publish.data import chart_csv, table_cells, table_csv

logger = logging.getLogger(__name__)

# Book projects gained typst (PDF without LaTeX) output in Quarto 1.9
# (announced in github.com/orgs/quarto-dev/discussions/6979).
MIN_QUARTO_VERSION = (1, 9)
EXTENSION_NAME = "databook"
SHORTCODES = ("chart", "table")
"""Shortcode names that the extension's Lua file defines."""
FONT = "BIZ UDPGothic"
FALLBACK_FONT = "Noto Sans CJK JP"
MISSING_CHARTS_NOTE = """\
# グラフの SVG がありません

databook.yml の `output.pdf` が `false` で、Quarto でのレンダリングも
指定されていなかったため、グラフの SVG を書き出していません。
PDF（typst）を作るには、`databook build --render-quarto` を実行するか、
`output.pdf` を `true` にしてビルドし直してください。HTML は SVG なしで作れます。
"""


def write_quarto_project(
    book: Book,
    out: Path,
    *,
    source_root: Path,
    svg_dir: Path | None,
    cache: StepCache | None = None,
) -> None:
    """Write the Quarto book project of `book` into `out`.

    `source_root` is the folder that each chapter's `file` is relative to, and
    `svg_dir` contains the print SVGs named <chart id>.svg, or is None when the
    build exported none. With a `cache`, unchanged chart fragments are reused.
    """
    out.mkdir(parents=True, exist_ok=True)
    chapter_files = [f"{chapter.slug}.qmd" for chapter in book.chapters]
    for chapter, name in zip(book.chapters, chapter_files, strict=True):
        shutil.copyfile(source_root / chapter.file, out / name)

    (out / "_quarto.yml").write_text(_dump_yaml(quarto_config(book)), "utf-8")
    (out / "_variables.yml").write_text(_dump_yaml(nest(book.variables)), "utf-8")
    (out / "index.qmd").write_text(index_page(book), "utf-8")
    (out / "sources.qmd").write_text(sources_page(book), "utf-8")
    _write_extension(out / "_extensions" / EXTENSION_NAME)
    _write_assets(out / "assets")
    _write_charts(book, out / "charts", svg_dir)
    count = _write_fragments(book, out, cache)
    logger.info(
        "書き出し: build/%s/（章 %d、図表 %d）", out.name, len(book.chapters), count
    )


def quarto_config(book: Book) -> dict:
    """Return the content of _quarto.yml: a book with html and typst output."""
    chapters = ["index.qmd", *(f"{c.slug}.qmd" for c in book.chapters)]
    fonts = f'"{FONT}", "{FALLBACK_FONT}", sans-serif'
    return {
        "project": {
            "type": "book",
            "output-dir": "_book",
            # Only the book's pages are inputs, not charts/README.md and the like.
            "render": [*chapters, "sources.qmd"],
            "resources": ["assets/", "data/"],
        },
        "lang": "ja",
        "book": {
            "title": book.title,
            "author": book.publisher,
            "date": book.built_on,
            "chapters": chapters,
            "appendices": ["sources.qmd"],
        },
        "format": {
            "html": {
                "mainfont": fonts,
                "include-in-header": {
                    "text": '<script src="assets/plotly.min.js"></script>'
                },
            },
            "typst": {
                "papersize": "a4",
                "mainfont": FONT,
                "toc": True,
            },
        },
    }


def nest(variables: dict[str, str]) -> dict:
    """Turn dotted names (population.total) into the nested mapping Quarto reads."""
    nested: dict = {}
    for name, text in variables.items():
        *parents, leaf = name.split(".")
        node = nested
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = text
    return nested


def index_page(book: Book) -> str:
    return (
        "# はじめに {.unnumbered}\n\n"
        f"{_escape_markdown(book.prefecture + book.municipality)}の"
        f"{book.edition}年版の地域経済データブックです。"
        f"{_escape_markdown(book.publisher)}が{book.built_on}に作成しました。\n\n"
        "図表の出典は各図表の下に、読み込んだ統計の一覧は「出典一覧」にあります。\n"
    )


def sources_page(book: Book) -> str:
    lines = [
        "# 出典一覧\n",
        "この冊子の数値は、次の統計から作成しました。数値は各統計の公表値を"
        "そのまま使い、比率・増減・順位は本書で計算しています。\n",
        "| ファイル | 出典 | もとの統計 | 対象年 | 利用条件 |",
        "|---|---|---|---|---|",
    ]
    for source in book.source_files:
        cells = [
            f"`{source.file}`",
            "、".join(_link(name, url) for name, url in source.origins),
            _escape_markdown("、".join(source.surveys)),
            _escape_markdown("、".join(source.references)),
            _escape_markdown(source.licence),
        ]
        lines.append("| " + " | ".join(cells) + " |")

    notes = [(c.title, c.method_notes) for c in book.chapters if c.method_notes]
    if notes:
        lines.append("\n## 数値の説明\n")
        for title, chapter_notes in notes:
            lines.append(f"### {_escape_markdown(title)}\n")
            lines += [f"- {_escape_markdown(note)}" for note in chapter_notes]
            lines.append("")
    return "\n".join(lines) + "\n"


def chart_markdown(block: ChartBlock) -> str:
    """Return a chart as Markdown for the PDF: the SVG, its note and 出典 line."""
    width, _ = print_size(block.spec)
    width_mm = min(PAPER_TEXT_WIDTH_MM["A4"], round(width / CSS_PIXELS_PER_MM))
    caption = _escape_markdown(f"{block.number} {block.spec.title}")
    alt = block.spec.alt.replace('"', "'")
    lines = [
        f'![{caption}](charts/{block.spec.id}.svg){{width="{width_mm}mm" '
        f'fig-alt="{alt}"}}\n'
    ]
    if block.spec.note:
        lines.append(f"注：{_escape_markdown(block.spec.note)}\n")
    lines.append(f"出典：{_escape_markdown(credit_line(block.spec.sources))}\n")
    return "\n".join(lines)


def table_markdown(block: TableBlock, book: Book) -> str:
    """Return a table as a Markdown pipe table with its caption and 出典 line."""
    cells = table_cells(block.table, emphasise=book.municipality)
    align = ["---:" if numeric else ":---" for numeric in cells.numeric]
    lines = [
        "| " + " | ".join(_escape_markdown(h) for h in cells.headers) + " |",
        "|" + "|".join(align) + "|",
    ]
    for index, row in enumerate(cells.rows):
        texts = [_escape_markdown(cell) for cell in row]
        if index in cells.emphasised_rows:
            texts = [f"**{text}**" if text else text for text in texts]
        lines.append("| " + " | ".join(texts) + " |")
    caption = _escape_markdown(f"{block.number} {block.table.title}")
    credit = _escape_markdown(credit_line(block.table.sources))
    return "\n".join(lines) + f"\n\n: {caption}\n\n出典：{credit}\n"


def _write_fragments(book: Book, out: Path, cache: StepCache | None) -> int:
    """Write each chapter's blocks as HTML and Markdown and return their count."""
    from databook.publish.site import Download, chart_html, table_html

    data = out / "data"
    data.mkdir(exist_ok=True)
    count = 0
    for chapter in book.chapters:
        folder = out / "_fragments" / chapter.slug
        folder.mkdir(parents=True, exist_ok=True)
        for block in chapter.charts:
            csv_name = f"{block.spec.id}.csv"
            (data / csv_name).write_bytes(chart_csv(block.spec))
            downloads = [Download("CSV", f"data/{csv_name}")]
            html = chart_html(block, downloads, cache=cache)
            _write_pair(folder, f"chart-{block.spec.id}", html, chart_markdown(block))
            count += 1
        for block in chapter.tables:
            csv_name = f"table-{block.table.id}.csv"
            (data / csv_name).write_bytes(table_csv(block.table))
            html = table_html(block, [Download("CSV", f"data/{csv_name}")], book)
            markdown = table_markdown(block, book)
            _write_pair(folder, f"table-{block.table.id}", html, markdown)
            count += 1
        for kind, name in chapter.no_data_blocks:
            label = BLOCK_LABELS[kind]
            html = NO_DATA_BLOCK.format(label=label)
            markdown = NO_DATA_SENTENCE.format(label=label) + "\n"
            _write_pair(folder, f"{kind}-{name}", html, markdown)
    return count


def _write_pair(folder: Path, stem: str, html: str, markdown: str) -> None:
    # NOTE: a chart or table placed twice in one chapter gets the number of its
    # last placement in both places, because the shortcode only carries a name.
    (folder / f"{stem}.html").write_text(str(html), "utf-8")
    (folder / f"{stem}.md").write_text(markdown, "utf-8")


def _write_extension(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lua = resources.files("databook") / "publish" / "static" / "quarto-shortcodes.lua"
    (folder / "shortcodes.lua").write_bytes(lua.read_bytes())
    manifest = {
        "title": "databook",
        "author": "databook",
        "version": "1.0.0",
        "quarto-required": ">=" + ".".join(map(str, MIN_QUARTO_VERSION)) + ".0",
        "contributes": {"shortcodes": ["shortcodes.lua"]},
    }
    (folder / "_extension.yml").write_text(_dump_yaml(manifest), "utf-8")


def _write_assets(folder: Path) -> None:
    from databook.publish.site import plotly_js_path

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(plotly_js_path(), folder / "plotly.min.js")


def _write_charts(book: Book, folder: Path, svg_dir: Path | None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if svg_dir is None:
        (folder / "README.md").write_text(MISSING_CHARTS_NOTE, "utf-8")
        return
    for chapter in book.chapters:
        for block in chapter.charts:
            name = f"{block.spec.id}.svg"
            shutil.copyfile(svg_dir / name, folder / name)


def _link(text: str, url: str) -> str:
    label = _escape_markdown(text)
    return f"[{label}]({url})" if url else label


def _dump_yaml(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
