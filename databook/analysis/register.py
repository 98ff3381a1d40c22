"""Population change from the resident register (住民基本台帳), next to SSDSE.

The 住基 tables of 総務省 count every register entry and removal: moves within
Japan and from or to abroad, Japanese and foreign residents, and その他
(職権記載, 職権消除...). Their 社会増減 is 転入 + その他の記載 − 転出 −
その他の消除. SSDSE's A5101/A5102 come from 住民基本台帳人口移動報告 and count
domestic moves of Japanese residents only, so the two social changes differ.
The chapter shows both, each labelled with its definition.

When the town's own register data is configured (register-table or
register-records), the finding adds its monthly chart, the year's totals and
the municipalities that moves came from and went to.
"""

from __future__ import annotations

import pandas as pd

from databook.analysis.common import Area, chart_row, credits, indicator_rows
from databook.analysis.population import BIRTHS, DEATHS, MOVES_IN, MOVES_OUT
from databook.formatting import (
    format_change,
    format_date_short,
    format_period,
    format_quantity,
)
from databook.inputs import Inputs
from databook.model import ChartSpec, Column, Dataset, Finding, KeyFigure, Status, Table
from databook.sources.record_labels import OTHER

JUKI_SOCIAL = (
    "住基の社会増減 = 転入者数 ＋ その他の記載数 − 転出者数 − その他の消除数"
    "（日本人・外国人、国外との移動を含む）"
)
SSDSE_SOCIAL = "移動報告の社会増減 = 転入者数 − 転出者数（日本人の国内移動のみ）"
JUKI_NOTE = (
    "住基は総務省「住民基本台帳に基づく人口、人口動態及び世帯数」で、1月1日現在の人口と、"
    "前年1月～12月の住民票の記載（転入・出生・その他）と消除（転出・死亡・その他）を数えます。"
    "社会増減には国外との移動、外国人の移動、職権による記載・消除（その他）を含みます。"
    "SSDSE の転入者数・転出者数は住民基本台帳人口移動報告による日本人の国内移動、"
    "出生数・死亡数は人口動態統計によるもので、住基の数とは定義が異なります。"
)
# Series names must not contain 「（」: chart tables add the unit in brackets.
SERIES_JUKI = "住基の社会増減"
SERIES_SSDSE = "移動報告の社会増減"
SUPPRESSION_NOTE = (
    "「x」は、住民基本台帳の個票から集計した{threshold}人未満の値と、"
    "ほかの値から計算で求められる値を秘匿したものです。"
)
MOVES_NOTE = (
    "転入元・転出先は、個票の値を団体コード一覧の市区町村・都道府県か「国外」に"
    "当てはめて数えました。住所は市区町村名までで切り、当てはまらない値と空欄は"
    "「{other}」にまとめています。"
)

TOWN_INDICATORS = (
    ("births", "出生"),
    ("deaths", "死亡"),
    ("moves_in", "転入"),
    ("moves_out", "転出"),
)


def analyse_juki(inputs: Inputs, area: Area) -> Finding:
    """住基 population and change by year, compared with SSDSE, plus town data."""
    juki = inputs.require("juki", needed_by="juki")
    finding = Finding(name="juki")
    table = _juki_table(juki, area.code)
    if table.empty:
        finding.method_notes.append(
            f"{area.name}の住民基本台帳の人口動態がデータにないため、数値を示していません。"
        )
        return finding

    juki_sources = tuple(
        juki.sources_of(juki.frame[juki.frame["area_code"] == area.code])
    )
    ssdse = inputs.get("ssdse-a")
    compare = _ssdse_change(ssdse, area.code, list(table.index)) if ssdse else None
    _add_figures(finding, juki, table, area, juki_sources)

    ssdse_sources: tuple = ()
    if compare is not None and not compare.empty:
        table = table.join(compare)
        ssdse_sources = tuple(ssdse.sources_of(compare.attrs["rows"]))
    finding.tables["juki_change"] = _change_table(table, juki_sources + ssdse_sources)
    finding.charts["juki_social"] = _social_chart(
        table, area, juki_sources, ssdse_sources
    )
    finding.charts["juki_population"] = _population_chart(juki, area, juki_sources)
    finding.method_notes.append(JUKI_NOTE)

    _add_town_register(finding, inputs, area)
    return finding


def _juki_table(juki: Dataset, area_code: str) -> pd.DataFrame:
    """Return one row per calendar year of the area's 住基 dynamics."""
    rows = juki.frame[
        (juki.frame["area_code"] == area_code)
        & (juki.frame["period_kind"] == "calendar_year")
    ]
    wide = rows.pivot_table(
        index="period", columns="indicator", values="value", aggfunc="first"
    )
    needed = ["births", "deaths", "moves_in", "moves_out"]
    if wide.empty or any(name not in wide for name in needed):
        return pd.DataFrame()
    for name in ("other_entries", "other_removals"):
        if name not in wide:
            wide[name] = 0.0
    wide["natural"] = wide["births"] - wide["deaths"]
    wide["social"] = (
        wide["moves_in"]
        + wide["other_entries"]
        - wide["moves_out"]
        - wide["other_removals"]
    )
    return wide.sort_index()


def _ssdse_change(
    ssdse: Dataset, area_code: str, years: list[str]
) -> pd.DataFrame | None:
    series = {
        key: indicator_rows(ssdse, code, area_code)
        for key, code in (
            ("ssdse_births", BIRTHS),
            ("ssdse_deaths", DEATHS),
            ("ssdse_moves_in", MOVES_IN),
            ("ssdse_moves_out", MOVES_OUT),
        )
    }
    frame = pd.DataFrame({key: rows["value"] for key, rows in series.items()})
    frame = frame.reindex(years)
    if frame.dropna(how="all").empty:
        return None
    frame["ssdse_natural"] = frame["ssdse_births"] - frame["ssdse_deaths"]
    frame["ssdse_social"] = frame["ssdse_moves_in"] - frame["ssdse_moves_out"]
    moves = pd.concat([series["ssdse_moves_in"], series["ssdse_moves_out"]])
    frame.attrs["rows"] = moves[moves.index.isin(years)]
    return frame


def _add_figures(finding, juki, table, area, sources) -> None:
    figures = finding.figures
    first, last = table.index[0], table.index[-1]
    figures["first_year"] = KeyFigure(first, format_period(first), first, "", sources)
    figures["year"] = KeyFigure(last, format_period(last), last, "", sources)
    for key in ("births", "deaths", "moves_in", "moves_out"):
        figures[key] = KeyFigure(
            float(table.loc[last, key]),
            format_quantity(table.loc[last, key], "人"),
            last,
            "人",
            sources,
        )
    others = table.loc[last, "other_entries"] - table.loc[last, "other_removals"]
    figures["others"] = KeyFigure(
        float(others), format_change(others, "人"), last, "人", sources
    )
    for key in ("natural", "social"):
        value = table.loc[last, key]
        figures[key] = KeyFigure(
            float(value), format_change(value, "人"), last, "人", sources
        )
    # A year without its count leaves the total unknown, not smaller.
    social_total = table["social"].sum(min_count=len(table))
    figures["social_total"] = KeyFigure(
        float(social_total), format_change(social_total, "人"), last, "人", sources
    )

    population = indicator_rows(juki, "population", area.code)
    population = population[population["period_kind"] == "date"].dropna(
        subset=["value"]
    )
    if not population.empty:
        date = population.index[-1]
        figures["population_date"] = KeyFigure(
            date, format_date_short(date), date, "", sources
        )
        figures["population"] = KeyFigure(
            float(population["value"].iloc[-1]),
            format_quantity(population["value"].iloc[-1], "人"),
            date,
            "人",
            sources,
        )


def _status(value) -> str:
    return Status.NOT_SURVEYED.value if pd.isna(value) else ""


def _change_table(table: pd.DataFrame, sources) -> Table:
    frame = table.reset_index(names="period")
    frame["period_label"] = frame["period"].map(lambda p: f"{p}年")
    columns = [
        Column("period_label", "年", kind="text"),
        Column("births", "出生（住基）"),
        Column("deaths", "死亡（住基）"),
        Column("natural", "自然増減（住基）"),
        Column("moves_in", "転入（住基）"),
        Column("moves_out", "転出（住基）"),
        Column("others", "その他の記載−消除（住基）"),
        Column("social", "社会増減（住基）"),
    ]
    frame["others"] = frame["other_entries"] - frame["other_removals"]
    if "ssdse_social" in frame:
        columns.append(Column("ssdse_social", "社会増減（移動報告）"))
    for column in columns[1:]:
        frame[f"{column.key}_status"] = frame[column.key].map(_status)
    return Table(
        id="juki_change",
        title="住民基本台帳による人口動態（人）",
        frame=frame,
        columns=tuple(columns),
        sources=sources,
        note=f"{JUKI_SOCIAL}。{SSDSE_SOCIAL}。△は減少。",
    )


def _social_chart(table, area, juki_sources, ssdse_sources) -> ChartSpec:
    rows = []
    definitions = [
        ("social", SERIES_JUKI, "juki_social_change", "社会増減（住基）", juki_sources)
    ]
    if "ssdse_social" in table:
        definitions.append(
            (
                "ssdse_social",
                SERIES_SSDSE,
                "ssdse_social_change",
                "社会増減（住民基本台帳人口移動報告）",
                ssdse_sources,
            )
        )
    for column, label, indicator, name, sources in definitions:
        for period, value in table[column].dropna().items():
            rows.append(
                chart_row(
                    x=f"{period}年",
                    series=label,
                    value=value,
                    indicator=indicator,
                    indicator_name=name,
                    area_code=area.code,
                    area_name=area.name,
                    period=period,
                    unit="人",
                    status="",
                    source=credits(sources),
                )
            )
    data = pd.DataFrame(rows)
    last = table.index[-1]
    alt = (
        f"{area.name}の社会増減を年ごとに二つの統計で比べた棒グラフ。"
        f"{last}年は住基で{format_change(table.loc[last, 'social'], '人')}"
    )
    if "ssdse_social" in table and not pd.isna(table.loc[last, "ssdse_social"]):
        alt += f"、移動報告で{format_change(table.loc[last, 'ssdse_social'], '人')}"
    return ChartSpec(
        id="juki_social",
        title=f"{area.name}の社会増減：住基と移動報告",
        kind="grouped_bar",
        data=data,
        x_title="年",
        y_title="社会増減（人）",
        sources=juki_sources + ssdse_sources,
        alt=alt + "。",
        note=f"{JUKI_SOCIAL}。{SSDSE_SOCIAL}。",
    )


def _population_chart(juki: Dataset, area: Area, sources) -> ChartSpec:
    rows = indicator_rows(juki, "population", area.code)
    rows = rows[rows["period_kind"] == "date"].dropna(subset=["value"])
    data = pd.DataFrame(
        [
            chart_row(
                # The title names the day, so the axis shows the year alone and
                # its labels stay short enough not to tilt.
                x=f"{period[:4]}年",
                series="1月1日現在の人口",
                value=value,
                indicator="population",
                indicator_name="住民基本台帳人口（1月1日現在）",
                area_code=area.code,
                area_name=area.name,
                period=period,
                unit="人",
                status="",
                source=credits(sources),
            )
            for period, value in rows["value"].items()
        ]
    )
    first, last = data.iloc[0], data.iloc[-1]
    return ChartSpec(
        id="juki_population",
        title=f"{area.name}の住民基本台帳人口（各年1月1日現在）",
        kind="line",
        data=data,
        x_title="各年1月1日現在",
        y_title="人口（人）",
        sources=sources,
        alt=(
            f"{area.name}の1月1日現在の住民基本台帳人口の折れ線グラフ。"
            f"{format_date_short(first['period'])}は{first['value']:,.0f}人、"
            f"{format_date_short(last['period'])}は{last['value']:,.0f}人。"
        ),
    )


# --- The town's own register data --------------------------------------------------


def _add_town_register(finding: Finding, inputs: Inputs, area: Area) -> None:
    records = inputs.get("register-records")
    summary = inputs.get("register-table")
    town = records if records is not None else summary
    if town is None:
        return
    frame = town.frame
    if "breakdown" not in frame:
        frame = frame.assign(breakdown="", category="")
    if "district" in frame:
        frame = frame[frame["district"] == ""]
    totals = frame[frame["breakdown"] == ""]
    sources = tuple(town.sources_of(totals))

    monthly = totals[totals["period_kind"] == "month"]
    if not monthly.empty:
        finding.charts["register_monthly"] = _monthly_chart(monthly, area, sources)
    yearly = totals[totals["period_kind"] == "calendar_year"]
    if not yearly.empty:
        finding.tables["register_year"] = _year_table(yearly, sources)
    moves = frame[frame["breakdown"] == "other_municipality"]
    if not moves.empty:
        finding.tables["register_moves"] = _moves_table(moves, sources)
        if records is not None:
            finding.method_notes.append(MOVES_NOTE.format(other=OTHER))
    if records is not None and (frame["status"] == Status.SUPPRESSED.value).any():
        threshold = int(records.frame["threshold"].max())
        finding.method_notes.append(SUPPRESSION_NOTE.format(threshold=threshold))


def _monthly_chart(monthly: pd.DataFrame, area: Area, sources) -> ChartSpec:
    rows = []
    for indicator, label in TOWN_INDICATORS:
        for record in monthly[monthly["indicator"] == indicator].itertuples():
            rows.append(
                chart_row(
                    x=f"{record.period[:4]}年{int(record.period[5:7])}月",
                    series=label,
                    value=record.value,
                    indicator=indicator,
                    indicator_name=label,
                    area_code=area.code,
                    area_name=area.name,
                    period=record.period,
                    unit="人",
                    status=record.status,
                    source=credits(sources),
                )
            )
    data = pd.DataFrame(rows).sort_values(["series", "period"], kind="stable")
    hidden = int((data["status"] == Status.SUPPRESSED.value).sum())
    first, last = data["x"].iloc[0], data["x"].iloc[-1]
    return ChartSpec(
        id="register_monthly",
        title=f"{area.name}の月別の出生・死亡・転入・転出",
        kind="line",
        data=data,
        x_title="月",
        y_title="人数（人）",
        sources=sources,
        alt=(
            f"{area.name}の{first}から{last}までの月別の出生・死亡・転入・転出の"
            f"折れ線グラフ。秘匿した値 {hidden} 個は線を切って示しています。"
        ),
        note="住民基本台帳の届出を町で集計。x（秘匿）の月は線が途切れます。",
    )


def _year_table(yearly: pd.DataFrame, sources) -> Table:
    # pivot, not pivot_table: pivot_table drops the NaN of suppressed cells.
    wide = yearly.pivot(index="period", columns="indicator", values="value")
    status = yearly.pivot(index="period", columns="indicator", values="status")
    columns = [Column("period_label", "年", kind="text")]
    frame = pd.DataFrame({"period_label": [f"{p}年" for p in wide.index]})
    labels = dict(TOWN_INDICATORS) | {
        "natural_change": "自然増減",
        "social_change": "社会増減",
    }
    for indicator, label in labels.items():
        if indicator in wide:
            frame[indicator] = wide[indicator].to_numpy()
            frame[f"{indicator}_status"] = status[indicator].fillna("").to_numpy()
            columns.append(Column(indicator, f"{label}（人）"))
    return Table(
        id="register_year",
        title="町の住民基本台帳による年間の人口動態",
        frame=frame,
        columns=tuple(columns),
        sources=sources,
        note="x は秘匿。△は減少。",
    )


def _moves_table(moves: pd.DataFrame, sources) -> Table:
    latest = moves["period"].max()
    rows = moves[moves["period"] == latest]
    wide = rows.pivot(index="category", columns="indicator", values="value")
    status = rows.pivot(index="category", columns="indicator", values="status")
    # A municipality missing for one direction had no move that way: a zero.
    wide = wide.where(status.notna(), 0.0)
    frame = pd.DataFrame({"category": wide.index})
    columns = [Column("category", "市区町村", kind="text")]
    for indicator, label in (("moves_in", "転入元"), ("moves_out", "転出先")):
        if indicator in wide:
            frame[indicator] = wide[indicator].to_numpy()
            frame[f"{indicator}_status"] = status[indicator].fillna("").to_numpy()
            columns.append(Column(indicator, f"{label}として（人）"))
    # Largest first, and the values that resolved to no municipality last.
    order = frame[[c.key for c in columns[1:]]].fillna(0).sum(axis=1)
    frame = frame.assign(order=order, other=frame["category"] == OTHER).sort_values(
        ["other", "order", "category"], ascending=[True, False, True]
    )
    return Table(
        id="register_moves",
        title=f"転入元・転出先の市区町村（{latest}年）",
        frame=frame.drop(columns=["order", "other"]).reset_index(drop=True),
        columns=tuple(columns),
        sources=sources,
        note="x は秘匿。",
    )
