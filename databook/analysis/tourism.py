"""Tourism: lodging guests and visitors per year, change, and seasonality.

Yearly values come from a declared table (kind table) whose indicator is one
of `LODGING_NAMES` or `VISITOR_NAMES`, e.g. 北海道観光入込客数調査's 内宿泊客
and 入込総数 by fiscal year. Where the table also has the months of those
indicators (period_kind month), each month's share of its year shows the
season. Where the area has no such table, the published figures of a
findings file (宿泊者数, 延べ観光客数) are quoted instead.
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
    format_month,
    format_period,
    format_period_short,
    format_quantity,
)
from databook.inputs import Inputs
from databook.model import ChartSpec, Column, Finding, KeyFigure, PeriodKind, Table

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
MONTH = PeriodKind.MONTH.value
FIRST_FISCAL_MONTH = 4
MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
"""Months of a fiscal year in order."""
SEASONALITY_NAMES = (
    "seasonality_item",
    "seasonality_year",
    "seasonality_year_2019",
    *(
        f"{extreme}_month{suffix}{year}"
        for extreme in ("peak", "low")
        for suffix in ("", "_share", "_with_share")
        for year in ("", "_2019")
    ),
)
"""Key figures of the seasonality, each present only when its year is."""


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


def seasonality(monthly: pd.Series) -> pd.DataFrame:
    """Return each month's value and share of the year's total, in percent.

    `monthly` is indexed by month (2019-04 …). The result has a row per month,
    in the order given, with columns value and share.
    """
    frame = pd.DataFrame({"value": monthly.astype("float64")})
    frame["share"] = frame["value"] / frame["value"].sum() * 100
    return frame


def yearly_series(dataset, names: tuple[str, ...], area_code: str) -> pd.Series:
    """Return the first indicator of `names` that the area has, by year."""
    frame = dataset.frame
    frame = frame[frame["period_kind"] != MONTH]
    for name in names:
        rows = frame[(frame["indicator"] == name) & (frame["area_code"] == area_code)]
        rows = rows.dropna(subset=["value"])
        if not rows.empty:
            return rows.set_index("period")["value"].sort_index()
    return pd.Series(dtype="float64")


def monthly_series(
    dataset, names: tuple[str, ...], area_code: str
) -> tuple[str, pd.Series]:
    """Return the first indicator of `names` with months for the area, by month.

    Months without a value stay in the series as NaN.
    """
    frame = dataset.frame
    frame = frame[frame["period_kind"] == MONTH]
    for name in names:
        rows = frame[(frame["indicator"] == name) & (frame["area_code"] == area_code)]
        if rows["value"].notna().any():
            return name, rows.set_index("period")["value"].sort_index()
    return "", pd.Series(dtype="float64")


def months_by_year(monthly: pd.Series, fiscal: bool) -> dict[str, pd.Series]:
    """Group a monthly series into its years, each with all twelve months.

    A fiscal year (FY2019) runs from April (2019-04) to March (2020-03), a
    calendar year (2019) from January to December. A month missing from the
    series, or present without a value, is NaN in its year.
    """
    years: dict[str, pd.Series] = {}
    for period in monthly.index:
        year, month = int(period[:4]), int(period[5:7])
        if fiscal and month < FIRST_FISCAL_MONTH:
            year -= 1
        key = f"FY{year}" if fiscal else str(year)
        if key not in years:
            months = year_months(key)
            years[key] = monthly.reindex(months).astype("float64")
    return dict(sorted(years.items()))


def year_months(year: str) -> list[str]:
    """Return the twelve month periods of a year: FY2019 → 2019-04 … 2020-03."""
    if year.startswith("FY"):
        start = int(year[2:])
        return [f"{start + (m < FIRST_FISCAL_MONTH):04d}-{m:02d}" for m in MONTHS]
    return [f"{year}-{m:02d}" for m in range(1, 13)]


def analyse_tourism(inputs: Inputs, area: Area) -> Finding:
    """Lodging guests and visitors: latest year, change, 2019, 近年最多, season."""
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
    if table is not None:
        _add_seasonality(finding, table, area)
    if "tourism_seasonality" not in finding.charts:
        finding.absent |= {"tourism_seasonality"}
    finding.absent |= {
        f"tourism.{name}" for name in SEASONALITY_NAMES if name not in finding.figures
    }

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
    if not (computed or quoted or "tourism_seasonality" in finding.charts):
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


def _add_seasonality(finding: Finding, dataset, area: Area) -> None:
    """Add each month's share of the latest complete year and of 2019 (FY2019).

    Lodging guests are used when the table has their months, else visitors.
    A year that lacks a month is not complete: the method note names it and
    its months get no shares.
    """
    indicator, monthly = monthly_series(dataset, LODGING_NAMES, area.code)
    label = "宿泊客数"
    if not indicator:
        indicator, monthly = monthly_series(dataset, VISITOR_NAMES, area.code)
        label = "観光客数"
    if not indicator:
        return

    # NOTE: months without yearly rows of the same indicator are taken as
    # fiscal years (April to March), the way prefectural surveys count.
    yearly = yearly_series(dataset, (indicator,), area.code)
    fiscal = yearly.empty or any(p.startswith("FY") for p in yearly.index)
    years = months_by_year(monthly, fiscal)
    complete = [year for year, months in years.items() if months.notna().all()]
    latest = complete[-1] if complete else None
    base = f"FY{PRE_COVID_YEAR}" if fiscal else str(PRE_COVID_YEAR)
    charted = list(dict.fromkeys(y for y in (base, latest) if y in complete))
    year_word = "年度" if fiscal else "年"

    finding.method_notes += _incomplete_notes(years, latest, base, label)
    if not charted:
        return

    rows = dataset.frame[
        (dataset.frame["indicator"] == indicator)
        & (dataset.frame["area_code"] == area.code)
        & dataset.frame["period"].isin([m for y in charted for m in years[y].index])
    ]
    sources = tuple(dataset.sources_of(rows))
    shares = {year: seasonality(years[year]) for year in charted}
    figures = finding.figures
    figures["seasonality_item"] = KeyFigure(label, label, latest, "", sources)
    figures["seasonality_year"] = KeyFigure(
        latest, format_period(latest), latest, "", sources
    )
    _add_extremes(figures, shares[latest], "", sources)
    if base in shares:
        figures["seasonality_year_2019"] = KeyFigure(
            base, format_period(base), base, "", sources
        )
        _add_extremes(figures, shares[base], "_2019", sources)

    finding.charts["tourism_seasonality"] = _seasonality_chart(
        shares, label, year_word, area, sources
    )
    finding.tables["tourism_seasonality"] = _seasonality_table(
        shares, label, year_word, area, sources
    )
    note = (
        f"月別の構成比は、その{year_word}の12か月の{label}の合計に対する各月の割合です"
        f"（合計は月の値を足したもので、表の{year_word}計とは端数のため違うことが"
        "あります）。"
    )
    if base in shares:
        note += (
            f"{format_period(base)}は新型コロナウイルス感染症の影響を受ける"
            f"前の{year_word}です。"
        )
    finding.method_notes.append(note)


def _incomplete_notes(years, latest: str | None, base: str, label: str) -> list[str]:
    """Return a note for each year that lacks a month and would have been shown.

    Those are the years after the latest complete one (all years when none is
    complete) and 2019 (FY2019).
    """
    notes = []
    for year, months in years.items():
        if months.notna().all():
            continue
        if latest is not None and year < latest and year != base:
            continue
        missing = "、".join(format_month(m) for m in months.index[months.isna()])
        notes.append(
            f"{format_period(year)}は{missing}の{label}の値がないため、"
            "月別の構成比を計算していません。"
        )
    return notes


def _add_extremes(figures, shares: pd.DataFrame, suffix: str, sources) -> None:
    """Add the month with the largest and the smallest share, e.g. 8月（11.9%）."""
    for name, month in (
        ("peak", shares["share"].idxmax()),
        ("low", shares["share"].idxmin()),
    ):
        share = float(shares.loc[month, "share"])
        share_text = format_quantity(share, "%", 1)
        figures[f"{name}_month{suffix}"] = KeyFigure(
            month, format_month(month), month, "", sources
        )
        figures[f"{name}_month_share{suffix}"] = KeyFigure(
            share, share_text, month, "%", sources
        )
        figures[f"{name}_month_with_share{suffix}"] = KeyFigure(
            month, f"{format_month(month)}（{share_text}）", month, "", sources
        )


def _seasonality_chart(shares, label, year_word, area, sources) -> ChartSpec:
    rows = [
        chart_row(
            x=format_month(month),
            series=format_period_short(year),
            value=value,
            indicator=label,
            indicator_name=label,
            area_code=area.code,
            area_name=area.name,
            period=month,
            unit="人",
            status="",
            source=credits(sources),
        )
        for year, frame in shares.items()
        for month, value in frame["value"].items()
    ]
    latest = list(shares)[-1]
    peak = shares[latest]["share"].idxmax()
    first, last = shares[latest].index[0], shares[latest].index[-1]
    years = "と".join(format_period_short(year) for year in shares)
    return ChartSpec(
        id="tourism_seasonality",
        title=f"{area.name}の月別の{label}（{years}）",
        kind="line",
        data=pd.DataFrame(rows),
        x_title="月",
        y_title=f"{label}（人）",
        sources=sources,
        alt=(
            f"{area.name}の{label}を{format_month(first)}から{format_month(last)}まで"
            f"月別に示した折れ線グラフ（{years}）。{format_period_short(latest)}は"
            f"{format_month(peak)}が最も多く、{year_word}の"
            f"{format_quantity(shares[latest].loc[peak, 'share'], '%', 1)}。"
        ),
    )


def _seasonality_table(shares, label, year_word, area, sources) -> Table:
    first = next(iter(shares.values()))
    frame = pd.DataFrame({"month": [format_month(m) for m in first.index] + ["計"]})
    columns = [Column("month", "月", kind="text")]
    for year, months in shares.items():
        heading = format_period_short(year)
        frame[f"value_{year}"] = [*months["value"], months["value"].sum()]
        frame[f"share_{year}"] = [*months["share"], 100.0]
        columns += [
            Column(f"value_{year}", f"{heading} {label}（人）"),
            Column(f"share_{year}", f"{heading} 構成比（%）", kind="percent", digits=1),
        ]
    return Table(
        id="tourism_seasonality",
        title=f"{area.name}の月別の{label}と{year_word}に占める割合",
        frame=frame,
        columns=tuple(columns),
        sources=sources,
        note=f"構成比は{year_word}の12か月の合計に対する割合。",
    )


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
