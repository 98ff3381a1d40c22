"""Series of declared tables whose rows hold months beside yearly totals.

Real file: tests/data/tables/hokkaido/tourism_stat_report_2019_monthly.csv,
line 150 (札幌市 内宿泊客): april … march in columns E–P, sum in Q (千人).
"""

from databook.analysis.common import Area
from databook.analysis.series import analyse_series
from databook.config import TableDataset
from databook.inputs import Inputs
from databook.sources.codes import load_master
from databook.sources.tables import load_table
from tests.conftest import RAW, TEST_DATA

FY2019 = TEST_DATA / "tables" / "hokkaido" / "tourism_stat_report_2019_monthly.csv"


def test_series_yearly_over_months():
    master = load_master(RAW / "codes" / "localgovjp-utf8.csv")
    settings = TableDataset(
        kind="table",
        files=["x"],
        source="北海道経済部観光局「北海道観光入込客数調査」",
        period_from_file=r"_(\d{4})_",
        period_kind="fiscal_year",
        area_column="commune",
        prefecture="北海道",
        indicator_columns=["type"],
        columns={"sum": ""},
        months_in_columns=True,
        unit="千人",
    )
    table = load_table(settings, [FY2019], TEST_DATA, master)
    finding = analyse_series(
        Inputs(master, {"table": table}), Area("01100", "札幌市", "北海道")
    )
    chart = finding.charts["series-内宿泊客"]
    assert list(chart.data["period"]) == ["FY2019"]
    # Column Q: 8640 千人.
    assert list(chart.data["value"]) == [8_640_000]
    assert finding.figures["内宿泊客"].text == "8,640,000人"
