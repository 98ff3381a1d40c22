"""SSDSE-A (教育用標準データセット, 市区町村) CSV editions, merged into series.

独立行政法人統計センター publishes one SSDSE-A file a year for all 1,741
municipalities, drawn from e-Stat's 社会・人口統計体系 市区町村データ. Each file
is CP932 and starts with three header rows: item codes (A1101...), the
reference year of each column, and the Japanese item names. Then one row per
municipality, keyed by `R` + the five-digit area code.

Every edition lists the same 47 prefectures and ends with 沖縄県与那国町, so a
file cut off at a line end, which parses as a shorter table, is rejected.

Each edition carries other reference years (the 2022 edition has births of
2020, the 2026 edition births of 2023), so the loader stacks all editions into
one series per item and keeps, for each year, the value of the newest edition
that carries it. Every row cites its edition, so the 出典 line names it.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from databook.errors import InputError
from databook.model import TIDY_COLUMNS, Dataset, PeriodKind, Provenance, Status
from databook.sources.codes import check_nationwide
from databook.sources.files import decode, file_sha256, read_bytes

logger = logging.getLogger(__name__)

LICENCE = "政府標準利用規約（第2.0版）準拠（CC BY 4.0 互換）"
PUBLISHER = "独立行政法人統計センター"
URL = "https://www.nstac.go.jp/use/literacy/ssdse/"

EDITION_PATTERN = re.compile(r"SSDSE-A-(\d{4})", re.IGNORECASE)
AREA_PATTERN = re.compile(r"R(\d{5})")

# Placeholder symbols of Japanese official tables and what they mean. No
# SSDSE-A edition 2018–2026 uses one, but the e-Stat tables they come from do.
MISSING_SYMBOLS = {
    "": Status.NOT_SURVEYED,
    "-": Status.NOT_APPLICABLE,
    "x": Status.SUPPRESSED,
    "X": Status.SUPPRESSED,
    "***": Status.SUPPRESSED,
    "…": Status.NOT_APPLICABLE,
    "...": Status.NOT_APPLICABLE,
}


@dataclass(frozen=True)
class Survey:
    """The primary survey behind a group of SSDSE items."""

    key: str
    credit: str
    """Publisher and survey name as printed in the 出典 line."""
    period_kind: PeriodKind
    unit: str


CENSUS = Survey("census", "総務省「国勢調査」", PeriodKind.CENSUS, "人")
VITAL = Survey("vital", "厚生労働省「人口動態統計」", PeriodKind.CALENDAR_YEAR, "人")
MIGRATION = Survey(
    "migration", "総務省「住民基本台帳人口移動報告」", PeriodKind.CALENDAR_YEAR, "人"
)
ECONOMIC_CENSUS_ESTABLISHMENTS = Survey(
    "economic-census", "総務省・経済産業省「経済センサス」", PeriodKind.CENSUS, "事業所"
)
ECONOMIC_CENSUS_EMPLOYEES = Survey(
    "economic-census", "総務省・経済産業省「経済センサス」", PeriodKind.CENSUS, "人"
)
FINANCE = Survey(
    "finance", "総務省「市町村別決算状況調」", PeriodKind.FISCAL_YEAR, "千円"
)
UNKNOWN_SURVEY = Survey("other", "", PeriodKind.YEAR, "")
COUNT_UNITS = {"人", "事業所", "世帯"}

# Item-code prefixes and their survey; the longest matching prefix wins. The
# codes are those of 社会・人口統計体系, which SSDSE keeps across editions.
SURVEY_BY_PREFIX = {
    "A11": CENSUS,
    "A12": CENSUS,
    "A13": CENSUS,
    "A14": CENSUS,
    "A4101": VITAL,
    "A4200": VITAL,
    "A5101": MIGRATION,
    "A5102": MIGRATION,
    "C21": ECONOMIC_CENSUS_ESTABLISHMENTS,
    "C22": ECONOMIC_CENSUS_EMPLOYEES,
    "D32": FINANCE,
}


def survey_of(item: str) -> Survey:
    """Return the primary survey of an SSDSE item code."""
    for length in range(len(item), 0, -1):
        survey = SURVEY_BY_PREFIX.get(item[:length])
        if survey:
            return survey
    return UNKNOWN_SURVEY


def format_period(year: str, kind: PeriodKind) -> str:
    return f"FY{year}" if kind is PeriodKind.FISCAL_YEAR else year


@dataclass
class Edition:
    """One SSDSE-A file, parsed into wide form."""

    edition: int
    file: str
    sha256: str
    items: list[str]
    years: dict[str, str]
    names: dict[str, str]
    values: pd.DataFrame
    """Cell texts, one row per municipality, columns area_code, area_name, items."""


def read_edition(path: Path, *, display_path: str) -> Edition:
    """Parse one SSDSE-A file, checking its layout row by row."""
    data = read_bytes(path, display_path=display_path)
    text, _ = decode(data, encodings=("cp932", "utf-8-sig"), display_path=display_path)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if len(rows) < 4:
        raise InputError(
            f"行が {len(rows)} 行しかありません（見出し3行とデータが必要です）。",
            file=display_path,
            hint="統計センターの SSDSE-A の CSV をそのまま置いてください。",
        )

    codes, years, names = rows[0], rows[1], rows[2]
    edition = _edition_number(path, codes[0], display_path)
    if not names or names[0] != "地域コード":
        raise InputError(
            f"3行目の先頭が「地域コード」ではありません（{names[:1]}）。",
            file=display_path,
            place="3行目",
            hint="SSDSE-A の CSV は1行目に項目コード、2行目に年度、"
            "3行目に項目名が並びます。ファイルを置き直してください。",
        )

    width = len(codes)
    items = [c.strip() for c in codes[3:] if c.strip()]
    for line_number, row in enumerate(rows[1:], start=2):
        if len(row) != width:
            raise InputError(
                f"列の数が {len(row)} で、見出しの {width} と合いません。",
                file=display_path,
                place=f"{line_number}行目",
                hint="ファイルが途中で切れているか、壊れています。"
                "配布元から取り直して置き直してください。",
            )

    records = []
    for line_number, row in enumerate(rows[3:], start=4):
        match = AREA_PATTERN.fullmatch(row[0].strip())
        if not match:
            raise InputError(
                f"地域コード {row[0]!r} が R と5桁の数字ではありません。",
                file=display_path,
                place=f"{line_number}行目、A列",
                hint="ファイルが壊れていないか確認し、配布元のファイルを置き直してください。",
            )
        records.append([match.group(1), row[2].strip(), *row[3 : 3 + len(items)]])
    last = records[-1]
    check_nationwide(
        [record[0] for record in records],
        display_path=display_path,
        last_row=f"{len(rows)}行目の{last[1]}（{last[0]}）",
        source="統計センターの SSDSE のページ",
    )

    # Cell texts stay Python objects: converting each of the ~130 columns to
    # pandas' Arrow string type would cost more than the tidy step that reads them.
    values = pd.DataFrame(
        records, columns=["area_code", "area_name", *items], dtype=object
    )
    return Edition(
        edition=edition,
        file=display_path,
        sha256=file_sha256(path),
        items=items,
        years={c: years[i + 3].strip() for i, c in enumerate(items)},
        names={c: names[i + 3].strip() for i, c in enumerate(items)},
        values=values,
    )


def _edition_number(path: Path, first_cell: str, display_path: str) -> int:
    for text in (path.name, first_cell):
        match = EDITION_PATTERN.search(text)
        if match:
            return int(match.group(1))
    raise InputError(
        "SSDSE-A の版（年）が分かりません。",
        file=display_path,
        hint="ファイル名を配布時の名前（例: SSDSE-A-2025.csv）にしてください。",
    )


def _tidy_edition(
    edition: Edition, items: set[str] | None
) -> tuple[pd.DataFrame, dict]:
    """Stack an edition's item columns into tidy rows, checking every cell.

    Everything that depends on the item alone (survey, period, unit, source) is
    worked out once per item and repeated over the municipalities, because a
    row-by-row lookup over the 1,741 × items cells dominated the load time.
    """
    wanted = [c for c in edition.items if items is None or c in items]
    areas = len(edition.values)
    surveys = {item: survey_of(item) for item in wanted}

    def per_item(values: list) -> np.ndarray:
        return np.repeat(np.array(values, dtype=object), areas)

    cells = np.array(
        [cell.strip() for item in wanted for cell in edition.values[item].tolist()],
        dtype=object,
    )
    long = pd.DataFrame(
        {
            "indicator": per_item(wanted),
            "area_code": np.tile(
                edition.values["area_code"].to_numpy(object), len(wanted)
            ),
            "area_name": np.tile(
                edition.values["area_name"].to_numpy(object), len(wanted)
            ),
            "cell": cells,
        }
    )
    values = pd.to_numeric(pd.Series(cells, dtype=object), errors="coerce")
    long["value"] = values.astype("float64")

    # Only cells that are not numbers need a look: each must be a known
    # placeholder, whose meaning becomes the row's status.
    status = np.full(len(cells), "", dtype=object)
    for position in np.flatnonzero(long["value"].isna().to_numpy()):
        meaning = MISSING_SYMBOLS.get(cells[position])
        if meaning is None:
            _raise_at(
                edition,
                long.iloc[position],
                "数値ではない値",
                "配布元のファイルを置き直してください。"
                "手で直す場合は数値か「-」を入れてください。",
            )
        status[position] = meaning.value
    long["status"] = status

    # Counts of people, households and establishments are never negative; a
    # negative one means the file was damaged or edited by mistake.
    counts = per_item([surveys[i].unit in COUNT_UNITS for i in wanted]).astype(bool)
    negative = counts & (long["value"] < 0).to_numpy()
    if negative.any():
        _raise_at(
            edition,
            long[negative].iloc[0],
            "人数や件数なのに負の値",
            "配布元のファイルを置き直すか、値を確かめて直してください。",
        )

    provenance: dict[str, Provenance] = {}
    for survey in set(surveys.values()):
        source_id = f"ssdse-a-{edition.edition}/{survey.key}"
        years = sorted(
            {
                edition.years[i]
                for i in wanted
                if surveys[i] is survey and edition.years[i]
            }
        )
        provenance[source_id] = Provenance(
            id=source_id,
            source=f"{PUBLISHER}「SSDSE-A-{edition.edition}」",
            survey=survey.credit or None,
            table=f"教育用標準データセット SSDSE-A-{edition.edition}（市区町村）",
            file=edition.file,
            sha256=edition.sha256,
            licence=LICENCE,
            reference="、".join(years),
            url=URL,
            series=f"{PUBLISHER}「SSDSE-A」",
            edition=str(edition.edition),
        )

    long["period_kind"] = per_item([surveys[i].period_kind.value for i in wanted])
    long["period"] = per_item(
        [format_period(edition.years[i], surveys[i].period_kind) for i in wanted]
    )
    long["unit"] = per_item([surveys[i].unit for i in wanted])
    long["source_id"] = per_item(
        [f"ssdse-a-{edition.edition}/{surveys[i].key}" for i in wanted]
    )
    long["edition"] = edition.edition
    return long, provenance


def _raise_at(edition: Edition, row, what: str, hint: str) -> None:
    """Raise an InputError that names the line and column of a tidy row's cell."""
    positions = edition.values.index[edition.values["area_code"] == row["area_code"]]
    row_number = 4 + int(positions[0])
    column_number = 4 + edition.items.index(row["indicator"])
    raise InputError(
        f"{what} {row['cell']!r} があります"
        f"（{row['area_name']}、項目 {row['indicator']}）。",
        file=edition.file,
        place=f"{row_number}行目、{_column_letter(column_number)}列",
        hint=hint,
    )


def _column_letter(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def load_ssdse(
    paths: list[Path],
    *,
    items: list[str] | None = None,
    project_root: Path | None = None,
) -> Dataset:
    """Load SSDSE-A editions and merge them into one series per item.

    For an item, area and period present in several editions, the newest
    edition's value is kept and cited. Items absent from an edition are simply
    not in it; no value is interpolated or carried over.
    """
    wanted = set(items) if items else None
    frames = []
    provenance: dict[str, Provenance] = {}
    labels: dict[str, str] = {}
    columns: list[tuple[int, str, set[str]]] = []

    for path in sorted(paths):
        shown = _display(path, project_root)
        edition = read_edition(path, display_path=shown)
        columns.append((edition.edition, shown, set(edition.items)))
        frame, sources = _tidy_edition(edition, wanted)
        frames.append(frame)
        provenance.update(sources)
        for item in edition.items:
            if wanted is None or item in wanted:
                labels[item] = edition.names[item]
        logger.info(
            "読み込み: %s（SSDSE-A-%d、%d 団体、%d 項目）",
            shown,
            edition.edition,
            len(edition.values),
            len(frame["indicator"].unique()),
        )

    if wanted:
        missing = sorted(wanted - set(labels))
        if missing:
            raise InputError(
                f"項目 {', '.join(missing)} がどの SSDSE-A ファイルにもありません。",
                place="設定 items",
                hint="項目コードを SSDSE-A の1行目の表記に合わせてください。",
            )

    _warn_dropped_items(columns, wanted)
    stacked = pd.concat(frames, ignore_index=True)
    stacked = stacked.sort_values("edition", kind="stable")
    merged = stacked.drop_duplicates(
        subset=["indicator", "area_code", "period"], keep="last"
    )
    superseded = len(stacked) - len(merged)
    if superseded:
        logger.debug("SSDSE-A: 新しい版で置き換えた値 %d 件", superseded)

    merged = merged.sort_values(["indicator", "area_code", "period"])[TIDY_COLUMNS]
    used = set(merged["source_id"].unique())
    provenance = {k: v for k, v in provenance.items() if k in used}
    return Dataset(merged.reset_index(drop=True), provenance, labels)


def _warn_dropped_items(
    columns: list[tuple[int, str, set[str]]], wanted: set[str] | None
) -> None:
    """Warn of wanted items that an edition has and the next edition lacks.

    Without named items every item is read, and no warning is logged.

    Editions drop items now and then (SSDSE-A-2022 has no J2503 of
    SSDSE-A-2021), and a column deleted by hand looks the same, so the build
    goes on with the older editions' values and logs a warning.
    """
    if wanted is None:
        return
    ordered = sorted(columns)
    for (_, earlier, before), (_, shown, after) in itertools.pairwise(ordered):
        dropped = (before - after) & wanted
        if dropped:
            logger.warning(
                "%s に項目 %s の列がありません（%s にはあります）。"
                "この項目は、それより前の版の値だけを使います。",
                shown,
                "、".join(sorted(dropped)),
                earlier,
            )


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)
