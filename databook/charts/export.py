"""Static SVG export of charts through kaleido and Debian's chromium.

One kaleido sync server serves the whole build: starting a browser per chart
costs about 3 seconds, one server exports several charts a second. MathJax is
switched off because kaleido otherwise loads it from a CDN, and every chart
gets an explicit file name because kaleido names files after chart titles,
stripping Japanese, when given only a folder.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path

import plotly.graph_objects as go

from databook.errors import EnvironmentProblem

logger = logging.getLogger(__name__)


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

    # Headers ask kaleido to fetch fonts and scripts from the network.
    plotly.io.defaults.headers = {}
    kaleido.start_sync_server(mathjax=False, silence_warnings=True)
    _server_users = 1
    try:
        yield
    finally:
        _server_users = 0
        kaleido.stop_sync_server(silence_warnings=True)


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
            image = kaleido.calc_fig_sync(figure, opts=opts)
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
