"""Tests of the 総務省 住基 municipal tables, on the seven real files."""

from __future__ import annotations

import math

import pytest

from databook.errors import InputError
from databook.sources.juki import load_juki, read_juki
from tests.conftest import RAW

FILES = sorted((RAW / "juki").glob("juki_soumu_muni_*.csv"))


@pytest.fixture(scope="module")
def juki():
    dataset, tables = load_juki(FILES, project_root=RAW.parent.parent)
    return dataset, tables


def value(dataset, indicator, period, area="14383"):
    frame = dataset.frame
    rows = frame[
        (frame["indicator"] == indicator)
        & (frame["area_code"] == area)
        & (frame["period"] == period)
    ]
    assert len(rows) == 1, (indicator, period, area)
    return rows["value"].iloc[0]


def test_reads_all_seven_years(juki):
    _, tables = juki
    assert [table.year for table in tables] == list(range(2016, 2023))


def test_population_on_january_first(juki):
    dataset, _ = juki
    # Row 143839 of each file, column 人/計: 2016 "7,708" (col F), 2017 "7,548",
    # 2018 "7,457", 2019 "7,334", 2020 "7,204", 2021 "7115 " (col D, trailing
    # space), 2022 "6984" (col D of the population-only file).
    expected = {2016: 7708, 2017: 7548, 2018: 7457, 2019: 7334, 2020: 7204}
    expected |= {2021: 7115, 2022: 6984}
    for year, population in expected.items():
        assert value(dataset, "population", f"{year}-01-01") == population


def test_population_period_kind_is_date(juki):
    dataset, _ = juki
    frame = dataset.frame
    rows = frame[frame["indicator"] == "population"]
    assert set(rows["period_kind"]) == {"date"}


def test_dynamics_are_previous_year(juki):
    dataset, _ = juki
    # juki_soumu_muni_20160101.csv, row 143839: 転入（計） 228 (col J),
    # 出生 29 (K), その他（記載） 3 (L), 転出（計） 307 (P), 死亡 124 (Q),
    # その他（消除） 3 (R): the 2015 calendar year.
    assert value(dataset, "moves_in", "2015") == 228
    assert value(dataset, "births", "2015") == 29
    assert value(dataset, "other_entries", "2015") == 3
    assert value(dataset, "moves_out", "2015") == 307
    assert value(dataset, "deaths", "2015") == 124
    assert value(dataset, "other_removals", "2015") == 3


def test_social_change_includes_others(juki):
    dataset, _ = juki
    # Same row: 社会増減数 -79 (col X) = 228 + 3 − 307 − 3.
    assert value(dataset, "social_change", "2015") == 228 + 3 - 307 - 3
    # juki_soumu_muni_20210101.csv, row 143839: 転入 218, その他 6, 転出 215,
    # その他 4, 社会増減数 5 = 218 + 6 − 215 − 4.
    assert value(dataset, "social_change", "2020") == 218 + 6 - 215 - 4


def test_thousands_separator_quoted(juki):
    dataset, _ = juki
    # juki_soumu_muni_20160101.csv, row 143839, col D (男): "3,601".
    assert value(dataset, "population_male", "2016-01-01") == 3601


def test_2021_blank_male_column_skipped(juki):
    dataset, tables = juki
    table = next(t for t in tables if t.year == 2021)
    assert "population_male" not in table.indicators
    assert any(reason.startswith("F列") for reason in table.skipped)
    # juki_soumu_muni_20210101.csv, row 143839: 女 "3783 " in col E.
    assert value(dataset, "population_female", "2021-01-01") == 3783


def test_2022_population_only(juki):
    _, tables = juki
    table = next(t for t in tables if t.year == 2022)
    assert table.indicators == ["population"]


def test_prefecture_rows_kept(juki):
    dataset, _ = juki
    # juki_soumu_muni_20210101.csv, row 140007: 計 "9220245 " in col D.
    assert value(dataset, "population", "2021-01-01", area="14000") == 9220245


def test_national_total_row_skipped(juki):
    _, tables = juki
    table = next(t for t in tables if t.year == 2016)
    assert any("合計" in reason for reason in table.skipped)


def test_no_missing_values_for_manazuru(juki):
    dataset, _ = juki
    frame = dataset.frame
    rows = frame[frame["area_code"] == "14383"]
    assert not rows["value"].isna().any()
    assert not math.isnan(rows["value"].sum())


def test_provenance_per_year(juki):
    dataset, _ = juki
    assert sorted(dataset.provenance) == [f"juki-{year}" for year in range(2016, 2023)]
    source = dataset.provenance["juki-2021"]
    assert source.file == "data/raw/juki/juki_soumu_muni_20210101.csv"
    assert "総務省" in source.credit()
    assert len(source.sha256) == 64


def test_duplicate_year_rejected(tmp_path):
    first = FILES[0]
    copy = tmp_path / "copy.csv"
    copy.write_bytes(first.read_bytes())
    with pytest.raises(InputError, match="2つ"):
        load_juki([first, copy])


def test_bad_number_names_cell(tmp_path):
    text = FILES[0].read_bytes().decode("utf-8-sig")
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("143839"))
    lines[index] = lines[index].replace('"3,601"', "不明", 1)
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join(lines), encoding="utf-8-sig")
    with pytest.raises(InputError) as raised:
        read_juki(broken, display_path="broken.csv")
    # The 143839 row is line index + 1; 男 is column D.
    assert raised.value.file == "broken.csv"
    assert raised.value.place == f"セル D{index + 1}"
    assert "不明" in raised.value.message


def test_title_without_date_rejected(tmp_path):
    text = FILES[0].read_bytes().decode("utf-8-sig")
    lines = text.splitlines()
    lines[0] = "人口" + lines[0][lines[0].index(",") :]
    broken = tmp_path / "untitled.csv"
    broken.write_text("\n".join(lines), encoding="utf-8-sig")
    with pytest.raises(InputError, match="基準日"):
        read_juki(broken, display_path="untitled.csv")


def test_file_cut_at_line_end(tmp_path):
    # juki_soumu_muni_20210101.csv cut after line 500 (082031 土浦市): six
    # header lines, the 合計 line and 493 rows with codes from 北海道 to
    # 茨城県 (08); 栃木県 (09) to 沖縄県 (47) are 39 prefectures.
    source = RAW / "juki" / "juki_soumu_muni_20210101.csv"
    cut = tmp_path / "juki_soumu_muni_20210101.csv"
    cut.write_bytes(b"".join(source.read_bytes().splitlines(True)[:500]))

    with pytest.raises(InputError) as raised:
        read_juki(cut, display_path="juki_soumu_muni_20210101.csv")

    error = raised.value
    assert "途中で切れている" in error.message
    assert "栃木県～沖縄県の39都道府県の行がありません" in error.message
    assert "データの行は 493 行" in error.message
    assert "500行目の土浦市（082031）" in error.message
    assert "総務省" in error.hint
    assert error.file == "juki_soumu_muni_20210101.csv"


def test_file_cut_inside_line(tmp_path):
    # The same file cut inside line 675, whose first bytes "113" are no code.
    source = RAW / "juki" / "juki_soumu_muni_20210101.csv"
    data = source.read_bytes()
    start = sum(len(line) for line in data.splitlines(True)[:674])
    cut = tmp_path / "juki_soumu_muni_20210101.csv"
    cut.write_bytes(data[: start + 3])

    with pytest.raises(InputError) as raised:
        read_juki(cut, display_path="juki_soumu_muni_20210101.csv")

    assert "千葉県" in raised.value.message
    assert "674行目" in raised.value.message


def test_codes_without_leading_zero(tmp_path):
    # Excel turns the 団体コード 010006 (北海道, line 8, the first with a code)
    # into 10006 when it saves the real file again.
    source = RAW / "juki" / "juki_soumu_muni_20210101.csv"
    lines = source.read_bytes().split(b"\n")
    first = next(n for n, line in enumerate(lines) if line.startswith(b"0"))
    lines = [line[1:] if line.startswith(b"0") else line for line in lines]
    saved = tmp_path / source.name
    saved.write_bytes(b"\n".join(lines))

    with pytest.raises(InputError) as caught:
        read_juki(saved, display_path=source.name)

    code = lines[first].split(b",")[0].decode()
    assert caught.value.message == (
        f"団体コード {code} の先頭の 0 が消えています（0{code} のはずです）。"
    )
    assert caught.value.place == f"{first + 1}行目、A列"
    assert "Excel" in caught.value.hint
