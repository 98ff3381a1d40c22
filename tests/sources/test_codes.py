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
    assert normalize_area_code("1100") == "01100"


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
