"""The long census series, against figures worked by hand.

Series: data/raw/census/kanagawa_census_pop_1970_2020_unibon4141.json, entry
真鶴町 (1970 10,284 … 2015 7,333, 2020 6,725 preliminary). Final 2020 count:
SSDSE-A-2026 line 722, column D A1101 6,722.
"""

import pytest

from databook.analysis.census_history import analyse_population_history
from databook.analysis.common import Area
from databook.inputs import Inputs
from databook.sources.census_series import load_census_series
from databook.sources.codes import load_master
from databook.sources.ssdse import load_ssdse
from tests.conftest import RAW

MANAZURU = Area("14383", "真鶴町", "神奈川県")
SERIES = RAW / "census" / "kanagawa_census_pop_1970_2020_unibon4141.json"


@pytest.fixture(scope="module")
def master():
    return load_master(RAW / "codes" / "localgovjp-utf8.csv")


@pytest.fixture(scope="module")
def series(master):
    return load_census_series(
        SERIES, prefecture="神奈川県", master=master, preliminary=[2020]
    )


@pytest.fixture(scope="module")
def ssdse():
    return load_ssdse(sorted((RAW / "ssdse").glob("*.csv")), items=["A1101"])


def test_final_count_replaces_preliminary(master, series, ssdse):
    inputs = Inputs(master, {"census-series": series, "ssdse-a": ssdse})
    finding = analyse_population_history(inputs, MANAZURU)
    table = finding.tables["census_history"].frame.set_index("period")
    assert table.loc["2020", "value"] == 6722
    assert table.loc["2020", "kind"] == "確定値"
    # 6722 − 7333 = −611 on the 2015 census.
    assert table.loc["2020", "change"] == -611
    assert len(table) == 11


def test_history_figures_manazuru(master, series, ssdse):
    inputs = Inputs(master, {"census-series": series, "ssdse-a": ssdse})
    figures = analyse_population_history(inputs, MANAZURU).figures
    assert figures["first_year"].text == "1970年（昭和45年）"
    assert figures["first_total"].text == "10,284人"
    assert figures["latest_total"].text == "6,722人"
    # 6722 − 10284 = −3562; −3562 ÷ 10284 = −34.64%.
    assert figures["change"].text == "3,562人減"
    assert figures["change_rate"].text == "34.6%減"
    # 1970 is the largest count of the series.
    assert figures["peak_year"].value == "1970"


def test_history_rank_manazuru(master, series, ssdse):
    inputs = Inputs(master, {"census-series": series, "ssdse-a": ssdse})
    figures = analyse_population_history(inputs, MANAZURU).figures
    # 1970 (series) to 2020 (SSDSE-A-2026 column D) for the 33 municipalities:
    # only 箱根町 fell more, (11293 − 21299) ÷ 21299 = −46.98%.
    assert figures["change_rate_rank"].text == "33市町村中32位"


def test_preliminary_kept_without_final(master, series):
    inputs = Inputs(master, {"census-series": series})
    finding = analyse_population_history(inputs, MANAZURU)
    table = finding.tables["census_history"].frame.set_index("period")
    assert table.loc["2020", "value"] == 6725
    assert table.loc["2020", "kind"] == "速報値"
    assert "2020年は確定値がないため速報値です" in finding.method_notes[0]
