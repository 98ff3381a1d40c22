"""Age columns of デジタル庁「自治体標準オープンデータセット」地域・年齢別人口.

A row of that layout (one area and one sex) carries 総数, single years of age
(0歳 … 99歳, 100歳以上), 不詳, five-year classes (0～4歳 … 95～99歳) and
aggregates (15歳未満, 15～64歳, 65歳以上, 75歳以上). A publisher may leave
out the single years or the five-year classes, so the classes are read from
the five-year columns when they cover every age, and otherwise summed from the
single years. Every row is checked: a five-year class must equal its single
years, and the classes plus 不詳 must equal 総数.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from databook.errors import InputError
from databook.sources.cells import CellNumber, column_letter, parse_number
from databook.sources.sheets import Sheet

# Header names are compared after NFKC, which turns 「～」 into "~" but
# leaves the wave dash 「〜」 as it is.
SINGLE_YEAR = re.compile(r"(\d+)歳")
AGE_RANGE = re.compile(r"(\d+)[~〜-](\d+)歳")
OPEN_TOP = re.compile(r"(\d+)歳以上")
UNKNOWN_HEADERS = ("不詳", "年齢不詳")
UNKNOWN_AGE = "不詳"
"""Category of the people whose age is not known, kept apart from the classes."""

CHECK_HINT = (
    "ファイルが壊れていないか、公表元のファイルと同じかを確かめてください。"
    "公表元の数値の誤りなら、公表元に確かめてから正しい数値のファイルに差し替えます。"
)


class AgeBasis(StrEnum):
    """Columns that the five-year classes were read from."""

    FIVE_YEAR = "five_year"
    """The file's five-year columns (0～4歳 …) and its open top class."""
    SINGLE_YEAR = "single_year"
    """Sums of the file's single-year columns (0歳 …)."""


@dataclass(frozen=True)
class AgeClass:
    """A five-year class, or the open top class, and the columns that make it up."""

    label: str
    """Class as printed, e.g. 0～4歳 or 100歳以上."""
    columns: tuple[int, ...]
    """1-based columns whose sum is the class."""
    singles: tuple[int, ...] = ()
    """Single-year columns that must add up to a five-year column, when present."""


@dataclass(frozen=True)
class AgeColumns:
    """Columns of a file's age classes and the basis they are read on."""

    basis: AgeBasis
    classes: tuple[AgeClass, ...]
    unknown: int | None
    """1-based column of 不詳, when the file has one."""

    @property
    def used(self) -> set[int]:
        """Columns read for the classes and their checks."""
        used = {c for age in self.classes for c in (*age.columns, *age.singles)}
        return used | ({self.unknown} if self.unknown else set())

    def describe(self) -> str:
        """Say in Japanese which columns the classes come from."""
        first, last = self.classes[0].label, self.classes[-1].label
        if self.basis is AgeBasis.FIVE_YEAR:
            second_last = self.classes[-2].label
            return f"5歳階級の列（{first}から{second_last}まで）と{last}の列"
        return f"各歳の列を5歳ごとに合計した値（{first}から{last}まで）"


def class_label(lower: int, upper: int | None) -> str:
    """Return the label of ages `lower` to `upper`, or `lower` and over for None."""
    return f"{lower}歳以上" if upper is None else f"{lower}～{upper}歳"


def find_age_columns(names: dict[str, int]) -> AgeColumns | None:
    """Find the age classes among header names (normalised) and their columns.

    Returns None when neither the five-year nor the single-year columns cover
    every age from 0 up to an open top class (such as 100歳以上).
    """
    singles: dict[int, int] = {}
    ranges: dict[int, int] = {}
    tops: dict[int, int] = {}
    for name, column in names.items():
        if match := SINGLE_YEAR.fullmatch(name):
            singles[int(match[1])] = column
        elif match := AGE_RANGE.fullmatch(name):
            lower, upper = int(match[1]), int(match[2])
            if upper - lower == 4:
                ranges[lower] = column
        elif match := OPEN_TOP.fullmatch(name):
            tops[int(match[1])] = column
    unknown = next((names[n] for n in UNKNOWN_HEADERS if n in names), None)

    five_top = 5 * len(ranges)
    if ranges and set(ranges) == set(range(0, five_top, 5)) and five_top in tops:
        classes = [
            AgeClass(
                class_label(lower, lower + 4),
                (column,),
                _single_columns(singles, lower, lower + 4),
            )
            for lower, column in sorted(ranges.items())
        ]
        classes.append(AgeClass(class_label(five_top, None), (tops[five_top],)))
        return AgeColumns(AgeBasis.FIVE_YEAR, tuple(classes), unknown)

    single_top = len(singles)
    if singles and set(singles) == set(range(single_top)) and single_top in tops:
        # The open class starts at the last multiple of 5 up to the top, so
        # 0歳…97歳 and 98歳以上 end with 95歳以上 = 95 + 96 + 97 + 98歳以上.
        open_lower = single_top // 5 * 5
        classes = [
            AgeClass(
                class_label(lower, lower + 4),
                _single_columns(singles, lower, lower + 4),
            )
            for lower in range(0, open_lower, 5)
        ]
        rest = _single_columns(singles, open_lower, single_top - 1)
        classes.append(
            AgeClass(class_label(open_lower, None), (*rest, tops[single_top]))
        )
        return AgeColumns(AgeBasis.SINGLE_YEAR, tuple(classes), unknown)
    return None


def _single_columns(singles: dict[int, int], lower: int, upper: int) -> tuple[int, ...]:
    if all(age in singles for age in range(lower, upper + 1)):
        return tuple(singles[age] for age in range(lower, upper + 1))
    return ()


def read_age_row(
    sheet: Sheet,
    row: int,
    ages: AgeColumns,
    total_column: int | None,
    headers: dict[int, str],
) -> list[tuple[str, CellNumber]]:
    """Read one row's age classes and 不詳, checked against each other and 総数.

    `headers` maps a column to its header as the file writes it, for messages.
    Raises InputError at the first cell whose parts do not add up.
    """

    def number(column: int) -> CellNumber:
        cell = sheet.cell(row, column)
        return parse_number(
            cell.value, number_format=cell.number_format, ref=sheet.ref(row, column)
        )

    values: list[tuple[str, CellNumber]] = []
    for age in ages.classes:
        parts = [number(column) for column in age.columns]
        if age.singles:
            _check_sum(
                sheet, row, age.columns[0], parts[0], age.singles, number, headers
            )
        values.append((age.label, _sum(parts)))
    parts_columns = [c for age in ages.classes for c in age.columns]
    if ages.unknown is not None:
        values.append((UNKNOWN_AGE, number(ages.unknown)))
        parts_columns.append(ages.unknown)
    if total_column is not None:
        _check_sum(
            sheet,
            row,
            total_column,
            number(total_column),
            tuple(parts_columns),
            number,
            headers,
        )
    return values


def _sum(parts: list[CellNumber]) -> CellNumber:
    """Add cells; a missing part leaves the sum missing, with the part's status."""
    missing = next((part for part in parts if part.missing), None)
    if missing is not None:
        return CellNumber(math.nan, missing.status)
    return CellNumber(sum(part.value for part in parts))


def _check_sum(
    sheet: Sheet,
    row: int,
    column: int,
    total: CellNumber,
    part_columns: tuple[int, ...],
    number: Callable[[int], CellNumber],
    headers: dict[int, str],
) -> None:
    parts = [number(c) for c in part_columns]
    if total.missing or any(part.missing for part in parts):
        return
    expected = sum(part.value for part in parts)
    if abs(expected - total.value) < 1e-6:
        return
    first, last = headers[part_columns[0]], headers[part_columns[-1]]
    raise InputError(
        f"{row}行目の「{headers[column]}」（{column_letter(column)}列）は"
        f"{total.value:,.0f}ですが、「{first}」から「{last}」までの"
        f"{len(parts)}列の合計は{expected:,.0f}で、一致しません。",
        file=sheet.file,
        place=sheet.ref(row, column).place(),
        hint=CHECK_HINT,
    )


def check_sex_totals(records: list[dict], sheet: Sheet, total_column: int) -> None:
    """Check that the 男 and 女 rows of an area add up to its 総数 row.

    NOTE: the one real file of this layout at hand has 総数 rows only, so
    this check has run on test cuts whose 性別 cells were relabelled.

    `records` are the reader's 総数 records (indicator population,
    population_male or population_female, no breakdown), one per row.
    """
    by_area: dict[tuple[str, str], dict[str, dict]] = {}
    for record in records:
        key = (record["period"], record["district"])
        by_area.setdefault(key, {})[record["indicator"]] = record
    for rows in by_area.values():
        total = rows.get("population")
        male = rows.get("population_male")
        female = rows.get("population_female")
        if total is None or male is None or female is None:
            continue
        values = [total["value"], male["value"], female["value"]]
        if any(math.isnan(value) for value in values):
            continue
        if abs(male["value"] + female["value"] - total["value"]) < 1e-6:
            continue
        raise InputError(
            f"{total['row']}行目（総数）の総数{total['value']:,.0f}が、"
            f"{male['row']}行目（男）の{male['value']:,.0f}と"
            f"{female['row']}行目（女）の{female['value']:,.0f}の合計"
            f"{male['value'] + female['value']:,.0f}と一致しません。",
            file=sheet.file,
            place=sheet.ref(total["row"], total_column).place(),
            hint=CHECK_HINT,
        )
