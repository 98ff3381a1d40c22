"""Tourism analysis on 北海道観光入込客数調査 and on small yearly tables.

Real files: tests/data/tables/hokkaido/tourism_stat_report_<FY>_monthly.csv
(FY2006, FY2009, FY2010, FY2019; 千人, read as 人 by the table loader). 札幌市
is line 114 (FY2009) and 150 (FY2010, FY2019) for 内宿泊客, 110 and 146 for
入込総数; FY2006 lists 札幌市（定山渓を除く。） (lines 110–115) and 定山渓
(lines 116–121) apart. Column `sum` is the fiscal-year total.
"""

import pandas as pd
import pytest

from databook.analysis.common import Area
from databook.analysis.tourism import analyse_tourism, seasonality, year_summary
from databook.config import TableDataset
from databook.inputs import Inputs
from databook.sources.codes import load_master
from databook.sources.tables import load_table
from tests.conftest import RAW, TEST_DATA

HOKKAIDO = sorted((TEST_DATA / "tables" / "hokkaido").glob("*.csv"))
SAPPORO = Area("01100", "札幌市", "北海道")


@pytest.fixture(scope="module")
def master():
    return load_master(RAW / "codes" / "localgovjp-utf8.csv")


@pytest.fixture(scope="module")
def inputs(master):
    settings = TableDataset(
        kind="table",
        files=["tables/hokkaido/*.csv"],
        source="北海道経済部観光局「北海道観光入込客数調査」",
        period_from_file=r"_(\d{4})_",
        period_kind="fiscal_year",
        area_column="commune",
        prefecture="北海道",
        indicator_columns=["type"],
        columns={"sum": ""},
        unit="千人",
        # 上湧別町 merged into 湧別町 on 2009-10-05; FY2006 counts 定山渓 apart
        # from 札幌市 and misprints 中札内村 as 中札内町 (line 1020).
        area_aliases={"上湧別町": "湧別町", "定山渓": "札幌市", "中札内町": "中札内村"},
    )
    table = load_table(settings, HOKKAIDO, TEST_DATA, master)
    return Inputs(master, {"table": table})


def test_lodging_sapporo_fy2019(inputs):
    figures = analyse_tourism(inputs, SAPPORO).figures
    # FY2019 line 150, sum 8640 千人.
    assert figures["lodging"].text == "8,640,000人"
    assert figures["lodging_year"].text == "2019年度（令和元年度）"
    # FY2018 is not among the files, so there is no change on the year before.
    assert "lodging_change_rate" not in figures
    # The latest year is FY2019 itself, so no comparison against it.
    assert "lodging_versus_2019" not in figures


def test_recent_max_window(inputs):
    figures = analyse_tourism(inputs, SAPPORO).figures
    # Window FY2010–FY2019: 6,172,900 (FY2010) and 8,640,000 (FY2019);
    # FY2009 (6,383,500) falls outside the ten years.
    assert figures["lodging_recent_max_year"].value == "FY2019"
    # 入込総数: FY2019 line 146 sum 15264 against FY2010 line 146 12605.5.
    assert figures["visitors"].text == "15,264,000人"
    assert figures["visitors_recent_max_year"].value == "FY2019"


def test_tourism_chart_series(inputs):
    chart = analyse_tourism(inputs, SAPPORO).charts["tourism_lodging"]
    assert list(chart.data["period"]) == ["FY2006", "FY2009", "FY2010", "FY2019"]
    # FY2006: 札幌市（定山渓を除く。） 5343.7 (line 114) + 定山渓 1774.0
    # (line 120) = 7117.7 千人.
    assert list(chart.data["value"]) == [7_117_700, 6_383_500, 6_172_900, 8_640_000]


def test_year_summary_against_2019():
    # Calendar years, 人: 2018 50,000; 2019 52,000; 2020 20,000; 2021 25,000;
    # 2022 39,820.
    series = pd.Series(
        {"2018": 50000, "2019": 52000, "2020": 20000, "2021": 25000, "2022": 39820}
    )
    summary = year_summary(series)
    assert summary.latest == "2022"
    # (39820 − 25000) ÷ 25000 = +59.28%.
    assert summary.change_rate == pytest.approx(59.28)
    # (39820 − 52000) ÷ 52000 = −23.42%.
    assert summary.versus_pre_covid == pytest.approx(-23.423, abs=0.001)
    assert summary.recent_max == "2019"
    assert not summary.is_recent_max


def test_year_summary_skips_missing_year():
    series = pd.Series({"2020": 100.0, "2021": float("nan"), "2022": 150.0})
    summary = year_summary(series)
    assert summary.latest == "2022"
    assert summary.previous is None
    assert summary.change_rate is None
    assert summary.is_recent_max


def test_seasonality_sapporo_fy2009():
    # FY2009 line 114, 内宿泊客 April–March (千人); the total is 6383.5.
    months = [f"2009-{m:02d}" for m in range(4, 13)]
    months += [f"2010-{m:02d}" for m in range(1, 4)]
    values = [337.6, 499.1, 589.5, 694.9, 760.0, 705.1]
    values += [554.9, 444.5, 419.2, 415.0, 521.9, 441.8]
    frame = seasonality(pd.Series(values, index=months))
    assert frame["value"].sum() == pytest.approx(6383.5)
    # April 337.6 ÷ 6383.5 = 5.289%; August 760.0 ÷ 6383.5 = 11.906%.
    assert frame.loc["2009-04", "share"] == pytest.approx(5.289, abs=0.001)
    assert frame["share"].idxmax() == "2009-08"
    assert frame.loc["2009-08", "share"] == pytest.approx(11.906, abs=0.001)


def test_tourism_without_data(master):
    finding = analyse_tourism(Inputs(master, {}), SAPPORO)
    assert finding.figures == {}
    assert "データにない" in finding.method_notes[0]
