"""`databook batch`: a book for every municipality of a prefecture.

Each municipality gets a project folder made as `databook new` makes one (its
data files hard-linked to the national data where the file system allows).
The books are built in worker processes: a local process pool by default, or
the workers of a Dask distributed cluster given its scheduler address. Each
worker process keeps one chart server and one copy of the loaded national
data for all the books it builds. A failed book is recorded and reported at
the end; the other books are still built. An index page compares the
municipalities on the key indicators.
"""

from __future__ import annotations

import json
import logging
import multiprocessing.util
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from databook.config import CONFIG_NAME, Config, load_config
from databook.errors import ConfigError, DatabookError, EnvironmentProblem
from databook.inputs import Inputs, load_inputs
from databook.new import MASTER_FILE, create_project
from databook.sources.codes import Municipality, MunicipalityMaster, load_master

logger = logging.getLogger(__name__)

INDEX_FILE = "index.html"


@dataclass
class BookOutcome:
    """The result of building one municipality's book."""

    code: str
    name: str
    folder: str
    """Project folder, relative to the batch's output folder."""
    ok: bool
    seconds: float = 0.0
    error: str = ""
    """The error as printed for the user, when the build failed."""
    figures: dict[str, str] = field(default_factory=dict)
    """Key indicators as printed, by name (population.total...)."""
    values: dict[str, float] = field(default_factory=dict)
    """The same indicators as numbers, for sorting and comparing."""


@dataclass
class BatchResult:
    """All the books of a batch, in area-code order, and its index page."""

    prefecture: str
    outcomes: list[BookOutcome]
    index: Path
    seconds: float
    workers: int

    @property
    def failures(self) -> list[BookOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.ok]


def find_prefecture(master: MunicipalityMaster, query: str) -> tuple[str, str]:
    """Return (two-digit code, name) of a prefecture given as 神奈川県, 神奈川 or 14."""
    names = {m.prefecture_code: m.prefecture for m in master.municipalities}
    text = query.strip()
    if text.isascii() and text.isdigit() and text.zfill(2) in names:
        return text.zfill(2), names[text.zfill(2)]
    for code, name in names.items():
        if text in (name, name.rstrip("都道府県")):
            return code, name
    raise ConfigError(
        f"都道府県 {query} が団体コード一覧にありません。",
        place="引数 都道府県",
        hint="神奈川県 のように都道府県名を書くか、"
        "2桁の都道府県コードを指定してください。",
    )


def prepare_projects(
    municipalities: Iterable[Municipality], out: Path, data: Path
) -> list[tuple[Municipality, Path]]:
    """Create each municipality's project under `out`, keeping existing ones."""
    projects = []
    for municipality in municipalities:
        folder = out / f"{municipality.code}-{municipality.name}"
        if not (folder / CONFIG_NAME).is_file():
            create_project(municipality, folder, data, link=True)
        projects.append((municipality, folder))
    return projects


def run_batch(
    prefecture: str,
    out: Path,
    data: Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    only: list[str] | None = None,
    force: bool = False,
    on_done: Callable[[BookOutcome], None] | None = None,
) -> BatchResult:
    """Build the book of every municipality of `prefecture` into `out`.

    `only` limits the batch to these area codes. With `scheduler` (a Dask
    address such as tcp://127.0.0.1:8786) the books are built on that
    cluster's workers, otherwise in `workers` local processes (the number of
    CPUs when None).
    """
    started = time.monotonic()
    master = load_master(data / MASTER_FILE)
    code, name = find_prefecture(master, prefecture)
    municipalities = master.in_prefecture(code)
    if only:
        unknown = sorted(set(only) - {m.code for m in municipalities})
        if unknown:
            raise ConfigError(
                f"地域コード {', '.join(unknown)} は{name}の市町村ではありません。",
                place="オプション --only",
                hint=f"{name}の市町村の5桁の地域コードを指定してください。",
            )
        municipalities = [m for m in municipalities if m.code in only]

    out.mkdir(parents=True, exist_ok=True)
    projects = prepare_projects(municipalities, out, data)
    folders = [str(folder.resolve()) for _, folder in projects]
    logger.info("%s: %d 市町村のデータブックを作ります。", name, len(folders))

    if scheduler:
        outcomes, used = _run_on_dask(folders, scheduler, force, on_done)
    else:
        outcomes, used = _run_locally(folders, workers, force, on_done)

    outcomes.sort(key=lambda outcome: outcome.code)
    for outcome in outcomes:
        outcome.folder = Path(outcome.folder).name
    from databook.publish.batch_index import write_index

    index = write_index(out / INDEX_FILE, name, outcomes)
    return BatchResult(name, outcomes, index, time.monotonic() - started, used)


def _run_locally(folders, workers, force, on_done) -> tuple[list[BookOutcome], int]:
    count = max(1, min(workers or multiprocessing.cpu_count(), len(folders) or 1))
    outcomes = []
    with ProcessPoolExecutor(max_workers=count) as pool:
        futures = {pool.submit(build_one, folder, force): folder for folder in folders}
        for future in as_completed(futures):
            outcome = future.result()
            _report(outcome, on_done)
            outcomes.append(outcome)
    return outcomes, count


def _run_on_dask(folders, scheduler, force, on_done) -> tuple[list[BookOutcome], int]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise EnvironmentProblem(
            "Dask（distributed）がインストールされていません。",
            place="オプション --scheduler",
            hint="pip install 'databook[dask]' でインストールするか、"
            "--scheduler を付けずに実行してください。",
        ) from None

    try:
        client = Client(scheduler, timeout=10)
    except (OSError, TimeoutError) as error:
        raise EnvironmentProblem(
            f"Dask のスケジューラ {scheduler} に接続できません（{error}）。",
            place="オプション --scheduler",
            hint="スケジューラのアドレス（例: tcp://127.0.0.1:8786）と、"
            "スケジューラが動いているかを確認してください。",
        ) from None

    outcomes = []
    with client:
        used = len(client.scheduler_info().get("workers", {}))
        # pure=False: a rebuild of the same folder must run again, not reuse
        # the result Dask remembers from the first run.
        futures = client.map(build_one, folders, force=force, pure=False)
        for future in dask_completed(futures):
            outcome = future.result()
            _report(outcome, on_done)
            outcomes.append(outcome)
    return outcomes, used


def _report(outcome: BookOutcome, on_done) -> None:
    if outcome.ok:
        logger.info("完了: %s（%.1f 秒）", outcome.name, outcome.seconds)
    else:
        logger.error("失敗: %s: %s", outcome.name, outcome.error.splitlines()[0])
    if on_done:
        on_done(outcome)


# State of one worker process, kept between the books it builds.
_worker_lock = threading.Lock()
_worker_inputs: dict[str, Inputs] = {}
_worker_server = None


def build_one(folder: str, force: bool = False) -> BookOutcome:
    """Build the book in `folder` and return its outcome, failed or not.

    Any Exception becomes a failed outcome, so one book cannot stop the
    batch. Runs in a worker process. The first call starts the process's chart
    server, which stops when the process exits. The loaded datasets are kept
    for the next book that declares the same datasets and files.
    """
    from databook.build import build

    project = Path(folder)
    started = time.monotonic()
    code, _, name = project.name.partition("-")
    # One book at a time per process: a Dask worker may run tasks in threads,
    # and the chart server serves one caller.
    with _worker_lock:
        try:
            _quiet_book_logs()
            _start_chart_server()
            build(project, force=force, load=_shared_inputs)
        except DatabookError as error:
            return BookOutcome(code, name, folder, False, _since(started), str(error))
        except Exception as error:
            # Not a user-fixable problem but a bug: log the traceback for a report.
            logger.error("%s: 予期しないエラー\n%s", folder, traceback.format_exc())
            text = f"予期しないエラー（{type(error).__name__}: {error}）"
            return BookOutcome(code, name, folder, False, _since(started), text)
        try:
            figures, values = key_indicators(project)
        except Exception as error:
            # The book is built, so only its row on the index page stays empty.
            logger.warning("%s: 一覧の指標を計算できません（%s）", name, error)
            logger.debug("%s", traceback.format_exc())
            figures, values = {}, {}
    return BookOutcome(
        code, name, folder, True, _since(started), figures=figures, values=values
    )


def _since(started: float) -> float:
    return time.monotonic() - started


def _quiet_book_logs() -> None:
    """Keep a worker's per-step log lines out of the batch's output.

    Runs in the worker process only; its warnings and errors still show,
    and --verbose (debug level) keeps every line.
    """
    root = logging.getLogger("databook")
    if root.getEffectiveLevel() == logging.INFO:
        root.setLevel(logging.WARNING)


def _start_chart_server() -> None:
    global _worker_server
    if _worker_server is not None:
        return
    from databook.charts.export import chart_server

    _worker_server = chart_server()
    _worker_server.__enter__()
    # Finalizers run when a multiprocessing child exits, but atexit hooks do not.
    # NOTE: a worker that is killed skips them, and its Chromium may outlive it.
    multiprocessing.util.Finalize(
        None, _worker_server.__exit__, args=(None, None, None), exitpriority=10
    )


def _shared_inputs(config: Config) -> Inputs:
    """Return the datasets of `config`, loaded once per worker for equal inputs."""
    from databook.cache import tree_hashes

    settings = config.model_dump(mode="json", include={"datasets"})
    hashes = tree_hashes(config.root / "data" / "raw")
    key = json.dumps([settings, hashes], sort_keys=True)
    if key not in _worker_inputs:
        _worker_inputs[key] = load_inputs(config)
    return _worker_inputs[key]


INDICATORS = (
    ("population", "total"),
    ("population", "change_rate"),
    ("population", "ageing_rate"),
    ("population_change", "natural_rate"),
    ("population_change", "social_rate"),
)
"""Key figures compared on the index page, as (analysis, figure name)."""


def key_indicators(project: Path) -> tuple[dict[str, str], dict[str, float]]:
    """Return the index page's indicators of a built project, printed and as numbers."""
    from databook.build import ANALYSES, resolve_area

    config = load_config(project / CONFIG_NAME)
    inputs = _shared_inputs(config)
    area = resolve_area(config, inputs.master)
    figures: dict[str, str] = {}
    values: dict[str, float] = {}
    for analysis in dict.fromkeys(name for name, _ in INDICATORS):
        finding = ANALYSES[analysis](inputs, area)
        for name in (key for owner, key in INDICATORS if owner == analysis):
            figure = finding.figures.get(name)
            if figure is not None and isinstance(figure.value, int | float):
                figures[f"{analysis}.{name}"] = figure.text
                values[f"{analysis}.{name}"] = float(figure.value)
    return figures, values
