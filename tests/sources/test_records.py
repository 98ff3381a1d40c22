"""Tests of record-level register exports: reading, aggregation and suppression."""

from __future__ import annotations

import csv
import functools
import math
from datetime import date

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from databook.errors import InputError
from databook.model import Status
from databook.sources.codes import load_master
from databook.sources.record_labels import OTHER, PlaceLabels
from databook.sources.records import (
    Notification,
    aggregate,
    derived_changes,
    load_register_records,
    personal_word,
    suppress,
)
from tests.conftest import RAW

HEADER = [
    "氏名",
    "住所",
    "異動日",
    "異動事由",
    "性別",
    "生年月日",
    "転入元・転出先",
    "町丁",
    "世帯主",
    "宛名",
]
# Fake personal details planted in the export. None of them may reach a
# Dataset, a report, an output file or the screen.
NAME = "試験用氏名真鶴花子"
ADDRESS = "試験用住所真鶴町岩九九九番地"
BIRTH = "1950/02/03"
HOUSEHOLDER = "試験用世帯主見本一郎"
ADDRESSEE = "試験用宛名見本二郎"
# The rest of an address after 小田原市 in 転入元・転出先, and a lot number
# after the 町丁 真鶴.
MOVE_ADDRESS = "架空町14丁目14番14号テスト荘"
LOT = "九九九番地の八"

# (異動日, 異動事由, 性別, 転入元・転出先, 町丁), all in 2023. By month:
# 転入 Jan 4 (小田原市 3, 横浜市 1), Feb 1 (湯河原町); 転出 Jan 5 (小田原市);
# 出生 Jan 2, Feb 3; 死亡 Jan 6, Feb 1; 転居 Jan 2; 住所設定 Jan 1.
EVENTS = (
    [("2023/1/5", "転入", "女", "小田原市", "真鶴")] * 3
    + [("2023/1/9", "転入", "男", "横浜市", "岩")]
    + [("2023/2/1", "転入", "男", "湯河原町", "岩")]
    + [("2023/1/20", "転出", "男", "小田原市", "真鶴")] * 5
    + [("2023/1/3", "出生", "女", "", "真鶴")] * 2
    + [("2023/2/3", "出生", "男", "", "岩")] * 3
    + [("2023/1/30", "死亡", "男", "", "真鶴")] * 6
    + [("2023/2/28", "死亡", "女", "", "岩")]
    + [("2023/1/11", "転居", "女", "", "真鶴")] * 2
    + [("2023/1/12", "住所設定", "女", "", "岩")]
)


def written_place(index: int, other: str, district: str) -> tuple[str, str]:
    """Return the 転入元・転出先 and 町丁 as row `index` of the export writes them.

    Some rows carry a whole address, which must be cut to 小田原市 and 真鶴:
    神奈川県小田原市架空町…号室, 神奈川県足柄下郡真鶴町真鶴九九九番地の八 and
    真鶴{index}-2-3.
    """
    if other == "小田原市" and index % 3 == 1:
        other = f"神奈川県小田原市{MOVE_ADDRESS}{index}号室"
    if district == "真鶴" and index % 3 == 0:
        district = f"神奈川県足柄下郡真鶴町真鶴{LOT}"
    elif district == "真鶴" and index % 3 == 1:
        district = f"真鶴{index}-2-3"
    return other, district


def planted_texts() -> list[str]:
    """Return every fake personal detail of `write_export`'s file."""
    texts = [NAME, ADDRESS, BIRTH, HOUSEHOLDER, ADDRESSEE, MOVE_ADDRESS, LOT]
    texts += [BIRTH.replace("/", "-"), "19500203", "テスト荘", "14番14号"]
    for index, (_, _, _, other, district) in enumerate(EVENTS):
        for written, clean in zip(
            written_place(index, other, district), (other, district), strict=True
        ):
            if written != clean:
                texts.append(written)
    return texts


def write_export(path, *, encoding="cp932", birth=BIRTH):
    with path.open("w", newline="", encoding=encoding) as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADER)
        for index, (day, event, sex, other, district) in enumerate(EVENTS):
            writer.writerow(
                [
                    f"{NAME}{index}",
                    f"{ADDRESS}{index}",
                    day,
                    event,
                    sex,
                    birth,
                    *written_place(index, other, district),
                    f"{HOUSEHOLDER}{index}",
                    f"{ADDRESSEE}{index}",
                ]
            )
    return path


def write_rows(path, header, rows):
    """Write a UTF-8 CSV export with `header` and `rows` (lists of cells)."""
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@functools.cache
def master():
    return load_master(RAW / "codes" / "localgovjp-utf8.csv")


def load(path, **options):
    return load_register_records(
        path,
        display_path=path.name,
        area_code="14383",
        area_name="真鶴町",
        master=master(),
        **options,
    )


def cell(dataset, indicator, period, breakdown="", category=""):
    frame = dataset.frame
    rows = frame[
        (frame["indicator"] == indicator)
        & (frame["period"] == period)
        & (frame["breakdown"] == breakdown)
        & (frame["category"] == category)
    ]
    assert len(rows) == 1, (indicator, period, breakdown, category)
    return rows.iloc[0]


@pytest.fixture
def export(tmp_path):
    return load(write_export(tmp_path / "idou.csv"))


def test_year_totals(export):
    dataset, _ = export
    # From EVENTS: 転入 4 + 1, 転出 5, 出生 2 + 3, 死亡 6 + 1.
    assert cell(dataset, "moves_in", "2023")["value"] == 5
    assert cell(dataset, "moves_out", "2023")["value"] == 5
    assert cell(dataset, "births", "2023")["value"] == 5
    assert cell(dataset, "deaths", "2023")["value"] == 7


def test_primary_suppression(export):
    dataset, _ = export
    # 転入 in February is 1, below the threshold 3.
    row = cell(dataset, "moves_in", "2023-02")
    assert math.isnan(row["value"])
    assert row["status"] == Status.SUPPRESSED
    # 転居 in 2023 is 2: the year total itself is below 3.
    assert cell(dataset, "moves_within", "2023")["status"] == Status.SUPPRESSED


def test_complementary_suppression(export):
    dataset, _ = export
    # 転入: January 4 would give February as 5 − 4, so January is hidden too.
    assert cell(dataset, "moves_in", "2023-01")["status"] == Status.SUPPRESSED
    # 出生: January 2 is hidden, so February 3 is hidden as its complement.
    assert cell(dataset, "births", "2023-02")["status"] == Status.SUPPRESSED
    # 死亡: February 1 is hidden, so January 6 is hidden as its complement.
    assert cell(dataset, "deaths", "2023-01")["status"] == Status.SUPPRESSED
    # 転出: January 5 and February 0 stay.
    assert cell(dataset, "moves_out", "2023-01")["value"] == 5
    assert cell(dataset, "moves_out", "2023-02")["value"] == 0


def test_other_municipality_breakdown(export):
    dataset, _ = export
    # 転入元 in 2023: 小田原市 3 shown; 横浜市 1 and 湯河原町 1 both hidden.
    assert (
        cell(dataset, "moves_in", "2023", "other_municipality", "小田原市")["value"]
        == 3
    )
    for town in ("横浜市", "湯河原町"):
        row = cell(dataset, "moves_in", "2023", "other_municipality", town)
        assert row["status"] == Status.SUPPRESSED
    frame = dataset.frame
    births = frame[
        (frame["indicator"] == "births") & (frame["breakdown"] == "other_municipality")
    ]
    assert births.empty


def test_derived_changes(export):
    dataset, _ = export
    # 2023: 出生 5 − 死亡 7 = −2; 転入 5 + その他 0 − 転出 5 − その他 0 = 0.
    assert cell(dataset, "natural_change", "2023")["value"] == -2
    assert cell(dataset, "social_change", "2023")["value"] == 0
    # January: 出生 is hidden, so 出生 − 死亡 is hidden as well.
    assert cell(dataset, "natural_change", "2023-01")["status"] == Status.SUPPRESSED


def test_age_groups_from_birth_date(export):
    dataset, _ = export
    # Everyone was born 1950-02-03, so aged 72 or 73 in 2023: 65歳以上.
    # 転出 5 people, all 65歳以上.
    assert cell(dataset, "moves_out", "2023", "age_group", "65歳以上")["value"] == 5


def test_districts_reported(export):
    _, report = export
    assert report.districts == ["岩", "真鶴"]
    assert any("住所設定" in reason for reason in report.skipped)


def test_only_declared_columns_kept(export):
    dataset, report = export
    text = dataset.frame.to_csv() + "\n".join(report.notes + report.skipped)
    for planted in planted_texts():
        assert planted not in text, planted
    assert "1950" not in text
    assert "氏名" not in " ".join(report.notes)
    assert any("4 列は読まずに捨てました" in note for note in report.notes)


def test_addresses_cut_to_labels(export):
    dataset, _ = export
    frame = dataset.frame
    others = set(frame.loc[frame["breakdown"] == "other_municipality", "category"])
    districts = set(frame.loc[frame["breakdown"] == "district", "category"])
    # written_place writes rows 1 and 7 as 神奈川県小田原市架空町…号室.
    assert others == {"小田原市", "横浜市", "湯河原町"}
    assert districts == {"真鶴", "岩"}
    # 転出 rows 5-9 are all in 真鶴: rows 6 and 9 write it with the lot
    # number 九九九番地の八, row 7 as 真鶴7-2-3.
    assert cell(dataset, "moves_out", "2023", "district", "真鶴")["value"] == 5


def test_threshold_setting(tmp_path):
    dataset, _ = load(write_export(tmp_path / "idou.csv"), threshold=1)
    assert not (dataset.frame["status"] == Status.SUPPRESSED).any()
    assert cell(dataset, "moves_in", "2023-02")["value"] == 1


def test_utf8_bom_and_xlsx_match_cp932(tmp_path):
    cp932, _ = load(write_export(tmp_path / "a.csv"))
    bom, _ = load(write_export(tmp_path / "b.csv", encoding="utf-8-sig"))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    with (tmp_path / "a.csv").open(encoding="cp932", newline="") as stream:
        for row in csv.reader(stream):
            sheet.append(row)
    workbook.save(tmp_path / "c.xlsx")
    xlsx, _ = load(tmp_path / "c.xlsx")
    columns = ["indicator", "period", "breakdown", "category", "value", "status"]
    expected = cp932.frame[columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(bom.frame[columns].reset_index(drop=True), expected)
    pd.testing.assert_frame_equal(xlsx.frame[columns].reset_index(drop=True), expected)


def test_declared_column_names(tmp_path):
    path = tmp_path / "renamed.csv"
    path.write_text(
        "受付日,届出の種類,氏名\n2023/4/1,転入,試験\n2023/4/2,転入,試験\n"
        "2023/4/3,転入,試験\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="必要な列"):
        load(path)
    dataset, _ = load(path, columns={"date": "受付日", "event": "届出の種類"})
    assert cell(dataset, "moves_in", "2023-04")["value"] == 3


def test_declared_column_missing(tmp_path):
    path = write_export(tmp_path / "idou.csv")
    with pytest.raises(InputError, match="異動年月日"):
        load(path, columns={"date": "異動年月日"})


def test_bad_birth_date_hides_value(tmp_path):
    path = write_export(tmp_path / "idou.csv", birth="S25.13.40")
    with pytest.raises(InputError) as raised:
        load(path)
    text = str(raised.value)
    assert "S25.13.40" not in text
    # The first data row is row 2; 生年月日 is column F.
    assert raised.value.place == "セル F2"


def test_impossible_birth_day_hides_value(tmp_path):
    path = write_export(tmp_path / "idou.csv", birth="1950/2/30")
    with pytest.raises(InputError) as raised:
        load(path)
    assert "1950" not in str(raised.value)
    assert raised.value.place == "セル F2"


def test_bad_date_names_cell(tmp_path):
    path = tmp_path / "idou.csv"
    path.write_text("異動日,異動事由\n不明,転入\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load(path)
    assert raised.value.place == "セル A2"
    assert "不明" not in str(raised.value)


@pytest.mark.parametrize("day", [ADDRESS, "2023/2/30", BIRTH + "頃"])
def test_bad_date_hides_value(tmp_path, day):
    path = write_rows(
        tmp_path / "idou.csv",
        ["異動日", "異動事由"],
        [["2023/1/5", "転入"], [day, "転入"]],
    )
    with pytest.raises(InputError) as raised:
        load(path)
    assert raised.value.place == "セル A3"
    assert day not in str(raised.value)
    assert "値は表示しません" in raised.value.message


def test_shifted_row_hides_address(tmp_path):
    # Row 3 has an unquoted comma in the address before 異動日, so the
    # address's second half lands in 異動日 and everything moves right.
    path = tmp_path / "idou.csv"
    path.write_text(
        "住所,異動日,異動事由\n"
        f"{ADDRESS},2023/1/5,転入\n"
        f"試験用住所真鶴町,岩九九九番地の八,2023/1/6,転入\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as raised:
        load(path)
    assert raised.value.place == "セル B3"
    assert "九九九" not in str(raised.value)


def test_bad_age_hides_value(tmp_path):
    path = write_rows(
        tmp_path / "idou.csv",
        ["異動日", "異動事由", "年齢"],
        [["2023/1/5", "転入", "34"], ["2023/1/6", "転入", "1940/1/1"]],
    )
    with pytest.raises(InputError) as raised:
        load(path)
    assert raised.value.place == "セル C3"
    assert "1940" not in str(raised.value)


def test_unknown_events_not_echoed(tmp_path):
    rows = [
        ["2023/1/5", "転入"],
        ["2023/1/6", "転入"],
        ["2023/1/7", "転入"],
        ["2023/1/8", NAME],
        ["2023/1/9", "世帯分離"],
        ["2023/1/10", "通称記載"],
        ["2023/1/11", ""],
    ]
    path = write_rows(tmp_path / "idou.csv", ["異動日", "異動事由"], rows)
    dataset, report = load(path)
    text = "\n".join(report.skipped)
    assert NAME not in text
    # Rows 5 (a name), 6 and 7 (not counted: 通称記載 contains 記載 but adds
    # no one) and 8 (blank), after the header in row 1.
    assert "集計する異動事由に当たらない 1 件（B列の 5行目。値は表示しません）" in text
    assert "異動事由「世帯分離」の 1 件（集計しない事由）" in text
    assert "異動事由「通称記載」の 1 件（集計しない事由）" in text
    assert "異動事由が空欄の 1 件（B列の 8行目）" in text
    assert set(dataset.frame["indicator"]) == {
        "moves_in",
        "natural_change",
        "social_change",
    }


# --- Published labels of 転入元・転出先 and 町丁 -----------------------------------


@pytest.fixture(scope="module")
def labels():
    # The book's municipality is 真鶴町 (14383) of 神奈川県.
    return PlaceLabels(master(), master().get("14383"))


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("小田原市", "小田原市"),
        ("神奈川県小田原市", "小田原市"),
        ("小田原市架空町14丁目14番14号テスト荘14号室", "小田原市"),
        ("神奈川県足柄下郡湯河原町", "湯河原町"),
        ("横浜市中区山下町1-2", "横浜市中区"),
        ("中区", "横浜市中区"),
        ("東京都新宿区", "東京都新宿区"),
        ("新宿区架空1-2-3", "東京都新宿区"),
        ("東京都", "東京都"),
        ("東京都架空区1-2", "東京都"),
        ("東村山市本町", "東京都東村山市"),
        ("国外", "国外"),
        ("海外（アメリカ合衆国）", "国外"),
        # 14206 is 小田原市 in data/raw/codes/localgovjp-utf8.csv.
        ("14206", "小田原市"),
        # Two 府中市 (東京都, 広島県), neither in 神奈川県.
        ("府中市", None),
        ("アメリカ合衆国", None),
        (NAME, None),
        (HOUSEHOLDER, None),
        ("1940/1/1", None),
        ("昭和15年1月1日", None),
        ("0465-99-1000", None),
        ("", None),
    ],
)
def test_municipality_label(labels, text, label):
    assert labels.municipality(text) == label


def test_municipality_label_six_digit_code(labels):
    # 小田原市 14206: 1*6 + 4*5 + 2*4 + 0*3 + 6*2 = 46; 46 mod 11 = 2;
    # (11 - 2) mod 10 = 9, so 142069 is right and 142060 is not a code.
    assert labels.municipality("142069") == "小田原市"
    assert labels.municipality("142060") is None


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("岩", "岩"),
        ("岩244番地", "岩"),
        ("岩九九九番地", "岩"),
        ("岩1番地の101", "岩"),
        ("神奈川県足柄下郡真鶴町岩244番地", "岩"),
        ("真鶴町真鶴1-2-3", "真鶴"),
        ("試験用住所真鶴町岩九九九番地", "岩"),
        ("本町一丁目2番3号", "本町一丁目"),
        ("本町1丁目2-3", "本町1丁目"),
        ("本町1-2-3", "本町"),
        ("北1条西2丁目3番4号", "北1条西2丁目"),
        ("三番町", "三番町"),
        ("一番町5番地", "一番町"),
        ("大字真鶴字西1234番地", "大字真鶴字西"),
        ("岩244", None),
        ("1940/1/1", None),
        ("1940-01-01", None),
        ("昭和15年1月1日", None),
        ("S15.1.1", None),
        ("0465-99-1000", None),
        ("TARO TEST", None),
        ("真鶴町", None),
        ("244番地", None),
    ],
)
def test_district_label(labels, text, label):
    assert labels.district(text) == label


def test_unresolved_moves_counted_as_other(tmp_path):
    rows = [["2023/1/5", "転入", "小田原市"]] * 3 + [
        ["2023/1/6", "転入", f"{NAME}"],
        ["2023/1/7", "転出", "府中市"],
        ["2023/1/8", "転出", ""],
    ]
    path = write_rows(
        tmp_path / "idou.csv", ["異動日", "異動事由", "転入元・転出先"], rows
    )
    dataset, _ = load(path)
    frame = dataset.frame
    moves = frame[frame["breakdown"] == "other_municipality"]
    assert set(moves["category"]) == {"小田原市", OTHER}
    # 府中市 and the blank cell are the two 転出 under その他・不明.
    assert len(moves[(moves["category"] == OTHER)]) == 2
    assert cell(dataset, "moves_out", "2023", "other_municipality", OTHER)[
        "status"
    ] == (Status.SUPPRESSED)


def test_rare_districts_folded(tmp_path):
    # 岩 has 3 rows, 試験町丁甲 2: below the threshold 3, it becomes その他・不明.
    rows = [["2023/1/5", "出生", "岩"]] * 3 + [["2023/1/6", "出生", "試験町丁甲"]] * 2
    path = write_rows(tmp_path / "idou.csv", ["異動日", "異動事由", "町丁"], rows)
    dataset, report = load(path)
    frame = dataset.frame
    districts = frame[frame["breakdown"] == "district"]
    assert set(districts["category"]) == {"岩", OTHER}
    assert report.districts == ["岩"]
    assert "届出が 3 件未満の町丁 1 個は「その他・不明」に含めました。" in report.notes


# --- Personal columns declared as fields ---------------------------------------


@pytest.mark.parametrize(
    ("field", "header"),
    [
        ("other_municipality", "世帯主"),
        ("other_municipality", "生年月日"),
        ("other_municipality", "氏名"),
        ("other_municipality", "宛名"),
        ("district", "宛名"),
        ("district", "世帯主"),
        ("district", "住所"),
        ("district", "生年月日"),
        ("age", "生年月日"),
        ("sex", "氏名"),
    ],
)
def test_personal_column_rejected(tmp_path, field, header):
    path = write_export(tmp_path / "idou.csv")
    with pytest.raises(InputError) as raised:
        load(path, columns={field: header})
    text = str(raised.value)
    assert f"列「{header}」は個人を特定できる情報" in raised.value.message
    assert f"columns.{field}" in text
    for planted in planted_texts():
        assert planted not in text


@pytest.mark.parametrize(
    "header",
    [
        "姓名",
        "ＮＡＭＥ",
        "Name",
        "届出人",
        "筆頭者",
        "異動者",
        "本籍",
        "現住地",
        "現住所",
        "方書",
        "宛名番号",
        "世帯番号",
        "個人番号",
        "住民票コード",
        "電話番号",
        "TEL",
        "カナ氏名",
        "備考",
    ],
)
def test_personal_header_words(header):
    assert personal_word("other_municipality", header) is not None
    assert personal_word("district", header) is not None


@pytest.mark.parametrize(
    ("field", "header"),
    [
        ("birth_date", "生年月日"),
        ("other_municipality", "前住所地・転出先市区町村"),
        ("other_municipality", "転入前住所"),
        ("other_municipality", "転出先住所"),
        ("other_municipality", "転入元・転出先"),
        ("district", "町丁目"),
        ("event", "異動事由"),
    ],
)
def test_field_headers_allowed(field, header):
    assert personal_word(field, header) is None


def test_move_address_column_cut(tmp_path):
    rows = [["2023/1/5", "転入", f"小田原市{MOVE_ADDRESS}{n}号室"] for n in range(3)]
    path = write_rows(tmp_path / "idou.csv", ["異動日", "異動事由", "転入前住所"], rows)
    dataset, _ = load(path, columns={"other_municipality": "転入前住所"})
    categories = set(
        dataset.frame.loc[
            dataset.frame["breakdown"] == "other_municipality", "category"
        ]
    )
    assert categories == {"小田原市"}


def names_and_dates(count: int) -> list[list[str]]:
    """Rows with a fake name and birth date each, under innocent headers."""
    return [
        [f"2023/1/{1 + n % 28}", "転入", f"{NAME}{n}様", f"1950/2/{1 + n % 28}"]
        for n in range(count)
    ]


@pytest.mark.parametrize(
    ("field", "header"),
    [
        # 項目1 contains names, 項目2 birth dates.
        ("other_municipality", "項目1"),
        ("other_municipality", "項目2"),
        ("district", "項目2"),
    ],
)
def test_names_or_dates_column_rejected(tmp_path, field, header):
    path = write_rows(
        tmp_path / "idou.csv",
        ["異動日", "異動事由", "項目1", "項目2"],
        names_and_dates(10),
    )
    with pytest.raises(InputError) as raised:
        load(path, columns={field: header})
    text = str(raised.value)
    assert f"columns.{field}" in text
    assert raised.value.place == ("C列" if header == "項目1" else "D列")
    assert "値は表示しません" in text
    assert NAME not in text
    assert "1950" not in text


def test_few_names_as_districts_folded(tmp_path):
    # Ten names pass as 町丁 names, but each is on one row, below the
    # threshold 3, so none becomes a label.
    path = write_rows(
        tmp_path / "idou.csv",
        ["異動日", "異動事由", "項目1", "項目2"],
        names_and_dates(10),
    )
    dataset, report = load(path, columns={"district": "項目1"})
    frame = dataset.frame
    assert set(frame.loc[frame["breakdown"] == "district", "category"]) == {OTHER}
    assert report.districts == []
    assert NAME not in "\n".join(report.notes + report.skipped)


def test_unique_names_column_rejected(tmp_path):
    # 60 distinct names without digits: each a valid 町丁 shape, but each on
    # one row only, as no 町丁 column of 50 or more rows is.
    names = [
        f"試験{first}{last}"
        for first in "甲乙丙丁戊己庚"
        for last in "松竹梅桜桃菊藤柳萩"
    ]
    rows = [["2023/1/5", "転入", name] for name in names[:60]]
    path = write_rows(tmp_path / "idou.csv", ["異動日", "異動事由", "項目1"], rows)
    with pytest.raises(InputError) as raised:
        load(path, columns={"district": "項目1"})
    text = str(raised.value)
    assert "ほかの行に出てこない値" in text
    for name in names:
        assert name not in text


# --- Suppression properties -----------------------------------------------------

notifications = st.lists(
    st.builds(
        Notification,
        day=st.dates(min_value=date(2022, 1, 1), max_value=date(2023, 12, 31)),
        indicator=st.sampled_from(["births", "deaths", "moves_in", "moves_out"]),
        sex=st.sampled_from(["男", "女"]),
        age_group=st.sampled_from(["15歳未満", "15～64歳", "65歳以上"]),
        district=st.sampled_from(["真鶴", "岩", "不詳"]),
        other_municipality=st.sampled_from(["小田原市", "湯河原町", ""]),
    ),
    min_size=1,
    max_size=120,
)


@settings(max_examples=150, deadline=None)
@given(notifications, st.integers(min_value=2, max_value=5))
def test_no_suppressed_cell_derivable(records, threshold):
    frame = suppress(aggregate(records), threshold)
    shown = frame[~frame["suppressed"]]
    assert not ((shown["count"] > 0) & (shown["count"] < threshold)).any()

    totals = frame[
        (frame["breakdown"] == "") & (frame["period_kind"] == "calendar_year")
    ]
    hidden_totals = {
        (row.indicator, row.period) for row in totals.itertuples() if row.suppressed
    }
    months = frame[frame["period_kind"] == "month"]
    groups = [
        ((indicator, year), group)
        for (indicator, year), group in months.groupby(
            [months["indicator"], months["period"].str[:4]]
        )
    ]
    parts = frame[frame["breakdown"] != ""]
    groups += [
        ((indicator, year), group)
        for (indicator, year, _), group in parts.groupby(
            ["indicator", "period", "breakdown"]
        )
    ]
    for key, group in groups:
        if key in hidden_totals:
            continue
        assert group["suppressed"].sum() != 1, key


@settings(max_examples=100, deadline=None)
@given(notifications, st.integers(min_value=2, max_value=5))
def test_derived_change_hidden_with_terms(records, threshold):
    frame = derived_changes(suppress(aggregate(records), threshold))
    totals = frame[frame["breakdown"] == ""]
    for (period, _), group in totals.groupby(["period", "period_kind"]):
        hidden = dict(zip(group["indicator"], group["suppressed"], strict=True))
        if hidden.get("births") or hidden.get("deaths"):
            assert hidden["natural_change"], period
        if hidden.get("moves_in") or hidden.get("moves_out"):
            assert hidden["social_change"], period


@settings(max_examples=100, deadline=None)
@given(notifications)
def test_counts_add_up(records):
    frame = aggregate(records)
    totals = frame[
        (frame["breakdown"] == "") & (frame["period_kind"] == "calendar_year")
    ]
    for row in totals.itertuples():
        months = frame[
            (frame["indicator"] == row.indicator)
            & (frame["period_kind"] == "month")
            & frame["period"].str.startswith(row.period)
        ]
        assert months["count"].sum() == row.count
    assert totals["count"].sum() == len(records)
