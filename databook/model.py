"""The data model shared by loaders, analyses and publishers.

A `Dataset` is a tidy table (one value per row) plus the `Provenance` records
its rows point to. Analyses turn Datasets into `Finding`s: tables, key figures
and chart specifications, each carrying the provenance that becomes the 出典
line under it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd

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
    """Kind of period that a `period` text names."""

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
    """A year whose kind (calendar, fiscal, census) the source does not state."""


class Status(StrEnum):
    """Reason a value is missing. A present value has an empty status."""

    NOT_SURVEYED = "not_surveyed"
    """No figure was obtained for this area and period (「…」 or an empty cell)."""
    SUPPRESSED = "suppressed"
    """The figure exists but is kept secret (「x」「X」「***」)."""
    NOT_APPLICABLE = "not_applicable"
    """No corresponding figure exists (「-」, 該当数字なし in Japanese tables)."""
    UNKNOWN = "unknown"
    """The source marks the value as unknown without saying why."""


@dataclass(frozen=True)
class Provenance:
    """Origin of a set of rows and the credit its terms require."""

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
    """Address the file is published at, without any API key."""
    series: str = ""
    """Product that the source is an edition of, e.g. SSDSE-A and its publisher."""
    edition: str = ""
    """Edition within `series`, e.g. 2022."""
    notice: str = ""
    """A sentence the source's terms require beside every use, e.g. e-Stat's."""

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
    notices: dict[str, None] = {}
    for source in sources:
        if source.notice:
            notices[source.notice] = None
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
    return "　".join(["；".join(parts), *notices])


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


@dataclass
class Dataset:
    """A tidy table in `TIDY_COLUMNS` and the provenance its rows cite."""

    frame: pd.DataFrame
    provenance: dict[str, Provenance] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    """Japanese name of each indicator, e.g. A1101 → 総人口."""

    def __post_init__(self) -> None:
        missing = [c for c in TIDY_COLUMNS if c not in self.frame.columns]
        if missing:
            raise ValueError(f"Dataset lacks columns {missing}")
        unknown = set(self.frame["source_id"].dropna().unique()) - set(self.provenance)
        if unknown:
            raise ValueError(f"Dataset rows cite unknown sources {sorted(unknown)}")

    def select(self, indicators: Iterable[str]) -> Dataset:
        """Return the rows of the given indicators, with their provenance."""
        frame = self.frame[self.frame["indicator"].isin(list(indicators))]
        return self._with_frame(frame)

    def sources_of(self, frame: pd.DataFrame) -> list[Provenance]:
        """Return the provenance records cited by the rows of `frame`."""
        ids = sorted(frame["source_id"].dropna().unique())
        return [self.provenance[i] for i in ids]

    def _with_frame(self, frame: pd.DataFrame) -> Dataset:
        ids = set(frame["source_id"].dropna().unique())
        indicators = set(frame["indicator"].unique())
        provenance = {k: v for k, v in self.provenance.items() if k in ids}
        labels = {k: v for k, v in self.labels.items() if k in indicators}
        return Dataset(frame.reset_index(drop=True), provenance, labels)


def concat(datasets: Iterable[Dataset]) -> Dataset:
    """Join Datasets into one, keeping every provenance record."""
    datasets = list(datasets)
    if len(datasets) == 1:
        return datasets[0]
    provenance: dict[str, Provenance] = {}
    labels: dict[str, str] = {}
    for dataset in datasets:
        provenance.update(dataset.provenance)
        labels.update(dataset.labels)
    frames = [d.frame for d in datasets if not d.frame.empty]
    frame = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=TIDY_COLUMNS)
    )
    return Dataset(frame, provenance, labels)


@dataclass(frozen=True)
class KeyFigure:
    """A number quoted in the chapter text, with what it needs to be trusted."""

    value: float | int | str | None
    """The figure itself: a count, a ratio in percent, a rank, or a text."""
    text: str
    """The figure as printed in Japanese, e.g. 6,722人 or 33市町村中1位."""
    period: str = ""
    """Reference period as printed, e.g. 2020年."""
    unit: str = ""
    sources: tuple[Provenance, ...] = ()


@dataclass(frozen=True)
class Column:
    """A column of a published table."""

    key: str
    """Column name in the table's DataFrame."""
    label: str
    """Heading as printed, with its unit, e.g. 人口（人）."""
    kind: str = "number"
    """One of number, percent, rank, text."""
    digits: int = 0
    """Decimal places printed for number and percent columns."""


@dataclass(frozen=True)
class Table:
    """A table for the page: display columns plus the tidy rows behind it."""

    id: str
    title: str
    frame: pd.DataFrame
    """One row per printed row, in the order printed."""
    columns: tuple[Column, ...]
    sources: tuple[Provenance, ...]
    note: str = ""
    """A line under the table, e.g. how a share was computed."""


@dataclass(frozen=True)
class ChartSpec:
    """Chart to draw, independent of plotly."""

    id: str
    title: str
    kind: str
    """One of line, bar, grouped_bar, stacked_bar, ranking_bar, ratio_bar,
    horizontal_bar, age_pyramid."""
    data: pd.DataFrame
    """Tidy rows drawn: columns x, series, value, and the tidy source columns."""
    x_title: str
    y_title: str
    sources: tuple[Provenance, ...]
    alt: str
    """Text alternative written from the data: what it shows and its key figure."""
    note: str = ""
    highlight: str | None = None
    """Category of a bar chart drawn in the accent colour (the book's own area)."""
    digits: int | None = None
    """Decimals in hover text, data table and Excel (None: 1 for %, 0 for others)."""

    @property
    def value_digits(self) -> int:
        """Return `digits`, or the default for the unit of the first row."""
        if self.digits is not None:
            return self.digits
        unit = self.data["unit"].iloc[0] if not self.data.empty else ""
        return 1 if unit == "%" else 0


@dataclass
class Finding:
    """The result of one analysis: what a chapter presents."""

    name: str
    figures: dict[str, KeyFigure] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    charts: dict[str, ChartSpec] = field(default_factory=dict)
    method_notes: list[str] = field(default_factory=list)
    absent: set[str] = field(default_factory=set)
    """Chart and table ids and figure names (tourism.peak_month) that the
    analysis offers but has no data for in this area. Chapters that use them
    print 「データなし」 instead of failing."""
