"""総務省「住民基本台帳に基づく人口、人口動態及び世帯数」 municipal tables.

One table a year for every municipality: population and households on
1 January, and the previous calendar year's register entries (転入, 出生,
その他) and removals (転出, 死亡, その他). Population rows get the period
`2021-01-01` (period_kind date); the dynamics get the calendar year before it.

The tables come as CSV saved from the Excel release, so the layout varies:
three to five header rows, a group row (人口, 住民票記載数, 住民票消除数) whose
label spans the columns after it, numbers written "3,601" or "7115 ", and
columns that some copies leave blank or drop. Columns are therefore found by
their header labels, never by position. Every table lists the 47 prefectures
and ends with 沖縄県与那国町, which a file cut off at a line end has lost.

住基's 社会増減 is 転入 + その他の記載 − 転出 − その他の消除, Japanese and
foreign residents, moves within Japan and from or to abroad. It differs from
SSDSE's 住民基本台帳人口移動報告 figures, which count domestic moves of
Japanese residents only.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from databook.errors import InputError
from databook.model import TIDY_COLUMNS, Dataset, PeriodKind, Provenance
from databook.sources.cells import (
    CellError,
    CellRef,
    column_letter,
    normalize_text,
    parse_period,
)
from databook.sources.cells import parse_number as parse_cell
from databook.sources.codes import check_nationwide
from databook.sources.files import decode, file_sha256, read_bytes
from databook.sources.successions import follow_successions

logger = logging.getLogger(__name__)

PUBLISHER = "総務省"
TITLE = "住民基本台帳に基づく人口、人口動態及び世帯数"
LICENCE = "政府標準利用規約（第2.0版）準拠（CC BY 4.0 互換）"
URL = (
    "https://www.soumu.go.jp/main_sosiki/jichi_gyousei/daityo/"
    "jinkou_jinkoudoutai-setaisuu.html"
)

# Indicators: (group label, column label) after NFKC normalisation → name.
# An empty column label matches a column whose only label is the group's.
COLUMNS: dict[tuple[str, str], str] = {
    ("人口", "男"): "population_male",
    ("人口", "女"): "population_female",
    ("人口", "人"): "population",
    ("人口", "計"): "population",
    ("世帯数", ""): "households",
    ("世帯数", "世帯数"): "households",
    ("住民票記載数", "転入者数(国内)"): "moves_in_domestic",
    ("住民票記載数", "転入者数(国外)"): "moves_in_abroad",
    ("住民票記載数", "転入者数(計)"): "moves_in",
    ("住民票記載数", "出生者数"): "births",
    ("住民票記載数", "その他(計)"): "other_entries",
    ("住民票記載数", "計(A)"): "entries",
    ("住民票消除数", "転出者数(国内)"): "moves_out_domestic",
    ("住民票消除数", "転出者数(国外)"): "moves_out_abroad",
    ("住民票消除数", "転出者数(計)"): "moves_out",
    ("住民票消除数", "死亡者数"): "deaths",
    ("住民票消除数", "その他(計)"): "other_removals",
    ("住民票消除数", "計(B)"): "removals",
    ("増減数(A)-(B)", ""): "change",
    ("増減数(A)-(B)", "増減数(A)-(B)"): "change",
    ("自然増減数", ""): "natural_change",
    ("自然増減数", "自然増減数"): "natural_change",
    ("社会増減数", ""): "social_change",
    ("社会増減数", "社会増減数"): "social_change",
}
GROUPS = {group for group, _ in COLUMNS}

LABELS = {
    "population": "人口（1月1日）",
    "population_male": "人口・男（1月1日）",
    "population_female": "人口・女（1月1日）",
    "households": "世帯数（1月1日）",
    "moves_in_domestic": "転入者数（国内）",
    "moves_in_abroad": "転入者数（国外）",
    "moves_in": "転入者数",
    "births": "出生者数",
    "other_entries": "その他の記載数",
    "entries": "住民票記載数",
    "moves_out_domestic": "転出者数（国内）",
    "moves_out_abroad": "転出者数（国外）",
    "moves_out": "転出者数",
    "deaths": "死亡者数",
    "other_removals": "その他の消除数",
    "removals": "住民票消除数",
    "change": "増減数",
    "natural_change": "自然増減数",
    "social_change": "社会増減数",
}
STOCKS = {"population", "population_male", "population_female", "households"}
UNITS = {"households": "世帯"}

_CODE = re.compile(r"\d{6}")
_LOST_ZERO = re.compile(r"[1-9]\d{4}")
"""A six-digit code of 北海道～栃木県 (010006 …) that a spreadsheet shortened."""
_TITLE_DATE = re.compile(r"^(.+?1月1日)")


@dataclass
class JukiTable:
    """One year's table, read and checked."""

    file: str
    year: int
    """Year of the 1 January reference date."""
    frame: pd.DataFrame
    """Tidy rows in TIDY_COLUMNS."""
    indicators: list[str]
    skipped: list[str] = field(default_factory=list)
    """Columns and rows left out, with the reason, for `databook check`."""


def read_juki(path: Path, *, display_path: str) -> JukiTable:
    """Read one yearly municipal table of 住民基本台帳に基づく人口."""
    data = read_bytes(path, display_path=display_path)
    text, _ = decode(data, encodings=("utf-8-sig", "cp932"), display_path=display_path)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    first_data = _first_data_row(rows, display_path)
    header = rows[:first_data]
    year = _reference_year(header, display_path)

    columns, skipped = _map_columns(header, display_path)
    source_id = f"juki-{year}"
    codes, names, indicators, values, statuses = [], [], [], [], []
    areas: list[str] = []
    last_row = ""
    for index in range(first_data, len(rows)):
        row = rows[index]
        code = row[0].strip() if row else ""
        if _LOST_ZERO.fullmatch(code):
            raise InputError(
                f"団体コード {code} の先頭の 0 が消えています（0{code} のはずです）。",
                file=display_path,
                place=f"{index + 1}行目、A列",
                hint="Excel で開いて保存すると、0 で始まるコードの 0 が消えます。"
                "総務省のサイトからダウンロードしたファイルを、開かずにそのまま"
                "置いてください。",
            )
        if not _CODE.fullmatch(code):
            if any(cell.strip() for cell in row):
                label = next((cell.strip() for cell in row if cell.strip()), "")
                skipped.append(f"{index + 1}行目（団体コードのない行「{label}」）")
            continue
        name = (row[2].strip() if len(row) > 2 else "") or row[1].strip()
        areas.append(code[:5])
        last_row = f"{index + 1}行目の{name}（{code}）"
        for column, indicator in columns.items():
            raw = row[column] if column < len(row) else None
            try:
                number = parse_cell(raw)
            except CellError:
                # Read it again with its location, which only an error needs.
                parse_cell(raw, ref=CellRef(display_path, None, index + 1, column + 1))
                raise
            codes.append(code[:5])
            names.append(name)
            indicators.append(indicator)
            values.append(number.value)
            statuses.append(number.status)

    check_nationwide(
        areas,
        display_path=display_path,
        last_row=last_row or "なし",
        source="総務省のページ",
    )
    stock = pd.Series(indicators, dtype="object").isin(STOCKS)
    records = {
        "indicator": indicators,
        "area_code": codes,
        "area_name": names,
        "period": stock.map({True: f"{year}-01-01", False: str(year - 1)}),
        "period_kind": stock.map(
            {True: PeriodKind.DATE.value, False: PeriodKind.CALENDAR_YEAR.value}
        ),
        "value": pd.Series(values, dtype="float64"),
        "unit": [UNITS.get(indicator, "人") for indicator in indicators],
        "status": statuses,
        "source_id": source_id,
    }
    frame = pd.DataFrame(records, columns=TIDY_COLUMNS)
    return JukiTable(
        display_path, year, frame, list(dict.fromkeys(columns.values())), skipped
    )


def _first_data_row(rows: list[list[str]], display_path: str) -> int:
    """Return the index of the first row after the header (the 合計 row or a code)."""
    for index, row in enumerate(rows):
        cells = [cell.strip() for cell in row[:3]]
        if "合計" in cells or (cells and _CODE.fullmatch(cells[0])):
            if index == 0:
                break
            return index
    raise InputError(
        "見出しの後に合計の行や団体コード（6桁）の行が見つかりません。",
        file=display_path,
        hint="総務省「住民基本台帳に基づく人口、人口動態及び世帯数」の"
        "市区町村別の表（CSV）を置いてください。",
    )


def _reference_year(header: list[list[str]], display_path: str) -> int:
    """Read the 1 January reference year from the title row.

    The title starts with the date, e.g. 平成28年1月1日住民基本台帳人口・世帯数.
    """
    title = header[0][0] if header and header[0] else ""
    match = _TITLE_DATE.match(normalize_text(title).replace(" ", ""))
    if match:
        try:
            period = parse_period(match[1], ref=CellRef(display_path, None, 1, 1))
        except CellError:
            period = None
        if period is not None and period.month == 1 and period.day == 1:
            return period.year
    raise InputError(
        f"表題から基準日（1月1日）を読み取れません（「{title[:40]}」）。",
        file=display_path,
        place="1行目、A列",
        hint="表題の行（例: 令和3年1月1日住民基本台帳人口・世帯数…）を"
        "消さずに置いてください。",
    )


def _map_columns(
    header: list[list[str]], display_path: str
) -> tuple[dict[int, str], list[str]]:
    """Find each indicator's column from the group row and the column-label row."""
    normal = [[normalize_text(cell) for cell in row] for row in header]
    group_row = next(
        (row for row in normal if "人口" in row or "住民票記載数" in row), None
    )
    label_row = next((row for row in normal if "女" in row or "計" in row), None)
    if group_row is None or label_row is None:
        raise InputError(
            "見出しに「人口」と「女」または「計」の列がありません。",
            file=display_path,
            hint="総務省の表の見出し行を消さずに置いてください。",
        )

    width = max(len(row) for row in header)
    columns: dict[int, str] = {}
    skipped: list[str] = []
    group = ""
    for column in range(3, width):
        cell = group_row[column] if column < len(group_row) else ""
        if cell:
            group = cell
        label = label_row[column] if column < len(label_row) else ""
        indicator = COLUMNS.get((group, label))
        if indicator is None and label in GROUPS:
            indicator = COLUMNS.get((label, label))
        if indicator is None:
            # A heading merged over two rows repeats its text in both.
            parts = dict.fromkeys(part for part in (group, label) if part)
            shown = "・".join(parts) or "（空欄）"
            skipped.append(f"{column_letter(column + 1)}列（{shown}: 使わない列）")
            continue
        if indicator in columns.values():
            skipped.append(f"{column_letter(column + 1)}列（{indicator} の重複）")
            continue
        columns[column] = indicator

    if "population" not in columns.values():
        raise InputError(
            "人口（計）の列が見つかりません。",
            file=display_path,
            hint="総務省の表の見出し行を消さずに置いてください。",
        )
    return columns, skipped


def _provenance(table: JukiTable, sha256: str) -> Provenance:
    year = table.year
    dynamics = (
        f"、{year - 1}年1月1日～12月31日の人口動態" if len(table.indicators) > 4 else ""
    )
    return Provenance(
        id=f"juki-{year}",
        source=f"{PUBLISHER}「{TITLE}」",
        survey=None,
        table=f"{TITLE}（{year}年1月1日現在、市区町村別）",
        file=table.file,
        sha256=sha256,
        licence=LICENCE,
        reference=f"{year}年1月1日現在{dynamics}",
        url=URL,
        series=f"{PUBLISHER}「{TITLE}」",
        edition=str(year),
    )


def load_juki(
    paths: list[Path], *, project_root: Path | None = None
) -> tuple[Dataset, list[JukiTable]]:
    """Load yearly 住基 tables into one Dataset; also return each table read.

    Two files for the same 1 January are rejected, because the book could not
    say which one it used.
    """
    frames = []
    provenance: dict[str, Provenance] = {}
    tables: list[JukiTable] = []
    seen: dict[int, str] = {}
    for path in sorted(paths):
        shown = _display(path, project_root)
        table = read_juki(path, display_path=shown)
        if table.year in seen:
            raise InputError(
                f"{table.year}年1月1日の表が2つあります"
                f"（{seen[table.year]} と {shown}）。",
                file=shown,
                hint="どちらか一方だけを置いてください。",
            )
        seen[table.year] = shown
        provenance[f"juki-{table.year}"] = _provenance(table, file_sha256(path))
        frames.append(table.frame)
        tables.append(table)
        logger.info(
            "読み込み: %s（%d年1月1日、%d 団体、%d 項目）",
            shown,
            table.year,
            table.frame["area_code"].nunique(),
            len(table.indicators),
        )

    frame = pd.concat(frames, ignore_index=True) if frames else None
    if frame is None:
        frame = pd.DataFrame(columns=TIDY_COLUMNS)
    frame = follow_successions(frame, source="住基")
    frame = frame.sort_values(["indicator", "area_code", "period"], kind="stable")
    return Dataset(frame.reset_index(drop=True), provenance, dict(LABELS)), tables


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)
