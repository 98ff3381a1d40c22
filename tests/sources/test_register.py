"""Tests of town summary tables: real Kobe .xls files and .xlsx files in each layout."""

from __future__ import annotations

import math
from datetime import datetime

import openpyxl
import pytest
from openpyxl.styles import numbers

from databook.errors import InputError
from databook.model import Status
from databook.sources.register import Layout, header_indicator, load_register_table
from tests.conftest import TEST_DATA

REGISTER = TEST_DATA / "register"
TRIANGLE = '#,##0;"△ "#,##0;"―"'
ERA_MONTH = '[$-411]ggge"年"m"月"'


def load(path, **options):
    return load_register_table(
        path, display_path=path.name, area_code="14383", area_name="真鶴町", **options
    )


def value(dataset, indicator, period, district="", age=""):
    frame = dataset.frame
    rows = frame[
        (frame["indicator"] == indicator)
        & (frame["period"] == period)
        & (frame["district"] == district)
        & (frame["category"] == age)
    ]
    assert len(rows) == 1, (indicator, period, district)
    return rows.iloc[0]


# --- Real files --------------------------------------------------------------------


@pytest.fixture(scope="module")
def kobe():
    return load(REGISTER / "kobe_jinkou2708.xls")


def test_kobe_monthly_dynamics(kobe):
    dataset, _ = kobe
    # kobe_jinkou2708.xls, sheet 毎月人口ＨＰ, row 43 (平成27年７月): F43 出生 1079,
    # G43 死亡 1269, E43 自然増加数 −190 (= 1079 − 1269), I43 転入 6206,
    # K43 転出 6004, H43 社会増加数 202 (= 6206 − 6004).
    assert value(dataset, "births", "2015-07")["value"] == 1079
    assert value(dataset, "deaths", "2015-07")["value"] == 1269
    assert value(dataset, "natural_change", "2015-07")["value"] == 1079 - 1269
    assert value(dataset, "moves_in", "2015-07")["value"] == 6206
    assert value(dataset, "moves_out", "2015-07")["value"] == 6004
    assert value(dataset, "social_change", "2015-07")["value"] == 6206 - 6004


def test_kobe_negative_stored_with_triangle_format(kobe):
    dataset, _ = kobe
    # D41 (平成27年５月, 人口増加数) stores −317.0, shown 「△ 317」 by its format.
    assert value(dataset, "change", "2015-05")["value"] == -317


def test_kobe_era_omitted_year_rows(kobe):
    dataset, _ = kobe
    # A38 「　　   24 年」 follows A37 「　 平成23 年」: D38 人口増加数 −2846.
    assert value(dataset, "change", "2012")["value"] == -2846
    # A11 「　　24年 a)b)」, F11 総数 1542128 (a) = 10月1日現在).
    row = value(dataset, "population", "2012")
    assert row["value"] == 1542128
    assert row["period_kind"] == "year"


def test_kobe_full_width_month(kobe):
    dataset, _ = kobe
    # A16 「平成27年８月」 (full-width ８): F16 総数 1535947, E16 世帯数 699873.
    assert value(dataset, "population", "2015-08")["value"] == 1535947
    assert value(dataset, "households", "2015-08")["unit"] == "世帯"


def test_kobe_padded_district_names(kobe):
    dataset, report = kobe
    # A17 「 東  灘  区    」 under 平成27年８月: F17 総数 213999.
    assert value(dataset, "population", "2015-08", "東灘区")["value"] == 213999
    # A44 「　東　灘　区」 under 平成27年７月: F44 出生 176.
    assert value(dataset, "births", "2015-07", "東灘区")["value"] == 176
    assert len(report.districts) == 9


def test_kobe_sub_areas_not_double_counted(kobe):
    dataset, report = kobe
    # A22 本区 and A23 北神 are parts of A21 北区: F21 220874 = 135604 + 85270.
    assert "本区" not in report.districts
    assert "北神" not in report.districts
    assert any("北区の内訳" in reason for reason in report.skipped)
    frame = dataset.frame
    districts = frame[
        (frame["indicator"] == "population")
        & (frame["period"] == "2015-08")
        & (frame["district"] != "")
    ]
    # The nine 区 of F17–F31 without sub-areas add up to F16, 1535947.
    assert districts["value"].sum() == 1535947


def test_kobe_total_rows_skipped(kobe):
    _, report = kobe
    assert any("本年累計" in reason for reason in report.skipped)
    assert any("前年同期累計" in reason for reason in report.skipped)


def test_kobe_sub_count_columns_skipped(kobe):
    dataset, report = kobe
    assert any("J列" in r and "うち" in r for r in report.skipped)
    assert "density" not in set(dataset.frame["indicator"])


def test_kobe_layout_drift_between_releases():
    dataset, report = load(REGISTER / "kobe_jinkou2401.xls")
    # kobe_jinkou2401.xls, sheet １月推計 (HP): A41 「        11月」 takes its year
    # from A40 「平成23年10月」; F41 出生 1076, G41 死亡 1208.
    assert value(dataset, "births", "2011-11")["value"] == 1076
    assert value(dataset, "deaths", "2011-11")["value"] == 1208
    # A12 「　　22年 a)ｂ）」 with a full-width footnote mark: F12 1544200.
    assert value(dataset, "population", "2010")["value"] == 1544200
    assert "2012-01" in report.periods


def test_kobe_sheet_by_name():
    dataset, _ = load(REGISTER / "kobe_jinkou2708.xls", sheet_name="毎月人口ＨＰ")
    assert not dataset.frame.empty
    with pytest.raises(InputError, match="シート「人口」"):
        load(REGISTER / "kobe_jinkou2708.xls", sheet_name="人口")


def test_shizuoka_open_data_layout():
    dataset, report = load(REGISTER / "shizuoka_221007_population_202303.csv")
    # shizuoka_221007_population_202303.csv, line 2 (葵, 2023/03/31, 総数):
    # col I 総数 "11,841", col EF 世帯数 6,385, 15歳未満 1,290 + 15～64歳 6,908
    # + 65歳以上 3,643 = 11,841.
    assert value(dataset, "population", "2023-03-31", "葵")["value"] == 11841
    assert value(dataset, "households", "2023-03-31", "葵")["value"] == 6385
    young = value(dataset, "population_young", "2023-03-31", "葵")["value"]
    working = value(dataset, "population_working", "2023-03-31", "葵")["value"]
    elderly = value(dataset, "population_elderly", "2023-03-31", "葵")["value"]
    assert young + working + elderly == 11841
    assert len(report.districts) == 75


# --- Age classes of the open-data layout -------------------------------------------

SHIZUOKA = REGISTER / "shizuoka_221007_population_202303.csv"
# 1-based columns of the Shizuoka header: H 性別, I 総数, J 0歳 … DF 100歳以上,
# DG 不詳, DH 0～4歳 … EA 95～99歳.
SEX, TOTAL, AGE_2, FIVE_FIRST, FIVE_LAST = 8, 9, 12, 112, 131


def shizuoka_cut(path, lines, *, changes=None, drop=()):
    """Write the header and the given lines (2 = first data row) of the real file.

    `changes` maps (line, 1-based column) to a new cell text; `drop` lists
    1-based columns left out of every row. Unchanged lines keep their bytes.
    """
    import csv
    import io

    changes = changes or {}
    text = SHIZUOKA.read_text(encoding="utf-8").splitlines()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for line in [1, *lines]:
        original = text[line - 1]
        cells = next(csv.reader([original]))
        edits = {c: v for (row, c), v in changes.items() if row == line}
        if not edits and not drop:
            out.write(original + "\n")
            continue
        for column, new in edits.items():
            cells[column - 1] = new
        writer.writerow([c for i, c in enumerate(cells, start=1) if i not in drop])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_shizuoka_five_year_classes():
    dataset, report = load(SHIZUOKA)

    # Line 2 (葵, 総数): DH 0～4歳 338 (= J–N 69 + 54 + 59 + 83 + 73),
    # DR 50～54歳 961, DF 100歳以上 12, DG 不詳 0.
    def age(label, district="葵"):
        return value(dataset, "population", "2023-03-31", district, label)

    assert age("0～4歳")["value"] == 69 + 54 + 59 + 83 + 73
    assert age("50～54歳")["value"] == 961
    assert age("100歳以上")["value"] == 12
    assert age("不詳")["value"] == 0
    # Line 3 (新通): DH 0～4歳 173.
    assert age("0～4歳", "新通")["value"] == 173
    assert age("0～4歳")["age_basis"] == "five_year"
    assert any("5歳階級の列（0～4歳から95～99歳まで）" in n for n in report.notes)
    # 21 classes and 不詳 for each of the 75 district rows.
    ages = dataset.frame[dataset.frame["breakdown"] == "age"]
    assert len(ages) == 22 * 75


def test_single_years_summed_without_five_year_columns(tmp_path):
    path = shizuoka_cut(
        tmp_path / "single.csv", [2, 3], drop=range(FIVE_FIRST, FIVE_LAST + 1)
    )
    dataset, report = load(path)
    row = value(dataset, "population", "2023-03-31", "葵", "0～4歳")
    # Line 2 (葵), J–N 0歳…4歳: 69 + 54 + 59 + 83 + 73.
    assert row["value"] == 69 + 54 + 59 + 83 + 73
    assert row["age_basis"] == "single_year"
    top = value(dataset, "population", "2023-03-31", "葵", "100歳以上")
    assert top["value"] == 12
    assert any("各歳の列を5歳ごとに合計" in note for note in report.notes)


def test_changed_single_year_cell_located(tmp_path):
    # Line 3 (新通) L 2歳 31 → 32: 0～4歳 (DH3, 173) no longer adds up.
    path = shizuoka_cut(tmp_path / "cut.csv", [2, 3, 4], changes={(3, AGE_2): "32"})
    with pytest.raises(InputError) as raised:
        load(path)
    assert raised.value.file == "cut.csv"
    assert raised.value.place == "セル DH3"
    assert "3行目" in raised.value.message
    assert "「0～4歳」（DH列）" in raised.value.message
    assert "174" in raised.value.message  # 31 + 39 + 32 + 29 + 43


def test_changed_total_cell_located(tmp_path):
    # Line 4 (駒形) I 総数 "6,327" → "6,328": the classes add up to 6,327.
    path = shizuoka_cut(tmp_path / "cut.csv", [2, 3, 4], changes={(4, TOTAL): "6,328"})
    with pytest.raises(InputError) as raised:
        load(path)
    assert raised.value.place == "セル I4"
    assert "「総数」（I列）は6,328" in raised.value.message
    assert "6,327" in raised.value.message


def test_sex_rows_read_apart(tmp_path):
    # A derived cut: the real lines 2 (葵) and 3 (新通) with H 性別 changed
    # from 総数 to 男 and 女. The file itself has 総数 rows only.
    path = shizuoka_cut(
        tmp_path / "sexes.csv", [2, 3], changes={(2, SEX): "男", (3, SEX): "女"}
    )
    dataset, _ = load(path)
    male = value(dataset, "population_male", "2023-03-31", "葵", "0～4歳")
    female = value(dataset, "population_female", "2023-03-31", "新通", "0～4歳")
    assert male["value"] == 338
    assert female["value"] == 173
    assert value(dataset, "population_male", "2023-03-31", "葵")["value"] == 11841


def test_sex_rows_against_total_row(tmp_path):
    # Derived: line 2 (葵, 総数 11,841) and lines 3 and 4 relabelled 男 and 女
    # of 葵, whose 総数 8,466 + 6,327 = 14,793 is not 11,841.
    path = shizuoka_cut(
        tmp_path / "sexes.csv",
        [2, 3, 4],
        changes={(3, SEX): "男", (3, 5): "葵", (4, SEX): "女", (4, 5): "葵"},
    )
    with pytest.raises(InputError) as raised:
        load(path)
    assert raised.value.place == "セル I2"
    assert "14,793" in raised.value.message


def test_shizuoka_unused_columns_listed():
    _, report = load(SHIZUOKA)
    assert "EE列（75歳以上: 使わない列）" in report.skipped
    assert "A列（全国地方公共団体コード: 使わない列）" in report.skipped


# --- Generated workbooks in each layout ----------------------------------------------


def merged_bilingual_workbook(path):
    """Write a sheet with merged two-row bilingual headers and text notations."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "人口動態"
    sheet["A1"] = "真鶴町の人口動態"
    sheet["A2"] = "年　月 Year and Month"
    sheet["B2"] = "自 然 動 態 Natural Change"
    sheet.merge_cells("B2:D2")
    sheet["E2"] = "社会動態 Migration"
    sheet.merge_cells("E2:G2")
    for column, label in zip(
        "BCDEFG",
        ("出　生 Births", "死　亡 Deaths", "自然増減", "転  入", "転  出", "社会増減"),
        strict=True,
    ):
        sheet[f"{column}3"] = label
    rows = [
        ("平成31年４月", 5, 9, "△4", 12, 10, 2),
        ("令和元年５月 a)", 4, 6, "▲ 2", "1,020", " 1,000 ", 20),
        ("　　６月", "…", "-", "―", 3, 3, 0),
        ("　真　鶴", 1, 2, -1, 2, 1, 1),
        ("　岩", 1, 1, 0, 1, 2, -1),
        ("　　岩東", 1, 0, 1, 1, 1, 0),
        ("　　岩西", 0, 1, -1, 0, 1, -1),
        ("合　計", 10, 15, -5, 1035, 1013, 22),
    ]
    for index, row in enumerate(rows, start=4):
        for column, cell_value in zip("ABCDEFG", row, strict=True):
            cell = sheet[f"{column}{index}"]
            cell.value = cell_value
            if column != "A":
                cell.number_format = TRIANGLE
    sheet["A13"] = "a) 令和元年5月1日から令和"
    workbook.save(path)
    return path


def test_merged_bilingual_headers(tmp_path):
    dataset, report = load(merged_bilingual_workbook(tmp_path / "dynamics.xlsx"))
    # B2:D2 「自 然 動 態」 is merged over B3 出生, C3 死亡, D3 自然増減.
    assert value(dataset, "births", "2019-04")["value"] == 5
    assert value(dataset, "deaths", "2019-04")["value"] == 9
    assert value(dataset, "natural_change", "2019-04")["value"] == -4
    assert any("B列=出生" in note for note in report.notes)


def test_era_change_rows(tmp_path):
    _, report = load(merged_bilingual_workbook(tmp_path / "dynamics.xlsx"))
    # A4 平成31年４月 and A5 令和元年５月 are consecutive months; A6 「　　６月」
    # takes 令和元年 from the row above.
    assert report.periods == ["2019-04", "2019-05", "2019-06"]


def test_text_notations(tmp_path):
    dataset, _ = load(merged_bilingual_workbook(tmp_path / "dynamics.xlsx"))
    # D5 「▲ 2」, E5 "1,020", F5 " 1,000 ".
    assert value(dataset, "natural_change", "2019-05")["value"] == -2
    assert value(dataset, "moves_in", "2019-05")["value"] == 1020
    assert value(dataset, "moves_out", "2019-05")["value"] == 1000


def test_placeholders_and_dash_zero(tmp_path):
    dataset, _ = load(merged_bilingual_workbook(tmp_path / "dynamics.xlsx"))
    births = value(dataset, "births", "2019-06")
    assert math.isnan(births["value"])
    # 「…」 is a figure not obtained, 「-」「―」 are 該当数字なし.
    assert births["status"] == Status.NOT_SURVEYED
    assert value(dataset, "deaths", "2019-06")["status"] == Status.NOT_APPLICABLE
    natural = value(dataset, "natural_change", "2019-06")
    assert natural["status"] == Status.NOT_APPLICABLE
    # G6 stores 0 with format '#,##0;"△ "#,##0;"―"', shown as ―: a zero.
    social = value(dataset, "social_change", "2019-06")
    assert social["value"] == 0
    assert social["status"] == ""


def test_generated_sub_areas_and_total(tmp_path):
    dataset, report = load(merged_bilingual_workbook(tmp_path / "dynamics.xlsx"))
    # 岩東 + 岩西 = 岩 in every column (B: 1 + 0 = 1, F: 1 + 1 = 2, G: 0 − 1 = −1).
    assert report.districts == ["岩", "真鶴"]
    assert value(dataset, "social_change", "2019-06", "岩")["value"] == -1
    assert value(dataset, "natural_change", "2019-06", "真鶴")["value"] == -1
    assert any("合計" in reason for reason in report.skipped)


def stacked_workbook(path):
    """Write two tables in one sheet with era number formats and serial dates."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "毎月"
    sheet.append(["年月", "人口", "世帯数"])
    for month, population, households in ((4, 6801, 3402), (5, 6795, 3400)):
        sheet.append([datetime(2023, month, 1), population, households])
    for row in (2, 3):
        sheet[f"A{row}"].number_format = ERA_MONTH
    sheet.append([])
    sheet.append(["《人口動態》"])
    sheet.append(["年月", "出生", "死亡", "転入", "転出"])
    sheet.append([45017, 1, 3, 10, 14])
    sheet.append(["R5.5", 2, 4, "12", "△"])
    sheet["A7"].number_format = "ge.m"
    sheet["E8"].value = 9
    sheet["E8"].number_format = numbers.FORMAT_NUMBER_COMMA_SEPARATED1
    workbook.save(path)
    return path


def test_stacked_tables(tmp_path):
    dataset, report = load(stacked_workbook(tmp_path / "stacked.xlsx"))
    assert len(report.notes) == 2
    # A2 stores 2023-04-01 shown as 令和5年4月 by ERA_MONTH; B2 6801.
    assert value(dataset, "population", "2023-04")["value"] == 6801
    assert value(dataset, "households", "2023-05")["value"] == 3400
    # A7 stores serial 45017 (2023-04-01) with format ge.m: D7 転入 10.
    assert value(dataset, "moves_in", "2023-04")["value"] == 10
    # A8 is the text R5.5: C8 死亡 4, E8 転出 9.
    assert value(dataset, "deaths", "2023-05")["value"] == 4
    assert value(dataset, "moves_out", "2023-05")["value"] == 9


def test_declared_layout(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Month", "Live births", "Mortality"])
    sheet.append(["R5.4", 2, 5])
    sheet.append(["R5.5", 3, 4])
    path = tmp_path / "english.xlsx"
    workbook.save(path)
    with pytest.raises(InputError, match="見出し"):
        load(path)
    layout = Layout(
        header_rows=(1,), label_column=1, columns={"births": 2, "deaths": 3}
    )
    dataset, _ = load(path, layout=layout)
    assert value(dataset, "births", "2023-05")["value"] == 3
    assert value(dataset, "deaths", "2023-04")["value"] == 5


def test_declared_period_for_district_sheet(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["町丁", "出生", "死亡"])
    sheet.append(["真鶴", 4, 6])
    sheet.append(["岩", 3, 5])
    path = tmp_path / "districts.xlsx"
    workbook.save(path)
    with pytest.raises(InputError, match="年月"):
        load(path)
    dataset, _ = load(path, period="令和5年4月")
    assert value(dataset, "births", "2023-04", "岩")["value"] == 3


def test_error_names_file_sheet_and_cell(tmp_path):
    path = merged_bilingual_workbook(tmp_path / "dynamics.xlsx")
    workbook = openpyxl.load_workbook(path)
    workbook["人口動態"]["D5"] = "不明"
    workbook.save(path)
    with pytest.raises(InputError) as raised:
        load(path)
    assert raised.value.file == "dynamics.xlsx"
    assert raised.value.place == "シート 人口動態、セル D5"
    assert "不明" in raised.value.message
    assert raised.value.hint


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_encodings(tmp_path, encoding):
    text = '年月,出生,死亡,転入,転出\n令和5年4月,2,"1,005",△3,―\n'
    path = tmp_path / f"dynamics-{encoding}.csv"
    path.write_bytes(text.encode(encoding))
    dataset, _ = load(path)
    assert value(dataset, "births", "2023-04")["value"] == 2
    assert value(dataset, "deaths", "2023-04")["value"] == 1005
    assert value(dataset, "moves_in", "2023-04")["value"] == -3
    assert value(dataset, "moves_out", "2023-04")["status"] == Status.NOT_APPLICABLE


def test_unreadable_encoding(tmp_path):
    path = tmp_path / "latin.csv"
    # 0x81 0x20 is invalid UTF-8, and 0x20 cannot follow the CP932 lead byte 0x81.
    path.write_bytes(b"\x81\x20,1\n")
    with pytest.raises(InputError, match="文字コード"):
        load(path)


def test_unknown_extension(tmp_path):
    path = tmp_path / "table.ods"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="拡張子"):
        load(path)


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["自然動態 Natural Change", "出　生", "Births"], "births"),
        (["人口", "増 加 数", "Net Change"], "change"),
        (["自然動態", "自然増加数"], "natural_change"),
        (["人口動態", "対前月"], None),
        (["女 100に 対する男"], None),
        (["転入", "うち市外から"], None),
        (["人口 Population", "男 Males"], "population_male"),
        (["人口 Population", "総 数 Total"], "population"),
    ],
)
def test_header_indicator(labels, expected):
    assert header_indicator(labels)[0] == expected


def test_xls_format_missing_from_map():
    import xlrd

    from databook.sources.sheets import _xls_format

    book = xlrd.open_workbook(REGISTER / "kobe_jinkou2708.xls", formatting_info=True)
    cell = book.sheet_by_index(0).cell(40, 3)  # D41, stored −317.0
    key = book.xf_list[cell.xf_index].format_key
    assert book.format_map[key].format_str == '#,##0;"△ "#,##0'
    # Some .xls writers refer to format records they never wrote: read as General.
    del book.format_map[key]
    missing: set[int] = set()
    assert _xls_format(book, cell.xf_index, missing) is None
    assert missing == {key}


def test_year_total_and_subset_rows_skipped(tmp_path):
    """A monthly report's 年計 row and its うち rows are not districts."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "月報"
    sheet.append(["年　月", "出生", "死亡", "転入", "転出"])
    rows = [
        ("令和5年1月", 3, 8, 20, 25),
        ("（うち外国人）", 0, 0, 4, 2),
        ("2月", 2, 9, 18, 21),
        ("年計", 5, 17, 38, 46),
    ]
    for row in rows:
        sheet.append(row)
    path = tmp_path / "monthly.xlsx"
    workbook.save(path)

    dataset, report = load(path)

    assert report.districts == []
    assert report.periods == ["2023-01", "2023-02"]
    assert "3行目（「(うち外国人)」は内訳の行）" in report.skipped
    assert "5行目（「年計」は合計の行）" in report.skipped
    assert value(dataset, "births", "2023-01")["value"] == 3
