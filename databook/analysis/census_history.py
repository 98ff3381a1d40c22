"""The long census series: population at every census since the series starts.

A census series file (kind census-series) gives the counts of each census; a
preliminary count (速報) in it is replaced by the final count of SSDSE-A
(A1101) wherever SSDSE-A carries that census, and is printed as 速報値 only
where no final count exists. Census counts only: population projections are
not mixed into this series.
"""

from __future__ import annotations

import pandas as pd

from databook.analysis.common import Area, chart_row, credits
from databook.analysis.ranking import rank_of
from databook.formatting import (
    format_change,
    format_period,
    format_period_short,
    format_quantity,
    format_rank,
)
from databook.inputs import Inputs
from databook.model import ChartSpec, Column, Dataset, Finding, KeyFigure, Table
from databook.sources.census_series import PRELIMINARY, TOTAL


def census_totals(series: Dataset, ssdse: Dataset | None) -> pd.DataFrame:
    """Return the census population of every area and census year.

    Columns: area_code, period, value, preliminary (True for a 速報 count kept
    because no final count exists) and source_id. A final count from SSDSE-A
    replaces the series' count of the same year.
    """
    frame = series.frame
    final = frame[frame["indicator"] == TOTAL].dropna(subset=["value"])
    early = frame[frame["indicator"] == PRELIMINARY].dropna(subset=["value"])
    parts = []
    if ssdse is not None:
        census = ssdse.frame[ssdse.frame["indicator"] == TOTAL].dropna(subset=["value"])
        parts.append(census.assign(preliminary=False, rank=0))
    parts.append(final.assign(preliminary=False, rank=1))
    parts.append(early.assign(preliminary=True, rank=2))
    stacked = pd.concat(parts, ignore_index=True).sort_values("rank", kind="stable")
    merged = stacked.drop_duplicates(subset=["area_code", "period"], keep="first")
    columns = ["area_code", "period", "value", "preliminary", "source_id"]
    return merged.sort_values(["area_code", "period"])[columns].reset_index(drop=True)


def analyse_population_history(inputs: Inputs, area: Area) -> Finding:
    """Census population since the series starts, its peak, and long-run change."""
    series = inputs.require("census-series", needed_by="population_history")
    ssdse = inputs.get("ssdse-a")
    finding = Finding(name="population_history")
    totals = census_totals(series, ssdse)
    own = totals[totals["area_code"] == area.code].set_index("period")
    if own.empty:
        finding.method_notes.append(
            f"{area.name}の国勢調査人口の時系列がデータにないため、数値を示していません。"
        )
        return finding

    sources = tuple(_sources(own, series, ssdse))
    first_year, latest_year = own.index[0], own.index[-1]
    peak_year = own["value"].idxmax()
    first, latest, peak = (
        own.loc[y, "value"] for y in (first_year, latest_year, peak_year)
    )

    figures = finding.figures
    for key, year, value in (
        ("first", first_year, first),
        ("peak", peak_year, peak),
        ("latest", latest_year, latest),
    ):
        figures[f"{key}_year"] = KeyFigure(year, format_period(year), year, "", sources)
        figures[f"{key}_total"] = KeyFigure(
            float(value), format_quantity(value, "人"), year, "人", sources
        )
    change = latest - first
    rate = change / first * 100
    figures["change"] = KeyFigure(
        change, format_change(change, "人"), latest_year, "人", sources
    )
    figures["change_rate"] = KeyFigure(
        rate, format_change(rate, "%", 1), latest_year, "%", sources
    )
    from_peak = (latest - peak) / peak * 100
    figures["change_from_peak_rate"] = KeyFigure(
        from_peak, format_change(from_peak, "%", 1), latest_year, "%", sources
    )

    rates = _change_rates(totals, area.prefecture_code, first_year, latest_year)
    rank = rank_of(rates, area.code)
    if rank:
        figures["change_rate_rank"] = KeyFigure(
            rank.position,
            format_rank(rank.position, rank.count, area.peers),
            latest_year,
            "位",
            sources,
        )

    finding.tables["census_history"] = _history_table(own, sources)
    finding.charts["census_history"] = _history_chart(own, area, sources)
    finding.method_notes.append(_method_note(own, area, first_year, latest_year))
    return finding


def _sources(own: pd.DataFrame, series: Dataset, ssdse: Dataset | None):
    provenance = dict(series.provenance)
    if ssdse is not None:
        provenance.update(ssdse.provenance)
    return [provenance[i] for i in sorted(set(own["source_id"]))]


def _change_rates(totals, prefecture_code, first_year, latest_year) -> pd.Series:
    """Return each area's change in percent between two census years."""
    rows = totals[totals["area_code"].str.startswith(prefecture_code)]
    wide = rows.pivot_table(index="area_code", columns="period", values="value")
    if first_year not in wide.columns or latest_year not in wide.columns:
        return pd.Series(dtype="float64")
    return (wide[latest_year] - wide[first_year]) / wide[first_year] * 100


def _method_note(own, area, first_year, latest_year) -> str:
    note = (
        f"{format_period_short(first_year)}から{format_period_short(latest_year)}までの"
        "国勢調査人口です。時系列ファイルの速報値の年は、"
        "SSDSE-A に確定値があればその値を使います。"
    )
    if own["preliminary"].any():
        years = "、".join(format_period_short(y) for y in own.index[own["preliminary"]])
        note += f"{years}は確定値がないため速報値です。"
    note += (
        f"増減率の順位は{area.prefecture}の{area.peers}の中で、"
        "増加率の大きい順に数えたものです。値のない市町村は数えていません。"
    )
    return note


def _history_table(own: pd.DataFrame, sources) -> Table:
    frame = own.reset_index()
    frame["period_label"] = frame["period"].map(format_period_short)
    frame["change"] = frame["value"].diff()
    frame["change_rate"] = frame["change"] / frame["value"].shift() * 100
    frame["kind"] = frame["preliminary"].map({True: "速報値", False: "確定値"})
    frame["change_status"] = (
        frame["change"].isna().map({True: "not_applicable", False: ""})
    )
    frame["change_rate_status"] = frame["change_status"]
    columns = (
        Column("period_label", "調査年", kind="text"),
        Column("value", "総人口（人）"),
        Column("change", "前回からの増減（人）"),
        Column("change_rate", "増減率（%）", kind="percent", digits=1),
        Column("kind", "数値", kind="text"),
    )
    return Table(
        id="census_history",
        title="国勢調査人口の推移",
        frame=frame,
        columns=columns,
        sources=sources,
        note="増減は5年前の国勢調査との差。△は減少。",
    )


def _history_chart(own: pd.DataFrame, area: Area, sources) -> ChartSpec:
    rows = [
        chart_row(
            x=format_period_short(period),
            series="総人口",
            value=record["value"],
            indicator=TOTAL,
            indicator_name="総人口（国勢調査）",
            area_code=area.code,
            area_name=area.name,
            period=period,
            unit="人",
            status="",
            source=credits(sources),
        )
        for period, record in own.iterrows()
    ]
    data = pd.DataFrame(rows)
    first, last = data.iloc[0], data.iloc[-1]
    return ChartSpec(
        id="census_history",
        title=f"{area.name}の国勢調査人口の推移",
        kind="line",
        data=data,
        x_title="国勢調査の年",
        y_title="総人口（人）",
        sources=sources,
        alt=(
            f"{area.name}の国勢調査人口の{first['x']}から{last['x']}までの折れ線グラフ。"
            f"{first['x']}は{first['value']:,.0f}人、{last['x']}は{last['value']:,.0f}人。"
        ),
    )
