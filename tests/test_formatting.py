"""Years, amounts and ranks as the book prints them."""

import pytest

from databook.formatting import (
    EraStyle,
    era_style,
    format_month,
    format_period,
    format_period_short,
    format_thousand_yen,
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
    ("period", "expected"),
    [("2020", "2020年"), ("FY2022", "2022年度"), ("2020-03", "2020年3月")],
)
def test_period_short_text(period, expected):
    assert format_period_short(period) == expected


def test_month_text_without_year():
    assert format_month("2019-08") == "8月"
    assert format_month("2020-03") == "3月"
