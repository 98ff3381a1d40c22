"""Population: census counts, age structure, ageing, and change by year.

The inputs are SSDSE-A items (社会・人口統計体系 codes):
A1101 総人口, A1301 15歳未満, A1302 15～64歳, A1303 65歳以上 (国勢調査),
A4101 出生数, A4200 死亡数 (人口動態統計, calendar years),
A5101 転入者数, A5102 転出者数 (住民基本台帳人口移動報告: domestic moves of
Japanese residents, calendar years).
"""

from __future__ import annotations

import math

import pandas as pd

from databook.analysis.codes import current_codes
from databook.analysis.common import (
    Area,
    area_names,
    chart_row,
    credits,
    indicator_rows,
    ranking_rows,
)
from databook.analysis.ranking import rank_of, ranks_of_all
from databook.formatting import (
    format_change,
    format_period,
    format_period_short,
    format_quantity,
    format_rank,
)
from databook.inputs import Inputs
from databook.model import ChartSpec, Column, Dataset, Finding, KeyFigure, Status, Table

TOTAL, YOUNG, WORKING, ELDERLY = "A1101", "A1301", "A1302", "A1303"
BIRTHS, DEATHS, MOVES_IN, MOVES_OUT = "A4101", "A4200", "A5101", "A5102"

AGE_GROUPS = ((YOUNG, "15歳未満"), (WORKING, "15～64歳"), (ELDERLY, "65歳以上"))

AGEING_NOTE = (
    "高齢化率は、65歳以上人口を年齢不詳を除いた総人口で割った割合です。"
    "国勢調査の公表する割合と同じ計算です。年齢3区分の合計は、年齢不詳の人がいるため"
    "総人口と一致しません。"
)
MIGRATION_NOTE = (
    "転入者数・転出者数は住民基本台帳人口移動報告による日本人の国内移動で、"
    "国外との移動と外国人の移動を含みません。社会増減は転入者数から転出者数を"
    "引いた値で、自然増減は出生数から死亡数を引いた値です。"
)


def age_structure(dataset: Dataset) -> pd.DataFrame:
    """Return census age groups and the ageing rate of every area and census year.

    Columns: area_code, period, total, young, working, elderly, unknown (年齢不詳 =
    total minus the three groups), ageing_rate (65歳以上 ÷ (total − unknown) × 100),
    young_share and working_share on the same base.
    """
    frame = dataset.frame
    rows = frame[frame["indicator"].isin([TOTAL, YOUNG, WORKING, ELDERLY])]
    wide = rows.pivot_table(
        index=["area_code", "period"], columns="indicator", values="value"
    )
    wide = wide.rename(
        columns={TOTAL: "total", YOUNG: "young", WORKING: "working", ELDERLY: "elderly"}
    )
    wide = wide.dropna(subset=["total", "young", "working", "elderly"])
    wide["unknown"] = wide["total"] - wide["young"] - wide["working"] - wide["elderly"]
    known = wide["total"] - wide["unknown"]
    wide["ageing_rate"] = wide["elderly"] / known * 100
    wide["young_share"] = wide["young"] / known * 100
    wide["working_share"] = wide["working"] / known * 100
    return wide.reset_index()


def analyse_population(inputs: Inputs, area: Area) -> Finding:
    """Census population, age structure and ageing, ranked in the prefecture."""
    dataset = current_codes(inputs.require("ssdse-a", needed_by="population"))
    finding = Finding(name="population")
    structure = age_structure(dataset)
    own = structure[structure["area_code"] == area.code].sort_values("period")
    if own.empty:
        finding.method_notes.append(
            f"{area.name}の国勢調査人口がデータにないため、この章には数値を示していません。"
        )
        return finding

    census = indicator_rows(dataset, TOTAL, area.code)
    sources = tuple(dataset.sources_of(census))
    latest = own.iloc[-1]
    period = latest["period"]

    figures = finding.figures
    figures["year"] = KeyFigure(period, format_period(period), period, "", sources)
    figures["total"] = _quantity(latest["total"], "人", period, sources)
    figures["ageing_rate"] = _quantity(latest["ageing_rate"], "%", period, sources, 1)
    figures["young_share"] = _quantity(latest["young_share"], "%", period, sources, 1)
    figures["working_share"] = _quantity(
        latest["working_share"], "%", period, sources, 1
    )
    figures["elderly"] = _quantity(latest["elderly"], "人", period, sources)

    if len(own) > 1:
        previous = own.iloc[-2]
        before = previous["period"]
        change = latest["total"] - previous["total"]
        # A town emptied by evacuation (双葉町 counted 0 people in 2015)
        # has no rate of change against that census.
        rate = change / previous["total"] * 100 if previous["total"] else math.nan
        figures["previous_year"] = KeyFigure(
            before, format_period(before), before, "", sources
        )
        figures["previous_total"] = _quantity(previous["total"], "人", before, sources)
        figures["previous_ageing_rate"] = _quantity(
            previous["ageing_rate"], "%", before, sources, 1
        )
        figures["change"] = KeyFigure(
            change, format_change(change, "人"), period, "人", sources
        )
        figures["change_rate"] = (
            KeyFigure(rate, format_change(rate, "%", 1), period, "%", sources)
            if not math.isnan(rate)
            else _not_computed(period, "%", sources)
        )

    in_prefecture = structure[
        structure["area_code"].str.startswith(area.prefecture_code)
        & (structure["period"] == period)
    ].set_index("area_code")
    for key, column in (("rank", "total"), ("ageing_rank", "ageing_rate")):
        rank = rank_of(in_prefecture[column], area.code)
        if rank:
            figures[key] = KeyFigure(
                rank.position,
                format_rank(rank.position, rank.count, area.peers),
                period,
                "位",
                sources,
            )
        else:
            figures[key] = _not_computed(period, "位", sources)

    finding.tables["age_structure"] = _age_table(own, sources)
    finding.tables["ageing_ranking"] = _ranking_table(
        in_prefecture, dataset, area, period, sources
    )
    finding.charts["age_structure"] = _age_chart(own, dataset, area, sources)
    finding.charts["ageing_prefecture"] = _ageing_chart(
        in_prefecture, dataset, area, period, sources
    )
    finding.method_notes.append(AGEING_NOTE)
    finding.method_notes.append(_rank_note(area, len(in_prefecture)))
    if any(figure.text == NOT_COMPUTED for figure in figures.values()):
        finding.method_notes.append(NOT_COMPUTED_NOTE)
    return finding


NOT_COMPUTED = "―"
"""Printed for a rate or rank that a population of 0 leaves undefined."""
NOT_COMPUTED_NOTE = (
    "「―」は、国勢調査の人口が0人のため計算できない割合や順位です"
    "（避難指示で住民のいなかった町など）。"
)


def _quantity(value, unit, period, sources, digits=0) -> KeyFigure:
    if pd.isna(value):
        return _not_computed(period, unit, sources)
    return KeyFigure(
        float(value), format_quantity(value, unit, digits), period, unit, sources
    )


def _not_computed(period, unit, sources) -> KeyFigure:
    return KeyFigure(None, NOT_COMPUTED, period, unit, sources)


def _rank_note(area: Area, count: int) -> str:
    return area.rank_note(count)


def _age_table(own: pd.DataFrame, sources) -> Table:
    frame = own.assign(period_label=own["period"].map(format_period_short))
    columns = (
        Column("period_label", "調査年", kind="text"),
        Column("total", "総人口（人）"),
        Column("young", "15歳未満（人）"),
        Column("working", "15～64歳（人）"),
        Column("elderly", "65歳以上（人）"),
        Column("unknown", "年齢不詳（人）"),
        Column("ageing_rate", "高齢化率（%）", kind="percent", digits=1),
    )
    return Table(
        id="age_structure",
        title="年齢3区分別人口と高齢化率",
        frame=frame.reset_index(drop=True),
        columns=columns,
        sources=sources,
        note="高齢化率 = 65歳以上人口 ÷（総人口 − 年齢不詳）× 100",
    )


def _ranking_table(in_prefecture, dataset, area, period, sources) -> Table:
    names = area_names(dataset, area.prefecture_code)
    frame = in_prefecture.reset_index()
    frame["rank"] = frame["area_code"].map(ranks_of_all(in_prefecture["ageing_rate"]))
    frame["area_name"] = frame["area_code"].map(names)
    frame = frame.sort_values(["rank", "area_code"]).reset_index(drop=True)
    columns = (
        Column("rank", "順位", kind="rank"),
        Column("area_name", "市町村", kind="text"),
        Column("ageing_rate", "高齢化率（%）", kind="percent", digits=1),
        Column("elderly", "65歳以上（人）"),
        Column("total", "総人口（人）"),
    )
    return Table(
        id="ageing_ranking",
        title=f"{area.prefecture}の{area.peers}の高齢化率（{format_period_short(period)}）",
        frame=frame,
        columns=columns,
        sources=sources,
        note=f"太字は{area.name}。",
    )


def _age_chart(own, dataset, area, sources) -> ChartSpec:
    labels = dict(AGE_GROUPS)
    rows = []
    for _, record in own.iterrows():
        for indicator, column in (
            (YOUNG, "young"),
            (WORKING, "working"),
            (ELDERLY, "elderly"),
        ):
            rows.append(
                chart_row(
                    x=format_period_short(record["period"]),
                    series=labels[indicator],
                    value=record[column],
                    indicator=indicator,
                    indicator_name=dataset.labels.get(indicator, labels[indicator]),
                    area_code=area.code,
                    area_name=area.name,
                    period=record["period"],
                    unit="人",
                    status="",
                    source=credits(sources),
                )
            )
    latest = own.iloc[-1]
    return ChartSpec(
        id="age_structure",
        title=f"{area.name}の年齢3区分別人口",
        kind="stacked_bar",
        data=pd.DataFrame(rows),
        x_title="国勢調査の年",
        y_title="人口（人）",
        sources=sources,
        alt=(
            f"{area.name}の年齢3区分別人口の積み上げ棒グラフ。"
            f"{format_period_short(latest['period'])}は15歳未満{latest['young']:,.0f}人、"
            f"15～64歳{latest['working']:,.0f}人、65歳以上{latest['elderly']:,.0f}人。"
        ),
        note="年齢不詳の人は含みません。",
    )


def _ageing_chart(in_prefecture, dataset, area, period, sources) -> ChartSpec:
    names = area_names(dataset, area.prefecture_code)
    rows = ranking_rows(
        in_prefecture["ageing_rate"],
        names,
        series="高齢化率",
        indicator="ageing_rate",
        indicator_name="高齢化率（65歳以上人口 ÷ 年齢不詳を除く総人口）",
        period=period,
        unit="%",
        sources=sources,
    )
    own = in_prefecture.loc[area.code, "ageing_rate"]
    rank = rank_of(in_prefecture["ageing_rate"], area.code)
    place = format_rank(rank.position, rank.count, area.peers) if rank else ""
    standing = (
        f"{area.name}は{own:.1f}%で{place}。"
        if rank
        else f"{area.name}は人口が0人のため高齢化率がありません。"
    )
    return ChartSpec(
        id="ageing_prefecture",
        title=f"{area.prefecture}の{area.peers}の高齢化率（{format_period_short(period)}）",
        kind="ranking_bar",
        data=pd.DataFrame(rows),
        x_title="市町村",
        y_title="高齢化率（%）",
        sources=sources,
        alt=(
            f"{area.prefecture}の{len(rows)}市町村の高齢化率を高い順に並べた棒グラフ。"
            f"{standing}"
        ),
        highlight=area.name,
    )


def analyse_population_change(inputs: Inputs, area: Area) -> Finding:
    """Births, deaths and moves by year, with natural and social change."""
    dataset = current_codes(inputs.require("ssdse-a", needed_by="population_change"))
    finding = Finding(name="population_change")
    series = {
        key: indicator_rows(dataset, code, area.code)
        for key, code in (
            ("births", BIRTHS),
            ("deaths", DEATHS),
            ("moves_in", MOVES_IN),
            ("moves_out", MOVES_OUT),
        )
    }
    if all(rows.empty for rows in series.values()):
        finding.method_notes.append(
            f"{area.name}の出生・死亡・転入・転出の数がデータにないため、数値を示していません。"
        )
        return finding

    table = pd.DataFrame({key: rows["value"] for key, rows in series.items()})
    table["natural"] = table["births"] - table["deaths"]
    table["social"] = table["moves_in"] - table["moves_out"]
    table = table.sort_index()
    table["base_population"] = census_base(
        indicator_rows(dataset, TOTAL, area.code)["value"], table.index
    )
    table["natural_per_1000"] = table["natural"] / table["base_population"] * 1000
    table["social_per_1000"] = table["social"] / table["base_population"] * 1000
    vital_sources = tuple(
        dataset.sources_of(pd.concat([series["births"], series["deaths"]]))
    )
    migration_sources = tuple(
        dataset.sources_of(pd.concat([series["moves_in"], series["moves_out"]]))
    )
    all_sources = vital_sources + migration_sources

    figures = finding.figures
    vital = table.dropna(subset=["natural"])
    moves = table.dropna(subset=["social"])
    if not vital.empty:
        year = vital.index[-1]
        figures["vital_year"] = KeyFigure(
            year, format_period(year), year, "", vital_sources
        )
        figures["first_vital_year"] = KeyFigure(
            vital.index[0],
            format_period(vital.index[0]),
            vital.index[0],
            "",
            vital_sources,
        )
        for key in ("births", "deaths"):
            figures[key] = _quantity(vital.loc[year, key], "人", year, vital_sources)
        figures["natural"] = KeyFigure(
            vital.loc[year, "natural"],
            format_change(vital.loc[year, "natural"], "人"),
            year,
            "人",
            vital_sources,
        )
        total = vital["natural"].sum()
        figures["natural_total"] = KeyFigure(
            total, format_change(total, "人"), year, "人", vital_sources
        )
    if not moves.empty:
        year = moves.index[-1]
        figures["migration_year"] = KeyFigure(
            year, format_period(year), year, "", migration_sources
        )
        for key in ("moves_in", "moves_out"):
            figures[key] = _quantity(
                moves.loc[year, key], "人", year, migration_sources
            )
        figures["social"] = KeyFigure(
            moves.loc[year, "social"],
            format_change(moves.loc[year, "social"], "人"),
            year,
            "人",
            migration_sources,
        )

    _add_change_ranks(finding, dataset, area)
    finding.tables["population_change"] = _change_table(table, all_sources)
    finding.charts["vital"] = _lines_chart(
        "vital",
        f"{area.name}の出生数と死亡数",
        table,
        (("births", BIRTHS, "出生数"), ("deaths", DEATHS, "死亡数")),
        dataset,
        area,
        vital_sources,
    )
    finding.charts["migration"] = _lines_chart(
        "migration",
        f"{area.name}の転入者数と転出者数（日本人の国内移動）",
        table,
        (("moves_in", MOVES_IN, "転入者数"), ("moves_out", MOVES_OUT, "転出者数")),
        dataset,
        area,
        migration_sources,
    )
    finding.charts["balance"] = _balance_chart(table, area, all_sources)
    finding.method_notes.append(MIGRATION_NOTE)
    return finding


def census_base(census: pd.Series, years: pd.Index) -> pd.Series:
    """Return, for each year, the population of the latest census up to that year.

    `census` is indexed by census year (2015, 2020). A year before the first
    census gets NaN, so its rate per 1,000 stays missing, and so does a year
    whose census counted 0 people (双葉町, 富岡町 in 2015).
    """
    counts = census.dropna().sort_index()
    counts = counts.where(counts > 0)
    base = {}
    for year in years:
        earlier = counts[[int(c) <= int(year) for c in counts.index]]
        base[year] = earlier.iloc[-1] if not earlier.empty else float("nan")
    return pd.Series(base, dtype="float64")


def _add_change_ranks(finding: Finding, dataset: Dataset, area: Area) -> None:
    """Rank natural and social change per 1,000 residents of the latest census."""
    frame = dataset.frame
    in_prefecture = frame[frame["area_code"].str.startswith(area.prefecture_code)]
    census = in_prefecture[in_prefecture["indicator"] == TOTAL]
    if census.empty:
        return
    census_period = census["period"].max()
    population = census[census["period"] == census_period].set_index("area_code")[
        "value"
    ]
    # A population of 0 gives no rate per 1,000 residents (not an infinite one).
    population = population.where(population > 0)

    for key, plus, minus, year_key in (
        ("natural", BIRTHS, DEATHS, "vital_year"),
        ("social", MOVES_IN, MOVES_OUT, "migration_year"),
    ):
        year_figure = finding.figures.get(year_key)
        if year_figure is None:
            continue
        year = year_figure.value
        values = {}
        for code in (plus, minus):
            rows = in_prefecture[
                (in_prefecture["indicator"] == code) & (in_prefecture["period"] == year)
            ]
            values[code] = rows.set_index("area_code")["value"]
        rate = (values[plus] - values[minus]) / population * 1000
        rank = rank_of(rate, area.code)
        sources = finding.figures[key].sources
        if rank is None:
            finding.figures[f"{key}_rate"] = _not_computed(year, "人", sources)
            finding.figures[f"{key}_rank"] = _not_computed(year, "位", sources)
            continue
        finding.figures[f"{key}_rate"] = KeyFigure(
            rate[area.code],
            format_change(rate[area.code], "人", 1),
            year,
            "人",
            sources,
        )
        finding.figures[f"{key}_rank"] = KeyFigure(
            rank.position,
            format_rank(rank.position, rank.count, area.peers),
            year,
            "位",
            sources,
        )
    finding.method_notes.append(
        "自然増減と社会増減の順位は、人口1,000人当たりの増減"
        f"（人口は{format_period_short(census_period)}の国勢調査）の大きい順です。"
        f"{area.prefecture}の{area.peers}の中で数え、値のない市町村は数えていません。"
    )
    if any(figure.text == NOT_COMPUTED for figure in finding.figures.values()):
        finding.method_notes.append(NOT_COMPUTED_NOTE)


def _change_table(table: pd.DataFrame, sources) -> Table:
    frame = table.reset_index(names="period")
    frame["period_label"] = frame["period"].map(format_period_short)
    for column in (
        "births",
        "deaths",
        "moves_in",
        "moves_out",
        "natural",
        "social",
        "natural_per_1000",
        "social_per_1000",
    ):
        frame[f"{column}_status"] = (
            frame[column].isna().map({True: Status.NOT_SURVEYED.value, False: ""})
        )
    columns = (
        Column("period_label", "年", kind="text"),
        Column("births", "出生数（人）"),
        Column("deaths", "死亡数（人）"),
        Column("natural", "自然増減（人）"),
        Column("moves_in", "転入者数（人）"),
        Column("moves_out", "転出者数（人）"),
        Column("social", "社会増減（人）"),
        Column("natural_per_1000", "自然増減（人口千人当たり）", digits=1),
        Column("social_per_1000", "社会増減（人口千人当たり）", digits=1),
    )
    return Table(
        id="population_change",
        title="出生・死亡・転入・転出と人口の増減",
        frame=frame,
        columns=columns,
        sources=sources,
        note="「…」はその年の数値がまだ公表されていないもの。△は減少。",
    )


def _lines_chart(chart_id, title, table, lines, dataset, area, sources) -> ChartSpec:
    rows = []
    for column, indicator, label in lines:
        for period, value in table[column].dropna().items():
            rows.append(
                chart_row(
                    x=format_period_short(period),
                    series=label,
                    value=value,
                    indicator=indicator,
                    indicator_name=dataset.labels.get(indicator, label),
                    area_code=area.code,
                    area_name=area.name,
                    period=period,
                    unit="人",
                    status="",
                    source=credits(sources),
                )
            )
    data = pd.DataFrame(rows)
    parts = []
    for _, _, label in lines:
        last = data[data["series"] == label].iloc[-1]
        parts.append(f"{last['x']}の{label}は{last['value']:,.0f}人")
    first, last = data["x"].iloc[0], data["x"].iloc[-1]
    return ChartSpec(
        id=chart_id,
        title=title,
        kind="line",
        data=data,
        x_title="年",
        y_title="人数（人）",
        sources=sources,
        alt=f"{title}の{first}から{last}までの折れ線グラフ。" + "、".join(parts) + "。",
    )


def _balance_chart(table, area, sources) -> ChartSpec:
    rows = []
    for column, label, source_list in (
        ("natural", "自然増減", sources),
        ("social", "社会増減", sources),
    ):
        for period, value in table[column].dropna().items():
            rows.append(
                chart_row(
                    x=format_period_short(period),
                    series=label,
                    value=value,
                    indicator=column + "_change",
                    indicator_name=label,
                    area_code=area.code,
                    area_name=area.name,
                    period=period,
                    unit="人",
                    status="",
                    source=credits(source_list),
                )
            )
    data = pd.DataFrame(rows)
    natural_total = table["natural"].sum()
    social_total = table["social"].sum()
    return ChartSpec(
        id="balance",
        title=f"{area.name}の自然増減と社会増減",
        kind="grouped_bar",
        data=data,
        x_title="年",
        y_title="増減（人）",
        sources=sources,
        alt=(
            f"{area.name}の自然増減と社会増減を年ごとに並べた棒グラフ。"
            f"表の期間の合計は自然増減が{format_change(natural_total, '人')}、"
            f"社会増減が{format_change(social_total, '人')}。"
        ),
        note=(
            "自然増減 = 出生数 − 死亡数、"
            "社会増減 = 転入者数 − 転出者数（日本人の国内移動）"
        ),
    )
