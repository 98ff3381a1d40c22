"""Parsing the cells of Japanese statistical tables: numbers, symbols and dates.

Official tables and municipal spreadsheets write the same number in many ways:
"3,601", " 11,837 ", full-width "３６０１", "△ 12" or "▲12" for −12, or a
stored −12 that only the cell's number format shows as △. Missing values are
symbols (…, ―, -, x, ***), and cells may carry footnote marks such as "a)b)".
Dates are 和暦 text (平成27年８月, R5.4, 令和元年度), often with the era left out
on later rows ("　　24年"), or Excel serial numbers whose format shows an era.

Every function here returns a typed result or raises `CellError`, which names
the file, sheet and cell. Readers of xlsx, xls and CSV files share this module.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from databook.errors import InputError
from databook.model import PeriodKind, Status

# Placeholder symbols and the Status each stands for, following the meanings in
# `Status` and the 凡例 of Japanese statistical tables: 「-」「―」 are 該当数字なし
# (no corresponding figure), 「…」 and an empty cell are "not obtained", 「x」
# 「***」 are "kept secret". Keys are compared after NFKC
# normalisation and stripping of spaces, so "ｘ" and "．．．" match too.
PLACEHOLDERS: dict[str, Status] = {
    "": Status.NOT_SURVEYED,
    "-": Status.NOT_APPLICABLE,
    "―": Status.NOT_APPLICABLE,
    "—": Status.NOT_APPLICABLE,
    "‐": Status.NOT_APPLICABLE,
    "−": Status.NOT_APPLICABLE,
    "ー": Status.NOT_APPLICABLE,
    "…": Status.NOT_SURVEYED,
    "...": Status.NOT_SURVEYED,
    "・": Status.NOT_SURVEYED,
    "x": Status.SUPPRESSED,
    "X": Status.SUPPRESSED,
    "***": Status.SUPPRESSED,
}

# Signs that official tables print for a negative number (三角 notation).
NEGATIVE_MARKS = "△▲"

# Spaces that pad cells: ASCII, full-width (U+3000) and no-break.
SPACES = " \t\u3000\u00a0\r\n"

# Footnote marks at the end of a cell: "a)", "b)", " 1)" (a number needs a space
# before it, so "1231)" stays an error), "※", "※2", "*" and "**".
_FOOTNOTE = re.compile(r"(?:\s*[a-zA-Z]\)|\s+\d{1,2}\)|\s*※\d*|(?<!\*)\s*\*{1,2})+\Z")
# Converted workbooks write some floats with an exponent (9.9999999999999645E-2).
_NUMBER = re.compile(
    r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+"
    r"|[+-]?\d+(?:\.\d+)?[eE][+-]?\d+"
)


@dataclass(frozen=True)
class CellRef:
    """Location of a cell: file, sheet and 1-based row and column."""

    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    """Row number as the spreadsheet or text editor shows it (1 = first row)."""
    column: int | None = None
    """Column number, 1 = A."""

    @property
    def cell(self) -> str | None:
        """Cell name in A1 notation, or None when row or column is unknown."""
        if self.row is None or self.column is None:
            return None
        return f"{column_letter(self.column)}{self.row}"

    def place(self) -> str | None:
        """Return the place in Japanese, e.g. シート 毎月人口ＨＰ、セル D34."""
        parts = []
        if self.sheet is not None:
            parts.append(f"シート {self.sheet}")
        if self.cell is not None:
            parts.append(f"セル {self.cell}")
        elif self.row is not None:
            parts.append(f"{self.row}行目")
        elif self.column is not None:
            parts.append(f"{column_letter(self.column)}列")
        return "、".join(parts) or None


class CellError(InputError):
    """A cell whose content cannot be read as the expected kind of value."""

    def __init__(self, message: str, *, ref: CellRef | None, hint: str) -> None:
        ref = ref or CellRef()
        super().__init__(message, file=ref.file, place=ref.place(), hint=hint)
        self.ref = ref


@dataclass(frozen=True)
class CellNumber:
    """A number read from a cell, or the reason it is missing."""

    value: float
    """The number, NaN when the cell is a placeholder."""
    status: str = ""
    """Empty for a present value, otherwise a `Status` value."""
    footnotes: tuple[str, ...] = ()
    """Footnote marks removed from the cell text, e.g. ("a)", "b)")."""

    @property
    def missing(self) -> bool:
        return bool(self.status)


def column_letter(number: int) -> str:
    """Return the spreadsheet column name of a 1-based column number (28 → AB)."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def normalize_text(text: str) -> str:
    """Return `text` in NFKC form (half-width digits and letters), spaces stripped.

    NFKC turns full-width digits, commas, minus signs and letters into ASCII
    and 「…」 into "...". Full-width spaces inside the text are kept as ASCII
    spaces so that 「東　灘　区」 stays readable; use `squeeze_spaces` to drop them.
    """
    return unicodedata.normalize("NFKC", text).strip(SPACES)


def squeeze_spaces(text: str) -> str:
    """Return `text` normalised with every half- and full-width space removed.

    Used for names padded to a fixed width, e.g. " 東  灘  区    " → 東灘区.
    """
    normal = normalize_text(text)
    return "".join(ch for ch in normal if ch not in SPACES)


def split_footnotes(text: str) -> tuple[str, tuple[str, ...]]:
    """Split trailing footnote marks off a normalised cell text.

    Recognised marks: a letter or one- or two-digit number followed by ")"
    (a), b), 1)), 「※」 with an optional number, and one or two asterisks.
    Three asterisks are the 「***」 placeholder and are left alone.
    """
    match = _FOOTNOTE.search(text)
    if not match or match.start() == 0:
        return text, ()
    marks = tuple(
        mark for mark in re.findall(r"[a-zA-Z]\)|\d{1,2}\)|※\d*|\*{1,2}", match[0])
    )
    return text[: match.start()].rstrip(SPACES), marks


def parse_number(
    raw: object,
    *,
    number_format: str | None = None,
    ref: CellRef | None = None,
) -> CellNumber:
    """Read a cell as a number, a placeholder, or raise `CellError`.

    `raw` is the stored value: None, an int or float from a spreadsheet, or
    text. A stored number is taken as it is. Its `number_format` is only used
    to interpret it: when the format section that applies to the value prints
    a △ or ▲ before a positive number, the cell shows a negative and the value
    is negated. A format that prints a stored 0 as 「―」 still gives 0, not a
    missing value.
    """
    if raw is None:
        return CellNumber(math.nan, Status.NOT_SURVEYED.value)
    if isinstance(raw, bool):
        raise _not_a_number(str(raw), ref)
    if isinstance(raw, int | float):
        value = float(raw)
        if not math.isfinite(value):
            raise _not_a_number(str(raw), ref)
        if number_format and value > 0 and shows_negative(number_format, value):
            value = -value
        return CellNumber(value)
    if not isinstance(raw, str):
        raise _not_a_number(str(raw), ref)
    return parse_number_text(raw, ref=ref)


_PLAIN_NUMBER = re.compile(r" *(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?) *")


def parse_number_text(text: str, *, ref: CellRef | None = None) -> CellNumber:
    """Read a number written as text, e.g. " 11,837 ", "△ 12", "１２３ a)"."""
    # Fast path for plain ASCII numbers, which are most cells of large tables.
    plain = _PLAIN_NUMBER.fullmatch(text)
    if plain:
        return CellNumber(float(plain[1].replace(",", "")) + 0.0)

    normal = normalize_text(text).replace("\u2212", "-")
    status = _placeholder(normal)
    if status is not None:
        return CellNumber(math.nan, status.value)

    body, footnotes = split_footnotes(normal)
    status = _placeholder(body)
    if status is not None:
        return CellNumber(math.nan, status.value, footnotes)

    sign = 1.0
    if body[:1] in NEGATIVE_MARKS:
        sign = -1.0
        body = body[1:].lstrip(SPACES)
        if body[:1] in "+-":
            raise _not_a_number(text, ref)
    if not _NUMBER.fullmatch(body):
        raise _not_a_number(text, ref)
    value = sign * float(body.replace(",", ""))
    return CellNumber(value + 0.0, "", footnotes)


def _placeholder(text: str) -> Status | None:
    return PLACEHOLDERS.get(text.replace(" ", ""))


def _not_a_number(found: str, ref: CellRef | None) -> CellError:
    return CellError(
        f"数値を読み取れません（「{found.strip()}」）。",
        ref=ref,
        hint="数値（例: 1,234、△12）か、記号「-」「…」「x」を入れてください。"
        "配布元の表であれば、取り直したファイルをそのまま置いてください。",
    )


# --- Number formats -------------------------------------------------------------


def format_sections(number_format: str) -> list[str]:
    """Split an Excel number format into its sections at unquoted semicolons."""
    sections = []
    current = []
    quoted = False
    escaped = False
    for ch in number_format:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            current.append(ch)
            escaped = True
        elif ch == '"':
            current.append(ch)
            quoted = not quoted
        elif ch == ";" and not quoted:
            sections.append("".join(current))
            current = []
        else:
            current.append(ch)
    sections.append("".join(current))
    return sections


def _literals(section: str) -> str:
    """Return the text a format section prints literally (quoted and escaped)."""
    parts = re.findall(r'"([^"]*)"|\\(.)', section)
    return "".join(quoted + escaped for quoted, escaped in parts)


def _unquoted(section: str) -> str:
    """Return a format section with quoted text, escapes and [..] codes removed."""
    without_quotes = re.sub(r'"[^"]*"|\\.', "", section)
    return re.sub(r"\[[^\]]*\]", "", without_quotes)


def shows_negative(number_format: str, value: float) -> bool:
    """Tell whether `number_format` prints a positive `value` with a △ or ▲ sign.

    Excel uses the first section for positive numbers (or the section whose
    [>n] style condition holds, which is not evaluated here). A first section
    with a literal △ means the cell shows a negative although it stores a
    positive number.
    """
    if value <= 0:
        return False
    sections = format_sections(number_format)
    return any(mark in _literals(sections[0]) for mark in NEGATIVE_MARKS)


# Era codes and date codes outside quotes: g/gg/ggg print the era name, e/ee the
# era year, [$-411] or [$-ja-JP] select the Japanese calendar.
_DATE_CODES = re.compile(r"[ymdhsge]", re.IGNORECASE)


def is_date_format(number_format: str | None) -> bool:
    """Tell whether a number format shows a stored number as a date."""
    if not number_format or number_format.lower() == "general":
        return False
    section = _unquoted(format_sections(number_format)[0])
    return bool(_DATE_CODES.search(section))


def is_era_format(number_format: str | None) -> bool:
    """Tell whether a number format shows a date with the 和暦 era (g, e codes)."""
    if not number_format:
        return False
    section = _unquoted(format_sections(number_format)[0]).lower()
    return "g" in section or "e" in section


def date_precision(number_format: str) -> str:
    """Return "day", "month" or "year": the finest part a date format shows.

    An "m" directly after "h" or before "s" is minutes and does not count.
    """
    section = _unquoted(format_sections(number_format)[0]).lower()
    section = re.sub(r"h+[^a-z]*m+|m+(?=[^a-z]*s)", "", section)
    if "d" in section:
        return "day"
    if "m" in section:
        return "month"
    return "year"


def excel_date(serial: float, *, datemode: int = 0, ref: CellRef | None = None) -> date:
    """Convert an Excel serial day number to a date.

    `datemode` 0 is the 1900 system, in which serial 60 is the non-existent
    1900-02-29 (kept by Excel for Lotus 1-2-3 compatibility) and is rejected.
    `datemode` 1 is the 1904 system of old Mac workbooks, which starts at 0.
    The time of day is dropped.
    """
    if not math.isfinite(serial) or serial < (0 if datemode == 1 else 1):
        raise _not_a_date(str(serial), ref)
    days = int(serial)
    if datemode == 1:
        base = date(1904, 1, 1)
    elif days == 60:
        raise _not_a_date(str(serial), ref)
    elif days < 60:
        base = date(1899, 12, 31)
    else:
        base = date(1899, 12, 30)
    try:
        return base + timedelta(days=days)
    except OverflowError:
        raise _not_a_date(str(serial), ref) from None


# --- 和暦 and periods ---------------------------------------------------------


@dataclass(frozen=True)
class Era:
    """A Japanese era (元号) and the dates it covers."""

    name: str
    letter: str
    """The one-letter abbreviation: M, T, S, H or R."""
    start: date
    end: date | None
    """Last day of the era; None for the current one."""

    @property
    def offset(self) -> int:
        """Add to an era year to get the western year (平成1 + 1988 = 1989)."""
        return self.start.year - 1


# 明治 was proclaimed in October 1868 and applied back to the first day of that
# lunar year, which is 1868-01-25 in the Gregorian calendar. Earlier dates are
# rejected.
ERAS = (
    Era("明治", "M", date(1868, 1, 25), date(1912, 7, 29)),
    Era("大正", "T", date(1912, 7, 30), date(1926, 12, 24)),
    Era("昭和", "S", date(1926, 12, 25), date(1989, 1, 7)),
    Era("平成", "H", date(1989, 1, 8), date(2019, 4, 30)),
    Era("令和", "R", date(2019, 5, 1), None),
)
ERA_BY_NAME = {era.name: era for era in ERAS} | {era.letter: era for era in ERAS}


@dataclass(frozen=True)
class Period:
    """A year, fiscal year, month or day read from a cell."""

    year: int
    """Western calendar year; for a fiscal year, the year it starts in."""
    month: int | None = None
    day: int | None = None
    fiscal: bool = False
    """True for a 年度 (April to March)."""
    era: str | None = None
    """Era name the cell was written in (平成...), for rows that omit it."""

    @property
    def kind(self) -> PeriodKind:
        if self.fiscal:
            return PeriodKind.FISCAL_YEAR
        if self.day is not None:
            return PeriodKind.DATE
        if self.month is not None:
            return PeriodKind.MONTH
        return PeriodKind.CALENDAR_YEAR

    @property
    def text(self) -> str:
        """Period as the model writes it: 2015, FY2022, 2015-08 or 2022-01-01."""
        if self.fiscal:
            return f"FY{self.year}"
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return str(self.year)


_ERA_NAMES = "|".join(era.name for era in ERAS)
_YEAR = r"(元|\d{1,4})"
_WAREKI = re.compile(
    rf"(?P<era>{_ERA_NAMES})?\s*(?P<year>元|\d{{1,4}})\s*年(?P<fiscal>度)?"
    r"(?:\s*(?P<month>\d{1,2})\s*月(?:\s*(?P<day>\d{1,2})\s*日)?)?"
    r"(?:\s*(?:現在|末|分|中|計))?"
)
_ABBREVIATED = re.compile(
    rf"(?P<era>[MTSHRmtshr])\s*{_YEAR}"
    r"(?:(?P<fiscal>年度)|年?(?:[./\-](?P<month>\d{1,2})(?:[./\-](?P<day>\d{1,2}))?)?)"
)
_WESTERN_YEAR = re.compile(r"(?P<year>\d{4})(?:(?P<fiscal>年度)|年)?")
_WESTERN_DATE = re.compile(
    r"(?P<year>\d{4})(?:年(?P<month>\d{1,2})月(?:(?P<day>\d{1,2})日)?"
    r"|(?P<separator>[./\-])(?P<month2>\d{1,2})(?:(?P=separator)(?P<day2>\d{1,2}))?)"
)
_FISCAL_PREFIX = re.compile(r"FY\s*(?P<year>\d{4})", re.IGNORECASE)
_MONTH_ONLY = re.compile(r"(?P<month>\d{1,2})\s*月")


def to_western(
    era_name: str,
    era_year: int,
    month: int | None = None,
    day: int | None = None,
    *,
    ref: CellRef | None = None,
    text: str = "",
) -> int:
    """Return the western year of an era year, checking that the era covered it.

    平成31年 is 2019 and valid up to 4月, 令和元年 from 5月: a month is accepted
    when any of its days falls in the era, a year when any of its days does.
    """
    era = ERA_BY_NAME[era_name]
    year = era.offset + era_year
    if era_year < 1 or year > 9999:
        raise _not_a_period(text or f"{era.name}{era_year}年", ref)

    first, last = _span(year, month, day, ref=ref, text=text)
    era_end = era.end or date.max
    if last < era.start or first > era_end:
        raise CellError(
            f"「{text or era.name}」は{era.name}の期間（{_era_span(era)}）の外です。",
            ref=ref,
            hint="元号と年を確かめてください（例: 平成31年4月の次は令和元年5月）。",
        )
    return year


def _span(
    year: int, month: int | None, day: int | None, *, ref: CellRef | None, text: str
) -> tuple[date, date]:
    try:
        if day is not None and month is not None:
            point = date(year, month, day)
            return point, point
        if month is not None:
            first = date(year, month, 1)
            following = date(year + month // 12, month % 12 + 1, 1)
            return first, following - timedelta(days=1)
        return date(year, 1, 1), date(year, 12, 31)
    except (ValueError, OverflowError):
        raise _not_a_period(text, ref) from None


def _era_span(era: Era) -> str:
    def written(day: date) -> str:
        return f"{day.year}年{day.month}月{day.day}日"

    return f"{written(era.start)}～{written(era.end) if era.end else ''}"


def parse_period(
    raw: object,
    *,
    context: Period | None = None,
    number_format: str | None = None,
    datemode: int = 0,
    ref: CellRef | None = None,
) -> Period:
    """Read a year, fiscal year, month or date from a cell.

    Text may be 和暦 (平成27年８月, 令和元年度, 昭和64年1月7日), abbreviated (R5.4,
    H31.4.30), western (2015年8月, 2015/8, FY2022) or an era-less continuation
    ("　　24年", "９月") that takes its era and year from `context`, the period of
    the row above. A stored number is an Excel serial date when `number_format`
    is a date format (its precision decides month or day), and otherwise a
    western year such as 2015.
    """
    if isinstance(raw, bool) or raw is None:
        raise _not_a_period(str(raw), ref)
    if isinstance(raw, date):
        # openpyxl turns date-formatted serials into datetimes, so the format
        # still decides whether the cell shows a day, a month or a year.
        return _period_from_date(raw, number_format)
    if isinstance(raw, int | float):
        return _period_from_number(float(raw), number_format, datemode, ref)
    if not isinstance(raw, str):
        raise _not_a_period(str(raw), ref)

    normal, _ = split_footnotes(normalize_text(raw))
    compact = normal.replace(" ", "")
    for reader in (_read_wareki, _read_abbreviated, _read_western, _read_fiscal):
        period = reader(compact, context, ref, raw)
        if period is not None:
            return period
    if context is not None:
        match = _MONTH_ONLY.fullmatch(compact)
        if match:
            month = _checked_month(int(match["month"]), raw, ref)
            era = context.era
            if era is not None:
                to_western(era, context.year - ERA_BY_NAME[era].offset, month, ref=ref)
            return Period(context.year, month, era=era)
    raise _not_a_period(raw, ref)


def _read_wareki(
    text: str, context: Period | None, ref: CellRef | None, raw: str
) -> Period | None:
    match = _WAREKI.fullmatch(text)
    if not match:
        return None
    if match["era"] is None and len(match["year"]) == 4:
        return None
    era_name = match["era"] or (context.era if context else None)
    if era_name is None:
        raise CellError(
            f"「{raw.strip()}」の元号が分かりません（上の行にも元号がありません）。",
            ref=ref,
            hint="最初の行に元号を付けてください（例: 平成24年）。",
        )
    era_year = 1 if match["year"] == "元" else int(match["year"])
    month = _checked_month(int(match["month"]), raw, ref) if match["month"] else None
    day = int(match["day"]) if match["day"] else None
    year = to_western(era_name, era_year, month, day, ref=ref, text=raw.strip())
    return _period(year, match, era_name, ref, raw)


def _read_abbreviated(
    text: str, context: Period | None, ref: CellRef | None, raw: str
) -> Period | None:
    match = _ABBREVIATED.fullmatch(text)
    if not match:
        return None
    era = ERA_BY_NAME[match["era"].upper()]
    era_year = 1 if match.group(2) == "元" else int(match.group(2))
    month = _checked_month(int(match["month"]), raw, ref) if match["month"] else None
    day = int(match["day"]) if match["day"] else None
    year = to_western(era.name, era_year, month, day, ref=ref, text=raw.strip())
    return _period(year, match, era.name, ref, raw)


def _read_western(
    text: str, context: Period | None, ref: CellRef | None, raw: str
) -> Period | None:
    match = _WESTERN_YEAR.fullmatch(text)
    if match:
        return _period(int(match["year"]), match, None, ref, raw)
    match = _WESTERN_DATE.fullmatch(text)
    if not match:
        return None
    year = int(match["year"])
    month = _checked_month(int(match["month"] or match["month2"]), raw, ref)
    day_text = match["day"] or match["day2"]
    if day_text is None:
        return Period(year, month)
    day = int(day_text)
    _span(year, month, day, ref=ref, text=raw)
    return Period(year, month, day)


def _read_fiscal(
    text: str, context: Period | None, ref: CellRef | None, raw: str
) -> Period | None:
    match = _FISCAL_PREFIX.fullmatch(text)
    if not match:
        return None
    return Period(int(match["year"]), fiscal=True)


def _period(
    year: int, match: re.Match, era: str | None, ref: CellRef | None, raw: str
) -> Period:
    if year < 1:
        raise _not_a_period(raw, ref)
    groups = match.groupdict()
    if groups.get("fiscal"):
        return Period(year, fiscal=True, era=era)
    month = (
        _checked_month(int(groups["month"]), raw, ref) if groups.get("month") else None
    )
    day = int(groups["day"]) if groups.get("day") else None
    if day is not None:
        _span(year, month, day, ref=ref, text=raw)
    return Period(year, month, day, era=era)


def _checked_month(month: int, raw: str, ref: CellRef | None) -> int:
    if not 1 <= month <= 12:
        raise _not_a_period(raw, ref)
    return month


def _period_from_number(
    value: float, number_format: str | None, datemode: int, ref: CellRef | None
) -> Period:
    if is_date_format(number_format):
        day = excel_date(value, datemode=datemode, ref=ref)
        return _period_from_date(day, number_format)
    if value.is_integer() and 1000 <= value <= 9999:
        return Period(int(value))
    raise _not_a_period(str(value), ref)


def _period_from_date(day: date, number_format: str | None) -> Period:
    if isinstance(day, datetime):
        day = day.date()
    precision = (
        date_precision(number_format) if is_date_format(number_format) else "day"
    )
    era = _era_of(day).name if is_era_format(number_format) else None
    if precision == "day":
        return Period(day.year, day.month, day.day, era=era)
    if precision == "month":
        return Period(day.year, day.month, era=era)
    return Period(day.year, era=era)


def _era_of(day: date) -> Era:
    for era in reversed(ERAS):
        if day >= era.start:
            return era
    return ERAS[0]


def fiscal_year_of(day: date) -> int:
    """Return the fiscal year (年度, April to March) that contains `day`."""
    return day.year if day.month >= 4 else day.year - 1


def _not_a_period(found: str, ref: CellRef | None) -> CellError:
    return CellError(
        f"年・月を読み取れません（「{found.strip()}」）。",
        ref=ref,
        hint="「令和5年4月」「R5.4」「2023年4月」「令和5年度」のように書いてください。",
    )


def _not_a_date(found: str, ref: CellRef | None) -> CellError:
    return CellError(
        f"日付のシリアル値 {found} を日付にできません。",
        ref=ref,
        hint="セルに正しい日付を入れてください。",
    )
