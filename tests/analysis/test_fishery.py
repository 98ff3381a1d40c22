"""Fishery analysis: the real 2013 census count and small sales tables.

Real file: data/raw/fishery/gyogyo_census2013_vol3_keieitai_kaisou_shikuchoson_
gakulab.xls, sheet j119-25-002, column F 計 (漁業経営体数): row 262 真鶴町 41, row 248
神奈川県 1,157, row 12 全国 94,507. The census sheet has no sales, so the
sales tests build tidy tables in the table loader's output format.
"""

import pandas as pd
import pytest

from databook.analysis.common import Area
from databook.analysis.fishery import (
    ENTITIES,
    ESTIMATE_NOTE,
    SALES,
    SALES_CLASSES,
    analyse_fishery,
    estimate_sales,
    sales_class_bounds,
    sales_per_entity,
    with_estimated_sales,
)
from databook.config import TableDataset
from databook.errors import InputError
from databook.inputs import Inputs
from databook.model import TIDY_COLUMNS, Dataset, Provenance
from databook.sources.codes import load_master
from databook.sources.findings import load_findings
from databook.sources.tables import load_table
from tests.conftest import RAW

MANAZURU = Area("14383", "真鶴町", "神奈川県")
CENSUS = (
    RAW / "fishery" / "gyogyo_census2013_vol3_keieitai_kaisou_shikuchoson_gakulab.xls"
)


@pytest.fixture(scope="module")
def master():
    return load_master(RAW / "codes" / "localgovjp-utf8.csv")


@pytest.fixture(scope="module")
def census(master):
    settings = TableDataset(
        kind="table",
        files=["x"],
        source="農林水産省「2013年漁業センサス」",
        sheet="j119-25-002",
        header_rows=[7, 8, 9],
        data_rows="12-742",
        prefecture_column="A",
        area_column="C",
        period="2013",
        period_kind="census",
        columns={"F": ENTITIES},
        unit="経営体",
        zero_marks=["-"],
        sum_repeated_areas=True,
    )
    return load_table(settings, [CENSUS], RAW, master)


def sales_table(rows) -> Dataset:
    """Build a tidy table of (indicator, area_code, period, value) rows in 円."""
    records = [
        {
            "indicator": indicator,
            "area_code": code,
            "area_name": code,
            "period": period,
            "period_kind": "census",
            "value": float(value),
            "unit": "円" if indicator == SALES else "経営体",
            "status": "",
            "source_id": "test",
        }
        for indicator, code, period, value in rows
    ]
    provenance = Provenance("test", "テスト", None, "テスト", "x", "", "")
    return Dataset(pd.DataFrame(records, columns=TIDY_COLUMNS), {"test": provenance})


def test_entities_2013_real(master, census):
    inputs = Inputs(master, {"table": census})
    figures = analyse_fishery(inputs, MANAZURU).figures
    assert figures["entities"].text == "41経営体"
    assert figures["prefecture_entities"].text == "1,157経営体"
    assert figures["nation_entities"].text == "94,507経営体"
    assert figures["entities_year"].text == "2013年（平成25年）"


def test_quoted_comparison_beside_real_count(master, census):
    findings = load_findings(
        RAW / "findings" / "manazuru_fishery_TRANSCRIBED.csv", display_path="f.csv"
    )
    inputs = Inputs(master, {"table": census, "findings": findings})
    finding = analyse_fishery(inputs, MANAZURU)
    # The findings rows: 2008, 2013, 2018, each below_prefecture_average.
    assert finding.figures["quoted_comparison_years"].text == "2008年、2013年、2018年"
    assert finding.figures["quoted_comparison"].text == "神奈川県平均を下回る（公表値）"
    assert finding.figures["entities"].value == 41
    assert len(finding.tables["fishery_quoted"].frame) == 3


def test_sales_per_entity_against_averages():
    # 2013: 真鶴町 sales 100,000,000円 over 40 entities = 2,500,000円;
    # 神奈川県 (row 14000) 5,000,000,000円 over 1,000 = 5,000,000円;
    # 全国 (row 00000) 800,000,000,000円 over 100,000 = 8,000,000円.
    table = sales_table(
        [
            (SALES, "14383", "2013", 100_000_000),
            (ENTITIES, "14383", "2013", 40),
            (SALES, "14000", "2013", 5_000_000_000),
            (ENTITIES, "14000", "2013", 1_000),
            (SALES, "00000", "2013", 800_000_000_000),
            (ENTITIES, "00000", "2013", 100_000),
        ]
    )
    result = sales_per_entity(table, MANAZURU).loc["2013"]
    assert result["area"] == 2_500_000
    assert result["prefecture"] == 5_000_000
    assert result["nation"] == 8_000_000
    assert result["below"]


def test_prefecture_summed_without_its_row():
    # No 14000 row, so 神奈川県 is the sum of its municipalities:
    # (30,000,000 + 90,000,000) ÷ (20 + 30) = 2,400,000円. 真鶴町 has
    # 30,000,000 ÷ 20 = 1,500,000円, which is below it.
    table = sales_table(
        [
            (SALES, "14383", "2018", 30_000_000),
            (ENTITIES, "14383", "2018", 20),
            (SALES, "14384", "2018", 90_000_000),
            (ENTITIES, "14384", "2018", 30),
        ]
    )
    result = sales_per_entity(table, MANAZURU).loc["2018"]
    assert result["area"] == 1_500_000
    assert result["prefecture"] == 2_400_000
    assert result["below"]


def test_estimate_sales_from_class_midpoints():
    # 販売金額規模別: 10 entities under 100万円 (midpoint 50万円), 5 at
    # 100–500万円 (300万円), 2 at 1億円 and over (counted at 1億円):
    # 10 × 500,000 + 5 × 3,000,000 + 2 × 100,000,000 = 220,000,000円.
    classes = {
        "100万円未満": (0, 1_000_000),
        "100～500万円": (1_000_000, 5_000_000),
        "1億円以上": (100_000_000, None),
    }
    counts = pd.Series({"100万円未満": 10, "100～500万円": 5, "1億円以上": 2})
    assert estimate_sales(counts, classes) == 220_000_000


def test_estimate_sales_missing_class():
    classes = {"100万円未満": (0, 1_000_000), "1億円以上": (100_000_000, None)}
    counts = pd.Series({"100万円未満": 4, "1億円以上": float("nan")})
    assert estimate_sales(counts, classes) == 2_000_000


@pytest.mark.parametrize(
    ("label", "bounds"),
    [
        ("販売金額なし", (0, 0)),
        ("100万円未満", (0, 1_000_000)),
        ("100～500万円", (1_000_000, 5_000_000)),
        ("5,000万～1億円", (50_000_000, 100_000_000)),
        ("１～２億円", (100_000_000, 200_000_000)),
        ("10億円以上", (1_000_000_000, None)),
    ],
)
def test_sales_class_bounds(label, bounds):
    assert sales_class_bounds(label) == bounds


def test_sales_class_without_unit_unreadable():
    assert sales_class_bounds("100～500") is None


def class_table(rows) -> Dataset:
    """Build a tidy table of entity counts by sales class: (code, class, count)."""
    records = [
        (f"{SALES_CLASSES}／{label}", code, "2018", count)
        for code, label, count in rows
    ]
    table = sales_table(records)
    table.frame["unit"] = "経営体"
    return table


def test_sales_estimated_from_classes():
    # Entity counts by sales class (販売金額規模別経営体数), made up for the test:
    # 真鶴町 4 without sales, 6 under 100万円 (50万円 each), 2 at 100～500万円
    # (300万円): (0 + 6 × 500,000 + 2 × 3,000,000) ÷ 12 = 750,000円 = 75.0万円.
    # 湯河原町 10 at 100～500万円: 3,000,000円 each. The prefecture, summed:
    # (9,000,000 + 30,000,000) ÷ 22 = 1,772,727円 = 177.3万円.
    table = class_table(
        [
            ("14383", "販売金額なし", 4),
            ("14383", "100万円未満", 6),
            ("14383", "100～500万円", 2),
            ("14384", "100～500万円", 10),
        ]
    )
    master = load_master(RAW / "codes" / "localgovjp-utf8.csv")
    finding = analyse_fishery(Inputs(master, {"table": table}), MANAZURU)

    assert finding.figures["entities"].text == "12経営体"
    assert finding.figures["sales_per_entity"].text == "75万円"
    assert finding.figures["prefecture_sales_per_entity"].text == "177万円"
    assert finding.figures["below_years"].text == "2018年"
    assert ESTIMATE_NOTE in finding.method_notes
    assert "推計値" in finding.tables["fishery_sales"].note


def test_unreadable_sales_class_rejected():
    table = class_table([("14383", "100～500", 3)])
    with pytest.raises(InputError) as raised:
        with_estimated_sales(table)
    assert "100～500" in raised.value.message
    assert "万円" in raised.value.hint
