import openpyxl
import pytest

from databook.config import TableDataset
from databook.errors import ConfigError, InputError
from databook.model import credit_text
from databook.sources.cells import CellRef, Period
from databook.sources.codes import load_master
from databook.sources.tables import load_table, period_text, read_number, unit_scale
from tests.conftest import RAW, TEST_DATA

TABLES = TEST_DATA / "tables"
FISHERY = TABLES / "gyogyo_census2013_vol3_keieitai_kaisou_shikuchoson_gakulab.xls"
KOBE = TABLES / "kobe_24keizaikeisann.xls"
HOKKAIDO = sorted((TABLES / "hokkaido").glob("*.csv"))


@pytest.fixture(scope="module")
def master():
    return load_master(RAW / "codes" / "localgovjp-utf8.csv")


def table(**settings) -> TableDataset:
    return TableDataset(
        **{"kind": "table", "files": ["x"], "source": "テスト", **settings}
    )


def value_of(dataset, indicator, area, period):
    frame = dataset.frame
    rows = frame[
        (frame["indicator"] == indicator)
        & (frame["area_code"] == area)
        & (frame["period"] == period)
    ]
    assert len(rows) == 1, rows
    return rows.iloc[0]


# --- 2013年漁業センサス 第3巻 (three merged header rows, names without codes) ---

FISHERY_SETTINGS = dict(
    sheet="j119-25-002",
    header_rows=[7, 8, 9],
    data_rows="12-742",
    prefecture_column="A",
    area_column="C",
    period="2013",
    period_kind="census",
    columns={"F": "漁業経営体数", "AR": "沿岸漁業層"},
    unit="経営体",
    zero_marks=["-"],
    sum_repeated_areas=True,
)


@pytest.fixture(scope="module")
def fishery(master):
    settings = table(**FISHERY_SETTINGS, source="農林水産省「2013年漁業センサス」")
    return load_table(settings, [FISHERY], TABLES, master)


def test_fishery_town_matched_by_name(fishery):
    # Sheet row 262 (真鶴町): column F 計 41, column AR 沿岸漁業層 計 37.
    assert value_of(fishery, "漁業経営体数", "14383", "2013")["value"] == 41
    assert value_of(fishery, "沿岸漁業層", "14383", "2013")["value"] == 37
    assert value_of(fishery, "漁業経営体数", "14383", "2013")["area_name"] == "真鶴町"


def test_fishery_dash_read_as_zero(fishery):
    # Sheet row 249 (川崎市): column F is " -", the census's mark for zero.
    row = value_of(fishery, "漁業経営体数", "14130", "2013")
    assert row["value"] == 0
    assert row["status"] == ""


def test_fishery_prefecture_and_nation_rows(fishery):
    # Row 248: 神奈川県 1,157; row 12: 全国 94,507.
    assert value_of(fishery, "漁業経営体数", "14000", "2013")["value"] == 1157
    assert value_of(fishery, "漁業経営体数", "00000", "2013")["value"] == 94507


def test_fishery_town_on_two_seas_added_up(fishery):
    # 八雲町 is listed under 北海道太平洋北区 (row 50: 288) and 北海道日本海北区
    # (row 109: 52); 288 + 52 = 340.
    assert value_of(fishery, "漁業経営体数", "01346", "2013")["value"] == 340


def test_fishery_repeat_rejected_without_setting(master):
    settings = table(**{**FISHERY_SETTINGS, "sum_repeated_areas": False})
    with pytest.raises(InputError, match="01346") as caught:
        load_table(settings, [FISHERY], TABLES, master)
    assert "セル F50" in caught.value.place
    assert "セル F109" in caught.value.place


def test_fishery_merged_heading_by_text(master):
    # Column F's heading is 計 in row 7; the heading text selects it too.
    settings = table(**{**FISHERY_SETTINGS, "columns": {"計": "経営体数"}})
    dataset = load_table(settings, [FISHERY], TABLES, master)
    assert value_of(dataset, "経営体数", "14383", "2013")["value"] == 41


def test_fishery_credit_is_declared_source(fishery):
    assert (
        credit_text(fishery.provenance.values()) == "農林水産省「2013年漁業センサス」"
    )


# --- 北海道観光入込客数調査 (one CSV per fiscal year, 千人) ---

HOKKAIDO_SETTINGS = dict(
    period_from_file=r"_(\d{4})_",
    period_kind="fiscal_year",
    area_column="commune",
    prefecture="北海道",
    indicator_columns=["type"],
    columns={"sum": ""},
    unit="千人",
    area_aliases={"上湧別町": "湧別町"},
)


@pytest.fixture(scope="module")
def lodging(master):
    return load_table(table(**HOKKAIDO_SETTINGS), HOKKAIDO, TABLES, master)


def test_lodging_scaled_to_persons(lodging):
    # FY2019 file line 150: 札幌市 内宿泊客 sum 8640 (千人) → 8,640,000 人.
    row = value_of(lodging, "内宿泊客", "01100", "FY2019")
    assert row["value"] == 8_640_000
    assert row["unit"] == "人"
    assert row["period_kind"] == "fiscal_year"
    # Line 228: ニセコ町 333.7 千人.
    assert value_of(lodging, "内宿泊客", "01395", "FY2019")["value"] == 333_700


def test_lodging_float_artefact_rounded(lodging):
    # FY2010 file line 150: sum 6172.900000000001 千人 → 6,172,900 人.
    assert value_of(lodging, "内宿泊客", "01100", "FY2010")["value"] == 6_172_900


def test_lodging_alias_added_up(lodging):
    # FY2009 file lines 855 and 861: 上湧別町 20.4 + 湧別町 10.2 = 30.6 千人,
    # which the FY2010 file (line 852) gives as previous_year 30.6.
    assert value_of(lodging, "内宿泊客", "01559", "FY2009")["value"] == 30_600


def test_lodging_column_count_varies(lodging):
    # FY2019 rows have 20 fields (trailing comma), FY2010 rows 19; 179
    # municipalities in both.
    for period in ("FY2010", "FY2019"):
        part = lodging.frame[lodging.frame["period"] == period]
        assert part["area_code"].nunique() == 179


def test_lodging_unknown_name_located(master):
    settings = table(**{**HOKKAIDO_SETTINGS, "area_aliases": {}})
    with pytest.raises(InputError, match="上湧別町") as caught:
        load_table(settings, HOKKAIDO, TABLES, master)
    assert caught.value.place == "セル C851"
    assert "area_aliases" in caught.value.hint


# --- 神戸市 市民経済計算 (several tables per sheet, 和暦 periods, 100万円) ---


def kobe(master, columns, labels):
    settings = table(
        sheet="Ⅱ-1",
        header_rows=[6],
        data_rows="9-63",
        area="28100",
        periods_in_columns=True,
        period_columns=columns,
        indicator_columns=labels,
        unit="100万円",
    )
    return load_table(settings, [KOBE], TABLES, master)


def test_output_left_table(master):
    dataset = kobe(master, "G:J", ["A", "B", "C", "D"])
    assert sorted(dataset.frame["period"].unique()) == [
        "FY2001",
        "FY2002",
        "FY2003",
        "FY2004",
    ]
    # Row 59, column G (平成13年度): 市内総生産 6,221,196 百万円.
    row = value_of(dataset, "市内総生産(4+5-6)", "28100", "FY2001")
    assert row["value"] == 6_221_196 * 1_000_000
    assert row["unit"] == "円"
    # Row 10, column H (14年度, era carried from G): 農林水産業 9,972.
    assert value_of(dataset, "産業／農林水産業", "28100", "FY2002")["value"] == (
        9_972 * 1_000_000
    )


def test_output_nested_labels_kept_apart(master):
    dataset = kobe(master, "G:J", ["A", "B", "C", "D"])
    # 電気・ガス・水道業 is under 産業 (row 31: 110,901) and under
    # 政府サービス生産者 (row 51: 56,925).
    assert value_of(dataset, "産業／電気・ガス・水道業", "28100", "FY2001")[
        "value"
    ] == (110_901 * 1_000_000)
    assert value_of(
        dataset, "政府サービス生産者／電気・ガス・水道業", "28100", "FY2001"
    )["value"] == (56_925 * 1_000_000)


def test_output_right_table(master):
    dataset = kobe(master, "Q:X", ["L", "M", "N", "O"])
    # Row 59, column X (24年度): 市内総生産 6,240,785.
    row = value_of(dataset, "市内総生産(4+5-6)", "28100", "FY2012")
    assert row["value"] == 6_240_785 * 1_000_000
    assert dataset.frame["area_name"].unique().tolist() == ["神戸市"]


# --- a town's own series, written here as an .xlsx ---


def write_own_series(path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "アクセス"
    sheet.append(["町のWebサイトとSNS", None, None])
    sheet.append(["年度", "閲覧数", None])
    sheet.append([None, "トップページ", "観光ページ"])
    sheet.merge_cells("B2:C2")
    sheet.append(["令和元年度", "１２，３４５", 800])
    sheet.append(["令和2年度", 13000, "△50"])
    sheet.append(["令和3年度", 14000, "x"])
    book.save(path)


def own_settings(**extra):
    values = dict(
        sheet="アクセス",
        header_rows=[2, 3],
        area="14383",
        period_column="A",
        period_kind="fiscal_year",
        columns={"閲覧数/トップページ": "トップページ閲覧数", "C": "観光ページ閲覧数"},
        unit="件",
        source="真鶴町 企画調整課",
    )
    values.update(extra)
    return table(**values)


def test_own_series_from_xlsx(tmp_path, master):
    path = tmp_path / "access.xlsx"
    write_own_series(path)
    dataset = load_table(own_settings(), [path], tmp_path, master)
    # 令和元年度 = FY2019; full-width digits with a full-width comma.
    assert value_of(dataset, "トップページ閲覧数", "14383", "FY2019")["value"] == 12345
    assert value_of(dataset, "観光ページ閲覧数", "14383", "FY2020")["value"] == -50
    secret = value_of(dataset, "観光ページ閲覧数", "14383", "FY2021")
    assert secret["status"] == "suppressed"
    assert credit_text(dataset.provenance.values()) == "真鶴町 企画調整課"


def test_own_series_missing_heading_listed(tmp_path, master):
    path = tmp_path / "access.xlsx"
    write_own_series(path)
    settings = own_settings(columns={"フォロワー数": "フォロワー数"})
    with pytest.raises(InputError, match="フォロワー数") as caught:
        load_table(settings, [path], tmp_path, master)
    assert "閲覧数/トップページ" in caught.value.hint


def test_missing_sheet_lists_sheets(tmp_path, master):
    path = tmp_path / "access.xlsx"
    write_own_series(path)
    with pytest.raises(InputError, match="Sheet1") as caught:
        load_table(own_settings(sheet="Sheet1"), [path], tmp_path, master)
    assert "あるシート: アクセス" in caught.value.message


def test_two_period_settings_rejected(master):
    with pytest.raises(ConfigError, match="期間の指定"):
        load_table(own_settings(period="2020"), [], TABLES, master)


def test_text_cell_located(tmp_path, master):
    path = tmp_path / "access.xlsx"
    write_own_series(path)
    book = openpyxl.load_workbook(path)
    book["アクセス"]["B6"] = "集計中"
    book.save(path)
    with pytest.raises(InputError, match="集計中") as caught:
        load_table(own_settings(), [path], tmp_path, master)
    assert caught.value.place == "シート アクセス、セル B6"


def test_zero_mark_only_when_declared():
    ref = CellRef("t.xls", "s", 1, 1)
    # Undeclared, a dash is 該当数字なし and an empty cell a figure not obtained.
    for cell, expected in (
        ("-", "not_applicable"),
        (" -", "not_applicable"),
        ("－", "not_applicable"),
        ("", "not_surveyed"),
    ):
        value, status = read_number(cell, (), ref)
        assert value != value
        assert status == expected
    assert read_number(" -", ("-",), ref) == (0.0, "")
    assert read_number("△1,234", ("-",), ref) == (-1234.0, "")


def test_fiscal_year_when_declared():
    assert period_text(Period(2013), "fiscal_year") == "FY2013"
    assert period_text(Period(2013), "census") == "2013"
    assert period_text(Period(2013, fiscal=True), "year") == "FY2013"


def test_unit_scale():
    assert unit_scale("千人") == ("人", 1e3)
    assert unit_scale("百万円") == ("円", 1e6)
    assert unit_scale("100万円") == ("円", 1e6)
    assert unit_scale("経営体") == ("経営体", 1.0)
    assert unit_scale("千") == ("千", 1.0)


def test_areas_in_rows_periods_in_columns(tmp_path, master):
    # A layout of one item with municipalities in rows and fiscal years in the
    # headings; the figures are test input, not data.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["市町村内総生産", None, None])
    sheet.append(["（単位：百万円）", None, None])
    sheet.append(["市町村", "平成30年度", "令和元年度"])
    sheet.append(["足柄下郡真鶴町", "１２，０００", "△5"])
    sheet.append(["足柄下郡湯河原町", 45000, "x"])
    path = tmp_path / "output.xlsx"
    book.save(path)
    settings = table(
        header_rows=[3],
        area_column="市町村",
        prefecture="神奈川県",
        periods_in_columns=True,
        indicator="市町村内総生産",
        unit="百万円",
    )
    dataset = load_table(settings, [path], tmp_path, master)
    row = value_of(dataset, "市町村内総生産", "14383", "FY2018")
    assert row["value"] == 12_000 * 1_000_000
    assert row["unit"] == "円"
    assert value_of(dataset, "市町村内総生産", "14383", "FY2019")["value"] == -5e6
    secret = value_of(dataset, "市町村内総生産", "14384", "FY2019")
    assert secret["status"] == "suppressed"


def test_periods_in_columns_needs_indicator(master):
    settings = table(
        area="14383", periods_in_columns=True, header_rows=[3], unit="百万円"
    )
    with pytest.raises(ConfigError, match="indicator"):
        load_table(settings, [], TABLES, master)
