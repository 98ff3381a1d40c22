"""`databook build`: load, analyse, chart and publish, then swap the outputs in.

Everything is written into a staging folder inside the project first. Only
when the whole book is written are build/ and data/processed/ replaced, so a
failed build leaves the previous book and open data as they were.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from databook.analysis.census_history import analyse_population_history
from databook.analysis.common import Area
from databook.analysis.economy import analyse_economy
from databook.analysis.finance import analyse_finance
from databook.analysis.fishery import analyse_fishery
from databook.analysis.industry import analyse_industry
from databook.analysis.population import analyse_population, analyse_population_change
from databook.analysis.register import analyse_juki
from databook.analysis.tourism import analyse_tourism
from databook.config import CONFIG_NAME, Config, load_config
from databook.doctor import require, run_checks
from databook.errors import ConfigError
from databook.formatting import era_style
from databook.inputs import Inputs, load_inputs
from databook.model import Finding, KeyFigure
from databook.progress import Progress
from databook.publish.book import Book
from databook.publish.chapters import ChapterRenderer, read_chapter
from databook.sources.codes import MunicipalityMaster, normalize_area_code

logger = logging.getLogger(__name__)

ANALYSES: dict[str, Callable[[Inputs, Area], Finding]] = {
    "population": analyse_population,
    "population_change": analyse_population_change,
    "population_history": analyse_population_history,
    "juki": analyse_juki,
    "industry": analyse_industry,
    "tourism": analyse_tourism,
    "fishery": analyse_fishery,
    "economy": analyse_economy,
    "finance": analyse_finance,
}
PROCESSED = Path("data") / "processed"
BUILD = Path("build")
CHART_DIR = "charts"


@dataclass
class BuildResult:
    """What a build wrote."""

    pdf: Path | None
    site: Path | None
    processed: Path
    charts: int
    pages: int
    seconds: float


def build(project: Path, *, progress: Progress | None = None) -> BuildResult:
    """Build the book of the project in `project`."""
    started = time.monotonic()
    progress = progress or Progress(enabled=False)
    config = load_config(project / CONFIG_NAME)
    require(run_checks(pdf=config.output.pdf))

    inputs = load_inputs(config)
    area = resolve_area(config, inputs.master)
    logger.info("対象: %s%s（%s）", area.prefecture, area.name, area.code)

    book = assemble_book(config, inputs, area)
    charts = [block for chapter in book.chapters for block in chapter.charts]

    with staging(project) as stage:
        build_dir = stage / "build"
        processed_dir = stage / "processed"
        build_dir.mkdir()
        processed_dir.mkdir()

        write_processed(book, processed_dir)
        site_dir = None
        if config.output.site:
            from databook.publish.site import write_site

            site_dir = build_dir / "site"
            pdf_href = "../databook.pdf" if config.output.pdf else "index.html"
            write_site(book, site_dir, pdf_href=pdf_href)

        pdf_path = None
        pages = 0
        if config.output.pdf:
            export_charts(charts, build_dir / CHART_DIR, progress)
            from databook.publish.pdf import write_pdf

            pdf_path = build_dir / "databook.pdf"
            with progress.step("PDF をレイアウト中"):
                pages = write_pdf(book, pdf_path, base=build_dir, chart_dir=CHART_DIR)

        swap_in(build_dir, project / BUILD)
        swap_in(processed_dir, project / PROCESSED)

    result = BuildResult(
        pdf=project / BUILD / "databook.pdf" if pdf_path else None,
        site=project / BUILD / "site" if site_dir else None,
        processed=project / PROCESSED,
        charts=len(charts),
        pages=pages,
        seconds=time.monotonic() - started,
    )
    logger.info("完了: %.1f 秒", result.seconds)
    return result


def resolve_area(config: Config, master: MunicipalityMaster) -> Area:
    code = normalize_area_code(config.municipality)
    municipality = master.get(code)
    if municipality is None or municipality.is_ward:
        raise ConfigError(
            f"団体コード {code} の市区町村が団体コード一覧にありません。",
            file=config.root / CONFIG_NAME,
            place="設定 municipality",
            hint="5桁の地域コード（例: 真鶴町は 14383）を書いてください。"
            "政令市の区ではなく市のコードを使います。",
        )
    return Area(code, municipality.name, municipality.prefecture)


def assemble_book(config: Config, inputs: Inputs, area: Area) -> Book:
    """Run each chapter's analysis and render its text."""
    findings: dict[str, Finding] = {}
    with era_style(config.era):
        for chapter in config.chapters:
            for name in chapter.analysis:
                if name not in findings:
                    findings[name] = ANALYSES[name](inputs, area)

    title = config.title or f"{area.name} 地域経済データブック"
    variables: dict[str, KeyFigure | str] = {
        "book.municipality": area.name,
        "book.prefecture": area.prefecture,
        "book.edition": f"{config.edition}年版",
        "book.title": title,
    }
    charts, tables = {}, {}
    for finding in findings.values():
        for key, figure in finding.figures.items():
            variables[f"{finding.name}.{key}"] = figure
        charts.update(finding.charts)
        tables.update(finding.tables)

    renderer = ChapterRenderer(variables, charts, tables)
    chapters = []
    for number, settings in enumerate(config.chapters, start=1):
        text = read_chapter(config.path(settings.file), display_path=settings.file)
        slug = chapter_slug(number, settings.file)
        notes = [n for name in settings.analysis for n in findings[name].method_notes]
        chapters.append(renderer.render(text, number=number, slug=slug, notes=notes))

    sources = {}
    for chapter in chapters:
        for block in chapter.charts:
            sources.update({s.id: s for s in block.spec.sources})
        for block in chapter.tables:
            sources.update({s.id: s for s in block.table.sources})

    today = date.today()
    return Book(
        title=title,
        municipality=area.name,
        prefecture=area.prefecture,
        area_code=area.code,
        edition=config.edition,
        publisher=config.publisher or area.name,
        built_on=f"{today.year}年{today.month}月{today.day}日",
        chapters=chapters,
        sources=sorted(sources.values(), key=lambda s: s.id),
    )


def chapter_slug(number: int, file: str) -> str:
    """Return the page name of a chapter from its number and file name."""
    stem = re.sub(r"^\d+[-_]?", "", Path(file).stem.lower())
    words = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")
    return f"{number:02d}-{words}" if words else f"{number:02d}"


def write_processed(book: Book, out: Path) -> None:
    """Write the tidy rows behind every chart and table as CSV (open data)."""
    from databook.publish.data import chart_csv, table_csv

    count = 0
    for chapter in book.chapters:
        for block in chapter.charts:
            (out / f"{block.spec.id}.csv").write_bytes(chart_csv(block.spec))
            count += 1
        for block in chapter.tables:
            (out / f"table-{block.table.id}.csv").write_bytes(table_csv(block.table))
            count += 1
    logger.info("書き出し: data/processed/（CSV %d 件）", count)


def export_charts(charts, out: Path, progress: Progress) -> None:
    from databook.charts.export import chart_server, export_svgs
    from databook.charts.figures import build_figure, print_size

    out.mkdir(parents=True, exist_ok=True)
    jobs = []
    for block in charts:
        width, height = print_size(block.spec)
        figure = build_figure(block.spec, for_print=True)
        jobs.append((figure, out / f"{block.spec.id}.svg", width, height))

    with progress.counter("グラフを書き出し中", len(jobs)) as advance, chart_server():
        export_svgs(jobs, on_done=lambda _path: advance())
    logger.info("書き出し: build/%s/（SVG %d 件）", out.name, len(jobs))


@contextmanager
def staging(project: Path) -> Iterator[Path]:
    """Yield a fresh folder in the project, removed afterwards whatever happens."""
    stage = Path(tempfile.mkdtemp(prefix=".databook-tmp-", dir=project))
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def swap_in(new: Path, target: Path) -> None:
    """Replace `target` with `new` by renames, keeping the old one until done."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        target.rename(old)
    try:
        new.rename(target)
    except OSError:
        if old is not None:
            old.rename(target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
