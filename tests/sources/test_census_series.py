"""The census series loader on the real Kanagawa file (1970–2020 by name)."""

import pytest

from databook.errors import InputError
from databook.sources.census_series import PRELIMINARY, TOTAL, load_census_series
from databook.sources.codes import load_master
from tests.conftest import RAW

SERIES = RAW / "census" / "kanagawa_census_pop_1970_2020_unibon4141.json"


@pytest.fixture(scope="module")
def master():
    return load_master(RAW / "codes" / "localgovjp-utf8.csv")


@pytest.fixture(scope="module")
def dataset(master):
    return load_census_series(
        SERIES, prefecture="神奈川県", master=master, preliminary=[2020]
    )


def test_names_matched_to_codes(dataset):
    frame = dataset.frame
    # 70 entries: 33 municipalities, the wards of three cities, four 郡 and
    # the four towns merged into 相模原市; only the 33 have an area code.
    assert frame["area_code"].nunique() == 33
    manazuru = frame[frame["area_code"] == "14383"]
    assert set(manazuru["area_name"]) == {"真鶴町"}


def test_manazuru_counts(dataset):
    frame = dataset.frame
    rows = frame[frame["area_code"] == "14383"].set_index("period")
    # The 真鶴町 entry: 1970 10284, 2015 7333, 2020 6725 (preliminary).
    assert rows.loc["1970", "value"] == 10284
    assert rows.loc["2015", "value"] == 7333
    assert rows.loc["2015", "indicator"] == TOTAL
    assert rows.loc["2020", "value"] == 6725
    assert rows.loc["2020", "indicator"] == PRELIMINARY


def test_source_names_census(dataset):
    (provenance,) = dataset.provenance.values()
    assert provenance.survey == "総務省「国勢調査」"
    assert "作成者の記載なし" in provenance.credit()


def test_invalid_json_located(tmp_path, master):
    path = tmp_path / "series.json"
    path.write_text('[\n  {"name": "真鶴町",\n  "population": [}\n]', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_census_series(path, prefecture="神奈川県", master=master)
    assert caught.value.place == "3行目"
    # json's "Expecting value" stays in the detail shown with --debug.
    assert "Expecting" not in caught.value.message
    assert "値がありません" in caught.value.message
    assert "Expecting value" in caught.value.detail


def test_cut_json_described(tmp_path, master):
    path = tmp_path / "series.json"
    path.write_text('[{"name": "真鶴町', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_census_series(path, prefecture="神奈川県", master=master)
    assert '文字列が「"」で閉じられていません' in caught.value.message


def test_bad_count_names_entry(tmp_path, master):
    path = tmp_path / "series.json"
    path.write_text(
        '[{"name": "真鶴町", "population": [{"1970": "多い"}]}]', encoding="utf-8"
    )
    with pytest.raises(InputError) as caught:
        load_census_series(path, prefecture="神奈川県", master=master)
    assert "真鶴町" in caught.value.place


def test_unknown_prefecture_rejected(master):
    with pytest.raises(InputError) as caught:
        load_census_series(SERIES, prefecture="神奈川", master=master)
    assert caught.value.place == "設定 prefecture"


def test_other_prefecture_file_rejected(master):
    # The Kanagawa file lacks every Shizuoka municipality.
    with pytest.raises(InputError, match="ファイルにありません"):
        load_census_series(SERIES, prefecture="静岡県", master=master)
