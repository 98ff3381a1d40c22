import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from databook.errors import InputError
from databook.model import PeriodKind
from databook.sources.ssdse import load_ssdse, survey_of
from tests.conftest import RAW

EDITIONS = sorted((RAW / "ssdse").glob("SSDSE-A-*.csv"))
ITEMS = ["A1101", "A1303", "A4101", "A4200", "A5101", "A5102", "D3201"]


@pytest.fixture(scope="module")
def series():
    return load_ssdse(EDITIONS, items=ITEMS, project_root=RAW.parent.parent)


def value(dataset, indicator, area, period):
    frame = dataset.frame
    rows = frame[
        (frame["indicator"] == indicator)
        & (frame["area_code"] == area)
        & (frame["period"] == period)
    ]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_births_one_value_per_year_across_editions(series):
    frame = series.frame
    births = frame[(frame["indicator"] == "A4101") & (frame["area_code"] == "14383")]
    # Reference years in row 2, column W of the nine editions: 2016 … 2023, with
    # 2020 in both the 2022 and the 2023 edition.
    assert list(births["period"]) == [str(y) for y in range(2016, 2024)]


def test_value_cites_edition_it_came_from(series):
    # SSDSE-A-2018.csv line 722 (R14383 真鶴町), column W (A4101, year 2016): 27.
    row = value(series, "A4101", "14383", "2016")
    assert row["value"] == 27
    assert row["source_id"] == "ssdse-a-2018/vital"
    # 2020 births are in the 2022 and 2023 editions (both 18); the newer one is cited.
    row = value(series, "A4101", "14383", "2020")
    assert row["value"] == 18
    assert row["source_id"] == "ssdse-a-2023/vital"


def test_moves_of_2024_from_2026_edition(series):
    # SSDSE-A-2026.csv line 722, columns Y and Z (A5101, A5102, year 2024): 156, 197.
    assert value(series, "A5101", "14383", "2024")["value"] == 156
    assert value(series, "A5102", "14383", "2024")["value"] == 197


def test_census_population_both_censuses(series):
    # Column D (A1101): 7333 in the 2018–2021 editions (2015), 6722 from 2022 (2020).
    assert value(series, "A1101", "14383", "2015")["value"] == 7333
    assert value(series, "A1101", "14383", "2020")["value"] == 6722
    # 湯河原町, line 723 of SSDSE-A-2026.csv, column D.
    assert value(series, "A1101", "14384", "2020")["value"] == 23426


def test_period_kind_from_item_survey(series):
    census = value(series, "A1101", "14383", "2020")
    assert census["period_kind"] == PeriodKind.CENSUS
    births = value(series, "A4101", "14383", "2023")
    assert births["period_kind"] == PeriodKind.CALENDAR_YEAR
    # D3201 歳入決算総額 is a fiscal-year total: SSDSE-A-2026 gives 2022 → FY2022.
    revenue = value(series, "D3201", "14383", "FY2022")
    assert revenue["period_kind"] == PeriodKind.FISCAL_YEAR
    assert revenue["value"] == 4303093
    assert revenue["unit"] == "千円"


def test_credit_names_primary_survey(series):
    credit = series.provenance["ssdse-a-2026/migration"].credit()
    assert credit.startswith("総務省「住民基本台帳人口移動報告」")
    assert "SSDSE-A-2026" in credit
    assert survey_of("A1303").credit == "総務省「国勢調査」"
    assert survey_of("A4200").credit == "厚生労働省「人口動態統計」"
    assert survey_of("C220801").credit == "総務省・経済産業省「経済センサス」"
    assert survey_of("D320101").credit == "総務省「市町村別決算状況調」"


def test_latest_item_name_kept(series):
    # Row 3 names A5101 転入者数 up to the 2019 edition and 転入者数（日本人移動者）
    # from the 2020 edition on.
    assert series.labels["A5101"] == "転入者数（日本人移動者）"


def test_all_municipalities_read(series):
    frame = series.frame
    census = frame[(frame["indicator"] == "A1101") & (frame["period"] == "2020")]
    assert len(census) == 1741
    assert census["area_code"].str.fullmatch(r"\d{5}").all()


def _rewrite(source: Path, target: Path, edit) -> Path:
    lines = source.read_bytes().decode("cp932").split("\n")
    target.write_bytes("\n".join(edit(lines)).encode("cp932"))
    return target


def test_short_row_located(tmp_path):
    path = tmp_path / "SSDSE-A-2026.csv"
    _rewrite(EDITIONS[-1], path, lambda lines: [*lines[:500], lines[500][:40]])

    with pytest.raises(InputError) as raised:
        load_ssdse([path])

    assert raised.value.place == "501行目"
    assert "SSDSE-A-2026.csv" in raised.value.file


def test_text_in_number_cell_located(tmp_path):
    def edit(lines):
        cells = lines[721].split(",")
        cells[3] = "不明"
        lines[721] = ",".join(cells)
        return lines

    path = _rewrite(EDITIONS[-1], tmp_path / "SSDSE-A-2026.csv", edit)
    with pytest.raises(InputError) as raised:
        load_ssdse([path], items=["A1101"])

    assert raised.value.place == "722行目、D列"
    assert "不明" in raised.value.message


def test_placeholder_symbols_become_missing(tmp_path):
    def edit(lines):
        for line_index, symbol in ((721, "X"), (722, "-"), (723, "…")):
            cells = lines[line_index].split(",")
            cells[3] = symbol
            lines[line_index] = ",".join(cells)
        return lines

    path = _rewrite(EDITIONS[-1], tmp_path / "SSDSE-A-2026.csv", edit)
    dataset = load_ssdse([path], items=["A1101"])

    statuses = {
        code: value(dataset, "A1101", code, "2020")["status"]
        for code in ("14383", "14384", "14401")
    }
    assert statuses == {
        "14383": "suppressed",
        "14384": "not_applicable",
        "14401": "not_applicable",
    }
    for code in statuses:
        assert pd.isna(value(dataset, "A1101", code, "2020")["value"])


def test_file_in_wrong_layout(tmp_path):
    path = tmp_path / "SSDSE-A-2026.csv"
    path.write_text("a,b,c\n1,2,3\n4,5,6\n7,8,9\n", encoding="utf-8")

    with pytest.raises(InputError) as raised:
        load_ssdse([path])

    assert raised.value.place == "3行目"


def test_unknown_item_named(tmp_path):
    with pytest.raises(InputError) as raised:
        load_ssdse(EDITIONS[-1:], items=["A1101", "Z9999"])
    assert "Z9999" in raised.value.message


def test_missing_file():
    with pytest.raises(InputError) as raised:
        load_ssdse([RAW / "ssdse" / "SSDSE-A-1999.csv"])
    assert "見つかりません" in raised.value.message


def test_negative_count_located(tmp_path):
    # A total population of -5 for 真鶴町 (line 722, column D) cannot be a count.
    def edit(lines):
        cells = lines[721].split(",")
        cells[3] = "-5"
        lines[721] = ",".join(cells)
        return lines

    path = _rewrite(EDITIONS[-1], tmp_path / "SSDSE-A-2026.csv", edit)
    with pytest.raises(InputError) as raised:
        load_ssdse([path], items=["A1101"])

    assert raised.value.place == "722行目、D列"
    assert "負の値" in raised.value.message


def test_file_cut_at_line_end(tmp_path):
    # SSDSE-A-2026.csv cut after line 715 (R14342 二宮町): 3 header lines and
    # 712 municipalities, 北海道 (01) to 神奈川県 (14); 新潟県 (15) to 沖縄県
    # (47) are 33 prefectures.
    path = tmp_path / "SSDSE-A-2026.csv"
    _rewrite(EDITIONS[-1], path, lambda lines: [*lines[:715], ""])

    with pytest.raises(InputError) as raised:
        load_ssdse([path], items=["A1101"])

    error = raised.value
    assert "途中で切れている" in error.message
    assert "新潟県～沖縄県の33都道府県の行がありません" in error.message
    assert "データの行は 712 行" in error.message
    assert "715行目の二宮町（14342）" in error.message
    assert "ダウンロードし直して" in error.hint
    assert error.file.endswith("SSDSE-A-2026.csv")


def test_file_cut_within_last_prefecture(tmp_path):
    # Line 1744, the last, is R47382 与那国町; without it 沖縄県 is still there.
    path = tmp_path / "SSDSE-A-2026.csv"
    _rewrite(EDITIONS[-1], path, lambda lines: [*lines[:1743], ""])

    with pytest.raises(InputError) as raised:
        load_ssdse([path], items=["A1101"])

    assert "沖縄県与那国町（47382）の行がありません" in raised.value.message
    assert "データの行は 1740 行" in raised.value.message


def test_file_without_one_municipality_read(tmp_path):
    # A file that lacks a municipality in the middle (R14402 清川村, line
    # 725) is not cut off: its area is simply absent.
    path = tmp_path / "SSDSE-A-2026.csv"
    _rewrite(
        EDITIONS[-1],
        path,
        lambda lines: [line for line in lines if not line.startswith("R14402,")],
    )

    dataset = load_ssdse([path], items=["A1101"])

    assert "14402" not in set(dataset.frame["area_code"])
    assert dataset.frame["area_code"].nunique() == 1740


def test_deleted_column_warned(tmp_path, caplog):
    # SSDSE-A-2026.csv without its column A1101 (総人口), as if deleted by hand.
    source = RAW / "ssdse" / "SSDSE-A-2026.csv"
    rows = list(csv.reader(io.StringIO(source.read_bytes().decode("cp932"))))
    column = rows[0].index("A1101")
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(
        row[:column] + row[column + 1 :] for row in rows
    )
    cut = tmp_path / "SSDSE-A-2026.csv"
    cut.write_bytes(out.getvalue().encode("cp932"))
    earlier = RAW / "ssdse" / "SSDSE-A-2025.csv"

    with caplog.at_level("WARNING"):
        dataset = load_ssdse([earlier, cut], items=["A1101", "A4101"])

    warning = f"{cut} に項目 A1101 の列がありません（{earlier} にはあります）"
    assert warning in caplog.text
    assert "A4101" not in caplog.text
    # 総人口 still comes from the 2025 edition (the 2020 census).
    assert not dataset.frame[dataset.frame["indicator"] == "A1101"].empty
