"""Numbers, periods and ranks written the way Japanese statistics print them."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from databook.model import Status

# Symbols of the 凡例 in Japanese statistical yearbooks.
STATUS_SYMBOLS = {
    Status.NOT_SURVEYED.value: "…",
    Status.SUPPRESSED.value: "x",
    Status.NOT_APPLICABLE.value: "-",
    Status.UNKNOWN.value: "…",
}

NO_DATA_TEXT = "（データなし）"
"""Printed for a key figure that the data of the area cannot give."""

# First year of each era; 2019 is both 平成31年 and 令和元年, written as the new era.
ERAS = (("令和", 2019), ("平成", 1989), ("昭和", 1926), ("大正", 1912), ("明治", 1868))


def is_missing(value: float | int | None) -> bool:
    """Return True for None and NaN, including NumPy's float64 NaN."""
    try:
        return value is None or math.isnan(value)
    except TypeError:
        return False


def format_number(value: float | None, digits: int = 0, *, status: str = "") -> str:
    """Format a table cell: thousands separators, △ for negatives, 凡例 symbols."""
    if is_missing(value):
        return STATUS_SYMBOLS.get(status, "…")
    text = f"{abs(value):,.{digits}f}"
    if float(text.replace(",", "")) == 0:
        return text
    return f"△{text}" if value < 0 else text


def format_quantity(value: float, unit: str, digits: int = 0) -> str:
    """Format a figure for running text, e.g. 6,722人 or 43.5%.

    A missing value gives `NO_DATA_TEXT`, never "nan人".
    """
    if is_missing(value):
        return NO_DATA_TEXT
    return f"{value:,.{digits}f}{unit}"


def format_change(value: float, unit: str, digits: int = 0) -> str:
    """Format a change for running text, e.g. 611人減 or 12人増.

    A missing value gives `NO_DATA_TEXT` and only an exact zero gives 増減なし:
    a change that rounds to zero keeps its direction (0.0%減), so that a rate
    never reads as no change beside a count that fell.
    """
    if is_missing(value):
        return NO_DATA_TEXT
    if value == 0:
        return "増減なし"
    word = "増" if value > 0 else "減"
    return f"{abs(value):,.{digits}f}{unit}{word}"


def format_rank(position: int, count: int, group: str = "市町村") -> str:
    """Format a rank with how many were ranked, e.g. 33市町村中1位."""
    return f"{count}{group}中{position}位"


def wareki(year: int) -> str:
    """Return the Japanese era year, e.g. 令和2年 or 令和元年."""
    for era, first in ERAS:
        if year >= first:
            number = year - first + 1
            return f"{era}{'元' if number == 1 else number}年"
    raise ValueError(f"no Japanese era for {year}")


class EraStyle(StrEnum):
    """How running text writes a year: 西暦, 和暦, or both."""

    BOTH = "both"
    """2022年（令和4年）."""
    WESTERN = "western"
    """2022年."""
    JAPANESE = "japanese"
    """令和4年."""


_era_style: ContextVar[EraStyle] = ContextVar("era_style", default=EraStyle.BOTH)


@contextmanager
def era_style(style: EraStyle | str) -> Iterator[None]:
    """Write years in `style` within the block, e.g. while a build runs its analyses."""
    token = _era_style.set(EraStyle(style))
    try:
        yield
    finally:
        _era_style.reset(token)


def format_period(period: str, style: EraStyle | None = None) -> str:
    """Format a tidy `period` for running text, e.g. 2020年（令和2年）.

    `style` defaults to the one set by `era_style` (both when none is set).
    """
    style = style or _era_style.get()
    fiscal = period.startswith("FY")
    year = int(period[2:6] if fiscal else period[:4])
    suffix = "年度" if fiscal else "年"
    western = f"{year}{suffix}"
    japanese = wareki(year)[:-1] + suffix
    if style is EraStyle.WESTERN:
        return western
    if style is EraStyle.JAPANESE:
        return japanese
    return f"{western}（{japanese}）"


def format_thousand_yen(value: float) -> str:
    """Format an amount in thousand yen for running text, e.g. 43.0億円 or 8,622万円."""
    if abs(value) >= 100_000:
        return f"{value / 100_000:,.1f}億円"
    return f"{value / 10:,.0f}万円"


def oku_yen(value: float, digits: int = 1) -> Decimal:
    """Return an amount in yen as 億円, rounded half up (四捨五入) to `digits`.

    The division is exact in decimal, so 112,785 百万円 is 1,127.85億円 and
    rounds to 1,127.9, where binary floats would print 1,127.8.
    """
    amount = Decimal(repr(float(value))) / 100_000_000
    return amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def format_oku_yen(value: float, digits: int = 1) -> str:
    """Format an amount in yen for running text in 億円, e.g. 62,407.9億円."""
    return f"{oku_yen(value, digits):,}億円"


def format_yen_flow(
    value: float, *, positive: str, negative: str, digits: int = 1
) -> str:
    """Format a net flow in yen by its direction, e.g. 1,418.9億円の流出.

    `positive` names the direction of a positive value (流入, 移出超過) and
    `negative` the other. A value that rounds to zero prints as 0.0億円.
    """
    amount = oku_yen(value, digits)
    if amount == 0:
        return format_oku_yen(0, digits)
    word = positive if amount > 0 else negative
    return f"{abs(amount):,}億円の{word}"


def format_period_short(period: str) -> str:
    """Format a tidy `period` for axes and table heads: 2020年, 2022年度, 2019年8月."""
    if period.startswith("FY"):
        return f"{period[2:]}年度"
    if len(period) == 7 and period[4] == "-":
        return f"{period[:4]}年{format_month(period)}"
    return f"{period[:4]}年"


def format_date_short(period: str) -> str:
    """Format a tidy date period (2016-01-01) for titles and tables: 2016年1月1日."""
    year, month, day = (int(part) for part in period.split("-"))
    return f"{year}年{month}月{day}日"


def format_month(period: str) -> str:
    """Format the month of a tidy month period (2019-08) without its year: 8月."""
    return f"{int(period[5:7])}月"
