"""Errors that reach the user.

Every error a user can fix is a `DatabookError` that names the file, the place
in it (sheet, cell, row, setting) and what to do. The CLI prints these as a few
plain lines in Japanese and exits non-zero; anything else is a bug and keeps
its traceback.
"""

from __future__ import annotations

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
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.place = place
        self.hint = hint

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


class ConfigError(DatabookError):
    """An invalid or missing setting in databook.yml."""


class InputError(DatabookError):
    """An input file that is missing, unreadable or not in the expected layout."""


class ChapterError(DatabookError):
    """A chapter text that refers to an unknown figure, chart or table."""


class EnvironmentProblem(DatabookError):
    """A program, library or font that a build needs is missing."""

    exit_code = 3


class QuartoError(DatabookError):
    """`quarto render` failed or timed out; the built-in outputs were written."""

    exit_code = 5


class RemoteDataError(DatabookError):
    """A remote service failed or returned an error instead of data."""

    exit_code = 4
