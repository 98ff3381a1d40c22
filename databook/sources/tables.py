"""Excel and CSV tables declared by their layout in databook.yml (`kind: table`).

Prefectures publish 市町村民経済計算, 入込観光客調査 and 漁業センサス extracts as
workbooks whose layout differs from table to table, and towns keep their own
series (web visits, event counts) in spreadsheets. Rather than one reader per
publication, the user declares where the data sits: the sheet, the header
rows, the data rows, the area and the value columns. The period is fixed,
taken from the file name, read from a column, or read from the column
headings. Each file becomes tidy rows that cite the declared 出典.

Area names without codes are matched through the municipality master within
the declared prefecture (or the prefecture named in a column above them).
Values in a scaled unit (千人, 百万円, 100万円) are multiplied out, so the
Dataset holds 人 and 円.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from databook.errors import ConfigError, InputError
from databook.model import TIDY_COLUMNS, Dataset, PeriodKind, Provenance
from databook.sources.cells import (
    CellError,
    CellRef,
    Period,
    column_letter,
    parse_number,
    parse_period,
    squeeze_spaces,
)
from databook.sources.codes import (
    Municipality,
    MunicipalityMaster,
    normalize_area_code,
)
from databook.sources.files import file_sha256
from databook.sources.sheets import Sheet, read_sheets, select_sheet
from databook.sources.table_months import (
    TOTAL_LABELS,
    find_month_columns,
    month_period,
    parse_month,
    row_year,
    year_of,
)

logger = logging.getLogger(__name__)

# Scale prefixes of a unit, longest first: 百万円 is 10^6 円.
SCALES = (
    ("100万", 1e6),
    ("百万", 1e6),
    ("十億", 1e9),
    ("億", 1e8),
    ("千", 1e3),
    ("万", 1e4),
)
NATION = ("00000", "全国")
MONTH = PeriodKind.MONTH.value
COLUMN_LETTERS = re.compile(r"^[A-Z]{1,3}$")
# Names of areas that a merger ended, as surveys print them after NFKC:
# 旧上磯町(現北斗市), 旧早来町(安平町) and (旧)八雲町.
FORMER_NAME = re.compile(
    r"(?:\(旧\)|旧)(?P<former>[^()]+?)(?:\(現?(?P<current>[^()]+)\))?"
)
# A name with a note on its area: 札幌市(定山渓を除く。).
NOTED_NAME = re.compile(r"(?P<name>[^()]+)\([^()]+\)")


@dataclass
class Grid:
    """One sheet read by `databook.sources.sheets`, addressed by 0-based row and column.

    Merged ranges are filled in by the sheet reader. Headings read the filled
    value, but data cells read a merged copy as empty: the 漁業センサス sheet merges
    「全国」 across its name columns, which must not make 全国 an area name.
    """

    sheet: Sheet

    @property
    def name(self) -> str:
        return self.sheet.name or ""

    @property
    def height(self) -> int:
        return len(self.sheet.rows)

    @property
    def width(self) -> int:
        return self.sheet.width

    def cell(self, row: int, column: int) -> object:
        found = self.sheet.cell(row + 1, column + 1)
        return None if found.merged else found.value

    def heading(self, row: int, column: int) -> object:
        return self.sheet.cell(row + 1, column + 1).value

    def number_format(self, row: int, column: int) -> str | None:
        return self.sheet.cell(row + 1, column + 1).number_format


def column_index(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number - 1


def clean_text(value: object) -> str:
    """Return a cell as one line of text, NFKC-normalised, without any spaces."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return squeeze_spaces(str(value))


def read_number(
    value: object,
    zero_marks: tuple[str, ...],
    ref: CellRef,
    number_format: str | None = None,
) -> tuple[float, str]:
    """Return (value, status) of a value cell, a zero mark read as 0.

    A stored positive number whose format prints it with △ reads as negative.
    Raises CellError, located at `ref`, for text that is neither a number nor
    a placeholder.
    """
    if isinstance(value, str) and squeeze_spaces(value) in zero_marks:
        return 0.0, ""
    number = parse_number(value, number_format=number_format, ref=ref)
    return number.value, number.status


def period_text(period: Period, period_kind: str) -> str:
    """Write a period as the model does; a year counts as fiscal when declared so."""
    if not period.fiscal and period_kind == PeriodKind.FISCAL_YEAR:
        return f"FY{period.year}"
    return period.text


def unit_scale(unit: str) -> tuple[str, float]:
    """Split a unit into its base and scale: 千人 → (人, 1000)."""
    text = unicodedata.normalize("NFKC", unit.strip())
    for prefix, scale in SCALES:
        if text.startswith(prefix) and len(text) > len(prefix):
            return text[len(prefix) :], scale
    return text, 1.0


# --- reading files ------------------------------------------------------------


def read_sheet(path: Path, sheet: str | None, display_path: str) -> Grid:
    """Read the declared sheet of an .xlsx or .xls file, or a CSV file."""
    return Grid(
        select_sheet(read_sheets(path, display_path=display_path), sheet, display_path)
    )


# --- the declared layout ------------------------------------------------------


@dataclass
class Layout:
    """Positions of a declared table's headings and data rows in one sheet."""

    headers: list[str]
    """Heading of each column, header rows joined."""
    sheet: str | None
    """Sheet name, None for a CSV file, for messages."""
    first_row: int
    """0-based first data row."""
    last_row: int
    """0-based last data row (inclusive)."""


def find_layout(settings, sheet: Grid, display_path: str) -> Layout:
    """Join the headings of the header rows and place the data rows in the sheet.

    Raises InputError for a header or data row past the sheet's last row.
    """
    _check_rows_in_sheet(settings, sheet, display_path)
    rows = [r - 1 for r in settings.header_rows]
    headers = []
    for column in range(sheet.width):
        parts: list[str] = []
        for row in rows:
            text = clean_text(sheet.heading(row, column))
            if text and text not in parts:
                parts.append(text)
        headers.append("/".join(parts))

    first, last = max(rows) + 1, sheet.height - 1
    declared = settings.data_row_range()
    if declared:
        first = declared[0] - 1
        if declared[1] is not None:
            last = declared[1] - 1
    return Layout(headers, sheet.sheet.name, first, last)


def _check_rows_in_sheet(settings, sheet: Grid, display_path: str) -> None:
    """Raise InputError when header_rows or data_rows point below the last row."""
    declared = settings.data_row_range()
    checks = [("header_rows", row) for row in settings.header_rows]
    if declared:
        checks += [("data_rows", row) for row in declared if row is not None]
    for setting, row in checks:
        if row > sheet.height:
            raise InputError(
                f"設定 {setting} の {row}行目は、"
                f"{'シート' if sheet.name else 'ファイル'}の最後の行"
                f"（{sheet.height}行目）より後です。",
                file=display_path,
                place=_in_sheet(sheet.sheet.name, f"設定 {setting}"),
                hint=f"{setting} を {sheet.height}行目までの行番号で書いてください"
                "（ファイルやシートが違うなら、files と sheet を確かめてください）。",
            )


def _in_sheet(sheet: str | None, place: str) -> str:
    return f"シート {sheet}、{place}" if sheet else place


def resolve_column(
    reference: str, layout: Layout, setting: str, display_path: str
) -> int:
    """Return the 0-based column a setting names, by letter or by heading."""
    text = reference.strip()
    if COLUMN_LETTERS.match(text):
        index = column_index(text)
        if index >= len(layout.headers):
            last = column_letter(len(layout.headers))
            raise InputError(
                f"設定 {setting} の列 {text} は、表の最後の列（{last}列）より右です。",
                file=display_path,
                place=_in_sheet(layout.sheet, f"設定 {setting}"),
                hint=f"A～{last} の列の文字か見出しで指定してください"
                "（ファイルやシートが違うなら、files と sheet を確かめてください）。",
            )
        return index
    wanted = clean_text(text)
    matches = [i for i, h in enumerate(layout.headers) if h == wanted]
    if not matches:
        matches = [i for i, h in enumerate(layout.headers) if wanted and wanted in h]
    if len(matches) == 1:
        return matches[0]
    shown = ", ".join(
        f"{column_letter(i + 1)}: {h}" for i, h in enumerate(layout.headers) if h
    )
    problem = "に合う列がありません" if not matches else "に合う列が複数あります"
    raise InputError(
        f"設定 {setting} の {reference!r} {problem}。",
        file=display_path,
        place=f"設定 {setting}",
        hint=f"列の文字（A、B…）か見出しで指定してください。見つかった見出し: {shown}",
    )


# --- areas ----------------------------------------------------------------


class AreaMatcher:
    """Turns the area cells of a table into five-digit codes and names."""

    def __init__(self, settings, master: MunicipalityMaster) -> None:
        self.settings = settings
        self.master = master
        self.aliases = {
            clean_text(k): clean_text(v) for k, v in settings.area_aliases.items()
        }
        self.logged: set[str] = set()
        self.prefecture_codes = {
            m.prefecture: m.prefecture_code for m in master.municipalities
        }

    def fixed(self) -> tuple[str, str]:
        code = normalize_area_code(self.settings.area, setting="area")
        municipality = self.master.get(code)
        if municipality is None:
            raise ConfigError(
                f"地域コード {code} は団体コード一覧にありません。",
                place="設定 area",
                hint="5桁の地域コードを確かめてください（例: 真鶴町は 14383）。",
            )
        return code, municipality.name.replace(" ", "")

    def prefecture(self, name: str) -> tuple[str, str] | None:
        text = clean_text(name)
        if text == NATION[1]:
            return NATION
        code = self.prefecture_codes.get(text)
        return (f"{code}000", text) if code else None

    def match(self, cell: str, prefecture: str | None, place: str, display_path: str):
        """Return (code, name, aliased) of an area cell.

        `aliased` is True when the cell names another area than the one
        returned (an area_aliases entry, a former or annotated name), so that
        rows sent to one area are added up.
        """
        text = clean_text(cell)
        if text.isdigit() and len(text) in (5, 6):
            code = normalize_area_code(text, setting="area_column")
            municipality = self.master.get(code)
            name = municipality.name.replace(" ", "") if municipality else text
            return code, name, False

        if prefecture is None:
            raise InputError(
                f"地域名 {cell!r} の都道府県が分かりません。",
                file=display_path,
                place=place,
                hint="設定 prefecture に都道府県名を書くか、"
                "prefecture_column に都道府県名の列を指定してください。",
            )
        aliased = text in self.aliases
        found = self.master.find_by_name(prefecture, self.aliases.get(text, text))
        if len(found) != 1 and not aliased:
            renamed = self._renamed(text, prefecture)
            if renamed:
                found, aliased = renamed, True
                if text not in self.logged:
                    self.logged.add(text)
                    logger.info(
                        "%s: 地域名「%s」を%sとして読みます。",
                        display_path,
                        cell,
                        found[0].name,
                    )
        if len(found) == 1:
            return found[0].code, found[0].name.replace(" ", ""), aliased

        former = FORMER_NAME.fullmatch(text)
        if former and not found:
            raise InputError(
                f"{prefecture}の地域名 {cell!r} は合併前の市町村名ですが、"
                "合併後の市町村が分かりません。",
                file=display_path,
                place=place,
                hint="設定 area_aliases に合併後の市町村名を書いてください"
                f"（例: {former['former']}: 合併後の市町村名）。",
            )
        problem = (
            "団体コード一覧にありません" if not found else "複数の団体に当たります"
        )
        raise InputError(
            f"{prefecture}の地域名 {cell!r} が{problem}。",
            file=display_path,
            place=place,
            hint="市区町村名の書き方を確かめるか、市区町村でない行（例: 定山渓）や"
            "合併前の町村名（例: 上磯町）を設定 area_aliases で市区町村に割り当てて"
            "ください（例: 定山渓: 札幌市、上磯町: 北斗市）。",
        )

    def _renamed(self, text: str, prefecture: str) -> list[Municipality] | None:
        """Return the one municipality that a former or annotated name stands for.

        旧上磯町(現北斗市) is read as 北斗市, the successor in its name. A former name
        without its successor, (旧)上磯町, goes through area_aliases by its
        bare name (上磯町: 北斗市), or else is the current municipality of the
        same name, which a merger kept: (旧)八雲町 is 八雲町. A note on the
        area is dropped: 札幌市(定山渓を除く。) is 札幌市, and area_aliases
        must send the part left out (定山渓) to it for the whole city.
        """
        candidates: list[str] = []
        former = FORMER_NAME.fullmatch(text)
        if former:
            if former["current"]:
                candidates.append(former["current"])
            candidates += [self.aliases.get(former["former"], ""), former["former"]]
        noted = NOTED_NAME.fullmatch(text)
        if noted and not former:
            candidates += [self.aliases.get(noted["name"], ""), noted["name"]]
        for name in candidates:
            found = self.master.find_by_name(prefecture, name) if name else []
            if len(found) == 1:
                return found
        return None


# --- loading --------------------------------------------------------------


def load_table(
    settings, paths: list[Path], root: Path, master: MunicipalityMaster
) -> Dataset:
    """Load every file of a declared table into one Dataset."""
    _check_settings(settings)
    frames = []
    provenance: dict[str, Provenance] = {}
    base_unit, scale = unit_scale(settings.unit)
    for path in paths:
        shown = _display(path, root)
        sheet = read_sheet(path, settings.sheet, shown)
        frame = read_table(settings, sheet, path, shown, master)
        # Rounding drops float artefacts of converted workbooks (6172.900000000001
        # 千人) that the scale would otherwise carry into whole numbers.
        frame["value"] = (frame["value"] * scale).round(6)
        frame["unit"] = base_unit
        source_id = f"table/{shown}"
        frame["source_id"] = source_id
        frames.append(frame)
        provenance[source_id] = Provenance(
            id=source_id,
            source=settings.source,
            survey=None,
            table=settings.title or path.name,
            file=shown,
            sha256=file_sha256(path),
            licence=settings.licence,
            reference=_reference(frame),
            url=settings.url,
        )
        logger.info(
            "読み込み: %s（%s%d 行、%d 地域、%d 項目）",
            shown,
            f"シート {sheet.name}、" if sheet.name else "",
            len(frame),
            frame["area_code"].nunique(),
            frame["indicator"].nunique(),
        )

    frame = pd.concat(frames, ignore_index=True)[TIDY_COLUMNS]
    labels = {name: name for name in frame["indicator"].unique()}
    return Dataset(frame, provenance, labels)


def _reference(frame: pd.DataFrame) -> str:
    """Return the periods a file gave, its months as one span (2019-04～2020-03)."""
    months = frame["period_kind"] == MONTH
    periods = sorted(frame.loc[~months, "period"].unique())
    if months.any():
        span = sorted(frame.loc[months, "period"].unique())
        periods.append(f"{span[0]}～{span[-1]}" if len(span) > 1 else span[0])
    return "、".join(periods)


def _check_settings(settings) -> None:
    periods = [
        settings.period is not None,
        settings.period_from_file is not None,
        settings.period_column is not None,
        settings.periods_in_columns,
    ]
    if sum(periods) != 1:
        raise ConfigError(
            "期間の指定は period、period_from_file、period_column、"
            "periods_in_columns のどれか1つにしてください。",
            place="設定 datasets（kind: table）",
            hint="README の「表（kind: table）」の例を参照してください。",
        )
    if (settings.area is None) == (settings.area_column is None):
        raise ConfigError(
            "地域の指定は area か area_column のどちらか1つにしてください。",
            place="設定 datasets（kind: table）",
            hint="1つの地域の表なら area に地域コードを、地域ごとの行がある表なら"
            "area_column にその列を書いてください。",
        )
    if settings.periods_in_columns and not (
        settings.indicator_columns or settings.indicator
    ):
        raise ConfigError(
            "periods_in_columns のときは indicator_columns か indicator が必要です。",
            place="設定 indicator_columns",
            hint="項目名の列（例: [A, B, C, D]）か、表全体の項目名"
            "（例: indicator: 市町村内総生産）を書いてください。",
        )
    if not (
        settings.periods_in_columns or settings.months_in_columns or settings.columns
    ):
        raise ConfigError(
            "値の列を設定 columns に書いてください。",
            place="設定 columns",
            hint="例: columns: {F: 漁業経営体数}（列の文字か見出しと、項目名）。",
        )


def read_table(
    settings, sheet: Grid, path: Path, display_path: str, master: MunicipalityMaster
) -> pd.DataFrame:
    """Turn one sheet into tidy rows (value in the declared unit, before scaling).

    A table with months (months_in_columns, month_column) gets a row per
    month with period_kind month, besides the rows of `columns`.
    """
    layout = find_layout(settings, sheet, display_path)

    def column(reference: str, setting: str) -> int:
        return resolve_column(reference, layout, setting, display_path)

    area_column = (
        column(settings.area_column, "area_column") if settings.area_column else None
    )
    pref_column = (
        column(settings.prefecture_column, "prefecture_column")
        if settings.prefecture_column
        else None
    )
    label_columns = [column(c, "indicator_columns") for c in settings.indicator_columns]
    value_columns = _value_columns(settings, layout, sheet, column, display_path)
    month_columns = (
        find_month_columns(settings, sheet, _month_span(settings, layout), display_path)
        if settings.months_in_columns
        else []
    )
    month_column = (
        column(settings.month_column, "month_column") if settings.month_column else None
    )
    fixed_period = _fixed_period(settings, path, display_path)
    fixed_year = (
        year_of(fixed_period, _period_setting(settings), settings.period_kind)
        if fixed_period and (month_columns or month_column is not None)
        else None
    )
    period_column = (
        column(settings.period_column, "period_column")
        if settings.period_column
        else None
    )
    matcher = AreaMatcher(settings, master)
    fixed_area = matcher.fixed() if settings.area else None
    zero_marks = tuple(squeeze_spaces(mark) for mark in settings.zero_marks)
    previous: Period | None = None

    records = []
    prefecture = settings.prefecture
    path_labels: dict[int, str] = {}
    for row in range(layout.first_row, layout.last_row + 1):

        def ref(column: int, row: int = row) -> CellRef:
            return CellRef(display_path, sheet.name or None, row + 1, column + 1)

        def record(
            indicator, period, period_kind, value_column, area, aliased, row=row
        ) -> dict:
            try:
                value, status = read_number(
                    sheet.cell(row, value_column),
                    zero_marks,
                    ref(value_column),
                    sheet.number_format(row, value_column),
                )
            except CellError as error:
                # Text in a value column most often means that the settings
                # point at the wrong column or rows, not that the file is wrong.
                letter = column_letter(value_column + 1)
                error.hint = (
                    f"databook.yml のこの表の設定で、列 {letter}（columns など）と"
                    " data_rows が数値の列と行を指しているかを確かめてください。"
                    f"設定が正しければ、{error.hint}"
                )
                raise
            return {
                "indicator": indicator,
                "area_code": area[0],
                "area_name": area[1],
                "period": period,
                "period_kind": period_kind,
                "value": value,
                "unit": settings.unit,
                "status": status,
                "source_id": "",
                "aliased": aliased,
                "place": ref(value_column).place(),
            }

        area = fixed_area
        aliased = False
        if pref_column is not None:
            name = clean_text(sheet.cell(row, pref_column))
            if name:
                found = matcher.prefecture(name)
                if found is None:
                    raise InputError(
                        f"都道府県名 {name!r} が分かりません。",
                        file=display_path,
                        place=ref(pref_column).place(),
                        hint="都道府県名（例: 神奈川県）か「全国」のはずです。",
                    )
                prefecture = None if found == NATION else found[1]
                area = found
        if area_column is not None:
            cell = clean_text(sheet.cell(row, area_column))
            if cell:
                code, name, aliased = matcher.match(
                    cell,
                    prefecture,
                    ref(area_column).place(),
                    display_path,
                )
                area = (code, name)
            elif pref_column is None or not clean_text(sheet.cell(row, pref_column)):
                continue
        if area is None:
            continue

        if label_columns:
            indicator_base = _row_label(sheet, row, label_columns, path_labels)
            if not indicator_base:
                continue
        else:
            indicator_base = settings.indicator or ""

        period, period_kind = fixed_period, settings.period_kind
        year = fixed_year
        if period_column is not None:
            previous = parse_period(
                sheet.cell(row, period_column),
                context=previous,
                number_format=sheet.number_format(row, period_column),
                datemode=sheet.sheet.datemode,
                ref=ref(period_column),
            )
            period = period_text(previous, settings.period_kind)
            if month_columns:
                place = ref(period_column).place() or ""
                year = row_year(previous, settings.period_kind, place, display_path)
        if month_column is not None:
            month = _row_month(sheet.cell(row, month_column), ref(month_column))
            if month is None:
                continue
            period, period_kind = month_period(fixed_year, month), MONTH

        for value_column, name_or_period in value_columns:
            if settings.periods_in_columns:
                indicator, period = indicator_base, name_or_period
            else:
                indicator = "／".join(p for p in (indicator_base, name_or_period) if p)
            records.append(
                record(indicator, period, period_kind, value_column, area, aliased)
            )
        for value_column, month in month_columns:
            records.append(
                record(
                    indicator_base,
                    month_period(year, month),
                    MONTH,
                    value_column,
                    area,
                    aliased,
                )
            )
    if not records:
        rows = (
            f"{layout.first_row + 1}～{layout.last_row + 1}行目"
            if layout.first_row <= layout.last_row
            else "見出しの後の行"
        )
        raise InputError(
            f"{rows}から値を1つも読めませんでした。",
            file=display_path,
            place=_in_sheet(layout.sheet, "設定 data_rows"),
            hint="data_rows、area_column（または area）、columns が表の行と列に"
            "合っているか確かめてください。",
        )
    frame = pd.DataFrame(records, columns=[*TIDY_COLUMNS, "aliased", "place"])
    return _merge_repeats(frame, settings.sum_repeated_areas, display_path)


def _month_span(settings, layout: Layout) -> tuple[int, int]:
    """Return the first and last 0-based column searched for month headings."""
    last = len(layout.headers) - 1
    if not settings.month_columns:
        return 0, last
    first, final = (part.strip() for part in settings.month_columns.split(":"))
    return column_index(first), min(last, column_index(final))


def _period_setting(settings) -> str:
    return "period" if settings.period is not None else "period_from_file"


def _row_month(cell: object, ref: CellRef) -> int | None:
    """Return the month of a month_column cell, or None for a row to skip.

    Empty cells and total rows (計, 年度計) are skipped.
    """
    month = parse_month(cell, numbers=True)
    if month is not None:
        return month
    text = clean_text(cell)
    if not text or text in TOTAL_LABELS:
        return None
    raise InputError(
        f"月の列の {text!r} を月（4月、April など）として読めません。",
        file=ref.file,
        place=ref.place(),
        hint="月の行だけを data_rows で指定するか、month_column の列を確かめて"
        "ください。",
    )


def _row_label(sheet, row, label_columns, path_labels) -> str:
    """Return the indicator of a row: the rightmost filled label cell.

    Labels are indented by column (産業 in B, 農林水産業 in C, 農業 in D), so
    the parent of a label is the last label seen in a column to its left.
    """
    for label_column in reversed(label_columns):
        text = clean_text(sheet.cell(row, label_column))
        if text:
            for deeper in [c for c in path_labels if c >= label_column]:
                del path_labels[deeper]
            parents = [path_labels[c] for c in sorted(path_labels)]
            path_labels[label_column] = text
            return "／".join([*parents[-1:], text]) if parents else text
    return ""


def _value_columns(
    settings, layout, sheet, column, display_path
) -> list[tuple[int, str]]:
    if not settings.periods_in_columns:
        return [
            (column(ref, "columns"), name) for ref, name in settings.columns.items()
        ]

    start, end = 0, len(layout.headers) - 1
    if settings.period_columns:
        match = re.fullmatch(
            r"\s*([A-Z]{1,3})\s*:\s*([A-Z]{1,3})\s*", settings.period_columns
        )
        if not match:
            raise ConfigError(
                f"設定 period_columns の値 {settings.period_columns!r} が"
                "列の範囲ではありません。",
                place="設定 period_columns",
                hint="G:J のように、最初と最後の列の文字を書いてください。",
            )
        start, end = column_index(match.group(1)), column_index(match.group(2))

    found = []
    previous: Period | None = None
    rows = [r - 1 for r in settings.header_rows]
    for index in range(start, min(end, len(layout.headers) - 1) + 1):
        for row in rows:
            heading = sheet.heading(row, index)
            if heading in ("", None):
                continue
            try:
                # A heading without an era (14年度) takes the era of the one
                # before it (平成13年度).
                previous = parse_period(
                    heading,
                    context=previous,
                    number_format=sheet.number_format(row, index),
                    datemode=sheet.sheet.datemode,
                )
            except CellError:
                continue
            found.append((index, period_text(previous, settings.period_kind)))
            break
    if not found:
        raise InputError(
            "見出しに期間（平成13年度、2020年など）の列がありません。",
            file=display_path,
            place=f"{', '.join(str(r) for r in settings.header_rows)}行目",
            hint="header_rows に期間の見出しの行を、period_columns に期間の列の範囲を"
            "書いてください。",
        )
    return found


def _fixed_period(settings, path: Path, display_path: str) -> str:
    if settings.period is not None:
        return str(settings.period).strip()
    if settings.period_from_file is None:
        return ""
    match = re.search(settings.period_from_file, path.name)
    if not match or not match.groups():
        raise InputError(
            f"ファイル名 {path.name} から期間を読み取れません"
            f"（period_from_file: {settings.period_from_file}）。",
            file=display_path,
            place="設定 period_from_file",
            hint="年を ( ) で囲んだ正規表現を書いてください（例: _(\\d{4})_）。",
        )
    year = match.group(1)
    return f"FY{year}" if settings.period_kind == PeriodKind.FISCAL_YEAR else year


def _merge_repeats(
    frame: pd.DataFrame, sum_all: bool, display_path: str
) -> pd.DataFrame:
    """Add up rows that area_aliases sent to one area; reject other repeats.

    With `sum_all` (setting sum_repeated_areas), every repeated area is added up.
    """
    keys = ["indicator", "area_code", "period"]
    duplicated = frame.duplicated(keys, keep=False)
    if not duplicated.any():
        return frame.drop(columns=["aliased", "place"])

    groups = frame[duplicated].groupby(keys, sort=False)
    plain = groups["aliased"].any() | sum_all
    if not plain.all():
        key = plain[~plain].index[0]
        places = frame[
            duplicated & (frame[keys] == pd.Series(key, index=keys)).all(axis=1)
        ]["place"]
        raise InputError(
            f"同じ地域・期間・項目の値が2つあります（{key[1]}、{key[2]}、{key[0]}）。",
            file=display_path,
            place="、".join(places),
            hint="data_rows で表の範囲を絞るか、indicator_columns と columns を"
            "確かめてください。同じ市区町村が表に2回出る（例: 2つの大海区に"
            "面する町）なら sum_repeated_areas: true で合算できます。",
        )

    summed = (
        frame[duplicated]
        .groupby(keys, sort=False, as_index=False)
        .agg(
            area_name=("area_name", "first"),
            period_kind=("period_kind", "first"),
            value=("value", lambda v: v.sum(min_count=len(v))),
            unit=("unit", "first"),
            status=("status", lambda s: next((x for x in s if x), "")),
            source_id=("source_id", "first"),
        )
    )
    logger.debug("%s: area_aliases で %d 行を合算", display_path, int(duplicated.sum()))
    merged = pd.concat([frame[~duplicated], summed], ignore_index=True)
    return merged.drop(columns=["aliased", "place"])


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
