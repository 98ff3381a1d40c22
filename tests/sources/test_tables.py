import openpyxl
import pytest

from databook.config import TableDataset
from databook.errors import ConfigError, InputError
from databook.model import credit_text
from databook.sources.cells import CellRef, Period
from databook.sources.codes import load_master
from databook.sources.table_months import month_period, parse_month
from databook.sources.tables import load_table, period_text, read_number, unit_scale
from tests.conftest import RAW, TEST_DATA

TABLES = TEST_DATA / "tables"
FISHERY = TABLES / "gyogyo_census2013_vol3_keieitai_kaisou_shikuchoson_gakulab.xls"
KOBE = TABLES / "kobe_24keizaikeisann.xls"
HOKKAIDO = sorted((TABLES / "hokkaido").glob("*.csv"))
HOKKAIDO_FY2006 = TABLES / "hokkaido" / "tourism_stat_report_2006_monthly.csv"
HOKKAIDO_FY2019 = TABLES / "hokkaido" / "tourism_stat_report_2019_monthly.csv"
OSHIMA_FY2005 = TABLES / "hokkaido_cut" / "tourism_stat_report_2005_monthly_oshima.csv"


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


def test_fishery_name_column_points_to_settings(master):
    # Column C contains the names, and C16 (羅臼町) is the first cell of it that
    # the reader takes as a value.
    settings = table(**{**FISHERY_SETTINGS, "columns": {"C": "漁業経営体数"}})
    with pytest.raises(InputError) as caught:
        load_table(settings, [FISHERY], TABLES, master)
    assert caught.value.place == "シート j119-25-002、セル C16"
    assert "列 C（columns など）と data_rows" in caught.value.hint


def test_fishery_merged_heading_by_text(master):
    # Column F's heading is 計 in row 7; the heading text selects it too.
    settings = table(**{**FISHERY_SETTINGS, "columns": {"計": "経営体数"}})
    dataset = load_table(settings, [FISHERY], TABLES, master)
    assert value_of(dataset, "経営体数", "14383", "2013")["value"] == 41


def test_fishery_credit_is_declared_source(fishery):
    assert (
        credit_text(fishery.provenance.values()) == "農林水産省「2013年漁業センサス」"
    )


@pytest.mark.parametrize(
    ("settings", "setting", "row"),
    [
        ({"data_rows": "800-900"}, "data_rows", 800),
        ({"data_rows": "12-900"}, "data_rows", 900),
        ({"header_rows": [900], "data_rows": None}, "header_rows", 900),
    ],
)
def test_fishery_rows_past_sheet_end(master, settings, setting, row):
    # Sheet j119-25-002 has 742 rows: row 742 is the last municipality.
    with pytest.raises(InputError) as caught:
        load_table(table(**{**FISHERY_SETTINGS, **settings}), [FISHERY], TABLES, master)
    error = caught.value
    assert error.file.endswith(FISHERY.name)
    assert error.place == f"シート j119-25-002、設定 {setting}"
    assert f"{row}行目" in error.message
    assert "最後の行（742行目）" in error.message


def test_fishery_column_past_sheet_end(master):
    # The sheet's columns run from A to AV (48 columns).
    settings = table(**{**FISHERY_SETTINGS, "columns": {"ZZ": "漁業経営体数"}})
    with pytest.raises(InputError) as caught:
        load_table(settings, [FISHERY], TABLES, master)
    error = caught.value
    assert error.file.endswith(FISHERY.name)
    assert error.place == "シート j119-25-002、設定 columns"
    assert "列 ZZ" in error.message
    assert "最後の列（AV列）" in error.message


def test_fishery_rows_without_values(master):
    # Rows 8–11 below the headings are empty; 全国 is row 12.
    settings = table(**{**FISHERY_SETTINGS, "data_rows": "8-11"})
    with pytest.raises(InputError) as caught:
        load_table(settings, [FISHERY], TABLES, master)
    assert "8～11行目から値を1つも読めませんでした" in caught.value.message
    assert caught.value.place == "シート j119-25-002、設定 data_rows"


# --- 北海道観光入込客数調査 (one CSV per fiscal year, 千人) ---

HOKKAIDO_SETTINGS = dict(
    period_from_file=r"_(\d{4})_",
    period_kind="fiscal_year",
    area_column="commune",
    prefecture="北海道",
    indicator_columns=["type"],
    columns={"sum": ""},
    unit="千人",
    # 上湧別町 merged into 湧別町 on 2009-10-05. FY2006 line 116 counts 定山渓
    # apart from 札幌市, and line 1020 misprints 中札内村 as 中札内町 (the FY2019
    # file, line 932, and the master list spell it 中札内村).
    area_aliases={"上湧別町": "湧別町", "定山渓": "札幌市", "中札内町": "中札内村"},
)


@pytest.fixture(scope="module")
def lodging(master):
    return load_table(table(**HOKKAIDO_SETTINGS), HOKKAIDO, TABLES, master)


@pytest.fixture(scope="module")
def monthly(master):
    settings = table(**HOKKAIDO_SETTINGS, months_in_columns=True)
    return load_table(settings, [HOKKAIDO_FY2006, HOKKAIDO_FY2019], TABLES, master)


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
    # FY2019 rows have 20 fields (trailing comma), FY2006 and FY2010 rows 19;
    # 179 municipalities in each, FY2006's former towns counted in today's.
    for period in ("FY2006", "FY2010", "FY2019"):
        part = lodging.frame[lodging.frame["period"] == period]
        assert part["area_code"].nunique() == 179


def test_lodging_unknown_name_located(master):
    settings = table(**{**HOKKAIDO_SETTINGS, "area_aliases": {}})
    files = [path for path in HOKKAIDO if "_2009_" in path.name]
    with pytest.raises(InputError, match="上湧別町") as caught:
        load_table(settings, files, TABLES, master)
    assert caught.value.place == "セル C851"
    assert "area_aliases" in caught.value.hint


# --- former municipalities (平成の大合併) in FY2005 and FY2006 ---


def test_former_names_with_successor(lodging):
    # FY2006 lines 150, 168 and 174 (内宿泊客, column Q sum): 旧石狩市（現石狩市）
    # 14.2, 旧厚田村（現石狩市） 3.6 and 旧浜益村（現石狩市） 86.0 千人;
    # 14.2 + 3.6 + 86.0 = 103.8.
    row = value_of(lodging, "内宿泊客", "01235", "FY2006")
    assert row["value"] == 103_800
    assert row["area_name"] == "石狩市"


def test_annotated_name_with_alias(lodging):
    # FY2006 lines 114 and 120 (内宿泊客): 札幌市（定山渓を除く。） 5343.7 and
    # 定山渓 1774.0 千人; 5343.7 + 1774.0 = 7117.7.
    assert value_of(lodging, "内宿泊客", "01100", "FY2006")["value"] == 7_117_700


def test_former_names_by_alias(master):
    # 上磯町 and 大野町 merged into 北斗市 on 2006-02-01, 熊石町 into 八雲町 on
    # 2005-10-01 (FY2006 line 32 already names 旧上磯町（現北斗市）).
    aliases = {"上磯町": "北斗市", "大野町": "北斗市", "熊石町": "八雲町"}
    settings = table(**{**HOKKAIDO_SETTINGS, "area_aliases": aliases})
    dataset = load_table(settings, [OSHIMA_FY2005], TABLES, master)
    # Lines 36 and 42 (内宿泊客): (旧）上磯町 27.7 + （旧）大野町 22.8 = 50.5.
    assert value_of(dataset, "内宿泊客", "01236", "FY2005")["value"] == 50_500
    # Lines 66 and 72: （旧）八雲町 13.2, read as today's 八雲町 by its name,
    # + （旧）熊石町 20.1 = 33.3.
    assert value_of(dataset, "内宿泊客", "01346", "FY2005")["value"] == 33_300


def test_former_name_without_successor(master):
    settings = table(**{**HOKKAIDO_SETTINGS, "area_aliases": {}})
    with pytest.raises(InputError, match="合併前") as caught:
        load_table(settings, [OSHIMA_FY2005], TABLES, master)
    # Line 32, the first row of (旧）上磯町.
    assert caught.value.place == "セル C32"
    assert "上磯町: 合併後の市町村名" in caught.value.hint


# --- monthly values (months_in_columns) ---


def test_months_from_fiscal_year(monthly):
    # FY2019 line 150 (札幌市 内宿泊客): april 705.2 → 2019-04, march 174.5 →
    # 2020-03 (the March of FY2019), both 千人.
    april = value_of(monthly, "内宿泊客", "01100", "2019-04")
    assert april["value"] == 705_200
    assert april["period_kind"] == "month"
    assert value_of(monthly, "内宿泊客", "01100", "2020-03")["value"] == 174_500
    # Column sum keeps its fiscal-year row: 8640 千人.
    total = value_of(monthly, "内宿泊客", "01100", "FY2019")
    assert total["value"] == 8_640_000
    assert total["period_kind"] == "fiscal_year"


def test_months_of_former_names_added_up(monthly):
    # FY2006 lines 114 and 120, column I (august): 札幌市（定山渓を除く。） 635.3
    # + 定山渓 151.1 = 786.4 千人.
    assert value_of(monthly, "内宿泊客", "01100", "2006-08")["value"] == 786_400


def test_months_blank_cell_missing(monthly):
    # FY2006 line 557 (平取町 内日帰客): the april cell E557 is empty.
    row = value_of(monthly, "内日帰客", "01602", "2006-04")
    assert row["value"] != row["value"]
    assert row["status"] == "not_surveyed"
    assert value_of(monthly, "内日帰客", "01602", "2006-05")["value"] == 16_900


def test_months_per_file(monthly):
    part = monthly.frame[
        (monthly.frame["period_kind"] == "month")
        & (monthly.frame["area_code"] == "01100")
        & (monthly.frame["indicator"] == "内宿泊客")
    ]
    assert sorted(part["period"])[:2] == ["2006-04", "2006-05"]
    assert len(part) == 24
    reference = monthly.provenance[
        "table/hokkaido/tourism_stat_report_2019_monthly.csv"
    ]
    assert reference.reference == "FY2019、2019-04～2020-03"


def test_month_columns_limit_range(master):
    # E:O is april … february; march (column P) is left out.
    settings = table(**HOKKAIDO_SETTINGS, months_in_columns=True, month_columns="E:O")
    dataset = load_table(settings, [HOKKAIDO_FY2019], TABLES, master)
    months = dataset.frame[dataset.frame["period_kind"] == "month"]
    assert months["period"].max() == "2020-02"
    assert months["period"].nunique() == 11


def test_month_headings_missing(master):
    settings = table(**HOKKAIDO_SETTINGS, months_in_columns=True, month_columns="Q:S")
    with pytest.raises(InputError, match="月") as caught:
        load_table(settings, [HOKKAIDO_FY2019], TABLES, master)
    assert "month_columns" in caught.value.hint


def test_parse_month_names():
    # Headings of the converter (april) and of Japanese sheets (４月, 4月分).
    for text, month in (
        ("april", 4),
        ("March", 3),
        ("Sept.", 9),
        ("４月", 4),
        ("12月分", 12),
    ):
        assert parse_month(text) == month, text
    for text in ("sum", "ma", "13月", "previous_year", None):
        assert parse_month(text) is None, text
    assert parse_month(4) is None
    assert parse_month(4, numbers=True) == 4


def test_month_period_fiscal_and_calendar():
    assert month_period(Period(2019, fiscal=True), 4) == "2019-04"
    assert month_period(Period(2019, fiscal=True), 3) == "2020-03"
    assert month_period(Period(2019), 3) == "2019-03"


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


def test_accounts_sheet_numbered_labels(master):
    # Sheet Ⅰ (市内総生産勘定): labels with their numbers in column A, 平成13年度
    # … 24年度 in B:M of row 5; rows 7-22 are the amounts, before the tables of
    # growth rates (row 31 on) that repeat the labels.
    settings = table(
        sheet="Ⅰ",
        header_rows=[5],
        data_rows="7-22",
        area="28100",
        periods_in_columns=True,
        indicator_columns=["A"],
        unit="100万円",
    )
    dataset = load_table(settings, [KOBE], TABLES, master)
    # B7 「１．雇用者報酬（市内活動）」 3,261,973; M19 「10．財貨・サービスの
    # 移出入（純）」 534,917 (24年度).
    row = value_of(dataset, "1.雇用者報酬(市内活動)", "28100", "FY2001")
    assert row["value"] == 3_261_973 * 1_000_000
    row = value_of(dataset, "10.財貨・サービスの移出入(純)", "28100", "FY2012")
    assert row["value"] == 534_917 * 1_000_000
    # Row 11 「（控除）補助金」 has no values: missing, not 0.
    row = value_of(dataset, "(控除)補助金", "28100", "FY2001")
    assert row["status"] == "not_surveyed"
    assert dataset.frame["period"].nunique() == 12


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


# --- a town's own monthly sheet, written here as an .xlsx ---


def write_monthly_sheet(path, months):
    """Write a sheet of one fiscal year: a month per row, then its total.

    The counts are test input, not data.
    """
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "宿泊"
    sheet.append(["月", "宿泊者数"])
    for month, count in months:
        sheet.append([month, count])
    sheet.append(["計", sum(count for _, count in months)])
    book.save(path)


def monthly_settings(**extra):
    values = dict(
        sheet="宿泊",
        area="14383",
        month_column="A",
        period="FY2023",
        period_kind="fiscal_year",
        columns={"B": "宿泊者数"},
        unit="人",
        source="真鶴町 産業観光課",
    )
    values.update(extra)
    return table(**values)


def test_month_rows_from_fiscal_year(tmp_path, master):
    path = tmp_path / "lodging.xlsx"
    write_monthly_sheet(path, [("4月", 3000), ("５月", 3200), ("3月", 2900)])
    dataset = load_table(monthly_settings(), [path], tmp_path, master)
    frame = dataset.frame
    assert sorted(frame["period"]) == ["2023-04", "2023-05", "2024-03"]
    assert set(frame["period_kind"]) == {"month"}
    assert value_of(dataset, "宿泊者数", "14383", "2024-03")["value"] == 2900


def test_month_rows_unreadable_month(tmp_path, master):
    path = tmp_path / "lodging.xlsx"
    write_monthly_sheet(path, [("4月", 3000), ("上期", 3200)])
    with pytest.raises(InputError, match="上期") as caught:
        load_table(monthly_settings(), [path], tmp_path, master)
    assert caught.value.place == "シート 宿泊、セル A3"


def test_month_headings_repeated(tmp_path, master):
    # Two fiscal years side by side under the same month headings.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["項目", "4月", "5月", "4月", "5月"])
    sheet.append(["宿泊者数", 3000, 3200, 3100, 3300])
    path = tmp_path / "two_years.xlsx"
    book.save(path)
    settings = table(
        area="14383",
        months_in_columns=True,
        indicator_columns=["A"],
        period="FY2023",
        period_kind="fiscal_year",
        unit="人",
    )
    with pytest.raises(InputError, match="4月") as caught:
        load_table(settings, [path], tmp_path, master)
    assert "B、D" in caught.value.message
    assert "month_columns" in caught.value.hint
