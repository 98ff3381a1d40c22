"""The static site: an index, one page per chapter, data files, and plotly.js.

Nothing is loaded from another host: plotly.js is copied from the plotly
package into assets/ once and each page refers to it, and fonts come from the
reader's system.
"""

from __future__ import annotations

import logging
import shutil
from importlib import resources
from pathlib import Path

import plotly.io
from markupsafe import Markup

from databook.charts.figures import build_figure, web_height
from databook.publish.book import Book, credit_line, templates
from databook.publish.chapters import ChartBlock, TableBlock
from databook.publish.data import chart_csv, chart_table, table_cells, table_csv

logger = logging.getLogger(__name__)

PLOT_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
    "locale": "ja",
}


def plotly_js_path() -> Path:
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


def write_site(
    book: Book, out: Path, *, pdf_href: str = "../databook.pdf"
) -> list[Path]:
    """Write the site into `out` and return the files written."""
    written: list[Path] = []
    assets = out / "assets"
    data = out / "data"
    assets.mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)

    shutil.copyfile(plotly_js_path(), assets / "plotly.min.js")
    css = resources.files("databook") / "publish" / "static" / "site.css"
    (assets / "site.css").write_bytes(css.read_bytes())
    written += [assets / "plotly.min.js", assets / "site.css"]

    env = templates()
    context = {"book": book, "pdf_href": pdf_href}
    for name in ("index", "sources"):
        page = out / f"{name}.html"
        page.write_text(
            env.get_template(f"site/{name}.html").render(**context), "utf-8"
        )
        written.append(page)

    for index, chapter in enumerate(book.chapters):
        parts = []
        for part in chapter.parts:
            if isinstance(part, ChartBlock):
                csv_path = data / f"{part.spec.id}.csv"
                csv_path.write_bytes(chart_csv(part.spec))
                written.append(csv_path)
                parts.append(chart_html(part, f"data/{csv_path.name}"))
            elif isinstance(part, TableBlock):
                csv_path = data / f"table-{part.table.id}.csv"
                csv_path.write_bytes(table_csv(part.table))
                written.append(csv_path)
                parts.append(table_html(part, f"data/{csv_path.name}", book))
            else:
                parts.append(Markup(part))

        page = out / f"{chapter.slug}.html"
        html = env.get_template("site/chapter.html").render(
            **context,
            current=chapter,
            parts=parts,
            previous=book.chapters[index - 1] if index > 0 else None,
            next=book.chapters[index + 1] if index + 1 < len(book.chapters) else None,
        )
        page.write_text(html, "utf-8")
        written.append(page)
        logger.info(
            "書き出し: %s（図 %d、表 %d）",
            page.name,
            len(chapter.charts),
            len(chapter.tables),
        )
    return written


def chart_html(block: ChartBlock, csv_href: str) -> Markup:
    """Return a chart as on the site: plotly, 出典, data table and CSV link."""
    figure = build_figure(block.spec)
    plot = plotly.io.to_html(
        figure,
        full_html=False,
        include_plotlyjs=False,
        div_id=f"plot-{block.spec.id}",
        config=PLOT_CONFIG,
        default_height=f"{web_height(block.spec)}px",
    )
    html = (
        templates()
        .get_template("site/chart.html")
        .render(
            block=block,
            plot=Markup(plot),
            data=chart_table(block.spec),
            credit=credit_line(block.spec.sources),
            csv_href=csv_href,
        )
    )
    return Markup(html)


def table_html(block: TableBlock, csv_href: str, book: Book) -> Markup:
    """Return a table as on the site, with its 出典 line and CSV link."""
    html = (
        templates()
        .get_template("site/table.html")
        .render(
            block=block,
            data=table_cells(block.table, emphasise=book.municipality),
            credit=credit_line(block.table.sources),
            csv_href=csv_href,
        )
    )
    return Markup(html)
