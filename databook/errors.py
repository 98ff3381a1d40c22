"""Errors that reach the user.

Every error a user can fix is a `DatabookError` that names the file, the place
in it (sheet, cell, row, setting) and what to do. The CLI prints these as a few
plain lines in Japanese and exits non-zero; anything else is a bug and keeps
its traceback. Checks that can find several independent problems before any
heavy work collect them with an `ErrorCollector` and raise them together as a
`DatabookErrorGroup`, so that a user can fix them all in one go.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path


class DatabookError(Exception):
    """A problem the user can fix, located in a file and explained."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        place: str | None = None,
        hint: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.place = place
        self.hint = hint
        self.detail = detail
        """The library's own (usually English) text, shown only with --debug."""

    def location(self) -> str:
        """Return "file, place" for the message, or an empty string."""
        parts = [part for part in (self.file, self.place) if part]
        return "、".join(parts)

    def __str__(self) -> str:
        location = self.location()
        text = f"{location}: {self.message}" if location else self.message
        if self.hint:
            text += f"\n対処: {self.hint}"
        return text


class DatabookErrorGroup(DatabookError):
    """Several independent problems, reported together.

    The exit code is that of the first error. Use `ErrorCollector`, which
    raises a lone error as it is, so that a single problem keeps its own type.
    """

    def __init__(self, errors: Sequence[DatabookError]) -> None:
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} 件の問題があります。")
        self.exit_code = self.errors[0].exit_code

    def __str__(self) -> str:
        return "\n\n".join(str(error) for error in self.errors)


class ErrorCollector:
    """Gather the DatabookErrors of independent checks, then raise them at once."""

    def __init__(self) -> None:
        self.errors: list[DatabookError] = []

    def add(self, error: DatabookError) -> None:
        if isinstance(error, DatabookErrorGroup):
            self.errors.extend(error.errors)
        else:
            self.errors.append(error)

    @contextmanager
    def catch(self) -> Iterator[None]:
        """Record a DatabookError raised in the block and carry on after it."""
        try:
            yield
        except DatabookError as error:
            self.add(error)

    def raise_errors(self) -> None:
        """Raise the one error collected as it is, or several as a group."""
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise DatabookErrorGroup(self.errors)


class ConfigError(DatabookError):
    """An invalid or missing setting in databook.yml."""


class SettingValueError(ValueError):
    """A ValueError of a settings validator that carries the fix for the user.

    pydantic keeps the exception, and databook.config prints `hint` as the
    hint of the ConfigError it makes from it.
    """

    def __init__(self, message: str, *, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


class InputError(DatabookError):
    """An input file that is missing, unreadable or not in the expected layout."""


class ChapterError(DatabookError):
    """A chapter text that refers to an unknown figure, chart or table."""


class EnvironmentProblem(DatabookError):
    """A program, library, font or folder that a build needs is missing or unusable."""

    exit_code = 3


def folder_problem(error: OSError, *, action: str) -> EnvironmentProblem:
    """Return an EnvironmentProblem for a file or folder a build cannot write.

    `action` names what failed, e.g. 書き込めません. The reason is in Japanese
    for a full disk and a missing permission, the system's words otherwise.
    """
    # A failed copy names its source first and the file it wrote second.
    path = error.filename2 or error.filename or ""
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        reason = {
            errno.ENOSPC: "ディスクの空きがありません",
            errno.EDQUOT: "ディスクの使用量の上限に達しました",
            errno.EFBIG: "ファイルの大きさの上限を超えました",
        }[error.errno]
        hint = "ディスクの空きを増やしてから、もう一度実行してください。"
    elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "書き込む権限がないか、読み取り専用です"
        hint = (
            "プロジェクトのフォルダとその中のファイルに書き込めるか確かめてください"
            "（読み取り専用の共有フォルダや、ほかのプログラムが開いていないか）。"
        )
    else:
        reason = error.strerror or type(error).__name__
        hint = "フォルダに書き込めるか、ディスクに空きがあるかを確かめてください。"
    return EnvironmentProblem(
        f"{action}（{reason}）。build/ と data/processed/ は前回のままです。",
        file=path or None,
        hint=hint,
        detail=str(error),
    )


class QuartoError(DatabookError):
    """`quarto render` failed or timed out; the built-in outputs were written."""

    exit_code = 5


class RemoteDataError(DatabookError):
    """A remote service failed or returned an error instead of data."""

    exit_code = 4
