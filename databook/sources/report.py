"""Summary of what a loader read from one input file, for `databook check`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ReadReport:
    """Rows, periods and districts read from one file, and what was skipped."""

    file: str
    kind: str
    """Dataset kind in databook.yml, e.g. juki or register-table."""
    rows: int = 0
    """Tidy rows produced (one value each)."""
    periods: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)
    """District names (町丁, 区, 学区) read; empty when the file has none."""
    skipped: list[str] = field(default_factory=list)
    """Rows, columns and cells left out, each with the reason, in Japanese."""
    notes: list[str] = field(default_factory=list)
    """Other facts worth showing, e.g. the detected layout or suppressed cells."""
