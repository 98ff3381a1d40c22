"""The A4 booklet, laid out by WeasyPrint with the charts as SVG images.

Charts are referenced with `<img>` rather than inlined: WeasyPrint lays out
inline SVG more slowly and logs a warning per unsupported attribute.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from markupsafe import Markup

from databook.charts.figures import print_size
from databook.publish.book import Book, credit_line, templates
from databook.publish.chapters import ChartBlock, TableBlock
from databook.publish.data import table_cells

logger = logging.getLogger(__name__)

# The A4 text block is 170 mm wide (210 mm less 20 mm margins each side).
TEXT_WIDTH_MM = 170
CSS_PIXELS_PER_MM = 96 / 25.4


def book_html(book: Book, chart_dir: str) -> str:
    """Return the whole booklet as one HTML document; SVGs under `chart_dir`."""
    env = templates()
    chapters = []
    for chapter in book.chapters:
        parts = []
        for part in chapter.parts:
            if isinstance(part, ChartBlock):
                width, _ = print_size(part.spec)
                width_mm = min(TEXT_WIDTH_MM, round(width / CSS_PIXELS_PER_MM))
                parts.append(
                    Markup(
                        env.get_template("pdf/chart.html").render(
                            block=part,
                            svg_href=f"{chart_dir}/{part.spec.id}.svg",
                            width_mm=width_mm,
                            credit=credit_line(part.spec.sources),
                        )
                    )
                )
            elif isinstance(part, TableBlock):
                parts.append(
                    Markup(
                        env.get_template("pdf/table.html").render(
                            block=part,
                            data=table_cells(part.table, emphasise=book.municipality),
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
    return env.get_template("pdf/book.html").render(
        book=book, chapters=chapters, css=Markup(css)
    )


def write_pdf(book: Book, out: Path, *, base: Path, chart_dir: str) -> int:
    """Lay out the booklet and write it to `out`; return the page count.

    `base` is the folder that `chart_dir` is relative to.
    """
    from weasyprint import HTML

    document = HTML(string=book_html(book, chart_dir), base_url=str(base)).render()
    document.write_pdf(out)
    pages = len(document.pages)
    logger.info(
        "書き出し: %s（%d ページ、%d KB）", out.name, pages, out.stat().st_size // 1024
    )
    return pages
