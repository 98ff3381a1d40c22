"""Finance analysis on the real SSDSE-A files, against figures worked by hand.

Each edition carries one fiscal year of 市町村別決算状況調 (2018 → FY2015 …
2026 → FY2022), in thousand yen. In SSDSE-A-2026, 真鶴町 is line 722 and the
columns are D A1101 総人口 (2020 census), CD D3201 歳入決算総額, CE D320101
地方税, CF D3203 歳出決算総額, CG D320303 民生費.
"""

import pandas as pd
import pytest

from databook.analysis.codes import current_codes
from databook.analysis.common import Area
from databook.analysis.finance import accounts, analyse_finance, tax_per_person
from databook.inputs import Inputs
from databook.publish.data import table_cells
from databook.sources.codes import load_master
from databook.sources.ssdse import load_ssdse
from tests.conftest import RAW

MANAZURU = Area("14383", "真鶴町", "神奈川県")
NAKAGAWA = Area("40231", "那珂川市", "福岡県")


@pytest.fixture(scope="module")
def inputs():
    items = ["A1101", "D3201", "D320101", "D3203", "D320303", "D320308"]
    items += ["D320310", "D320311"]
    dataset = load_ssdse(sorted((RAW / "ssdse").glob("*.csv")), items=items)
    master = load_master(RAW / "codes" / "localgovjp-utf8.csv")
    return Inputs(master, {"ssdse-a": dataset})


def test_finance_figures_manazuru(inputs):
    figures = analyse_finance(inputs, MANAZURU).figures
    # SSDSE-A-2026 line 722: CD 4,303,093, CE 879,471, CF 4,120,947 (千円).
    assert figures["year"].text == "2022年度（令和4年度）"
    assert figures["revenue"].value == 4303093
    assert figures["revenue"].text == "43.0億円"
    assert figures["local_tax"].text == "8.8億円"
    assert figures["expenditure"].text == "41.2億円"
    # 879471 ÷ 4303093 = 20.44%; 957245 ÷ 4120947 = 23.23%.
    assert figures["tax_share"].text == "20.4%"
    assert figures["welfare_share"].text == "23.2%"
    # SSDSE-A-2018 line 722 holds FY2015.
    assert figures["first_year"].text == "2015年度（平成27年度）"


def test_finance_ranks_manazuru(inputs):
    figures = analyse_finance(inputs, MANAZURU).figures
    # CE ÷ CD over Kanagawa's 33 lines: 真鶴町 20.44% is the lowest, below
    # 山北町 23.98% and 松田町 26.92%.
    assert figures["tax_share_rank"].text == "33市町村中33位"
    # CE × 1000 ÷ D: 879471000 ÷ 6722 = 130,835円; only 三浦市 130,138 and
    # 二宮町 123,692 are lower.
    assert figures["tax_per_person"].text == "130,835円"
    assert figures["tax_per_person_rank"].text == "33市町村中31位"


def test_finance_follows_code_change(inputs):
    finding = analyse_finance(inputs, NAKAGAWA)
    table = finding.tables["finance_accounts"].frame.set_index("period")
    own = accounts(current_codes(inputs.datasets["ssdse-a"]))
    own = own[own["area_code"] == "40231"].set_index("period")
    # Line 1499 is R40305 那珂川町 in the 2018 and 2019 editions and R40231
    # 那珂川市 from 2020: FY2015 revenue (2018 edition, column CE) 16,387,049
    # and FY2016 (2019 edition, column CG) 17,034,830 belong to 那珂川市.
    assert list(table.index) == [f"FY{year}" for year in range(2015, 2023)]
    assert own.loc["FY2015", "revenue"] == 16387049
    assert own.loc["FY2016", "revenue"] == 17034830
    assert own.loc["FY2017", "revenue"] == 17461020
    # Amounts of 10,000,000 千円 and more put the table in 百万円, rounded
    # half up: 16,387,049 → 16,387 and 17,034,830 → 17,035.
    assert table.loc["FY2015", "revenue"] == 16387
    assert table.loc["FY2016", "revenue"] == 17035
    assert "40305→40231" in finding.method_notes[-1]
    # Fukuoka has 60 municipalities in every edition; none is counted twice.
    assert finding.figures["tax_share_rank"].text.startswith("60市町村中")


def test_accounts_table_unit_by_size(inputs):
    # 真鶴町's largest amount, FY2020 revenue 4,905,879 千円 (SSDSE-A-2024,
    # column CD), stays under 10,000,000 千円; 那珂川市's 16,387,049 does not.
    small = analyse_finance(inputs, MANAZURU).tables["finance_accounts"]
    large = analyse_finance(inputs, NAKAGAWA).tables["finance_accounts"]
    assert small.columns[1].label == "歳入決算総額（千円）"
    assert large.columns[1].label == "歳入決算総額（百万円）"
    assert "百万円に四捨五入" in large.note
    assert "百万円" not in small.note


def test_accounts_without_items(inputs):
    dataset = inputs.datasets["ssdse-a"].select(["D3201"])
    table = accounts(dataset)
    assert table["local_tax"].isna().all()
    assert table["tax_share"].isna().all()


# SSDSE-A-2026 line 405 is R07546 双葉町: column D A1101 総人口 is 0 (2020
# census, the town was still evacuated), CD D3201 18,613,287, CE D320101
# 1,325,621 (千円, FY2022). 福島県 is the 59 lines whose code starts R07.
FUTABA = Area("07546", "双葉町", "福島県")
OKUMA = Area("07545", "大熊町", "福島県")


def test_tax_per_person_empty_town(inputs):
    figures = analyse_finance(inputs, FUTABA).figures
    # 1,325,621 千円 ÷ 0 residents has no value, so neither has its rank.
    assert figures["tax_per_person"].value is None
    assert figures["tax_per_person"].text == "（データなし）"
    assert figures["tax_per_person_rank"].value is None
    assert figures["tax_per_person_rank"].text == "（データなし）"
    # The share needs no population: 1325621 ÷ 18613287 = 7.12%, ranked
    # among all 59.
    assert figures["tax_share"].text == "7.1%"
    assert figures["tax_share_rank"].text.startswith("59市町村中")


def test_tax_rank_skips_empty_town(inputs):
    finding = analyse_finance(inputs, OKUMA)
    # Line 404, R07545 大熊町: D 847, CE 5,625,644 → 5625644 × 1000 ÷ 847
    # = 6,641,846.5円, the highest of 福島県. Ranked with 双葉町's 0 residents
    # it came second of 59, behind an infinite value.
    assert finding.figures["tax_per_person"].text == "6,641,847円"
    assert finding.figures["tax_per_person_rank"].text == "58市町村中1位"
    assert finding.figures["tax_share_rank"].text.startswith("59市町村中")
    assert any(
        "人口が0人の双葉町" in note and "58市町村" in note
        for note in finding.method_notes
    )


def test_ranking_table_marks_empty_town(inputs):
    table = analyse_finance(inputs, FUTABA).tables["finance_ranking"]
    frame = table.frame.set_index("area_name")
    assert len(frame) == 59
    assert pd.isna(frame.loc["双葉町", "tax_per_person"])
    assert frame.loc["双葉町", "tax_per_person_status"] == "not_applicable"
    assert frame.loc["大熊町", "tax_per_person"] == 6641847
    cells = table_cells(table)
    column = [c.key for c in table.columns].index("tax_per_person")
    row = list(frame.index).index("双葉町")
    assert cells.rows[row][column] == "-"


def test_tax_per_person_without_residents():
    local_tax = pd.Series({"07545": 5625644.0, "07546": 1325621.0, "07547": 1.0})
    population = pd.Series({"07545": 847.0, "07546": 0.0})
    result = tax_per_person(local_tax, population)
    assert result["07545"] == 6641847
    # No census count of 07547 and a count of 0 for 07546: both missing.
    assert pd.isna(result["07546"])
    assert pd.isna(result["07547"])
