"""Months of a declared table (`kind: table`) whose columns or rows are months.

Monthly tables give the month without its year: 北海道観光入込客数調査 heads
its columns april … march, and a town's own sheet lists 4月 … 3月 down a
column. The year comes from the row's period (FY2019, 2019). In a fiscal
year, April to December belong to the year it starts in and January to March
to the next, so FY2019's March is 2020-03. In a calendar year every month
belongs to that year.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from databook.errors import ConfigError, InputError
from databook.model import PeriodKind
from databook.sources.cells import CellError, Period, column_letter, parse_period

if TYPE_CHECKING:
    from databook.sources.tables import Grid

ENGLISH_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
JAPANESE_MONTH = re.compile(r"(\d{1,2})月分?")
TOTAL_LABELS = ("計", "合計", "年計", "年度計", "累計", "総計")
"""Labels of the total row in a column of months, which is not a month."""
FIRST_FISCAL_MONTH = 4


def parse_month(value: object, *, numbers: bool = False) -> int | None:
    """Return the month (1–12) that a heading or cell names, or None.

    Reads 4月, ４月分, April, april, Apr and Apr.; with `numbers`, also a
    stored number 1–12, which a column of months may hold but a heading row
    uses for other things.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if numbers and float(value).is_integer() and 1 <= value <= 12:
            return int(value)
        return None
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
    match = JAPANESE_MONTH.fullmatch(text)
    if match:
        month = int(match[1])
        return month if 1 <= month <= 12 else None
    word = text.lower().rstrip(".")
    for number, name in enumerate(ENGLISH_MONTHS, start=1):
        # Three letters at least: "ma" could be March or May.
        if len(word) >= 3 and name.startswith(word):
            return number
    return None


def year_of(text: str, setting: str, period_kind: str) -> Period:
    """Return the year that a period setting gives (FY2019, 2019, 令和元年度).

    Raises ConfigError naming `setting` for a period that is not a year.
    """
    try:
        period = parse_period(text)
    except CellError:
        period = None
    if period is None or period.month is not None:
        raise ConfigError(
            f"設定 {setting} の期間 {text!r} は年でも年度でもありません。",
            place=f"設定 {setting}",
            hint="月の表では、期間は年（2019）か年度（FY2019）にしてください。"
            "月は列の見出し（months_in_columns）か月の列（month_column）から読みます。",
        )
    return _as_year(period, period_kind)


def month_period(year: Period, month: int) -> str:
    """Return the tidy period (2020-03) of `month` within the year `year`."""
    calendar_year = year.year
    if year.fiscal and month < FIRST_FISCAL_MONTH:
        calendar_year += 1
    return f"{calendar_year:04d}-{month:02d}"


def row_year(period: Period, period_kind: str, place: str, display_path: str):
    """Return the year of a row read from its period column, for its months.

    Raises InputError for a period that already has a month (2019年4月).
    """
    if period.month is not None:
        raise InputError(
            f"期間の列の {period.text} は年でも年度でもありません。",
            file=display_path,
            place=place,
            hint="月の表では、期間の列は年（2019年）か年度（令和元年度）にして"
            "ください。行ごとに年月があるなら months_in_columns を外し、"
            "period_kind: month にしてください。",
        )
    return _as_year(period, period_kind)


def _as_year(period: Period, period_kind: str) -> Period:
    # A bare year counts as a fiscal year in a table declared as fiscal.
    fiscal = period.fiscal or period_kind == PeriodKind.FISCAL_YEAR
    return Period(period.year, fiscal=fiscal)


def find_month_columns(
    settings, sheet: Grid, span: tuple[int, int], display_path: str
) -> list[tuple[int, int]]:
    """Return (0-based column, month) of each column whose heading is a month.

    `span` is the first and last 0-based column searched (setting
    month_columns, or the whole sheet). Raises InputError when no heading is a
    month or a month heads two columns.
    """
    start, end = span
    found: list[tuple[int, int]] = []
    rows = [r - 1 for r in settings.header_rows]
    for index in range(start, end + 1):
        for row in rows:
            month = parse_month(sheet.heading(row, index))
            if month is not None:
                found.append((index, month))
                break
    if not found:
        raise InputError(
            "見出しに月（4月、april など）の列がありません。",
            file=display_path,
            place=f"{', '.join(str(r) for r in settings.header_rows)}行目",
            hint="header_rows に月の見出しの行を、month_columns に月の列の範囲"
            "（例: E:P）を書いてください。",
        )

    columns: dict[int, list[int]] = {}
    for index, month in found:
        columns.setdefault(month, []).append(index)
    repeated = {month: seen for month, seen in columns.items() if len(seen) > 1}
    if repeated:
        month, indexes = next(iter(repeated.items()))
        letters = "、".join(column_letter(i + 1) for i in indexes)
        raise InputError(
            f"見出しの {month}月 が2つ以上の列（{letters}）にあります。",
            file=display_path,
            place=f"{', '.join(str(r) for r in settings.header_rows)}行目",
            hint="1年分の月の列の範囲を month_columns に書いてください（例: E:P）。",
        )
    return found
