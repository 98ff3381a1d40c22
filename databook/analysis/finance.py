"""Finance: revenue, local tax and expenditure by fiscal year.

The inputs are SSDSE-A items of 総務省「市町村別決算状況調」 (settled accounts
of the ordinary account, in thousand yen): D3201 歳入決算総額, D320101 地方税,
D3203 歳出決算総額 and the expenditure items D320303 民生費, D320308 土木費,
D320310 教育費, D320311 災害復旧費. Each edition carries one fiscal year, the
2018 edition FY2015 and the 2026 edition FY2022, so the series needs every
edition. Per-resident figures divide by A1101 総人口 of the latest census.
An area whose census counted no one (双葉町 in 2015 and 2020), or that the
census rows lack, gets no per-resident figure and is left out of its ranking.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from databook.analysis.codes import code_change_note, current_codes, used_changes
from databook.analysis.common import Area, area_names, chart_row, credits, ranking_rows
from databook.analysis.ranking import rank_of, ranks_of_all
from databook.formatting import (
    NO_DATA_TEXT,
    format_period,
    format_period_short,
    format_quantity,
    format_rank,
    format_thousand_yen,
)
from databook.inputs import Inputs
from databook.model import (
    ChartSpec,
    Column,
    Dataset,
    Finding,
    KeyFigure,
    Status,
    Table,
)

REVENUE, LOCAL_TAX, EXPENDITURE = "D3201", "D320101", "D3203"
WELFARE, PUBLIC_WORKS, EDUCATION, DISASTER = "D320303", "D320308", "D320310", "D320311"
POPULATION = "A1101"

ITEMS = (
    ("revenue", REVENUE, "歳入決算総額"),
    ("local_tax", LOCAL_TAX, "地方税"),
    ("expenditure", EXPENDITURE, "歳出決算総額"),
    ("welfare", WELFARE, "民生費"),
    ("public_works", PUBLIC_WORKS, "土木費"),
    ("education", EDUCATION, "教育費"),
    ("disaster", DISASTER, "災害復旧費"),
)

FINANCE_NOTE = (
    "決算額は普通会計の決算で、年度（4月から翌年3月まで）の金額です。"
    "地方税の割合は、地方税を歳入決算総額で割った割合です。"
    "民生費の割合は、民生費を歳出決算総額で割った割合です。"
)


def accounts(dataset: Dataset) -> pd.DataFrame:
    """Return the settled accounts of every area and fiscal year, in thousand yen.

    Columns: area_code, period and one column per key of `ITEMS` (missing when
    no edition carries the item), plus tax_share (地方税 ÷ 歳入 × 100) and
    welfare_share (民生費 ÷ 歳出 × 100).
    """
    frame = dataset.frame
    codes = {code: key for key, code, _ in ITEMS}
    rows = frame[frame["indicator"].isin(list(codes))]
    wide = rows.pivot_table(
        index=["area_code", "period"], columns="indicator", values="value"
    ).rename(columns=codes)
    for key, _, _ in ITEMS:
        if key not in wide.columns:
            wide[key] = float("nan")
    wide["tax_share"] = wide["local_tax"] / wide["revenue"] * 100
    wide["welfare_share"] = wide["welfare"] / wide["expenditure"] * 100
    return wide.reset_index()


def latest_population(dataset: Dataset, prefecture_code: str) -> tuple[str, pd.Series]:
    """Return the latest census year and its population of each area."""
    frame = dataset.frame
    rows = frame[
        (frame["indicator"] == POPULATION)
        & frame["area_code"].str.startswith(prefecture_code)
    ].dropna(subset=["value"])
    if rows.empty:
        return "", pd.Series(dtype="float64")
    year = rows["period"].max()
    return year, rows[rows["period"] == year].set_index("area_code")["value"]


def analyse_finance(inputs: Inputs, area: Area) -> Finding:
    """Settled accounts by fiscal year, shares, and ranks in the prefecture."""
    raw = inputs.require("ssdse-a", needed_by="finance")
    dataset = current_codes(raw)
    finding = Finding(name="finance")
    table = accounts(dataset)
    own = (
        table[table["area_code"] == area.code]
        .dropna(subset=["revenue"])
        .sort_values("period")
    )
    if own.empty:
        finding.method_notes.append(
            f"{area.name}の決算額がデータにないため、この章には数値を示していません。"
        )
        return finding

    codes = [code for _, code, _ in ITEMS]
    used = dataset.frame[dataset.frame["indicator"].isin(codes)]
    sources = tuple(dataset.sources_of(used[used["area_code"] == area.code]))
    latest = own.iloc[-1]
    first = own.iloc[0]
    year = latest["period"]

    figures = finding.figures
    figures["year"] = KeyFigure(year, format_period(year), year, "", sources)
    figures["first_year"] = KeyFigure(
        first["period"], format_period(first["period"]), first["period"], "", sources
    )
    for key in ("revenue", "local_tax", "expenditure", "welfare"):
        figures[key] = _money(latest[key], year, sources)
        figures[f"first_{key}"] = _money(first[key], first["period"], sources)
    for key in ("tax_share", "welfare_share"):
        figures[key] = _percent(latest[key], year, sources)
        figures[f"first_{key}"] = _percent(first[key], first["period"], sources)

    in_prefecture = table[
        table["area_code"].str.startswith(area.prefecture_code)
        & (table["period"] == year)
    ].set_index("area_code")
    census_year, population = latest_population(dataset, area.prefecture_code)
    if census_year:
        _add_tax_per_person(
            figures, dataset, in_prefecture, population, census_year, area, sources
        )
    _add_rank(
        figures, "tax_share_rank", in_prefecture, area, year, sources, "tax_share"
    )

    finding.tables["finance_accounts"] = _accounts_table(own, sources)
    finding.tables["finance_ranking"] = _ranking_table(
        in_prefecture, dataset, area, year, sources
    )
    finding.charts["finance_trend"] = _trend_chart(own, dataset, area, sources)
    finding.charts["tax_share_prefecture"] = _share_chart(
        in_prefecture, dataset, area, year, sources
    )
    finding.method_notes.append(FINANCE_NOTE)
    if census_year:
        finding.method_notes.append(
            f"住民1人当たり地方税は、{format_period_short(year)}の地方税を"
            f"{format_period_short(census_year)}の国勢調査人口で割った値です。"
        )
        note = _uncounted_note(in_prefecture, dataset, area)
        if note:
            finding.method_notes.append(note)
    finding.method_notes.append(area.rank_note())
    changes = used_changes(raw, area.prefecture_code)
    if changes:
        finding.method_notes.append(code_change_note(changes))
    return finding


def tax_per_person(local_tax: pd.Series, population: pd.Series) -> pd.Series:
    """Return 地方税 (thousand yen) per resident in whole yen, by area code.

    An area whose census counted 0 people, or that `population` lacks, gets
    NaN: the figure of a town without residents is undefined, not infinite,
    so `rank_of` leaves that town out instead of ranking it first.
    """
    residents = population.where(population > 0).reindex(local_tax.index)
    # Rounded to whole yen as printed, so that ranks follow the printed values.
    return (local_tax / residents * 1000).round(0)


def _add_tax_per_person(
    figures, dataset, in_prefecture, population, census_year, area, sources
) -> None:
    """Add the tax_per_person column, its status, figure and rank.

    The status marks the areas whose census counted 0 people as 該当なし, so
    that the ranking table prints 「-」 for them and 「…」 for a missing count.
    """
    year = figures["year"].value
    in_prefecture["tax_per_person"] = tax_per_person(
        in_prefecture["local_tax"], population
    )
    empty = population.index[population == 0].intersection(in_prefecture.index)
    in_prefecture["tax_per_person_status"] = ""
    in_prefecture.loc[empty, "tax_per_person_status"] = Status.NOT_APPLICABLE.value

    frame = dataset.frame
    people_sources = sources + tuple(
        dataset.sources_of(
            frame[
                (frame["indicator"] == POPULATION)
                & (frame["period"] == census_year)
                & (frame["area_code"] == area.code)
            ]
        )
    )
    value = in_prefecture.loc[area.code, "tax_per_person"]
    figures["tax_per_person"] = (
        _no_data(year, "円", people_sources)
        if pd.isna(value)
        else KeyFigure(
            float(value), format_quantity(value, "円"), year, "円", people_sources
        )
    )
    _add_rank(figures, "tax_per_person_rank", in_prefecture, area, year, people_sources)


def _uncounted_note(in_prefecture, dataset, area) -> str:
    """Return the note naming the areas left out for a census count of 0, or ""."""
    empty = in_prefecture.index[
        in_prefecture["tax_per_person_status"] == Status.NOT_APPLICABLE.value
    ]
    if empty.empty:
        return ""
    names = area_names(dataset, area.prefecture_code)
    ranked = int(in_prefecture["tax_per_person"].notna().sum())
    return (
        f"国勢調査の人口が0人の{'、'.join(names[code] for code in empty)}は、"
        "住民1人当たり地方税を計算できないため、その順位に数えていません"
        f"（順位は{area.prefecture}の{ranked}市町村の中で数えています）。"
    )


def _add_rank(figures, key, in_prefecture, area, year, sources, column=None) -> None:
    """Add the rank of `column` as `key`, or a missing figure when it has none."""
    column = column or key.removesuffix("_rank")
    rank = rank_of(in_prefecture[column], area.code)
    if rank is None:
        figures[key] = _no_data(year, "位", sources)
        return
    figures[key] = KeyFigure(
        rank.position,
        format_rank(rank.position, rank.count, area.peers),
        year,
        "位",
        sources,
    )


def _no_data(period, unit, sources) -> KeyFigure:
    return KeyFigure(None, NO_DATA_TEXT, period, unit, sources)


def _money(value, period, sources) -> KeyFigure:
    if pd.isna(value):
        return _no_data(period, "千円", sources)
    return KeyFigure(float(value), format_thousand_yen(value), period, "千円", sources)


def _percent(value, period, sources) -> KeyFigure:
    if pd.isna(value):
        return _no_data(period, "%", sources)
    return KeyFigure(float(value), format_quantity(value, "%", 1), period, "%", sources)


MILLION_YEN_FROM = 10_000_000
"""Amount in 千円 (100億円) from which the accounts table is in 百万円.

A city's amounts of eight digits and more in 千円 make the table too wide for
a printed page. In 百万円 they keep five to seven digits.
"""


def _accounts_table(own: pd.DataFrame, sources) -> Table:
    frame = own.assign(period_label=own["period"].map(format_period_short))
    money = ["revenue", "local_tax", "expenditure"]
    money += ["welfare", "public_works", "education", "disaster"]
    unit, note = "千円", ""
    if frame[money].abs().max().max() >= MILLION_YEN_FROM:
        unit = "百万円"
        note = "金額は千円の決算額を百万円に四捨五入した値。"
        # Half up, as official tables round; the amounts are never negative.
        frame[money] = np.floor(frame[money] / 1000 + 0.5)
    columns = (
        Column("period_label", "年度", kind="text"),
        Column("revenue", f"歳入決算総額（{unit}）"),
        Column("local_tax", f"地方税（{unit}）"),
        Column("tax_share", "地方税の割合（%）", kind="percent", digits=1),
        Column("expenditure", f"歳出決算総額（{unit}）"),
        Column("welfare", f"民生費（{unit}）"),
        Column("public_works", f"土木費（{unit}）"),
        Column("education", f"教育費（{unit}）"),
        Column("disaster", f"災害復旧費（{unit}）"),
    )
    return Table(
        id="finance_accounts",
        title="歳入・歳出の決算額",
        frame=frame.reset_index(drop=True),
        columns=columns,
        sources=sources,
        note=f"{note}地方税の割合 = 地方税 ÷ 歳入決算総額 × 100",
    )


def _ranking_table(in_prefecture, dataset, area, year, sources) -> Table:
    names = area_names(dataset, area.prefecture_code)
    present = in_prefecture.dropna(subset=["tax_share"])
    frame = present.reset_index()
    frame["rank"] = frame["area_code"].map(ranks_of_all(present["tax_share"]))
    frame["area_name"] = frame["area_code"].map(names)
    frame = frame.sort_values(["rank", "area_code"]).reset_index(drop=True)
    columns = [
        Column("rank", "順位", kind="rank"),
        Column("area_name", "市町村", kind="text"),
        Column("tax_share", "地方税の割合（%）", kind="percent", digits=1),
        Column("local_tax", "地方税（千円）"),
        Column("revenue", "歳入決算総額（千円）"),
    ]
    if "tax_per_person" in frame.columns:
        columns.append(Column("tax_per_person", "住民1人当たり地方税（円）"))
    return Table(
        id="finance_ranking",
        title=f"{area.prefecture}の{area.peers}の地方税の割合（{format_period_short(year)}）",
        frame=frame,
        columns=tuple(columns),
        sources=sources,
        note=f"順位は地方税の割合の高い順。太字は{area.name}。",
    )


def _trend_chart(own, dataset, area, sources) -> ChartSpec:
    rows = []
    for key, code, label in ITEMS[:3]:
        for _, record in own.dropna(subset=[key]).iterrows():
            rows.append(
                chart_row(
                    x=format_period_short(record["period"]),
                    series=label,
                    value=record[key] / 1000,
                    indicator=code,
                    indicator_name=dataset.labels.get(code, label),
                    area_code=area.code,
                    area_name=area.name,
                    period=record["period"],
                    unit="百万円",
                    status="",
                    source=credits(sources),
                )
            )
    data = pd.DataFrame(rows)
    first, last = data["x"].iloc[0], data["x"].iloc[-1]
    latest = own.iloc[-1]
    return ChartSpec(
        id="finance_trend",
        title=f"{area.name}の歳入・歳出と地方税",
        kind="line",
        data=data,
        x_title="年度",
        y_title="決算額（百万円）",
        sources=sources,
        alt=(
            f"{area.name}の歳入決算総額、歳出決算総額、地方税の{first}から{last}までの"
            f"折れ線グラフ。{last}は歳入{format_thousand_yen(latest['revenue'])}、"
            f"歳出{format_thousand_yen(latest['expenditure'])}、"
            f"地方税{format_thousand_yen(latest['local_tax'])}。"
        ),
        note="千円単位の決算額を百万円に換算。",
    )


def _share_chart(in_prefecture, dataset, area, year, sources) -> ChartSpec:
    names = area_names(dataset, area.prefecture_code)
    present = in_prefecture.dropna(subset=["tax_share"])
    rows = ranking_rows(
        present["tax_share"],
        names,
        series="地方税の割合",
        indicator="tax_share",
        indicator_name="地方税 ÷ 歳入決算総額",
        period=year,
        unit="%",
        sources=sources,
    )
    rank = rank_of(present["tax_share"], area.code)
    return ChartSpec(
        id="tax_share_prefecture",
        title=(
            f"{area.prefecture}の{area.peers}の歳入に占める地方税の割合"
            f"（{format_period_short(year)}）"
        ),
        kind="ranking_bar",
        data=pd.DataFrame(rows),
        x_title="市町村",
        y_title="地方税の割合（%）",
        sources=sources,
        alt=(
            f"{area.prefecture}の{len(rows)}市町村の歳入に占める地方税の割合を"
            f"高い順に並べた棒グラフ。{area.name}は"
            f"{present.loc[area.code, 'tax_share']:.1f}%で"
            f"{format_rank(rank.position, rank.count, area.peers)}。"
        ),
        highlight=area.name,
    )
