"""Static SVG and PNG export of charts through kaleido and Debian's chromium.

One kaleido sync server serves the whole build: starting a browser per chart
costs about 3 seconds, one server exports several charts a second. MathJax is
switched off because kaleido otherwise loads it from a CDN, and every chart
gets an explicit file name because kaleido names files after chart titles,
stripping Japanese, when given only a folder.

Chromium is a process of its own, so its work overlaps with Python's: the
server is started before the data is loaded (the browser boots meanwhile),
and PNG exports can run in a background thread while WeasyPrint lays out
the PDF, which needs only the SVGs.
"""

from __future__ import annotations

import logging
import subprocess
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from databook.errors import EnvironmentProblem

if TYPE_CHECKING:
    import plotly.graph_objects as go

logger = logging.getLogger(__name__)


EXPORT_TIMEOUT_SECONDS = 90
"""Maximum wait for one chart, browser start included: an estimate, far above
the 1 to 5 seconds a chart and a start take on a two-core machine."""
VERSION_TIMEOUT_SECONDS = 30

_server_users = 0
"""Blocks of this process inside `chart_server`; the server runs while above 0."""


@contextmanager
def chart_server():
    """Run one kaleido sync server for the duration of the block.

    Nested blocks share the running server, so a batch worker can keep one
    server for all the books it builds.
    """
    global _server_users
    if _server_users:
        _server_users += 1
        try:
            yield
        finally:
            _server_users -= 1
        return

    import kaleido
    import plotly.io

    problem = browser_problem()
    if problem:
        raise EnvironmentProblem(
            f"グラフを書き出せません。{problem}。",
            hint="databook doctor を実行し、chromium が使えるか確認してください。",
        )
    # Headers ask kaleido to fetch fonts and scripts from the network.
    plotly.io.defaults.headers = {}
    kaleido.start_sync_server(mathjax=False, silence_warnings=True)
    _server_users = 1
    try:
        yield
    finally:
        _server_users = 0
        kaleido.stop_sync_server(silence_warnings=True)


def browser_problem() -> str | None:
    """Return why the browser that kaleido would use cannot run, or None.

    kaleido's server thread ends silently when the browser fails to start,
    and every later export then waits for ever, so the browser is run once
    with --version first.
    """
    from choreographer.browsers.chromium import Chromium

    path = Chromium.find_browser(skip_local=False)
    if not path:
        return "chromium が見つかりません"
    try:
        result = subprocess.run(
            [path, "--version"],
            capture_output=True,
            timeout=VERSION_TIMEOUT_SECONDS,
            check=False,
        )
    except OSError as error:
        return f"{path} を起動できません（{error.strerror}）"
    except subprocess.TimeoutExpired:
        return f"{path} が {VERSION_TIMEOUT_SECONDS} 秒たっても応答しません"
    if result.returncode != 0:
        return f"{path} を起動できません（終了コード {result.returncode}）"
    return None


class ChartServer:
    """A kaleido server started on first need and stopped when the block ends.

    `start` may be called early, so that chromium boots while the caller does
    other work. Otherwise the first export starts it, and a block that exports
    nothing starts no browser.

    Only one thread at a time may export, because kaleido's sync server serves
    one caller. `export_in_background` hands the jobs to the server's own
    worker thread, and `export` waits for that thread's jobs before drawing.
    """

    def __init__(self) -> None:
        self._stack = ExitStack()
        self._started = False
        self._background: ThreadPoolExecutor | None = None
        self._pending: list[Future] = []

    def __enter__(self) -> ChartServer:
        return self

    def __exit__(self, exc_type, *exc_info) -> None:
        # Background exports finish before the server they use is stopped.
        try:
            if exc_type is None:
                self.wait()
        finally:
            self._stack.close()

    def start(self) -> None:
        """Start the server (and so chromium) unless it is running."""
        if not self._started:
            self._stack.enter_context(chart_server())
            self._started = True

    def export(
        self,
        jobs: Sequence[tuple[go.Figure, Path, int, int]],
        *,
        on_done: Callable[[Path], None] | None = None,
    ) -> None:
        """Export `jobs` in this thread, after any background jobs finished."""
        self.wait()
        self.start()
        export_images(jobs, on_done=on_done)

    def export_in_background(
        self, jobs: Sequence[tuple[go.Figure, Path, int, int]], then: Callable[[], None]
    ) -> Future:
        """Export `jobs` in a worker thread, then call `then` there; return its future.

        `wait` (or leaving the block) re-raises an error of the worker.
        """
        self.start()
        if self._background is None:
            self._background = self._stack.enter_context(
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="charts")
            )

        def run() -> None:
            export_images(jobs)
            then()

        future = self._background.submit(run)
        self._pending.append(future)
        return future

    def wait(self) -> None:
        """Wait for the background exports; raise the first error among them."""
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()


PNG_SCALE = 2
"""PNG exports are drawn at twice the CSS size, for sharp slides and documents."""


def export_images(
    jobs: Sequence[tuple[go.Figure, Path, int, int]],
    *,
    on_done: Callable[[Path], None] | None = None,
) -> None:
    """Export figures as SVG or PNG by file suffix: (figure, path, width, height)."""
    import kaleido

    for figure, path, width, height in jobs:
        image_format = path.suffix.lstrip(".")
        opts = {"format": image_format, "width": width, "height": height}
        if image_format == "png":
            opts["scale"] = PNG_SCALE
        try:
            image = call_with_timeout(
                partial(kaleido.calc_fig_sync, figure, opts=opts),
                EXPORT_TIMEOUT_SECONDS,
            )
        except TimeoutError:
            raise EnvironmentProblem(
                f"グラフの書き出しが {EXPORT_TIMEOUT_SECONDS} 秒たっても終わりません。"
                "chromium が応答していません。",
                file=path.name,
                hint="databook doctor を実行し、chromium が使えるか確認してください。",
            ) from None
        except Exception as error:  # kaleido raises several unrelated types
            raise EnvironmentProblem(
                f"グラフの書き出しに失敗しました（{type(error).__name__}: {error}）。",
                file=path.name,
                hint="databook doctor を実行し、chromium が使えるか確認してください。",
            ) from error
        path.write_bytes(image)
        logger.debug("書き出し: %s", path.name)
        if on_done:
            on_done(path)


def call_with_timeout(call: Callable[[], bytes], seconds: float) -> bytes:
    """Return `call()`, or raise TimeoutError when it takes longer than `seconds`.

    The call runs in a daemon thread, so a call that never returns (kaleido
    waiting on a server thread that has died) does not keep the process alive.
    """
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except Exception as error:  # re-raised in the calling thread
            outcome["error"] = error

    worker = threading.Thread(target=run, daemon=True, name="chart-export")
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TimeoutError
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
