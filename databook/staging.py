"""Staging folders, and the swap that puts a finished build in place.

A build writes build/ and data/processed/ into a staging folder inside the
project. Only when everything is written are the two folders swapped in by
renames, and the state file that records for the next build what this one read is
written last. So a failed build leaves the previous outputs as they were, and
a build killed between the two renames leaves no state: the next build makes
the book again instead of reporting that nothing changed. Ctrl+C during the
swap waits until it is done. Folders that a killed build left behind are
removed by the next build of the project.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from databook.cache import STATE_FILE, write_atomic
from databook.errors import EnvironmentProblem

logger = logging.getLogger(__name__)

STAGING_PREFIX = ".databook-tmp-"
LEFTOVER = re.compile(r"^(?:\.databook-tmp-|\.[^.]+\.old-)(\d+)(?:-.*)?$")
"""Names of staging and replaced folders; the number is the writing process's PID."""


@contextmanager
def staging(project: Path) -> Iterator[Path]:
    """Yield a fresh folder in the project, removed when the block ends.

    A killed process cannot remove it; `remove_leftovers` does, on the next build.
    """
    stage = Path(
        tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=project)
    )
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def remove_leftovers(project: Path) -> None:
    """Remove the staging and replaced folders of builds whose process has ended.

    They lie in the project folder and in data/ (the replaced data/processed/).
    """
    for path in [*project.glob(".*"), *(project / "data").glob(".*")]:
        match = LEFTOVER.match(path.name)
        if not match or not path.is_dir() or _is_running(int(match.group(1))):
            continue
        shutil.rmtree(path, ignore_errors=True)
        logger.info("前回中断されたビルドの一時フォルダを消しました: %s", path.name)


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def publish(
    replacements: list[tuple[Path, Path]], state_dir: Path, fingerprint: str
) -> None:
    """Swap each staged folder in for its target, then write the state file.

    `replacements` pairs a staged folder with the folder it replaces. If a
    rename fails, the folders already swapped are put back. The state goes
    into `state_dir` (the new build/) once every folder is in place.
    """
    with _interrupt_deferred() as interrupted:
        swapped: list[tuple[Path, Path, Path | None]] = []
        try:
            for new, target in replacements:
                swapped.append((new, target, swap_in(new, target)))
        except EnvironmentProblem:
            for new, target, old in reversed(swapped):
                _put_back(new, target, old)
            raise
        write_state(state_dir, fingerprint)
    for _, target, old in swapped:
        if old is None:
            continue
        shutil.rmtree(old, ignore_errors=True)
        if old.exists():
            logger.warning(
                "前回の %s（%s）を消せませんでした。書き込みの権限を確かめて、"
                "手で消してください。",
                target.name,
                old,
            )
    if interrupted():
        logger.info("中断の操作がありましたが、書き出しは終わっていました。")


def swap_in(new: Path, target: Path) -> Path | None:
    """Replace `target` with `new` by renames; return where the old one went.

    The caller removes the returned folder once it is no longer needed. If the
    second rename fails, the old folder is renamed back and the error raised.
    """
    old = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            target.rename(old)
        try:
            new.rename(target)
        except OSError:
            if old is not None:
                old.rename(target)
            raise
    except OSError as error:
        raise EnvironmentProblem(
            f"{target.name} を置き換えられません（{error.strerror}）。"
            f"{target.name} は前回のままです。",
            file=target.name,
            hint=f"フォルダ {target} とその親フォルダに書き込めるか"
            "（読み取り専用や、ほかのプログラムが開いていないか）を確かめてください。",
        ) from error
    return old


def _put_back(new: Path, target: Path, old: Path | None) -> None:
    try:
        target.rename(new)
        if old is not None:
            old.rename(target)
    except OSError as error:
        logger.error("%s を元に戻せません（%s）。", target, error)


def write_state(build_dir: Path, fingerprint: str) -> None:
    """Record what this build read and wrote, for the next build's check.

    An empty `fingerprint` records a build that is not current, so that the
    next build runs again (a preview that left the PDF for later).
    """
    outputs = sorted(
        path.relative_to(build_dir).as_posix()
        for path in build_dir.rglob("*")
        if path.is_file() and path.name != STATE_FILE
    )
    state = {"fingerprint": fingerprint, "outputs": outputs}
    write_atomic(build_dir / STATE_FILE, json.dumps(state, indent=1).encode("utf-8"))


@contextmanager
def _interrupt_deferred() -> Iterator:
    """Hold Ctrl+C back during the block; yield a function returning whether it came.

    Only the main thread receives signals, so in other threads (the preview
    server's watcher) the block runs as it is.
    """
    received = []
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    previous = signal.signal(signal.SIGINT, lambda *_: received.append(True))
    try:
        yield lambda: bool(received)
    finally:
        signal.signal(signal.SIGINT, previous)
