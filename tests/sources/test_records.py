"""Tests of record-level register exports: reading, aggregation and suppression."""

from __future__ import annotations

import csv
import math
from datetime import date

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from databook.errors import InputError
from databook.model import Status
from databook.sources.records import (
    Notification,
    aggregate,
    derived_changes,
    load_register_records,
    suppress,
)

HEADER = [
    "氏名",
    "住所",
    "異動日",
    "異動事由",
    "性別",
    "生年月日",
    "転入元・転出先",
    "町丁",
]
NAME = "試験用氏名真鶴花子"
ADDRESS = "試験用住所真鶴町岩九九九番地"
BIRTH = "1950/02/03"

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
                    other,
                    district,
                ]
            )
    return path


def load(path, **options):
    return load_register_records(
        path, display_path=path.name, area_code="14383", area_name="真鶴町", **options
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
    text = dataset.frame.to_csv()
    assert NAME not in text
    assert ADDRESS not in text
    assert BIRTH not in text
    assert "1950" not in text
    assert "氏名" not in " ".join(report.notes)
    assert any("2 列は読まずに捨てました" in note for note in report.notes)


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


def test_bad_date_names_cell(tmp_path):
    path = tmp_path / "idou.csv"
    path.write_text("異動日,異動事由\n不明,転入\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load(path)
    assert raised.value.place == "セル A2"


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


def test_personal_column_rejected(tmp_path):
    path = write_export(tmp_path / "idou.csv")
    with pytest.raises(InputError) as raised:
        load(path, columns={"district": "住所"})
    assert "住所" in raised.value.message
    assert ADDRESS not in str(raised.value)
