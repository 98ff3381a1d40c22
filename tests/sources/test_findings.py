import pytest

from databook.errors import InputError
from databook.sources.findings import load_findings
from tests.conftest import RAW

FINDINGS = RAW / "findings"


def load(name):
    return load_findings(FINDINGS / name, display_path=f"data/raw/findings/{name}")


def test_lodging_guests_quoted_with_page():
    dataset = load("manazuru_tourism_TRANSCRIBED.csv")
    # Line 2: 2022, 宿泊者数, 39820 人, nordot.app page.
    row = dataset.frame.iloc[0]
    assert (row["indicator"], row["period"], row["value"]) == (
        "宿泊者数",
        "2022",
        39820,
    )
    assert row["statement"] == "39,820人"
    assert row["url"].startswith("https://nordot.app/")
    assert dataset.provenance[row["source_id"]].url == row["url"]


def test_decimal_kept_as_printed():
    dataset = load("manazuru_tourism_TRANSCRIBED.csv")
    # Line 5: 延べ観光客数の前年比増加率 37.8 %.
    row = dataset.frame.iloc[3]
    assert row["statement"] == "37.8%"
    assert (
        dataset.provenance[row["source_id"]].credit() == "www.townnews.co.jp 掲載の記事"
    )


def test_output_rank_with_scope():
    dataset = load("manazuru_economy_TRANSCRIBED.csv")
    # Line 2: 2018 生産額の県内順位 33 位, scope 神奈川県内33市町村中.
    row = dataset.frame.iloc[0]
    assert row["statement"] == "神奈川県内33市町村中33位"
    assert row["period"] == "2018"


def test_fishery_comparison_has_no_value():
    dataset = load("manazuru_fishery_TRANSCRIBED.csv")
    # Lines 2-4: census years 2008, 2013, 2018, each below the 神奈川県 average.
    assert list(dataset.frame["period"]) == ["2008", "2013", "2018"]
    assert set(dataset.frame["statement"]) == {"神奈川県平均を下回る"}
    assert dataset.frame["value"].isna().all()
    assert set(dataset.frame["status"]) == {"not_applicable"}


def test_missing_url_column_named(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("year,area_code,name,indicator,value\n2022,14383,真鶴町,x,1\n")
    with pytest.raises(InputError, match="source_url") as caught:
        load_findings(path, display_path="f.csv")
    assert caught.value.place == "1行目（見出し）"


def test_bad_year_located(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(
        "year,area_code,name,indicator,value,unit,source_url\n"
        "R4,14383,真鶴町,宿泊者数,1,人,https://example.org/\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="R4") as caught:
        load_findings(path, display_path="f.csv")
    assert caught.value.place == "2行目"


def test_shift_jis_file_explains_excel_save(tmp_path):
    # The real tourism findings, saved again as Excel's plain CSV would.
    path = tmp_path / "tourism.csv"
    text = (FINDINGS / "manazuru_tourism_TRANSCRIBED.csv").read_text("utf-8-sig")
    path.write_bytes(text.encode("cp932"))
    with pytest.raises(InputError) as caught:
        load_findings(path, display_path="data/raw/findings/tourism.csv")
    assert caught.value.message == "文字コードが UTF-8 ではないため、読み取れません。"
    assert "「CSV UTF-8（コンマ区切り）」" in caught.value.hint
    assert caught.value.file == "data/raw/findings/tourism.csv"
