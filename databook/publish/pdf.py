"""The A4 booklet, laid out by WeasyPrint with the charts as SVG images.

Charts are referenced with `<img>` rather than inlined: WeasyPrint lays out
inline SVG more slowly and logs a warning per unsupported attribute.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from markupsafe import Markup

from databook.charts.figures import CSS_PIXELS_PER_MM, PAPER_TEXT_WIDTH_MM, print_size
from databook.publish.book import Book, credit_line, templates
from databook.publish.chapters import ChartBlock, TableBlock
from databook.publish.data import table_cells
from databook.publish.glossary import terms_used

logger = logging.getLogger(__name__)

PAGE_MARGINS_MM = {"A4": (22, 20, 20, 20), "A5": (16, 14, 16, 14)}
"""Top, outer, bottom and inner margins; the text width follows from them."""


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
    top, outer, bottom, inner = PAGE_MARGINS_MM[paper]
    page_css = (
        f"@page {{ size: {paper}; margin: {top}mm {outer}mm {bottom}mm {inner}mm; }}"
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
