from pathlib import Path

import pytest

from databook.errors import ConfigError, InputError
from databook.sources.codes import check_digit, load_master, normalize_area_code
from tests.conftest import RAW

MASTER = RAW / "codes" / "localgovjp-utf8.csv"


@pytest.mark.parametrize(
    ("code5", "digit"),
    [
        # 1*6 + 4*5 + 3*4 + 8*3 + 3*2 = 68; 68 mod 11 = 2; (11 - 2) mod 10 = 9.
        ("14383", "9"),
        # 1*6 + 4*5 + 3*4 + 8*3 + 4*2 = 70; 70 mod 11 = 4; (11 - 4) mod 10 = 7.
        ("14384", "7"),
        # 0 + 5 + 4 + 0 + 0 = 9 (札幌市 01100); (11 - 9) mod 10 = 2 → 011002.
        ("01100", "2"),
        # 千代田区 13101: 1*6 + 3*5 + 1*4 + 0*3 + 1*2 = 27; 27 mod 11 = 5; 11 - 5 = 6.
        ("13101", "6"),
        # 室蘭市 01205: 0 + 5 + 8 + 0 + 10 = 23; 23 mod 11 = 1; (11 - 1) mod 10 = 0.
        ("01205", "0"),
        # 苫小牧市 01213: 0 + 5 + 8 + 3 + 6 = 22; 22 mod 11 = 0; (11 - 0) mod 10 = 1.
        ("01213", "1"),
    ],
)
def test_check_digit_known_codes(code5, digit):
    assert check_digit(code5) == digit


def test_six_digit_code_converted_after_check():
    assert normalize_area_code("143839") == "14383"
    assert normalize_area_code(14383) == "14383"


def test_fullwidth_digits_read():
    assert normalize_area_code("１４３８３") == "14383"
    assert normalize_area_code("１４３８３９") == "14383"


def test_four_digit_code_not_padded():
    # 1438 padded would be 01438 (北海道沼田町), not 14383 (真鶴町).
    with pytest.raises(ConfigError) as raised:
        normalize_area_code("1438")
    assert "4桁" in raised.value.message
    assert '"01438"' in raised.value.hint


def test_ward_city_found():
    master = load_master(MASTER)
    # localgovjp-utf8.csv: 14101 横浜市 鶴見区 belongs to 横浜市 (14100).
    city = master.city_of(master.get("14101"))
    assert (city.code, city.name) == ("14100", "横浜市")


def test_six_digit_code_wrong_check_digit():
    with pytest.raises(ConfigError) as raised:
        normalize_area_code("143838")
    assert "143839" in raised.value.hint
    assert "municipality" in raised.value.place


def test_non_numeric_code_rejected():
    with pytest.raises(ConfigError):
        normalize_area_code("真鶴町")


def test_master_reads_every_municipality():
    master = load_master(MASTER)
    # localgovjp-utf8.csv has 1,916 data rows: 1,741 municipalities and 175 wards.
    assert len(master.municipalities) == 1916
    assert sum(not m.is_ward for m in master.municipalities) == 1741
    manazuru = master.get("14383")
    assert manazuru.name == "真鶴町"
    assert manazuru.national_code == "143839"
    assert len(master.in_prefecture("14")) == 33


def test_master_bad_check_digit_located(tmp_path: Path):
    lines = MASTER.read_text(encoding="utf-8-sig").splitlines()
    broken = [line.replace(",143839", ",143838") for line in lines]
    path = tmp_path / "master.csv"
    path.write_text("\n".join(broken), encoding="utf-8-sig")
    row = next(i for i, line in enumerate(lines, start=1) if line.endswith(",143839"))

    with pytest.raises(InputError) as raised:
        load_master(path)

    assert raised.value.place.startswith(f"{row}行目")
    assert "143838" in raised.value.message


@pytest.mark.parametrize(
    ("prefecture", "name", "code"),
    [
        ("神奈川県", "真鶴町", "14383"),
        ("神奈川県", "足柄下郡真鶴町", "14383"),
        ("神奈川県", "茅ケ崎市", "14207"),
        ("神奈川県", "横浜市中区", "14104"),
        ("北海道", "札幌市 中央区", "01101"),
        ("北海道", "札幌市", "01100"),
        ("福島県", "郡山市", "07203"),
    ],
)
def test_name_lookup(prefecture, name, code):
    # Codes from localgovjp-utf8.csv (cid zero-padded); 茅ヶ崎市 is spelt with
    # ヶ there, 郡山市 starts with 郡 but has no 郡 prefix.
    found = load_master(MASTER).find_by_name(prefecture, name)
    assert [m.code for m in found] == [code]


def test_name_lookup_needs_prefecture():
    master = load_master(MASTER)
    # 伊達市 is both 01233 (北海道) and 07213 (福島県).
    assert [m.code for m in master.find_by_name("福島県", "伊達市")] == ["07213"]
    assert master.find_by_name("神奈川県", "伊達市") == []


def test_ward_name_alone():
    master = load_master(MASTER)
    # 東京都's 中央区 (13102) is a special ward, listed as a municipality.
    assert [m.code for m in master.find_by_name("北海道", "中央区")] == ["01101"]
    assert [m.code for m in master.find_by_name("東京都", "中央区")] == ["13102"]
    # 大阪府 has a 北区 in 大阪市 (27127) and in 堺市 (27146).
    found = master.find_by_name("大阪府", "北区")
    assert sorted(m.code for m in found) == ["27127", "27146"]


@pytest.mark.parametrize(
    ("text", "prefecture", "codes", "rest"),
    [
        # The longer name is chosen: 横浜市 中区 (14104) over 横浜市 (14100).
        ("横浜市中区山下町1", None, ["14104"], "山下町1"),
        ("横浜市", None, ["14100"], ""),
        # 東村山市 (13213) over 東村 (47303) of 沖縄県.
        ("東村山市本町", None, ["13213"], "本町"),
        # A 郡 before a town; 小郡市 (40216) is a city that starts like a 郡.
        ("神奈川県足柄下郡真鶴町岩", "神奈川県", ["14383"], "岩"),
        ("小郡市", None, ["40216"], ""),
        # Two 府中市: 東京都 13206 and 広島県 34208, unless the prefecture is named.
        ("府中市", None, ["13206", "34208"], ""),
        ("広島県府中市", "広島県", ["34208"], ""),
        # Spaces are dropped before the comparison.
        ("神奈川県　小田原市 本町", "神奈川県", ["14206"], "本町"),
        # A prefecture alone, and text that starts with no name of the list.
        ("東京都", "東京都", [], ""),
        ("試験用氏名", None, [], "試験用氏名"),
    ],
)
def test_match_start(text, prefecture, codes, rest):
    match = load_master(MASTER).match_start(text)
    assert match.prefecture == prefecture
    assert sorted(m.code for m in match.municipalities) == codes
    assert match.rest == rest
