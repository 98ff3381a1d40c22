"""Years, amounts and ranks as the book prints them."""

import pytest

from databook.formatting import (
    EraStyle,
    era_style,
    format_change,
    format_month,
    format_oku_yen,
    format_period,
    format_period_short,
    format_thousand_yen,
    format_yen_flow,
)


@pytest.mark.parametrize(
    ("period", "style", "expected"),
    [
        ("2022", EraStyle.BOTH, "2022年（令和4年）"),
        ("2022", EraStyle.WESTERN, "2022年"),
        ("2022", EraStyle.JAPANESE, "令和4年"),
        ("FY2019", EraStyle.BOTH, "2019年度（令和元年度）"),
        ("FY2019", EraStyle.JAPANESE, "令和元年度"),
        ("2018", EraStyle.JAPANESE, "平成30年"),
        ("2023-04", EraStyle.WESTERN, "2023年"),
    ],
)
def test_period_in_each_era_style(period, style, expected):
    assert format_period(period, style) == expected


def test_era_style_block_sets_default():
    with era_style("japanese"):
        assert format_period("2022") == "令和4年"
    assert format_period("2022") == "2022年（令和4年）"


def test_era_style_rejects_unknown():
    with pytest.raises(ValueError), era_style("showa"):
        pass


@pytest.mark.parametrize(
    ("thousand_yen", "expected"),
    [
        (4303093, "43.0億円"),
        (879471, "8.8億円"),
        (8622, "862万円"),
        (0, "0万円"),
    ],
)
def test_thousand_yen_text(thousand_yen, expected):
    assert format_thousand_yen(thousand_yen) == expected


@pytest.mark.parametrize(
    ("yen", "expected"),
    [
        # 62,407.85億円: a binary float would round it down to 62,407.8.
        (6_240_785e6, "62,407.9億円"),
        (3e10, "300.0億円"),
        (4_523_902e6, "45,239.0億円"),
    ],
)
def test_oku_yen_rounds_half_up(yen, expected):
    assert format_oku_yen(yen) == expected


@pytest.mark.parametrize(
    ("yen", "digits", "expected"),
    [
        (112_785e6, 1, "1,127.9億円の流入"),
        (-141_887e6, 1, "1,418.9億円の流出"),
        # 1,248.5億円: half up gives 1,249, where Python's round would give 1,248.
        (-124_850e6, 0, "1,249億円の流出"),
        (4e6, 1, "0.0億円"),
    ],
)
def test_yen_flow_by_direction(yen, digits, expected):
    text = format_yen_flow(yen, positive="流入", negative="流出", digits=digits)
    assert text == expected


@pytest.mark.parametrize(
    ("period", "expected"),
    [("2020", "2020年"), ("FY2022", "2022年度"), ("2020-03", "2020年3月")],
)
def test_period_short_text(period, expected):
    assert format_period_short(period) == expected


def test_month_text_without_year():
    assert format_month("2019-08") == "8月"
    assert format_month("2020-03") == "3月"


def test_change_rounding_to_zero_keeps_direction():
    # SSDSE-A-2023.csv and SSDSE-A-2026.csv, line 790 (R18201 福井市), column
    # BF C2208 従業者数（民営）: 149,061 in 2016 and 149,002 in 2021, so
    # −59 employees and −59 ÷ 149,061 × 100 = −0.0396%.
    rate = (149_002 - 149_061) / 149_061 * 100
    assert format_change(149_002 - 149_061, "人") == "59人減"
    assert format_change(rate, "%", digits=1) == "0.0%減"
    assert format_change(0, "%", digits=1) == "増減なし"
