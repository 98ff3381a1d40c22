"""The static site: an index, one page per chapter, open data, and plotly.js.

Nothing is loaded from another host: plotly.js is copied from the plotly
package into assets/ once and every chapter page refers to the same file, so
a browser caches it; fonts come from the reader's system.
"""

from __future__ import annotations

import gzip
import logging
import re
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from markupsafe import Markup

from databook.cache import StepCache, code_version, hash_bytes, key_of
from databook.model import credit_text
from databook.publish.book import Book, credit_line, templates
from databook.publish.chapters import ChartBlock, TableBlock
from databook.publish.data import chart_csv, chart_table, table_cells, table_csv
from databook.publish.downloads import (
    Entry,
    book_xlsx,
    catalogue,
    entries,
    entry_json,
    entry_xlsx,
)

logger = logging.getLogger(__name__)

# No plotly tool bar, because its buttons are labelled in English and would be
# keyboard stops inside a chart that screen readers skip. Every chart offers
# its data and PNG and SVG images below it instead.
PLOT_CONFIG = {
    "displayModeBar": False,
    "responsive": True,
    "locale": "ja",
}
WORKBOOK_NAME = "databook.xlsx"


@dataclass(frozen=True)
class Download:
    """A file offered under a chart or table."""

    label: str
    """Format as shown, e.g. CSV."""
    href: str
    """Path relative to the site root."""


def plotly_js_path() -> Path:
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


def write_site(
    book: Book,
    out: Path,
    *,
    pdf_href: str | None = "../databook.pdf",
    chart_files: Path | None = None,
    cache: StepCache | None = None,
) -> list[Path]:
    """Write the site into `out` and return the files written.

    `chart_files` is the folder of exported chart images (<id>.svg, <id>.png)
    offered for download; without it the site offers the data files only.
    """
    assets = out / "assets"
    data = out / "data"
    assets.mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)

    shutil.copyfile(plotly_js_path(), assets / "plotly.min.js")
    css = resources.files("databook") / "publish" / "static" / "site.css"
    (assets / "site.css").write_bytes(css.read_bytes())
    written = [assets / "plotly.min.js", assets / "site.css"]

    downloads, keys = _write_downloads(book, data, chart_files, cache)
    written += [out / d.href for files in downloads.values() for d in files]
    workbook_key = key_of(keys, book.title, book.edition)
    workbook = _cached(
        cache, "downloads", f"{workbook_key}.xlsx", lambda: book_xlsx(book)
    )
    (data / WORKBOOK_NAME).write_bytes(workbook)
    catalogue_files = {
        entry_id: [(d.label, d.href) for d in files]
        for entry_id, files in downloads.items()
    }
    (out / "catalogue.json").write_bytes(catalogue(book, catalogue_files))
    written += [data / WORKBOOK_NAME, out / "catalogue.json"]

    env = templates()
    context = {
        "book": book,
        "pdf_href": pdf_href,
        "workbook_href": f"data/{WORKBOOK_NAME}",
        "notices": book.notices,
    }
    pages = {
        "index": {},
        "sources": {},
        "opendata": {"entries": entries(book), "downloads": downloads},
    }
    for name, extra in pages.items():
        page = out / f"{name}.html"
        html = env.get_template(f"site/{name}.html").render(**context, **extra)
        page.write_text(html, "utf-8")
        written.append(page)

    compressed: dict[Path, int] = {}
    for index, chapter in enumerate(book.chapters):
        parts = []
        for part in chapter.parts:
            if isinstance(part, ChartBlock):
                parts.append(chart_html(part, downloads[part.spec.id], cache=cache))
            elif isinstance(part, TableBlock):
                files = downloads[f"table-{part.table.id}"]
                parts.append(table_html(part, files, book))
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
            "書き出し: %s（図 %d、表 %d、閲覧時の通信量 約 %.1f MB）",
            page.name,
            len(chapter.charts),
            len(chapter.tables),
            page_weight(page, compressed) / 1e6,
        )
    return written


def _write_downloads(
    book: Book, data: Path, chart_files: Path | None, cache: StepCache | None
) -> tuple[dict[str, list[Download]], list[str]]:
    """Write each entry's files; return the downloads by entry and the entry keys."""
    downloads: dict[str, list[Download]] = {}
    keys = []
    for entry in entries(book):
        csv_bytes = (
            chart_csv(entry.block.spec)
            if isinstance(entry.block, ChartBlock)
            else table_csv(entry.block.table)
        )
        key = key_of(
            code_version(),
            entry.id,
            entry.number,
            entry.title,
            hash_bytes(csv_bytes),
            credit_text(entry.sources),
            sorted({s.licence for s in entry.sources}),
        )
        keys.append(key)
        files = []
        (data / f"{entry.id}.csv").write_bytes(csv_bytes)
        files.append(Download("CSV", f"data/{entry.id}.csv"))
        for label, suffix, make in (
            ("JSON", "json", entry_json),
            ("Excel", "xlsx", entry_xlsx),
        ):
            content = _cached(cache, "downloads", f"{key}.{suffix}", make, entry)
            (data / f"{entry.id}.{suffix}").write_bytes(content)
            files.append(Download(label, f"data/{entry.id}.{suffix}"))
        files += _copy_images(entry, data, chart_files)
        downloads[entry.id] = files
    return downloads, keys


def _cached(cache: StepCache | None, kind: str, key: str, make, *args) -> bytes:
    """Return the cached bytes of `key`, or make them with `make(*args)` and store."""
    if cache is not None:
        stored = cache.get(kind, key)
        if stored is not None:
            return stored
    content = make(*args)
    if cache is not None:
        cache.put(kind, key, content)
    return content


def _copy_images(entry: Entry, data: Path, chart_files: Path | None) -> list[Download]:
    if chart_files is None or not isinstance(entry.block, ChartBlock):
        return []
    copied = []
    for label, suffix in (("PNG", "png"), ("SVG", "svg")):
        source = chart_files / f"{entry.id}.{suffix}"
        if source.exists():
            shutil.copyfile(source, data / source.name)
            copied.append(Download(label, f"data/{source.name}"))
    return copied


def chart_html(
    block: ChartBlock, downloads: list[Download], *, cache: StepCache | None = None
) -> Markup:
    """Return a chart's figure for the site: plot, 出典, data table, downloads.

    With a cache, an unchanged chart's HTML is reused, and plotly is imported
    only when a chart has to be drawn anew.
    """
    spec = block.spec
    key = key_of(
        code_version(),
        block.number,
        spec.id,
        spec.title,
        spec.kind,
        spec.data.to_csv(index=False),
        spec.x_title,
        spec.y_title,
        spec.alt,
        spec.note,
        spec.highlight,
        spec.digits,
        credit_line(spec.sources),
        [(d.label, d.href) for d in downloads],
    )
    if cache is not None:
        stored = cache.get("fragments", key)
        if stored is not None:
            return Markup(stored.decode("utf-8"))

    import plotly.io

    from databook.charts.figures import build_figure, web_height

    plot = plotly.io.to_html(
        build_figure(spec),
        full_html=False,
        include_plotlyjs=False,
        div_id=f"plot-{spec.id}",
        config=PLOT_CONFIG,
        default_height=f"{web_height(spec)}px",
    )
    html = (
        templates()
        .get_template("site/chart.html")
        .render(
            block=block,
            plot=Markup(plot),
            data=chart_table(spec),
            credit=credit_line(spec.sources),
            downloads=downloads,
        )
    )
    if cache is not None:
        cache.put("fragments", key, html.encode("utf-8"))
    return Markup(html)


def table_html(block: TableBlock, downloads: list[Download], book: Book) -> Markup:
    html = (
        templates()
        .get_template("site/table.html")
        .render(
            block=block,
            data=table_cells(block.table, emphasise=book.municipality),
            credit=credit_line(block.table.sources),
            downloads=downloads,
        )
    )
    return Markup(html)


def page_weight(page: Path, compressed: dict[Path, int] | None = None) -> int:
    """Return the bytes a first visit to `page` transfers with gzip: page and assets.

    `compressed` keeps each asset's compressed size between calls, because
    every page shares the 4.8 MB plotly.min.js and compressing it takes a while.
    """
    compressed = {} if compressed is None else compressed
    html = page.read_bytes()
    total = len(gzip.compress(html))
    for url in re.findall(rb'(?:src|href)="(assets/[^"]+)"', html):
        asset = page.parent / url.decode()
        if asset not in compressed:
            compressed[asset] = len(gzip.compress(asset.read_bytes()))
        total += compressed[asset]
    return total
