"""A municipality's own summary tables of population and population change.

Towns publish 人口動態 by month or year, often by district, as .xlsx, .xls or
CSV. The layouts differ from town to town and between releases, so the reader
finds each table in the sheet by its header labels:

- a header block of one to four rows, often with merged cells and bilingual
  labels (出　生 / Births). Each column's labels are read from the bottom row
  up, so 「出生」 under 「自然動態」 is births, not natural change;
- label columns on the left whose text is either a period (平成27年８月, or
  「　　24年」 with the era of the row above) or a district (「 東  灘  区 」);
- several tables stacked in one sheet, each with its own header block;
- district rows that are parts of the district above them (神戸市北区 → 本区,
  北神): they are found because they add up to it, and are left out so that
  nothing is counted twice;
- total rows (本年累計, 合計) that repeat other rows, left out.

databook.yml can fix any of this (sheet, header rows, label column, the column
of each indicator) when the detection picks the wrong cells.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from databook.errors import InputError
from databook.model import TIDY_COLUMNS, Dataset, PeriodKind, Provenance
from databook.sources.cells import (
    CellError,
    Period,
    column_letter,
    parse_number,
    parse_period,
    squeeze_spaces,
)
from databook.sources.files import file_sha256
from databook.sources.register_ages import (
    AgeColumns,
    check_sex_totals,
    find_age_columns,
    read_age_row,
)
from databook.sources.report import ReadReport
from databook.sources.sheets import Cell, Sheet, read_sheets, select_sheet

logger = logging.getLogger(__name__)

# Header label patterns, tried in order on each column's labels after NFKC
# normalisation and removal of spaces. A None indicator marks a column that is
# read past on purpose, with the reason shown by `databook check`.
HEADER_PATTERNS: tuple[tuple[re.Pattern[str], str | None, str], ...] = tuple(
    (re.compile(pattern), indicator, reason)
    for pattern, indicator, reason in (
        (r"うち", None, "内訳（うち…）の列"),
        (r"対前年", None, "前年同月との差の列"),
        (r"対前月", None, "前月との差の列（人口動態の表と重なる）"),
        (r"密度", None, "人口密度の列"),
        (r"面積", None, "面積の列"),
        (r"100に?対する", None, "性比の列"),
        (r"率|割合|構成比", None, "率の列"),
        (r"自然増[加減]", "natural_change", ""),
        (r"社会増[加減]", "social_change", ""),
        (r"出生", "births", ""),
        (r"死亡", "deaths", ""),
        (r"転入", "moves_in", ""),
        (r"転出", "moves_out", ""),
        (r"世帯", "households", ""),
        (r"^男", "population_male", ""),
        (r"^女", "population_female", ""),
        (r"総数|^人口$|^人口[^動密]|^計$|^合計$", "population", ""),
        (r"増[加減]", "change", ""),
    )
)

LABELS = {
    "population": "人口",
    "population_male": "人口・男",
    "population_female": "人口・女",
    "households": "世帯数",
    "births": "出生",
    "deaths": "死亡",
    "moves_in": "転入",
    "moves_out": "転出",
    "natural_change": "自然増減",
    "social_change": "社会増減",
    "change": "人口増減",
    "population_young": "15歳未満人口",
    "population_working": "15～64歳人口",
    "population_elderly": "65歳以上人口",
}
STOCKS = {
    "population",
    "population_male",
    "population_female",
    "households",
    "population_young",
    "population_working",
    "population_elderly",
}

# The long layout of デジタル庁「自治体標準オープンデータセット」地域・年齢別人口:
# one row per area and sex, a 調査年月日 column, and figures by column name.
LONG_DATE = ("調査年月日",)
LONG_DISTRICT = ("学区・地区", "町丁字", "地域名", "町丁目", "地区")
LONG_COLUMNS = {
    "総数": "population",
    "世帯数": "households",
    "15歳未満": "population_young",
    "15～64歳": "population_working",
    "65歳以上": "population_elderly",
}
LONG_SEXES = {"総数": "", "計": "", "男": "_male", "女": "_female"}
UNITS = {"households": "世帯"}
# Columns beyond TIDY_COLUMNS: the district ("" for the whole municipality),
# the breakdown ("age" for age classes, "" otherwise), its category
# (0～4歳 … 100歳以上, 不詳) and the `AgeBasis` the classes were read on.
EXTRA_COLUMNS = ["district", "breakdown", "category", "age_basis"]
AGE_BREAKDOWN = "age"

_TOTAL_ROW = re.compile(r"累計|合計|総計|年計|年度計|^計$|^総数$")
_SUBSET_ROW = re.compile(r"^\(?うち")
"""A row counting part of the row above, (うち外国人) after NFKC: no district."""
_MAX_HEADER_ROWS = 4


@dataclass(frozen=True)
class Layout:
    """Position of a table in a sheet, detected or declared in databook.yml."""

    header_rows: tuple[int, ...] = ()
    """1-based rows of the header block; detected when empty."""
    label_column: int | None = None
    """1-based column holding periods and district names; detected when None."""
    columns: dict[str, int] = field(default_factory=dict)
    """Indicator → 1-based column; detected from the header labels when empty."""


@dataclass
class TableRows:
    """The rows read from one table of a sheet."""

    header: tuple[int, ...]
    columns: dict[int, str]
    """1-based column → indicator."""
    skipped: list[str] = field(default_factory=list)
    """Header columns read past, with the reason."""


def column_number(letters: str) -> int:
    """Return the 1-based number of a column name (A → 1, AB → 28)."""
    number = 0
    for letter in letters.strip().upper():
        if not "A" <= letter <= "Z":
            raise ValueError(letters)
        number = number * 26 + ord(letter) - 64
    return number


def header_indicator(labels: list[str]) -> tuple[str | None, str]:
    """Match a column's header labels (top to bottom) to an indicator.

    Returns (indicator, "") for a match, (None, reason) for a column that is
    read past on purpose, and (None, "") when nothing matches.
    """
    texts = [squeeze_spaces(label) for label in labels if label]
    texts = [text for text in texts if text]
    for depth in range(1, len(texts) + 1):
        candidate = "".join(texts[-depth:])
        for pattern, indicator, reason in HEADER_PATTERNS:
            if pattern.search(candidate):
                return indicator, reason
    return None, ""


def read_register_table(
    sheet: Sheet, layout: Layout, *, period: Period | None, report: ReadReport
) -> list[dict]:
    """Read every table in a sheet into tidy records (without provenance)."""
    long_header = _long_header(sheet)
    if long_header is not None and not layout.header_rows:
        return _read_long_table(sheet, long_header, report)

    tables = _find_tables(sheet, layout)
    if not tables:
        raise InputError(
            "人口や人口動態の見出し（人口、世帯数、出生、死亡、転入、転出など）が"
            "見つかりません。",
            file=sheet.file,
            place=f"シート {sheet.name}" if sheet.name else None,
            hint="databook.yml で header_rows（見出しの行）と columns"
            "（項目ごとの列）を指定してください（README の設定の説明を参照）。",
        )

    records: list[dict] = []
    seen: set[tuple[str, str, str]] = set()
    for table in tables:
        label_column = layout.label_column or _label_column(sheet, table)
        rows = _read_rows(sheet, table, label_column, period, report)
        rows = _drop_sub_areas(rows, sheet, report)
        for record in rows:
            key = (record["indicator"], record["period"], record["district"])
            if key in seen:
                report.skipped.append(
                    f"{record['place']}（{LABELS[record['indicator']]}、"
                    f"{record['period']} は前の表と重複）"
                )
                continue
            seen.add(key)
            records.append(record)
        headers = "・".join(str(row) for row in table.header)
        found = "、".join(
            f"{column_letter(column)}列={LABELS[name]}"
            for column, name in table.columns.items()
        )
        report.notes.append(f"表（見出し {headers}行目）: {found}")
        report.skipped.extend(f"{headers}行目の表の{text}" for text in table.skipped)
    return records


def _long_header(sheet: Sheet) -> dict[str, int] | None:
    """Return column positions when row 1 is the long open-data header."""
    if not sheet.rows:
        return None
    names = {
        squeeze_spaces(str(cell.value)): index + 1
        for index, cell in enumerate(sheet.rows[0])
        if cell.value is not None
    }
    date_column = next((names[n] for n in LONG_DATE if n in names), None)
    if date_column is None or "総数" not in names:
        return None
    return names


def _read_long_table(
    sheet: Sheet, names: dict[str, int], report: ReadReport
) -> list[dict]:
    date_column = next(names[n] for n in LONG_DATE if n in names)
    district_column = next((names[n] for n in LONG_DISTRICT if n in names), None)
    sex_column = names.get("性別")
    # NFKC turns 「～」 into "~", so labels are normalised like the header.
    wanted = {squeeze_spaces(label): name for label, name in LONG_COLUMNS.items()}
    columns = {names[label]: name for label, name in wanted.items() if label in names}
    ages = find_age_columns(names)
    headers = {
        index + 1: str(cell.value).strip()
        for index, cell in enumerate(sheet.rows[0])
        if cell.value is not None
    }
    used = {date_column, district_column, sex_column, *columns}
    used |= ages.used if ages is not None else set()
    _report_long_layout(report, names, headers, used, ages)

    records = []
    for row in range(2, len(sheet.rows) + 1):
        if all(cell.value in (None, "") for cell in sheet.rows[row - 1]):
            continue
        date_cell = sheet.cell(row, date_column)
        period = parse_period(
            date_cell.value,
            number_format=date_cell.number_format,
            datemode=sheet.datemode,
            ref=sheet.ref(row, date_column),
        )
        sex = ""
        if sex_column is not None:
            text = squeeze_spaces(str(sheet.cell(row, sex_column).value or ""))
            if text not in LONG_SEXES:
                report.skipped.append(f"{row}行目（性別「{text}」）")
                continue
            sex = LONG_SEXES[text]
        district = (
            squeeze_spaces(str(sheet.cell(row, district_column).value or ""))
            if district_column
            else ""
        )
        base = {
            "period": period.text,
            "period_kind": period.kind.value,
            "district": district,
            "row": row,
            "place": f"{row}行目",
        }
        for column, name in columns.items():
            indicator = name + sex if name == "population" else name
            if sex and name != "population":
                continue
            cell = sheet.cell(row, column)
            number = parse_number(
                cell.value, number_format=cell.number_format, ref=sheet.ref(row, column)
            )
            records.append(
                {
                    **base,
                    "indicator": indicator,
                    "value": number.value,
                    "status": number.status,
                }
            )
        if ages is not None:
            ages_read = read_age_row(sheet, row, ages, names.get("総数"), headers)
            records.extend(
                {
                    **base,
                    "indicator": "population" + sex,
                    "value": number.value,
                    "status": number.status,
                    "breakdown": AGE_BREAKDOWN,
                    "category": label,
                    "age_basis": ages.basis.value,
                }
                for label, number in ages_read
            )
    if "総数" in names:
        sexes = {"population", "population_male", "population_female"}
        totals = [
            r for r in records if not r.get("breakdown") and r["indicator"] in sexes
        ]
        check_sex_totals(totals, sheet, names["総数"])
    return records


def _report_long_layout(
    report: ReadReport,
    names: dict[str, int],
    headers: dict[int, str],
    used: set[int | None],
    ages: AgeColumns | None,
) -> None:
    report.notes.append(
        "自治体標準オープンデータセットの形（1行に地区と性別が1つ）として読みました: "
        + "、".join(label for label in LONG_COLUMNS if squeeze_spaces(label) in names)
    )
    if ages is not None:
        report.notes.append(f"年齢別人口: {ages.describe()}")
    report.skipped.extend(
        f"{column_letter(column)}列（{header}: 使わない列）"
        for column, header in headers.items()
        if column not in used
    )


def _find_tables(sheet: Sheet, layout: Layout) -> list[TableRows]:
    if layout.header_rows:
        columns = (
            {column: name for name, column in layout.columns.items()}
            if layout.columns
            else _header_columns(sheet, layout.header_rows)[0]
        )
        return [TableRows(layout.header_rows, columns)] if columns else []

    tables = []
    row = 1
    height = len(sheet.rows)
    while row <= height:
        if _matches(sheet, row) < 2 or _is_data_row(sheet, row):
            row += 1
            continue
        top = row
        while top > 1 and row - top < 2 and _matches(sheet, top - 1) >= 1:
            if _is_data_row(sheet, top - 1):
                break
            top -= 1
        bottom = row
        while (
            bottom < height
            and bottom - top < _MAX_HEADER_ROWS - 1
            and not _is_data_row(sheet, bottom + 1)
            and _row_texts(sheet, bottom + 1)
        ):
            bottom += 1
        header = tuple(range(top, bottom + 1))
        columns, skipped = _header_columns(sheet, header)
        if layout.columns:
            columns = {column: name for name, column in layout.columns.items()}
        if columns:
            tables.append(TableRows(header, columns, skipped))
        row = bottom + 1
    return tables


def _matches(sheet: Sheet, row: int) -> int:
    count = 0
    for cell in sheet.rows[row - 1] if row <= len(sheet.rows) else []:
        if isinstance(cell.value, str) and not cell.merged:
            indicator, _ = header_indicator([cell.value])
            count += indicator is not None
    return count


def _row_texts(sheet: Sheet, row: int) -> list[str]:
    cells = sheet.rows[row - 1] if row <= len(sheet.rows) else []
    return [
        cell.value
        for cell in cells
        if isinstance(cell.value, str) and cell.value.strip()
    ]


def _is_data_row(sheet: Sheet, row: int) -> bool:
    """Tell whether a row contains figures: any number past the first column."""
    cells = sheet.rows[row - 1] if row <= len(sheet.rows) else []
    for cell in cells[1:]:
        value = cell.value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return True
        if isinstance(value, str) and re.fullmatch(
            r"[\s\u3000]*[△▲-]?[\s\u3000]*[\d,０-９，]+(\.\d+)?[\s\u3000]*", value
        ):
            return True
    return False


def _header_columns(
    sheet: Sheet, header: tuple[int, ...]
) -> tuple[dict[int, str], list[str]]:
    columns: dict[int, str] = {}
    skipped: list[str] = []
    for column in range(1, sheet.width + 1):
        labels = [
            sheet.cell(row, column).value
            for row in header
            if isinstance(sheet.cell(row, column).value, str)
        ]
        indicator, reason = header_indicator(labels)
        if indicator is None:
            if reason:
                skipped.append(f"{column_letter(column)}列（{reason}）")
            continue
        if indicator in columns.values():
            skipped.append(
                f"{column_letter(column)}列（{LABELS[indicator]}の列が重複）"
            )
            continue
        columns[column] = indicator
    return columns, skipped


def _label_column(sheet: Sheet, table: TableRows) -> int:
    """Return the first visible column left of the figures that contains text."""
    first_figure = min(table.columns)
    for column in range(1, max(first_figure, 2)):
        if column in sheet.hidden_columns:
            continue
        start = table.header[-1] + 1
        for row in range(start, min(start + 5, len(sheet.rows) + 1)):
            if isinstance(sheet.cell(row, column).value, str) and (
                sheet.cell(row, column).value.strip()
            ):
                return column
    return 1


def _read_rows(
    sheet: Sheet,
    table: TableRows,
    label_column: int,
    default_period: Period | None,
    report: ReadReport,
) -> list[dict]:
    rows: list[dict] = []
    current = default_period
    row = table.header[-1] + 1
    height = len(sheet.rows)
    while row <= height:
        if not _is_data_row(sheet, row):
            if _starts_next_table(sheet, row):
                break
            row += 1
            continue

        label_cell = sheet.cell(row, label_column)
        label = label_cell.value if isinstance(label_cell.value, str) else ""
        district = ""
        try:
            current = parse_period(
                label_cell.value if label_cell.value is not None else "",
                context=current,
                number_format=label_cell.number_format,
                datemode=sheet.datemode,
                ref=sheet.ref(row, label_column),
            )
        except CellError:
            name = squeeze_spaces(label)
            if _TOTAL_ROW.search(name):
                report.skipped.append(f"{row}行目（「{name}」は合計の行）")
                row += 1
                continue
            if _SUBSET_ROW.match(name):
                report.skipped.append(f"{row}行目（「{name}」は内訳の行）")
                row += 1
                continue
            if current is None:
                raise InputError(
                    f"「{name}」の行の年月が分かりません。",
                    file=sheet.file,
                    place=sheet.ref(row, label_column).place(),
                    hint="表の上に年月の行を置くか、databook.yml の period で"
                    "年月を指定してください。",
                ) from None
            district = name
        rows.extend(_row_records(sheet, table, row, current, district))
        row += 1
    return rows


def _starts_next_table(sheet: Sheet, row: int) -> bool:
    return _matches(sheet, row) >= 1 and not _is_data_row(sheet, row)


def _row_records(
    sheet: Sheet, table: TableRows, row: int, period: Period, district: str
) -> list[dict]:
    records = []
    for column, indicator in table.columns.items():
        cell: Cell = sheet.cell(row, column)
        number = parse_number(
            cell.value, number_format=cell.number_format, ref=sheet.ref(row, column)
        )
        records.append(
            {
                "indicator": indicator,
                "period": period.text,
                "period_kind": _period_kind(period, indicator).value,
                "value": number.value,
                "status": number.status,
                "district": district,
                "row": row,
                "place": f"{row}行目",
            }
        )
    return records


def _period_kind(period: Period, indicator: str) -> PeriodKind:
    # A stock on a year row is a count on a date that the table gives only in
    # a footnote (e.g. 10月1日現在), so its kind is left open.
    if indicator in STOCKS and period.kind is PeriodKind.CALENDAR_YEAR:
        return PeriodKind.YEAR
    return period.kind


def _drop_sub_areas(
    records: list[dict], sheet: Sheet, report: ReadReport
) -> list[dict]:
    """Leave out district rows that add up to the district row above them."""
    by_row: dict[int, dict[str, float]] = {}
    names: dict[int, tuple[str, str]] = {}
    for record in records:
        if record["district"]:
            by_row.setdefault(record["row"], {})[record["indicator"]] = record["value"]
            names[record["row"]] = (record["district"], record["period"])

    rows = sorted(by_row)
    parts: set[int] = set()
    for index, row in enumerate(rows):
        if row in parts:
            continue
        for count in (2, 3, 4):
            following = rows[index + 1 : index + 1 + count]
            if len(following) < count or following[-1] - row != count:
                break
            if names[following[0]][1] != names[row][1]:
                break
            if _adds_up(by_row[row], [by_row[part] for part in following]):
                parts.update(following)
                shown = "・".join(names[part][0] for part in following)
                report.skipped.append(
                    f"{following[0]}～{following[-1]}行目（{shown}は"
                    f"{names[row][0]}の内訳のため除外）"
                )
                break
    return [record for record in records if record["row"] not in parts]


def _adds_up(total: dict[str, float], parts: list[dict[str, float]]) -> bool:
    compared = 0
    for indicator, value in total.items():
        if math.isnan(value) or value == 0:
            continue
        values = [part.get(indicator, math.nan) for part in parts]
        if any(math.isnan(v) for v in values):
            return False
        if abs(sum(values) - value) > 1e-6 * max(1.0, abs(value)):
            return False
        compared += 1
    return compared >= 1


def load_register_table(
    path: Path,
    *,
    display_path: str,
    area_code: str,
    area_name: str,
    sheet_name: str | None = None,
    layout: Layout | None = None,
    period: str | None = None,
    title: str | None = None,
) -> tuple[Dataset, ReadReport]:
    """Load a town's summary table of population change into a Dataset."""
    report = ReadReport(display_path, "register-table")
    sheets = read_sheets(path, display_path=display_path)
    sheet = select_sheet(sheets, sheet_name, display_path)
    default_period = parse_period(period, ref=None) if period is not None else None
    records = read_register_table(
        sheet, layout or Layout(), period=default_period, report=report
    )

    source_id = f"register-table/{display_path}"
    frame = pd.DataFrame(records)
    frame["area_code"] = area_code
    frame["area_name"] = area_name
    frame["unit"] = frame["indicator"].map(lambda name: UNITS.get(name, "人"))
    frame["source_id"] = source_id
    for column in EXTRA_COLUMNS:
        frame[column] = frame[column].fillna("") if column in frame else ""
    frame = frame[[*TIDY_COLUMNS, *EXTRA_COLUMNS]]

    provenance = Provenance(
        id=source_id,
        source=title or f"「{Path(display_path).stem}」",
        survey=None,
        table=title or Path(display_path).name,
        file=display_path,
        sha256=file_sha256(path),
        licence="",
        reference="、".join(sorted(set(frame["period"]))),
    )
    report.rows = len(frame)
    report.periods = sorted(set(frame["period"]))
    report.districts = sorted({d for d in frame["district"] if d})
    logger.info(
        "読み込み: %s（%s、%d 件、期間 %s～%s、地区 %d）",
        display_path,
        f"シート {sheet.name}" if sheet.name else "CSV",
        len(frame),
        report.periods[0] if report.periods else "-",
        report.periods[-1] if report.periods else "-",
        len(report.districts),
    )
    dataset = Dataset(frame.reset_index(drop=True), {source_id: provenance}, LABELS)
    return dataset, report
