"""The data model shared by loaders, analyses and publishers.

A `Dataset` is a tidy table (one value per row) plus the `Provenance` records
its rows point to. Analyses turn Datasets into `Finding`s: tables, key figures
and chart specifications, each carrying the provenance that becomes the 出典
line under it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

TIDY_COLUMNS = [
    "indicator",
    "area_code",
    "area_name",
    "period",
    "period_kind",
    "value",
    "unit",
    "status",
    "source_id",
]


class PeriodKind(StrEnum):
    """How a `period` text is to be read."""

    CENSUS = "census"
    """A census count on its survey date (国勢調査: 1 October; 経済センサス: 1 June)."""
    CALENDAR_YEAR = "calendar_year"
    """A total over January to December of the year."""
    FISCAL_YEAR = "fiscal_year"
    """A total over April to March, written `FY2022` for 2022年度."""
    MONTH = "month"
    """A calendar month, written `2023-04`."""
    QUARTER = "quarter"
    """A calendar quarter, written `2023-Q1`."""
    DATE = "date"
    """A count on one day, written `2022-01-01`."""
    YEAR = "year"
    """A year whose kind (calendar, fiscal, census) the source does not say."""


class Status(StrEnum):
    """Why a value is missing. A present value has an empty status."""

    NOT_SURVEYED = "not_surveyed"
    """The source has no figure for this area and period (「-」 or an empty cell)."""
    SUPPRESSED = "suppressed"
    """The figure exists but is kept secret (「x」「X」「***」)."""
    NOT_APPLICABLE = "not_applicable"
    """The item does not apply here (「…」)."""
    UNKNOWN = "unknown"
    """The source marks the value as unknown without saying why."""


@dataclass(frozen=True)
class Provenance:
    """Where a set of rows came from, and how to credit it."""

    id: str
    """Key that `source_id` in a Dataset points to."""
    source: str
    """Publisher and product, e.g. 独立行政法人統計センター「SSDSE-A-2022」."""
    survey: str | None
    """Primary survey and its publisher, e.g. 総務省「国勢調査」, if known."""
    table: str
    """Table or file title as the source names it."""
    file: str
    """Path of the raw file, relative to the project folder."""
    sha256: str
    """Hash of the raw file as it was read."""
    licence: str
    """Terms of use of the source."""
    reference: str = ""
    """Survey date or reference period(s) the source gives, as text."""
    url: str = ""
    """Where the file is published (never with an API key in it)."""
    series: str = ""
    """Product that the source is an edition of, e.g. SSDSE-A and its publisher."""
    edition: str = ""
    """Edition within `series`, e.g. 2022."""

    def credit(self) -> str:
        """Return the 出典 text for this source, primary survey first."""
        if self.survey:
            return f"{self.survey}（{self.source}より作成）"
        return self.source


def credit_text(sources: Iterable[Provenance]) -> str:
    """Return one 出典 text for several sources, naming each survey and edition once.

    Editions of one series are merged, e.g. 厚生労働省「人口動態統計」（独立行政法人
    統計センター「SSDSE-A」2018～2026年版より作成）.
    """
    groups: dict[str, tuple[dict[str, None], dict[str, None]]] = {}
    for source in sources:
        origin = source.series or source.source
        surveys, editions = groups.setdefault(origin, ({}, {}))
        if source.survey:
            surveys[source.survey] = None
        if source.edition:
            editions[source.edition] = None

    parts = []
    for origin, (surveys, editions) in groups.items():
        text = origin + _edition_range(list(editions))
        if surveys:
            text = f"{'、'.join(surveys)}（{text}より作成）"
        parts.append(text)
    return "；".join(parts)


def _edition_range(editions: list[str]) -> str:
    """Write editions compactly: 2018～2021・2023～2026年版."""
    if not editions:
        return ""
    if not all(edition.isdigit() for edition in editions):
        return "・".join(editions) + "年版"

    years = sorted(int(edition) for edition in editions)
    runs: list[list[int]] = [[years[0]]]
    for year in years[1:]:
        if year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    parts = [
        f"{run[0]}～{run[-1]}" if len(run) > 2 else "・".join(map(str, run))
        for run in runs
    ]
    return "・".join(parts) + "年版"
