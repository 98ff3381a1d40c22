"""Tourism: lodging guests and visitors per year, change, and seasonality.

Yearly values come from a declared table (kind table) whose indicator is one
of `LODGING_NAMES` or `VISITOR_NAMES`, e.g. 北海道観光入込客数調査's 内宿泊客
and 入込総数 by fiscal year. Where the area has no such table, the published
figures of a findings file (宿泊者数, 延べ観光客数) are quoted instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from databook.analysis.common import Area, chart_row, credits
from databook.analysis.quotes import (
    QUOTE_NOTE,
    quoted_figure,
    quoted_rows,
    quoted_table,
)
from databook.formatting import (
    format_change,
    format_period,
    format_period_short,
    format_quantity,
)
from databook.inputs import Inputs
from databook.model import ChartSpec, Finding, KeyFigure

LODGING_NAMES = ("宿泊者数", "宿泊客数", "内宿泊客")
VISITOR_NAMES = ("観光入込客数", "入込総数", "観光客数", "延べ観光客数")
QUOTED_NAMES = (
    "宿泊者数",
    "延べ観光客数",
    "延べ観光客数の前年差",
    "延べ観光客数の前年比増加率",
)
"""Published tourism figures that the chapter quotes when no table exists."""
PRE_COVID_YEAR = 2019
"""The last year before COVID-19, the usual base for recovery."""
RECENT_YEARS = 10
"""Length of the window in which a year is called 近年最多."""


@dataclass(frozen=True)
class YearSummary:
    """The latest year of a yearly series against earlier years."""

    latest: str
    value: float
    previous: str | None
    change_rate: float | None
    """Percent change on the year before; None without that year."""
    pre_covid: str | None
    versus_pre_covid: float | None
    """Percent change against 2019 (FY2019); None without that year."""
    recent_max: str
    """Period of the highest value within the last `RECENT_YEARS` years."""
    is_recent_max: bool


def year_summary(series: pd.Series, window: int = RECENT_YEARS) -> YearSummary:
    """Summarise a yearly series indexed by period (2022 or FY2022).

    Years without a value are left out. The recent window counts back from the
    latest year, so a gap in the series shortens it.
    """
    present = series.dropna().sort_index()
    latest = present.index[-1]
    value = float(present.iloc[-1])
    year = _year(latest)

    previous = _same_kind(latest, year - 1)
    change = None
    if previous in present.index:
        change = (value - present[previous]) / present[previous] * 100
    else:
        previous = None

    base = _same_kind(latest, PRE_COVID_YEAR)
    versus = None
    if base in present.index and base != latest:
        versus = (value - present[base]) / present[base] * 100
    else:
        base = None

    recent = present[[_year(p) > year - window for p in present.index]]
    recent_max = recent.idxmax()
    return YearSummary(
        latest=latest,
        value=value,
        previous=previous,
        change_rate=change,
        pre_covid=base,
        versus_pre_covid=versus,
        recent_max=recent_max,
        is_recent_max=recent_max == latest,
    )


# TODO: analyse_tourism does not call this yet, because the declared table
# loader returns fiscal-year totals only; monthly rows need a month period.
def seasonality(monthly: pd.Series) -> pd.DataFrame:
    """Return each month's value and share of the year's total, in percent.

    `monthly` is indexed by month (2019-04 …). The result has a row per month,
    in the order given, with columns value and share.
    """
    frame = pd.DataFrame({"value": monthly.astype("float64")})
    frame["share"] = frame["value"] / frame["value"].sum() * 100
    return frame


def yearly_series(dataset, names: tuple[str, ...], area_code: str) -> pd.Series:
    """Return the first indicator of `names` that the area has, by period."""
    frame = dataset.frame
    for name in names:
        rows = frame[(frame["indicator"] == name) & (frame["area_code"] == area_code)]
        rows = rows.dropna(subset=["value"])
        if not rows.empty:
            return rows.set_index("period")["value"].sort_index()
    return pd.Series(dtype="float64")


def analyse_tourism(inputs: Inputs, area: Area) -> Finding:
    """Lodging guests and visitors: latest year, change, 2019, 近年最多."""
    finding = Finding(name="tourism")
    table = inputs.get("table")
    computed = False
    if table is not None:
        for key, names in (("lodging", LODGING_NAMES), ("visitors", VISITOR_NAMES)):
            series = yearly_series(table, names, area.code)
            if not series.empty:
                _add_series(finding, key, series, table, area)
                computed = True
    if computed:
        finding.method_notes.append(
            "前年比は前の年（年度）との比較、2019年（度）比は新型コロナウイルス感染症の"
            f"影響を受ける前の年との比較です。近年最多は直近{RECENT_YEARS}年の中で"
            "最も多い年です。"
        )

    findings = inputs.get("findings")
    quoted = False
    for key, indicator in (
        ("quoted_lodging", "宿泊者数"),
        ("quoted_visitors", "延べ観光客数"),
    ):
        rows = quoted_rows(inputs, area.code, indicator)
        if rows.empty:
            continue
        row = rows.iloc[-1]
        finding.figures[key] = quoted_figure(findings, row)
        finding.figures[f"{key}_year"] = KeyFigure(
            row["period"], format_period(row["period"]), row["period"], "", ()
        )
        quoted = True
    if quoted:
        rows = quoted_rows(inputs, area.code, QUOTED_NAMES)
        finding.tables["tourism_quoted"] = quoted_table(
            "tourism_quoted", f"{area.name}の観光の公表値", rows, findings
        )
        finding.method_notes.append(QUOTE_NOTE)
    if not (computed or quoted):
        finding.method_notes.append(
            f"{area.name}の観光の数値がデータにないため、数値を示していません。"
        )
    return finding


def _add_series(finding, key, series, dataset, area) -> None:
    rows = dataset.frame[dataset.frame["indicator"].isin(LODGING_NAMES + VISITOR_NAMES)]
    sources = tuple(dataset.sources_of(rows[rows["area_code"] == area.code]))
    summary = year_summary(series)
    figures = finding.figures
    figures[f"{key}_year"] = KeyFigure(
        summary.latest, format_period(summary.latest), summary.latest, "", sources
    )
    figures[key] = KeyFigure(
        summary.value,
        format_quantity(summary.value, "人"),
        summary.latest,
        "人",
        sources,
    )
    if summary.change_rate is not None:
        figures[f"{key}_change_rate"] = KeyFigure(
            summary.change_rate,
            format_change(summary.change_rate, "%", 1),
            summary.latest,
            "%",
            sources,
        )
    if summary.versus_pre_covid is not None:
        figures[f"{key}_versus_2019"] = KeyFigure(
            summary.versus_pre_covid,
            format_change(summary.versus_pre_covid, "%", 1),
            summary.latest,
            "%",
            sources,
        )
    figures[f"{key}_recent_max_year"] = KeyFigure(
        summary.recent_max,
        format_period(summary.recent_max),
        summary.recent_max,
        "",
        sources,
    )
    finding.charts[f"tourism_{key}"] = _series_chart(key, series, area, sources)


def _series_chart(key, series, area, sources) -> ChartSpec:
    label = "宿泊客数" if key == "lodging" else "観光客数"
    rows = [
        chart_row(
            x=format_period_short(period),
            series=label,
            value=value,
            indicator=key,
            indicator_name=label,
            area_code=area.code,
            area_name=area.name,
            period=period,
            unit="人",
            status="",
            source=credits(sources),
        )
        for period, value in series.items()
    ]
    data = pd.DataFrame(rows)
    first, last = data.iloc[0], data.iloc[-1]
    return ChartSpec(
        id=f"tourism_{key}",
        title=f"{area.name}の{label}の推移",
        kind="line",
        data=data,
        x_title="年",
        y_title=f"{label}（人）",
        sources=sources,
        alt=(
            f"{area.name}の{label}の{first['x']}から{last['x']}までの折れ線グラフ。"
            f"{last['x']}は{last['value']:,.0f}人。"
        ),
    )


def _year(period: str) -> int:
    return int(period[2:6] if period.startswith("FY") else period[:4])


def _same_kind(period: str, year: int) -> str:
    return f"FY{year}" if period.startswith("FY") else str(year)
