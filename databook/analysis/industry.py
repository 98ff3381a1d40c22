"""Industry: establishments and employees by industry, and 特化係数.

The inputs are SSDSE-A items of 経済センサス-活動調査 (private establishments,
on 1 June): C2108 事業所数（民営） and C2208 従業者数（民営）, and one item per
industry (大分類) that appends a two-digit suffix, e.g. C220833 従業者数（民営）
（漁業）. The 2016 survey is in the editions 2021–2023 and the 2021 survey in
2024–2026. The 2014 経済センサス-基礎調査 items of older editions (C2107,
C2207) count public establishments too and use other industry groups, so they
are not compared with these.
"""

from __future__ import annotations

import re

import pandas as pd

from databook.analysis.codes import code_change_note, current_codes, used_changes
from databook.analysis.common import Area, area_names, chart_row, credits
from databook.analysis.ranking import rank_of, ranks_of_all
from databook.formatting import (
    NO_DATA_TEXT,
    format_change,
    format_period,
    format_period_short,
    format_quantity,
    format_rank,
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

ESTABLISHMENTS, EMPLOYEES = "C2108", "C2208"
TOTAL = ""
"""Suffix of the all-industry total in the frames of `counts`."""
INDUSTRY_NAME = re.compile(r"（民営）（(.+)）$")

INDUSTRY_FIGURES = (
    "top_industry",
    "top_industry_employees",
    "top_industry_share",
    "specialized_industry",
    "specialized_coefficient",
    "specialized_prefecture_coefficient",
)
"""Figures of `_add_industry_figures`, missing for an area without employees."""

SPECIALIZATION_NOTE = (
    "特化係数は、その産業の従業者数が全産業の従業者数に占める割合を、"
    "県（または全国）の同じ割合で割った値です。1より大きい産業は、県（全国）と比べて"
    "その産業で働く人の割合が高いことを示します。県と全国の値は、経済センサスの"
    "市区町村別の数値を合計したものです。"
)
SCOPE_NOTE = (
    "事業所数・従業者数は経済センサス-活動調査の民営事業所の数で、"
    "国・地方公共団体の事業所を含みません。"
)


def industry_names(dataset: Dataset) -> dict[str, str]:
    """Return the name of each industry by item suffix, e.g. 33 → 漁業.

    Names come from the item labels of the newest edition read; older
    editions write 「，」 where newer ones write 「、」.
    """
    names = {}
    for code, label in sorted(dataset.labels.items()):
        if not code.startswith(EMPLOYEES) or code == EMPLOYEES:
            continue
        match = INDUSTRY_NAME.search(label)
        if match:
            names[code[len(EMPLOYEES) :]] = match.group(1).replace("，", "、")
    return names


def counts(dataset: Dataset, item: str, period: str) -> pd.DataFrame:
    """Return one survey's counts: a row per area, a column per industry suffix.

    The column `TOTAL` ("") holds the all-industry count.
    """
    frame = dataset.frame
    rows = frame[frame["indicator"].str.startswith(item) & (frame["period"] == period)]
    rows = rows.assign(suffix=rows["indicator"].str[len(item) :])
    return rows.pivot_table(
        index="area_code", columns="suffix", values="value", aggfunc="first"
    )


def specialization(
    employees: pd.DataFrame, area_code: str, prefecture_code: str
) -> pd.DataFrame:
    """Return each industry's share of employees and its 特化係数.

    `employees` is a frame of `counts`. The prefecture and the nation are the
    sums over the areas of `employees` whose every industry has a value. The
    result has a row per industry suffix and the columns employees, share,
    prefecture_share, nation_share (in percent), prefecture_coefficient and
    nation_coefficient (area share ÷ reference share).
    """
    complete = employees.dropna()
    nation = complete.sum()
    prefecture = complete[complete.index.str.startswith(prefecture_code)].sum()
    own = employees.loc[area_code]

    industries = [column for column in employees.columns if column != TOTAL]
    result = pd.DataFrame(index=pd.Index(industries, name="suffix"))
    result["employees"] = own[industries]
    result["share"] = own[industries] / own[TOTAL] * 100
    result["prefecture_share"] = prefecture[industries] / prefecture[TOTAL] * 100
    result["nation_share"] = nation[industries] / nation[TOTAL] * 100
    result["prefecture_coefficient"] = result["share"] / result["prefecture_share"]
    result["nation_coefficient"] = result["share"] / result["nation_share"]
    return result


def analyse_industry(inputs: Inputs, area: Area) -> Finding:
    """Establishments and employees by industry, 特化係数, and prefectural ranks."""
    raw = inputs.require("ssdse-a", needed_by="industry")
    dataset = current_codes(raw)
    finding = Finding(name="industry")
    frame = dataset.frame
    own_rows = frame[
        (frame["indicator"] == EMPLOYEES) & (frame["area_code"] == area.code)
    ]
    periods = sorted(own_rows.dropna(subset=["value"])["period"])
    if not periods:
        finding.method_notes.append(
            f"{area.name}の経済センサスの従業者数がデータにないため、"
            "この章には数値を示していません。"
        )
        return finding

    latest = periods[-1]
    previous = periods[-2] if len(periods) > 1 else None
    used = frame[frame["indicator"].str.startswith((ESTABLISHMENTS, EMPLOYEES))]
    sources = tuple(dataset.sources_of(used[used["period"].isin(periods)]))
    names = industry_names(dataset)

    employees = counts(dataset, EMPLOYEES, latest)
    establishments = counts(dataset, ESTABLISHMENTS, latest)
    structure = specialization(employees, area.code, area.prefecture_code)
    structure["name"] = structure.index.map(names)
    structure["establishments"] = establishments.loc[area.code].reindex(structure.index)
    if previous:
        for column, item in (
            ("previous_employees", EMPLOYEES),
            ("previous_establishments", ESTABLISHMENTS),
        ):
            earlier = counts(dataset, item, previous)
            structure[column] = earlier.loc[area.code].reindex(structure.index)

    _add_totals(finding, dataset, area, latest, previous, sources)
    _add_industry_figures(finding, structure, latest, sources)
    finding.tables["industry_structure"] = _structure_table(
        structure, area, latest, previous, sources
    )
    finding.tables["industry_ranking"] = _ranking_table(dataset, area, latest, sources)
    finding.charts["industry_employees"] = _employees_chart(
        structure, dataset, area, latest, sources
    )
    finding.charts["industry_shares"] = _shares_chart(structure, area, latest, sources)
    finding.charts["industry_coefficients"] = _coefficients_chart(
        structure, area, latest, sources
    )
    finding.method_notes.append(SCOPE_NOTE)
    finding.method_notes.append(SPECIALIZATION_NOTE)
    finding.method_notes.append(area.rank_note())
    changes = used_changes(raw, area.prefecture_code)
    if changes:
        finding.method_notes.append(code_change_note(changes))
    return finding


def totals_by_area(dataset: Dataset, period: str, prefecture_code: str) -> pd.DataFrame:
    """Return establishments, employees and employees per establishment by area.

    An area without establishments gets NaN employees per establishment, so it
    is left out of that ranking.
    """
    frame = dataset.frame
    rows = frame[
        frame["indicator"].isin([ESTABLISHMENTS, EMPLOYEES])
        & (frame["period"] == period)
        & frame["area_code"].str.startswith(prefecture_code)
    ]
    wide = rows.pivot_table(index="area_code", columns="indicator", values="value")
    wide = wide.rename(
        columns={ESTABLISHMENTS: "establishments", EMPLOYEES: "employees"}
    )
    # No establishments (双葉町 in 2016) give no employees per establishment.
    counted = wide["establishments"].where(wide["establishments"] > 0)
    wide["per_establishment"] = wide["employees"] / counted
    return wide


def _add_totals(finding, dataset, area, latest, previous, sources) -> None:
    figures = finding.figures
    in_prefecture = totals_by_area(dataset, latest, area.prefecture_code)
    own = in_prefecture.loc[area.code]

    figures["year"] = KeyFigure(latest, format_period(latest), latest, "", sources)
    figures["establishments"] = _quantity(
        own["establishments"], "事業所", latest, sources
    )
    figures["employees"] = _quantity(own["employees"], "人", latest, sources)
    figures["per_establishment"] = _quantity(
        own["per_establishment"], "人", latest, sources, 1
    )
    for key, column in (
        ("establishments_rank", "establishments"),
        ("employees_rank", "employees"),
        ("per_establishment_rank", "per_establishment"),
    ):
        rank = rank_of(in_prefecture[column], area.code)
        figures[key] = (
            KeyFigure(
                rank.position,
                format_rank(rank.position, rank.count, area.peers),
                latest,
                "位",
                sources,
            )
            if rank
            else _no_data(latest, "位", sources)
        )

    if previous is None:
        return
    before = totals_by_area(dataset, previous, area.prefecture_code)
    if area.code not in before.index:
        return
    old = before.loc[area.code]
    figures["previous_year"] = KeyFigure(
        previous, format_period(previous), previous, "", sources
    )
    for key, unit in (("establishments", "事業所"), ("employees", "人")):
        figures[f"previous_{key}"] = _quantity(old[key], unit, previous, sources)
        change = own[key] - old[key]
        if pd.isna(change):
            figures[f"{key}_change"] = _no_data(latest, unit, sources)
        else:
            figures[f"{key}_change"] = KeyFigure(
                change, format_change(change, unit), latest, unit, sources
            )
        # A change from 0 (双葉町 had no establishment in 2016) has no rate.
        if old[key] > 0:
            rate = change / old[key] * 100
            figures[f"{key}_change_rate"] = KeyFigure(
                rate, format_change(rate, "%", 1), latest, "%", sources
            )
        else:
            figures[f"{key}_change_rate"] = _no_data(latest, "%", sources)


def _add_industry_figures(finding, structure, latest, sources) -> None:
    """Add the largest and the most specialised industry.

    Without any employee in the area, both are missing figures.
    """
    figures = finding.figures
    for key in INDUSTRY_FIGURES:
        figures[key] = _no_data(latest, "", sources)
    present = structure[structure["employees"] > 0]
    if present.empty:
        return
    top = present.sort_values("employees", ascending=False).iloc[0]
    figures["top_industry"] = KeyFigure(top["name"], top["name"], latest, "", sources)
    figures["top_industry_employees"] = _quantity(
        top["employees"], "人", latest, sources
    )
    figures["top_industry_share"] = _quantity(top["share"], "%", latest, sources, 1)

    specialised = present.dropna(subset=["nation_coefficient"])
    if specialised.empty:
        return
    best = specialised.sort_values("nation_coefficient", ascending=False).iloc[0]
    figures["specialized_industry"] = KeyFigure(
        best["name"], best["name"], latest, "", sources
    )
    figures["specialized_coefficient"] = KeyFigure(
        float(best["nation_coefficient"]),
        f"{best['nation_coefficient']:.2f}",
        latest,
        "",
        sources,
    )
    figures["specialized_prefecture_coefficient"] = KeyFigure(
        float(best["prefecture_coefficient"]),
        f"{best['prefecture_coefficient']:.2f}",
        latest,
        "",
        sources,
    )


def _quantity(value, unit, period, sources, digits=0) -> KeyFigure:
    if pd.isna(value):
        return _no_data(period, unit, sources)
    return KeyFigure(
        float(value), format_quantity(value, unit, digits), period, unit, sources
    )


def _no_data(period, unit, sources) -> KeyFigure:
    return KeyFigure(None, NO_DATA_TEXT, period, unit, sources)


def _structure_table(structure, area, latest, previous, sources) -> Table:
    frame = structure.reset_index(drop=True)
    latest_label = format_period_short(latest)
    columns = [Column("name", "産業（大分類）", kind="text")]
    if previous:
        previous_label = format_period_short(previous)
        columns.append(
            Column("previous_establishments", f"事業所数 {previous_label}（事業所）")
        )
    columns.append(Column("establishments", f"事業所数 {latest_label}（事業所）"))
    if previous:
        columns.append(Column("previous_employees", f"従業者数 {previous_label}（人）"))
    columns += [
        Column("employees", f"従業者数 {latest_label}（人）"),
        Column("share", "構成比（%）", kind="percent", digits=1),
        Column(
            "prefecture_coefficient", f"特化係数（対{area.prefecture[-1]}）", digits=2
        ),
        Column("nation_coefficient", "特化係数（対全国）", digits=2),
    ]
    return Table(
        id="industry_structure",
        title=f"{area.name}の産業別事業所数・従業者数と特化係数",
        frame=frame,
        columns=tuple(columns),
        sources=sources,
        note=(
            f"構成比と特化係数は{latest_label}の従業者数による。"
            f"特化係数 = {area.name}の構成比 ÷ {area.prefecture[-1]}（全国）の構成比。"
        ),
    )


def _ranking_table(dataset, area, latest, sources) -> Table:
    in_prefecture = totals_by_area(dataset, latest, area.prefecture_code)
    names = area_names(dataset, area.prefecture_code)
    frame = in_prefecture.reset_index()
    frame["rank"] = frame["area_code"].map(ranks_of_all(in_prefecture["employees"]))
    frame["area_name"] = frame["area_code"].map(names)
    frame = frame.dropna(subset=["rank"])
    frame = frame.sort_values(["rank", "area_code"]).reset_index(drop=True)
    columns = (
        Column("rank", "順位", kind="rank"),
        Column("area_name", "市町村", kind="text"),
        Column("employees", "従業者数（人）"),
        Column("establishments", "事業所数（事業所）"),
        Column("per_establishment", "1事業所当たり従業者数（人）", digits=1),
    )
    return Table(
        id="industry_ranking",
        title=(
            f"{area.prefecture}の{area.peers}の従業者数と事業所数"
            f"（{format_period_short(latest)}）"
        ),
        frame=frame,
        columns=columns,
        sources=sources,
        note=f"順位は従業者数の多い順。太字は{area.name}。",
    )


def _employees_chart(structure, dataset, area, latest, sources) -> ChartSpec:
    ordered = structure.dropna(subset=["employees"]).sort_values(
        "employees", ascending=False
    )
    rows = [
        chart_row(
            x=record["name"],
            series="従業者数",
            value=record["employees"],
            indicator=EMPLOYEES + suffix,
            indicator_name=dataset.labels.get(EMPLOYEES + suffix, record["name"]),
            area_code=area.code,
            area_name=area.name,
            period=latest,
            unit="人",
            status="",
            source=credits(sources),
        )
        for suffix, record in ordered.iterrows()
    ]
    top = ordered.iloc[0]
    return ChartSpec(
        id="industry_employees",
        title=f"{area.name}の産業別従業者数（{format_period_short(latest)}）",
        kind="ranking_bar",
        data=pd.DataFrame(rows),
        x_title="産業（大分類）",
        y_title="従業者数（人）",
        sources=sources,
        alt=(
            f"{area.name}の産業別の従業者数を多い順に並べた棒グラフ。"
            f"最も多いのは{top['name']}で{top['employees']:,.0f}人。"
        ),
    )


def _shares_chart(structure, area, latest, sources) -> ChartSpec:
    ordered = structure.dropna(subset=["share"]).sort_values("share", ascending=False)
    rows = []
    for series, column, code, name in (
        (area.name, "share", area.code, area.name),
        (area.prefecture, "prefecture_share", area.prefecture_code, area.prefecture),
        ("全国", "nation_share", "00000", "全国"),
    ):
        for suffix, record in ordered.iterrows():
            rows.append(
                chart_row(
                    x=record["name"],
                    series=series,
                    value=record[column],
                    indicator=f"{EMPLOYEES}{suffix}_share",
                    indicator_name=f"従業者数の構成比（{record['name']}）",
                    area_code=code,
                    area_name=name,
                    period=latest,
                    unit="%",
                    status="",
                    source=credits(sources),
                )
            )
    top = ordered.iloc[0]
    return ChartSpec(
        id="industry_shares",
        title=(
            f"産業別従業者数の構成比：{area.name}・{area.prefecture}・全国"
            f"（{format_period_short(latest)}）"
        ),
        kind="horizontal_bar",
        data=pd.DataFrame(rows),
        x_title="産業（大分類）",
        y_title="構成比（%）",
        sources=sources,
        alt=(
            f"産業別の従業者数の構成比を{area.name}、{area.prefecture}、全国で"
            f"比べた棒グラフ。{area.name}で最も高い{top['name']}は"
            f"{top['share']:.1f}%（{area.prefecture}{top['prefecture_share']:.1f}%、"
            f"全国{top['nation_share']:.1f}%）。"
        ),
        note="県と全国は市区町村別の数値の合計から計算。",
    )


def _coefficients_chart(structure, area, latest, sources) -> ChartSpec:
    """Chart the 特化係数 against the prefecture and the nation, per industry.

    Industries are ordered by the coefficient against the nation, largest
    first. An industry without a coefficient (the area has no employee at
    all) comes last, with an empty value and the status 該当なし.
    """
    ordered = structure.sort_values(
        "nation_coefficient", ascending=False, na_position="last"
    )
    rows = []
    for series, column, reference in (
        (f"対{area.prefecture}", "prefecture_coefficient", area.prefecture),
        ("対全国", "nation_coefficient", "全国"),
    ):
        for suffix, record in ordered.iterrows():
            value = record[column]
            rows.append(
                chart_row(
                    x=record["name"],
                    series=series,
                    value=value,
                    indicator=f"{EMPLOYEES}{suffix}_{column}",
                    indicator_name=(
                        f"従業者数の特化係数（{reference}に対する値）（{record['name']}）"
                    ),
                    area_code=area.code,
                    area_name=area.name,
                    period=latest,
                    unit="",
                    status="" if pd.notna(value) else Status.NOT_APPLICABLE.value,
                    source=credits(sources),
                )
            )
    above = ordered[ordered["nation_coefficient"] > 1]
    summary = (
        f"全国に対して最も高いのは{ordered.iloc[0]['name']}で"
        f"{ordered.iloc[0]['nation_coefficient']:.2f}"
        f"（{area.prefecture}に対して{ordered.iloc[0]['prefecture_coefficient']:.2f}）、"
        f"全国に対して1.0を超える産業は{len(above)}産業。"
        if not above.empty
        else "全国に対して1.0を超える産業はない。"
    )
    return ChartSpec(
        id="industry_coefficients",
        title=(
            f"{area.name}の産業別特化係数：対{area.prefecture}・対全国"
            f"（{format_period_short(latest)}）"
        ),
        kind="ratio_bar",
        data=pd.DataFrame(rows),
        x_title="産業（大分類）",
        y_title="特化係数",
        sources=sources,
        alt=(
            f"{area.name}の産業別の従業者数の特化係数を、{area.prefecture}と全国に"
            "対して示した横棒グラフ。特化係数1.0は、その産業で働く人の割合が"
            f"{area.prefecture}（全国）と同じことを示し、棒は1.0より大きければ右へ、"
            f"小さければ左へ伸びる。{summary}"
        ),
        note=(
            f"特化係数 = {area.name}の構成比 ÷ {area.prefecture[-1]}（全国）の構成比。"
            "縦線の1.0は県（全国）と同じ割合で、右へ伸びる棒はその産業で働く人の割合が県（全国）より高く、"
            "左へ伸びる棒は低いことを示す。横軸は対数目盛（1.0から2倍と2分の1が"
            "同じ長さ）。特化係数が0の産業（従業者のいない産業）は棒を描いていない。"
        ),
        digits=2,
    )
