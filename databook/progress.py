"""Progress display for long steps, silent when not on a terminal or when quiet."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as RichProgress


class Progress:
    """Shows a bar with counts for counted steps and a spinner for the others."""

    def __init__(self, *, enabled: bool, console: Console | None = None) -> None:
        self.enabled = enabled
        self.console = console or Console(stderr=True)

    @contextmanager
    def counter(self, label: str, total: int) -> Iterator[Callable[[], None]]:
        """Yield a function that advances a bar of `total` steps by one."""
        if not self.enabled:
            yield lambda: None
            return
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with RichProgress(*columns, console=self.console, transient=True) as bar:
            task = bar.add_task(label, total=total)
            yield lambda: bar.advance(task)

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        """Show a spinner while the block runs."""
        if not self.enabled:
            yield
            return
        columns = (
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
        )
        with RichProgress(*columns, console=self.console, transient=True) as bar:
            bar.add_task(label, total=None)
            yield
