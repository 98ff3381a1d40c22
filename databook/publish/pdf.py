"""The A4 booklet, laid out by WeasyPrint with the charts as SVG images.

Charts are referenced with `<img>` rather than inlined: WeasyPrint lays out
inline SVG more slowly and logs a warning per unsupported attribute.
"""

from __future__ import annotations

import logging
import re
from importlib import resources
from pathlib import Path

from markupsafe import Markup

from databook.charts.figures import (
    CSS_PIXELS_PER_MM,
    PAPER_TEXT_WIDTH_MM,
    PRINT_CHART_MAX_MM,
    print_cut_note,
    print_size,
)
from databook.publish.book import Book, credit_line, templates
from databook.publish.chapters import ChartBlock, TableBlock
from databook.publish.data import HtmlTable, table_cells
from databook.publish.glossary import terms_used

logger = logging.getLogger(__name__)

PAGE_MARGINS_MM = {"A4": (22, 20, 20, 20), "A5": (16, 14, 16, 14)}
"""Top, outer, bottom and inner margins; the text width follows from them."""
TABLE_FONT_PT = 9.0
"""Font size of tables in print.css, kept by every table that fits at it."""
SMALLEST_TABLE_FONT_PT = 6.0
CELL_PADDING_MM = 4.0
"""Left plus right padding of a table cell at `TABLE_FONT_PT` (print.css)."""
FITTED_PADDING_EM = 0.8
"""Left plus right padding of a cell of a table set smaller (table.fitted)."""
MM_PER_PT = 25.4 / 72
PAGE_ROWS = {"A4": 38, "A5": 26}
"""Rows of a 9 pt table that fit on a page below its caption, an estimate:
about 6 mm a row in 255 mm (A4) and 178 mm (A5) of text height. A longer
table starts below its heading and runs on to the next page."""
ASCII_EM = 0.78
"""Width of an ASCII character in em: BIZ UDPGothic's digits, as WeasyPrint 70
lays out 0123456789 at 7.77 em."""
NARROW_EM = 0.35
"""Width of a comma or point in em: 4,905,879 lays out at 6.24 em."""
ASCII_RUN = re.compile(r"[!-~]+")
WORD_BREAK = re.compile(r"[\s、。，．・（）「」『』()]+")
"""Spaces and punctuation, the places where a cell of several words breaks."""


def book_html(
    book: Book, chart_dir: str, *, paper: str = "A4", duplex: bool = False
) -> str:
    """Return the whole booklet as one HTML document; SVGs under `chart_dir`."""
    env = templates()
    text_width = PAPER_TEXT_WIDTH_MM[paper]
    chapters = []
    for chapter in book.chapters:
        parts = []
        for part in chapter.parts:
            if isinstance(part, ChartBlock):
                width, _ = print_size(part.spec, paper)
                width_mm = min(text_width, round(width / CSS_PIXELS_PER_MM))
                parts.append(
                    Markup(
                        env.get_template("pdf/chart.html").render(
                            block=part,
                            svg_href=f"{chart_dir}/{part.spec.id}.svg",
                            width_mm=width_mm,
                            cut_note=print_cut_note(part.spec, paper),
                            credit=credit_line(part.spec.sources),
                        )
                    )
                )
            elif isinstance(part, TableBlock):
                data = table_cells(part.table, emphasise=book.municipality)
                size = table_font_size(data, text_width)
                parts.append(
                    Markup(
                        env.get_template("pdf/table.html").render(
                            block=part,
                            data=data,
                            words=[[is_one_word(c) for c in row] for row in data.rows],
                            font_pt=size,
                            long=len(data.rows) > PAGE_ROWS[paper],
                            credit=credit_line(part.table.sources),
                        )
                    )
                )
            else:
                parts.append(Markup(part))
        chapters.append(
            {
                "number": chapter.number,
                "title": chapter.title,
                "parts": parts,
                "notes": chapter.method_notes,
            }
        )

    css = (resources.files("databook") / "publish" / "static" / "print.css").read_text(
        "utf-8"
    )
    top, outer, bottom, inner = PAGE_MARGINS_MM[paper]
    page_css = (
        f"@page {{ size: {paper}; margin: {top}mm {outer}mm {bottom}mm {inner}mm; }}"
        f"figure img {{ max-height: {PRINT_CHART_MAX_MM[paper]}mm; }}"
    )
    if duplex:
        # Chapters open on a right-hand page, blank left pages stay blank, and
        # the wider inner margin moves to the binding side of left pages.
        page_css += (
            f"@page :left {{ margin-left: {outer}mm; margin-right: {inner}mm; }}"
            ".chapter { break-before: right; }"
            "@page :blank { @top-right { content: none; }"
            " @bottom-center { content: none; } }"
        )
    all_text = "".join(str(p) for chapter in chapters for p in chapter["parts"])
    return env.get_template("pdf/book.html").render(
        book=book,
        chapters=chapters,
        css=Markup(css + page_css),
        glossary=terms_used(all_text),
    )


def table_font_size(data: HtmlTable, text_width_mm: float) -> float | None:
    """Return the font size in points at which a table fits the text width.

    None means that the table fits as print.css sets it. Otherwise the table
    is set at the returned size with narrower padding (table.fitted).

    A cell of one word does not break (print.css keeps a td.word on one
    line), a longer cell is counted by its widest word, and a heading may
    break anywhere but next to a bracket. So the widest unbreakable piece of
    each column sets its narrowest width. The widths are estimates
    (`ASCII_EM`, 1 em for other characters), so a table close to the limit
    may still reach a millimetre or two into the margin. A table too wide even
    at `SMALLEST_TABLE_FONT_PT` gets that size.
    """
    widest_em = []
    for column, header in enumerate(data.headers):
        cells = [_word_em(row[column]) for row in data.rows]
        widest_em.append(max([_heading_em(header), *cells]))
    text_em = sum(widest_em)
    padding_mm = len(widest_em) * CELL_PADDING_MM
    if text_em * TABLE_FONT_PT * MM_PER_PT + padding_mm <= text_width_mm:
        return None
    # A fitted table has padding in em (print.css, table.fitted), so both
    # the text and the padding shrink with the size.
    per_point = (text_em + len(widest_em) * FITTED_PADDING_EM) * MM_PER_PT
    size = min(TABLE_FONT_PT, text_width_mm / per_point)
    return round(max(SMALLEST_TABLE_FONT_PT, size), 1)


def is_one_word(text: str) -> bool:
    """Return True for a cell text without a space or punctuation to break at."""
    return WORD_BREAK.search(text) is None


def _word_em(text: str) -> float:
    """Return the width in em of the widest word of a cell's text."""
    return max((_em(word) for word in WORD_BREAK.split(text)), default=0.0)


def _heading_em(text: str) -> float:
    """Return the width in em of the longest run of a heading that cannot break.

    Other text than ASCII counts as 2 em: a Japanese line cannot end on an
    opening bracket nor start with a closing one, so 「（千」 stays together.
    """
    runs = [_em(run) for run in ASCII_RUN.findall(text)]
    if ASCII_RUN.sub("", text).strip():
        runs.append(2.0)
    return max(runs, default=0.0)


def _em(text: str) -> float:
    return sum(_char_em(char) for char in text)


def _char_em(char: str) -> float:
    if char in ",.":
        return NARROW_EM
    return ASCII_EM if char.isascii() else 1.0


def write_pdf(
    book: Book,
    out: Path,
    *,
    base: Path,
    chart_dir: str,
    paper: str = "A4",
    duplex: bool = False,
) -> int:
    """Lay out the booklet and write it to `out`; return the page count.

    `base` is the folder that `chart_dir` is relative to. The PDF is tagged
    (PDF/UA-1) so that screen readers can follow its structure.
    """
    from weasyprint import HTML

    html = book_html(book, chart_dir, paper=paper, duplex=duplex)
    document = HTML(string=html, base_url=str(base)).render()
    document.write_pdf(out, pdf_variant="pdf/ua-1")
    pages = len(document.pages)
    logger.info(
        "書き出し: %s（%d ページ、%d KB）", out.name, pages, out.stat().st_size // 1024
    )
    return pages
