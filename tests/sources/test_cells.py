"""Tests of the shared cell parsing: numbers, placeholders, 和暦 and Excel dates."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from databook.model import PeriodKind, Status
from databook.sources.cells import (
    ERAS,
    CellError,
    CellRef,
    Period,
    column_letter,
    date_precision,
    excel_date,
    fiscal_year_of,
    is_era_format,
    parse_number,
    parse_period,
    split_footnotes,
    squeeze_spaces,
)

FULL_WIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")
REF = CellRef("jinkou2708.xls", "毎月人口ＨＰ", 34, 4)


# --- Numbers ---------------------------------------------------------------------


def with_separators(number: int) -> str:
    return f"{number:,}"


def number_notations(value: int) -> list[str]:
    """Write an integer in each notation that tables use."""
    digits = str(abs(value))
    grouped = with_separators(abs(value))
    negative = value < 0
    notations = []
    for body in (digits, grouped, grouped.translate(FULL_WIDTH)):
        for mark in ("△", "▲", "△ ", "▲\u3000") if negative else ("",):
            text = mark + body
            notations += [text, f" {text} ", f"\u3000{text}\u3000", f"{text} a)b)"]
        if negative:
            notations.append("-" + body)
    return notations


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_number_notations_parse_back(value):
    for text in number_notations(value):
        assert parse_number(text).value == value, text


@given(
    st.decimals(
        min_value=-(10**6),
        max_value=10**6,
        places=2,
        allow_nan=False,
        allow_infinity=False,
    )
)
def test_decimal_text_parses_back(value):
    text = f"{abs(value):,}"
    if value < 0:
        text = "△" + text
    assert parse_number(text).value == pytest.approx(float(value))


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_stored_number_kept(value):
    number_format = '#,##0;"△ "#,##0;"―"'
    parsed = parse_number(float(value), number_format=number_format)
    assert parsed.value == value
    assert parsed.status == ""


def test_zero_shown_as_dash_is_zero():
    # '#,##0;"△ "#,##0;"―"' is format 176 of kobe_jinkou2708.xls: its third
    # section prints a stored 0 as ―, which is a zero, not a missing value.
    parsed = parse_number(0.0, number_format='#,##0;"△ "#,##0;"―"')
    assert parsed.value == 0
    assert not parsed.missing


def test_positive_shown_with_triangle_is_negative():
    assert parse_number(12.0, number_format='"△"#,##0').value == -12


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("…", Status.NOT_SURVEYED),
        ("...", Status.NOT_SURVEYED),
        ("―", Status.NOT_APPLICABLE),
        ("-", Status.NOT_APPLICABLE),
        ("－", Status.NOT_APPLICABLE),
        (" ", Status.NOT_SURVEYED),
        ("\u3000", Status.NOT_SURVEYED),
        ("x", Status.SUPPRESSED),
        ("ｘ", Status.SUPPRESSED),
        ("X", Status.SUPPRESSED),
        ("***", Status.SUPPRESSED),
        ("… a)", Status.NOT_SURVEYED),
    ],
)
def test_placeholder_maps_to_status(text, status):
    parsed = parse_number(text)
    assert math.isnan(parsed.value)
    assert parsed.status == status


def test_empty_cell_not_surveyed():
    assert parse_number(None).status == Status.NOT_SURVEYED


def test_footnotes_kept():
    assert parse_number("1,234 a)b)").footnotes == ("a)", "b)")
    assert split_footnotes("平成23年 a)b)") == ("平成23年", ("a)", "b)"))


def test_error_names_file_sheet_and_cell():
    with pytest.raises(CellError) as caught:
        parse_number("不明", ref=REF)
    text = str(caught.value)
    assert "jinkou2708.xls" in text
    assert "シート 毎月人口ＨＰ" in text
    assert "セル D34" in text
    assert "不明" in text
    assert caught.value.hint


def test_exponent_text_read():
    # tests/data/tables/hokkaido/tourism_stat_report_2019_monthly.csv line 515,
    # column I (奥尻町 内日帰客, August): 0.1 千人 written with an exponent.
    assert parse_number("9.9999999999999645E-2").value == pytest.approx(0.1)


@pytest.mark.parametrize(
    "text", ["1,23", "12,3456", "1231)", "△-5", "1 234", "abc", "1,234E2", "E5"]
)
def test_malformed_numbers_rejected(text):
    with pytest.raises(CellError):
        parse_number(text)


@pytest.mark.parametrize("raw", [True, float("nan"), float("inf"), date(2020, 1, 1)])
def test_non_numbers_rejected(raw):
    with pytest.raises(CellError):
        parse_number(raw)


@settings(max_examples=300)
@given(st.text(max_size=12))
def test_any_text_number_or_cell_error(text):
    try:
        parsed = parse_number(text, ref=REF)
    except CellError as error:
        assert error.ref == REF
    else:
        assert isinstance(parsed.value, float)


def test_squeeze_spaces_district_names():
    # Cells A17 and A44 of kobe_jinkou2708.xls.
    assert squeeze_spaces(" 東  灘  区    ") == "東灘区"
    assert squeeze_spaces("\u3000東\u3000灘\u3000区") == "東灘区"


def test_column_letter():
    assert column_letter(1) == "A"
    assert column_letter(26) == "Z"
    assert column_letter(28) == "AB"


# --- 和暦 and periods -----------------------------------------------------------


def era_of(day: date):
    return next(era for era in reversed(ERAS) if day >= era.start)


def era_texts(day: date, *, with_day: bool) -> list[str]:
    """Write a date in the 和暦 notations that tables use."""
    era = era_of(day)
    year = day.year - era.offset
    years = [str(year), str(year).translate(FULL_WIDTH)]
    if year == 1:
        years.append("元")
    texts = []
    for written in years:
        month = f"{written}年{day.month}月"
        if with_day:
            texts.append(f"{era.name}{month}{day.day}日")
            texts.append(f"{era.letter}{written}.{day.month}.{day.day}")
        else:
            texts.append(f"{era.name}{month}")
            texts.append(f" {era.name} {written} 年 {day.month} 月 ")
            texts.append(f"{era.letter}{written}.{day.month}")
            texts.append(f"{era.name}{month}".translate(FULL_WIDTH) + " a)")
    return texts


dates = st.dates(min_value=date(1868, 1, 25), max_value=date(2200, 12, 31))


@given(dates)
def test_era_month_parses_back(day):
    for text in era_texts(day, with_day=False):
        period = parse_period(text)
        assert (period.year, period.month) == (day.year, day.month), text
        assert period.kind is PeriodKind.MONTH


@given(dates)
def test_era_date_parses_back(day):
    for text in era_texts(day, with_day=True):
        period = parse_period(text)
        assert (period.year, period.month, period.day) == (
            day.year,
            day.month,
            day.day,
        ), text


@given(dates)
def test_era_fiscal_year_parses_back(day):
    era = era_of(day)
    year = day.year - era.offset
    written = "元" if year == 1 else str(year)
    period = parse_period(f"{era.name}{written}年度")
    assert period.text == f"FY{day.year}"
    assert period.kind is PeriodKind.FISCAL_YEAR


@given(dates)
def test_era_omitted_on_later_row(day):
    era = era_of(day)
    first = parse_period(f"{era.name}{day.year - era.offset}年")
    later = day + timedelta(days=366)
    if era_of(later) is not era:
        return
    year = later.year - era.offset
    year_row = parse_period(f"\u3000\u3000{year}年", context=first)
    assert year_row.year == later.year
    # A month row takes its year from the row above, here `year_row`.
    month_row = parse_period(f"{later.month}月".translate(FULL_WIDTH), context=year_row)
    assert (month_row.year, month_row.month) == (later.year, later.month)


def test_era_change_2019_consecutive():
    # 平成 ends on 2019-04-30 and 令和 starts on 2019-05-01.
    assert parse_period("H31.4").text == "2019-04"
    assert parse_period("R1.5").text == "2019-05"
    assert parse_period("令和元年5月").text == "2019-05"
    assert parse_period("平成31年").text == "2019"
    assert parse_period("令和元年").text == "2019"
    for text in ("H31.5", "R1.4", "平成32年", "令和元年4月30日", "昭和64年1月8日"):
        with pytest.raises(CellError):
            parse_period(text)


def test_kobe_year_cells():
    # Column A of kobe_jinkou2708.xls, sheet 毎月人口ＨＰ: A10 "平成23年 a)b)",
    # A11 "　　24年 a)b)" (era left out), A16 "平成27年８月" (full-width 8),
    # A37 "　 平成23 年".
    first = parse_period("平成23年 a)b)")
    assert first.text == "2011"
    assert parse_period("\u3000\u300024年 a)b)", context=first).text == "2012"
    assert parse_period("平成27年８月").text == "2015-08"
    assert parse_period("\u3000 平成23 年").text == "2011"
    assert parse_period("平成27年８月1日現在").text == "2015-08-01"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2015年8月", "2015-08"),
        ("2015/8", "2015-08"),
        ("2022-01-01", "2022-01-01"),
        ("2015年度", "FY2015"),
        ("FY2022", "FY2022"),
        ("2015", "2015"),
        ("明治45年7月", "1912-07"),
        ("大正元年7月", "1912-07"),
        ("S64.1", "1989-01"),
        ("H1.1", "1989-01"),
        ("R5.4", "2023-04"),
        ("r5年度", "FY2023"),
    ],
)
def test_period_notations(text, expected):
    assert parse_period(text).text == expected


def test_era_missing_without_context():
    with pytest.raises(CellError, match="元号"):
        parse_period("24年")


@settings(max_examples=300)
@given(st.text(max_size=14))
def test_any_text_period_or_cell_error(text):
    try:
        period = parse_period(text, ref=REF, context=Period(2015, 8, era="平成"))
    except CellError as error:
        assert error.ref == REF
    else:
        assert 1 <= period.year <= 9999


# --- Excel serial dates ----------------------------------------------------------


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)))
def test_excel_serial_parses_back(day):
    serial = (day - date(1899, 12, 30)).days
    assert excel_date(serial) == day
    assert excel_date(serial + 0.75) == day


@given(st.dates(min_value=date(1904, 1, 1), max_value=date(9000, 12, 31)))
def test_excel_1904_serial(day):
    assert excel_date((day - date(1904, 1, 1)).days, datemode=1) == day


def test_excel_serial_known_values():
    # Excel shows serial 1 as 1900-01-01, 59 as 1900-02-28, 61 as 1900-03-01
    # and 45017 as 2023-04-01.
    assert excel_date(1) == date(1900, 1, 1)
    assert excel_date(59) == date(1900, 2, 28)
    assert excel_date(61) == date(1900, 3, 1)
    assert excel_date(45017) == date(2023, 4, 1)
    with pytest.raises(CellError):
        excel_date(60)


@given(st.dates(min_value=date(1926, 12, 25), max_value=date(2100, 12, 31)))
def test_era_format_serial_parses_back(day):
    serial = float((day - date(1899, 12, 30)).days)
    month = parse_period(serial, number_format='[$-411]ggge"年"m"月"')
    assert month.text == f"{day.year:04d}-{day.month:02d}"
    assert month.era == era_of(day).name
    full = parse_period(serial, number_format="[$-ja-JP]ge.m.d")
    assert full.text == day.isoformat()
    year = parse_period(serial, number_format='ggge"年"')
    assert year.text == str(day.year)


def test_format_helpers():
    assert is_era_format('[$-411]ggge"年"m"月"')
    assert not is_era_format('#,##0;"△ "#,##0;"―"')
    assert date_precision("yyyy/m/d") == "day"
    assert date_precision('yyyy"年"m"月"') == "month"
    assert date_precision("h:mm") == "year"


def test_datetime_cell_uses_format():
    # openpyxl returns a datetime for a date-formatted cell.
    stored = datetime(2023, 4, 1)
    month = parse_period(stored, number_format='[$-411]ggge"年"m"月"')
    assert month.text == "2023-04"
    assert month.era == "令和"
    assert parse_period(stored).text == "2023-04-01"


def test_stored_year_number():
    # Hidden column C of kobe_jinkou2708.xls stores the year as 2015.0.
    assert parse_period(2015.0).text == "2015"
    with pytest.raises(CellError):
        parse_period(20.5)


def test_fiscal_year_of():
    assert fiscal_year_of(date(2023, 3, 31)) == 2022
    assert fiscal_year_of(date(2023, 4, 1)) == 2023
