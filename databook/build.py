"""`databook build`: load, analyse, chart and publish, then swap the outputs in.

Everything is written into a staging folder inside the project first. Only
when the whole book is written are build/ and data/processed/ replaced, so a
failed build leaves the previous book and open data as they were.
"""

from __future__ import annotations

import logging
import pickle
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from databook.analysis.census_history import analyse_population_history
from databook.analysis.common import Area
from databook.analysis.economy import analyse_economy
from databook.analysis.finance import analyse_finance
from databook.analysis.fishery import ESTIMATE_NOTE, analyse_fishery
from databook.analysis.industry import analyse_industry
from databook.analysis.population import analyse_population, analyse_population_change
from databook.analysis.pyramid import analyse_age_pyramid
from databook.analysis.register import analyse_juki
from databook.analysis.series import analyse_series
from databook.analysis.tourism import analyse_tourism
from databook.cache import (
    CACHE_DIR,
    StepCache,
    code_version,
    is_up_to_date,
    key_of,
    project_fingerprint,
    tree_hashes,
)
from databook.config import CONFIG_NAME, Config, load_config
from databook.doctor import require, run_checks
from databook.errors import (
    ConfigError,
    DatabookError,
    ErrorCollector,
    folder_problem,
)
from databook.formatting import NO_DATA_TEXT, era_style
from databook.inputs import Inputs, load_inputs
from databook.model import ChartSpec, Finding, KeyFigure
from databook.progress import Progress
from databook.publish.book import Book
from databook.publish.chapters import ChapterRenderer, read_chapter
from databook.sources.codes import MunicipalityMaster, normalize_area_code
from databook.staging import publish, remove_leftovers, staging

if TYPE_CHECKING:
    from databook.charts.export import ChartServer

logger = logging.getLogger(__name__)

ANALYSES: dict[str, Callable[[Inputs, Area], Finding]] = {
    "population": analyse_population,
    "population_change": analyse_population_change,
    "population_history": analyse_population_history,
    "age_pyramid": analyse_age_pyramid,
    "juki": analyse_juki,
    "series": analyse_series,
    "industry": analyse_industry,
    "tourism": analyse_tourism,
    "fishery": analyse_fishery,
    "economy": analyse_economy,
    "finance": analyse_finance,
}
PROCESSED = Path("data") / "processed"
BUILD = Path("build")
CHART_DIR = "charts"
QUARTO_DIR = "quarto"


@dataclass
class BuildResult:
    """Outputs of a build and the steps it reused."""

    pdf: Path | None
    site: Path | None
    processed: Path
    charts: int
    pages: int
    seconds: float
    unchanged: bool = False
    """True when nothing had changed since the last build, so nothing was written."""
    pdf_deferred: bool = False
    """True when the PDF was left for a later build (`defer_pdf`)."""
    steps: dict[str, float] = field(default_factory=dict)
    """Seconds spent in each step."""
    rebuilt: dict[str, int] = field(default_factory=dict)
    """Items made anew in this build, by kind (charts, pdf, findings)."""
    reused: dict[str, int] = field(default_factory=dict)
    """Items taken from the cache, by kind."""
    quarto: Path | None = None
    """The Quarto book project (build/quarto/)."""
    quarto_book: Path | None = None
    """Quarto's output (build/quarto/_book/) when it rendered."""
    quarto_error: DatabookError | None = None
    """Error that stopped the Quarto render; the CLI reports it after the outputs."""


class Timings:
    """Seconds per named step, logged at debug level as each step ends."""

    def __init__(self) -> None:
        self.steps: dict[str, float] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.steps[name] = time.monotonic() - started
            logger.debug("%s: %.2f 秒", name, self.steps[name])

    def summary(self) -> str:
        """Return the steps that took a tenth of a second or more, e.g. PDF 3.1 秒."""
        parts = [
            f"{name} {seconds:.1f} 秒"
            for name, seconds in self.steps.items()
            if seconds >= 0.1
        ]
        return "、".join(parts) or "なし"


def build(
    project: Path,
    *,
    progress: Progress | None = None,
    force: bool = False,
    render_quarto: bool | None = None,
    load: Callable[[Config], Inputs] = load_inputs,
    defer_pdf: bool = False,
) -> BuildResult:
    """Build the book of the project in `project`, reusing unchanged steps.

    With `force`, every step runs again and the cache is only written.
    `render_quarto` overrides the quarto.render setting when not None.
    `load` reads the datasets; a batch passes one that shares them between books.
    With `defer_pdf`, a PDF that is not in the cache is not laid out: the
    previous build's PDF is kept and the next build lays it out, so that a
    preview shows the new site seconds sooner.
    """
    started = time.monotonic()
    progress = progress or Progress(enabled=False)
    timings = Timings()
    fingerprint = project_fingerprint(project)
    if not force and is_up_to_date(project):
        logger.info("変更はありません。build/ は最新です。")
        return _unchanged_result(project, started)

    remove_leftovers(project)
    config = load_config(project / CONFIG_NAME)
    # Check the code's form before minutes of loading; the master list
    # confirms that the municipality exists once it is read.
    normalize_area_code(config.municipality)
    render = config.quarto.render if render_quarto is None else render_quarto
    draws_charts = config.output.pdf or config.output.site or render
    require(run_checks(pdf=draws_charts))
    cache = StepCache(project / CACHE_DIR, read=not force)
    tally = Tally()

    from databook.charts.export import ChartServer

    # A full disk or a read-only folder surfaces as an OSError from any write;
    # the staging keeps the previous outputs.
    try:
        # The server stops (after its background exports) before the staging
        # folder they write into is removed.
        with staging(project) as stage, ChartServer() as server:
            # When the data has to be analysed again, charts are likely to change:
            # chromium then boots while the data loads.
            with timings.step("読み込みと分析"):
                area, findings = analyse(
                    config,
                    cache,
                    tally,
                    load=load,
                    before_load=server.start if draws_charts else None,
                )
            logger.info("対象: %s%s（%s）", area.prefecture, area.name, area.code)
            with timings.step("章の組み立て"):
                book = assemble_book(config, area, findings)

            outputs = Outputs(stage / "build", stage / "processed", project / BUILD)
            pages = write_outputs(
                config,
                book,
                outputs,
                draws_charts=draws_charts,
                defer_pdf=defer_pdf,
                progress=progress,
                timings=timings,
                cache=cache,
                tally=tally,
                server=server,
            )
            # A deferred PDF is stale, so the state must not claim the book is current.
            publish(
                [
                    (outputs.build, project / BUILD),
                    (outputs.processed, project / PROCESSED),
                ],
                project / BUILD,
                "" if pages is None else fingerprint,
            )
    except OSError as error:
        raise folder_problem(error, action="ファイルを読み書きできません") from error

    result = BuildResult(
        pdf=project / BUILD / "databook.pdf" if config.output.pdf else None,
        site=project / BUILD / "site" if config.output.site else None,
        processed=project / PROCESSED,
        charts=sum(len(chapter.charts) for chapter in book.chapters),
        pages=pages or 0,
        seconds=time.monotonic() - started,
        steps=timings.steps,
        rebuilt=tally.rebuilt,
        reused=tally.reused,
        quarto=project / BUILD / QUARTO_DIR,
        pdf_deferred=pages is None,
    )
    if render:
        from databook.publish.quarto_render import render_quarto as run_quarto

        configured = None
        if config.quarto.path:
            configured = config.root / Path(config.quarto.path).expanduser()
        try:
            result.quarto_book = run_quarto(
                result.quarto, configured=configured, timeout=config.quarto.timeout
            )
        except DatabookError as error:
            result.quarto_error = error
    logger.info("完了: %.1f 秒（%s）", result.seconds, tally.summary())
    logger.info("所要時間: %s", timings.summary())
    return result


@dataclass
class Outputs:
    """The staging folders that replace build/ and data/processed/ on success."""

    build: Path
    processed: Path
    previous: Path
    """The build/ folder that the staging one replaces, for a deferred PDF."""


def write_outputs(
    config: Config,
    book: Book,
    outputs: Outputs,
    *,
    draws_charts: bool,
    defer_pdf: bool,
    progress: Progress,
    timings: Timings,
    cache: StepCache,
    tally: Tally,
    server: ChartServer,
) -> int | None:
    """Write the open data, charts, site, PDF and Quarto project; return PDF pages.

    Return None when `defer_pdf` left the PDF for a later build; the previous
    PDF, if any, is copied so that the site's link still works.

    The PNG exports run in the chart server's background thread while the
    PDF is laid out, and are waited for before the site, which offers them.
    """
    outputs.build.mkdir()
    outputs.processed.mkdir()
    write_processed(book, outputs.processed)
    charts = [block for chapter in book.chapters for block in chapter.charts]
    chart_dir = outputs.build / CHART_DIR
    if draws_charts:
        with timings.step("グラフ"):
            export_charts(
                charts,
                chart_dir,
                progress,
                paper=config.output.paper,
                cache=cache,
                tally=tally,
                server=server,
            )

    pages: int | None = 0
    if config.output.pdf:
        with timings.step("PDF"), progress.step("PDF をレイアウト中"):
            pages = write_book_pdf(
                config, book, outputs.build, cache, tally, layout=not defer_pdf
            )
        previous_pdf = outputs.previous / "databook.pdf"
        if pages is None and previous_pdf.is_file():
            shutil.copyfile(previous_pdf, outputs.build / "databook.pdf")

    with timings.step("PNG の書き出しを待つ"):
        server.wait()

    if config.output.site:
        from databook.publish.site import write_site

        with timings.step("サイト"):
            write_site(
                book,
                outputs.build / "site",
                pdf_href="../databook.pdf" if config.output.pdf else None,
                chart_files=chart_dir,
                cache=cache,
            )

    from databook.publish.quarto import write_quarto_project

    with timings.step("Quarto プロジェクト"):
        write_quarto_project(
            book,
            outputs.build / QUARTO_DIR,
            source_root=config.root,
            svg_dir=chart_dir if draws_charts else None,
            cache=cache,
        )
    return pages


class Tally:
    """Counts of what a build made anew and what it reused, by kind."""

    def __init__(self) -> None:
        self.rebuilt: dict[str, int] = {}
        self.reused: dict[str, int] = {}

    def count(self, kind: str, *, reused: bool, number: int = 1) -> None:
        target = self.reused if reused else self.rebuilt
        target[kind] = target.get(kind, 0) + number

    def summary(self) -> str:
        names = {"findings": "分析", "charts": "グラフ", "pdf": "PDF"}
        parts = []
        for label, counts in (("作り直し", self.rebuilt), ("再利用", self.reused)):
            if counts:
                items = "、".join(f"{names.get(k, k)} {n}" for k, n in counts.items())
                parts.append(f"{label}: {items}")
        return "／".join(parts) or "キャッシュなし"


def _unchanged_result(project: Path, started: float) -> BuildResult:
    build_dir = project / BUILD
    pdf = build_dir / "databook.pdf"
    site = build_dir / "site"
    return BuildResult(
        pdf=pdf if pdf.exists() else None,
        site=site if site.exists() else None,
        processed=project / PROCESSED,
        charts=0,
        pages=0,
        seconds=time.monotonic() - started,
        unchanged=True,
    )


def analyse(
    config: Config,
    cache: StepCache,
    tally: Tally,
    *,
    load: Callable[[Config], Inputs] = load_inputs,
    before_load: Callable[[], None] | None = None,
) -> tuple[Area, dict[str, Finding]]:
    """Load the datasets and run the chapters' analyses, or reuse their results.

    The key covers the settings that feed the analyses and the content of
    every raw file, so a change in the chapter texts alone reuses them.
    `before_load` is called when the cached results cannot be used.
    """
    settings = config.model_dump(
        mode="json", include={"municipality", "datasets", "chapters", "era"}
    )
    key = key_of(code_version(), settings, tree_hashes(config.root / "data" / "raw"))
    stored = cache.get("findings", key)
    if stored is not None:
        try:
            area, findings = pickle.loads(stored)
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            logger.warning("分析結果のキャッシュを読めないので作り直します。")
        else:
            tally.count("findings", reused=True)
            return area, findings

    if before_load is not None:
        before_load()
    inputs = load(config)
    area = resolve_area(config, inputs.master)
    findings: dict[str, Finding] = {}
    with era_style(config.era):
        for chapter in config.chapters:
            for name in chapter.analysis:
                if name not in findings:
                    findings[name] = ANALYSES[name](inputs, area)
    cache.put("findings", key, pickle.dumps((area, findings)))
    tally.count("findings", reused=False)
    return area, findings


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
    designated = any(
        m.is_ward and m.prefecture_code == code[:2] for m in master.municipalities
    )
    return Area(code, municipality.name, municipality.prefecture, designated)


def assemble_book(config: Config, area: Area, findings: dict[str, Finding]) -> Book:
    """Render each chapter's text with the findings of its analyses."""
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
    # Report the mistakes of every chapter at once, not only the first one.
    problems = ErrorCollector()
    for number, settings in enumerate(config.chapters, start=1):
        with problems.catch():
            text = read_chapter(config.path(settings.file), display_path=settings.file)
            slug = chapter_slug(number, settings.file)
            notes = [
                n for name in settings.analysis for n in findings[name].method_notes
            ]
            no_data = frozenset(n for n in settings.analysis if is_empty(findings[n]))
            absent = frozenset(
                name for n in settings.analysis for name in findings[n].absent
            )
            chapters.append(
                renderer.render(
                    text,
                    number=number,
                    slug=slug,
                    notes=notes,
                    no_data=no_data,
                    absent=absent,
                )
            )
    problems.raise_errors()

    sources = {}
    for name in sorted(renderer.used_variables):
        figure = variables[name]
        if isinstance(figure, KeyFigure):
            sources.update({s.id: s for s in figure.sources})
    for chapter in chapters:
        for block in chapter.charts:
            sources.update({s.id: s for s in block.spec.sources})
        for block in chapter.tables:
            sources.update({s.id: s for s in block.table.sources})

    printed = {
        name: value.text if isinstance(value, KeyFigure) else value
        for name, value in variables.items()
    }
    # Quarto reads the key figures from _variables.yml, so it needs the
    # placeholder too.
    printed.update(dict.fromkeys(renderer.no_data_variables, NO_DATA_TEXT))
    today = date.today()
    return Book(
        title=title,
        municipality=area.name,
        prefecture=area.prefecture,
        area_code=area.code,
        edition=config.edition,
        publisher=config.publisher or area.name,
        contact=config.contact or "",
        built_on=f"{today.year}年{today.month}月{today.day}日",
        built_on_iso=today.isoformat(),
        chapters=chapters,
        sources=sorted(sources.values(), key=lambda s: s.id),
        variables=printed,
        era=config.era,
        designated_cities=area.designated_cities,
        estimated=any(ESTIMATE_NOTE in f.method_notes for f in findings.values()),
    )


def is_empty(finding: Finding) -> bool:
    """Return True for an analysis that found no data for the area."""
    return not (finding.figures or finding.charts or finding.tables)


def chapter_slug(number: int, file: str) -> str:
    """Return the page name of a chapter from its number and file name.

    The chapter's number (its place in the book, as in 第7章) comes first, so
    no two chapters share a name. The words of an ASCII file name follow
    (03-industry.qmd gives 03-industry). A file name with other characters,
    such as 07-財政.qmd, gives the number alone (07), because page names stay
    ASCII for web servers and ZIP tools and its ASCII leftovers would mean
    nothing.
    """
    stem = re.sub(r"^\d+[-_]?", "", Path(file).stem.lower())
    words = re.sub(r"[^a-z0-9]+", "-", stem).strip("-") if stem.isascii() else ""
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


def export_charts(
    charts,
    out: Path,
    progress: Progress,
    *,
    paper: str = "A4",
    cache: StepCache | None = None,
    tally: Tally | None = None,
    server: ChartServer | None = None,
) -> None:
    """Export each chart as SVG (print and download) and PNG (download).

    Charts found in the cache are copied. The chart server starts only when
    at least one chart has to be drawn. The SVGs are drawn before this returns;
    with a `server`, the PNGs are drawn in its background thread, and
    `server.wait()` tells when they are written. Without one, a server is
    started for this call and every image is written before it returns.
    """
    out.mkdir(parents=True, exist_ok=True)
    tally = tally or Tally()
    missing = []
    for block in charts:
        key = chart_key(block.spec, paper)
        images = {suffix: None for suffix in IMAGE_SUFFIXES}
        if cache is not None:
            images = {
                suffix: cache.get("charts", f"{key}.{suffix}") for suffix in images
            }
        if all(content is not None for content in images.values()):
            for suffix, content in images.items():
                (out / f"{block.spec.id}.{suffix}").write_bytes(content)
            tally.count("charts", reused=True)
        else:
            missing.append((block, key))

    if not missing:
        logger.info("グラフ: %d 件すべてキャッシュから", len(charts))
        return

    from databook.charts.export import ChartServer
    from databook.charts.figures import build_figure, print_size

    jobs: dict[str, list] = {suffix: [] for suffix in IMAGE_SUFFIXES}
    for block, _ in missing:
        width, height = print_size(block.spec, paper)
        figure = build_figure(block.spec, for_print=True, paper=paper)
        for suffix in IMAGE_SUFFIXES:
            path = out / f"{block.spec.id}.{suffix}"
            jobs[suffix].append((figure, path, width, height))

    def store(suffix: str) -> None:
        for block, key in missing:
            content = (out / f"{block.spec.id}.{suffix}").read_bytes()
            if cache is not None:
                cache.put("charts", f"{key}.{suffix}", content)

    with ExitStack() as stack:
        if server is None:
            server = stack.enter_context(ChartServer())
        label = "グラフを書き出し中"
        with progress.counter(label, len(missing)) as advance:
            server.export(jobs["svg"], on_done=lambda _path: advance())
        store("svg")
        server.export_in_background(jobs["png"], then=lambda: store("png"))

    tally.count("charts", reused=False, number=len(missing))
    logger.info(
        "書き出し: build/%s/（%d 件を作成、%d 件はキャッシュから）",
        out.name,
        len(missing),
        len(charts) - len(missing),
    )


IMAGE_SUFFIXES = ("svg", "png")
"""Formats of every chart image: SVG for print and download, PNG for download."""


def chart_key(spec: ChartSpec, paper: str) -> str:
    """Return the cache key of a chart's images: its data, texts, size and code."""
    return key_of(
        code_version(),
        paper,
        spec.id,
        spec.title,
        spec.kind,
        spec.data.to_csv(index=False),
        spec.x_title,
        spec.y_title,
        spec.highlight,
    )


def write_book_pdf(
    config: Config,
    book: Book,
    build_dir: Path,
    cache: StepCache,
    tally: Tally,
    *,
    layout: bool = True,
) -> int | None:
    """Write build/databook.pdf, reusing the cached one if its inputs are the same.

    The key covers the booklet's HTML and the content of every chart SVG it
    shows. The build date printed in the colophon is part of that HTML.
    Without `layout`, only a cached PDF is written; None means there was none.
    """
    from databook.publish.pdf import book_html

    paper, duplex = config.output.paper, config.output.duplex
    html = book_html(book, CHART_DIR, paper=paper, duplex=duplex)
    charts = tree_hashes(build_dir / CHART_DIR)
    key = key_of(
        code_version(), html, {k: v for k, v in charts.items() if k.endswith(".svg")}
    )
    pdf_path = build_dir / "databook.pdf"

    stored = cache.get("pdf", key)
    pages = cache.get("pdf", f"{key}.pages")
    if stored is not None and pages is not None:
        pdf_path.write_bytes(stored)
        tally.count("pdf", reused=True)
        return int(pages)
    if not layout:
        logger.info("PDF は後でレイアウトします。")
        return None

    from databook.publish.pdf import write_pdf

    count = write_pdf(
        book, pdf_path, base=build_dir, chart_dir=CHART_DIR, paper=paper, duplex=duplex
    )
    cache.put("pdf", key, pdf_path.read_bytes())
    cache.put("pdf", f"{key}.pages", str(count).encode())
    tally.count("pdf", reused=False)
    return count
