"""Record-level exports of the resident register, aggregated and protected.

A register system exports one row per notification: the date (届出日 or
異動日), the event (異動事由: 転入, 転出, 出生, 死亡, 転居...), sex, age or
birth date, the other municipality of a move and the 町丁, usually next to
names and addresses. Only the columns of `FIELDS` are kept: every other column
is dropped as soon as the header is read, and a field declared on a column
whose header names personal details (`PERSONAL_HEADERS`) is rejected. Birth
dates are turned into age groups and dropped. The other municipality and the
町丁 are kept only as labels that `record_labels.PlaceLabels` resolves through
the municipality master list or cuts before the house number; every other
value is counted under `OTHER`.

The error messages, log lines and `databook check` notes of this module contain
no cell value of the file, except such labels, the 異動事由 names of
`NOT_COUNTED` and headers equal to a name of `FIELDS` or of `columns`. They
name the file, row and column instead.

Counts are aggregated by month, event and one breakdown at a time (sex, age
group, district, other municipality). Counts from 1 to `threshold` − 1 are
suppressed (shown as x), and a second cell is suppressed wherever a single
suppressed cell could be worked out from the total shown beside it. Official
tables read by other loaders are never suppressed.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from databook.errors import InputError
from databook.model import TIDY_COLUMNS, Dataset, PeriodKind, Provenance, Status
from databook.sources.cells import (
    CellError,
    CellRef,
    column_letter,
    parse_period,
    squeeze_spaces,
)
from databook.sources.codes import MunicipalityMaster
from databook.sources.files import file_sha256
from databook.sources.record_labels import OTHER, PlaceLabels
from databook.sources.report import ReadReport
from databook.sources.sheets import read_sheets, select_sheet

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 3

# The declared schema: field → header names that detection accepts (compared
# without spaces). A file may name its columns differently; databook.yml's
# `columns` then maps each field to its header.
FIELDS: dict[str, tuple[str, ...]] = {
    "date": ("異動日", "届出日", "異動年月日", "届出年月日", "異動事由発生日"),
    "event": ("異動事由", "事由", "異動区分", "異動種別"),
    "sex": ("性別",),
    "age": ("年齢", "異動時年齢"),
    "birth_date": ("生年月日",),
    "other_municipality": (
        "転入元・転出先",
        "転入元転出先",
        "相手先市区町村",
        "従前地・転出先",
        "前住所地・転出先市区町村",
        "相手市区町村",
    ),
    "district": ("町丁", "町丁目", "町丁字", "町字", "地区", "行政区"),
}
REQUIRED = ("date", "event")

FIELD_NAMES = {
    "date": "異動日",
    "event": "異動事由",
    "sex": "性別",
    "age": "年齢",
    "birth_date": "生年月日",
    "other_municipality": "転入元・転出先",
    "district": "町丁",
}

# Header words of columns that identify a person or contain their details: the
# items of a 住民票 and the numbers that register systems key records by. A
# field declared on such a column is rejected, so that a wrong `columns`
# setting cannot read names. Headers are compared after NFKC in upper case, so
# ＮＡＭＥ and Name match NAME.
PERSONAL_HEADERS = (
    # Names and their readings.
    "氏名",
    "名前",
    "姓名",
    "旧氏",
    "旧姓",
    "通称",
    "フリガナ",
    "ふりがな",
    "カナ",
    "ローマ字",
    "NAME",
    # People named in a notification.
    "世帯主",
    "続柄",
    # Any person (異動者, 対象者, 代表者, 本人, 代理人).
    "者",
    "人",
    # Addresses and contacts.
    "住所",
    "現住",
    "居所",
    "方書",
    "番地",
    "本籍",
    "電話",
    "TEL",
    "携帯",
    "メール",
    "MAIL",
    "ADDRESS",
    # Numbers that identify a person or household (宛名番号, 世帯番号, 個人番号).
    "宛名",
    "番号",
    "マイナンバー",
    "住民票コード",
    "ID",
    # Birth dates, read only as birth_date.
    "生年月日",
    "生年",
    "誕生",
    "BIRTH",
    # Free text.
    "備考",
    "メモ",
    "摘要",
)
# Field → (personal words its header may contain, words of which the header
# must then contain one; empty for none). A birth date becomes an age group,
# and the address a move came from or went to becomes its municipality
# (前住所地・転出先市区町村, 転入前住所), so those headers are read.
ALLOWED_PERSONAL: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "birth_date": (("生年月日", "生年", "誕生", "BIRTH"), ()),
    "other_municipality": (
        ("住所",),
        ("前住所", "転入前", "転入元", "転出先", "転出予定", "従前"),
    ),
}

# Events (異動事由) by the indicator they count; a text is matched by the first
# key it contains. 転居 is a move within the town and changes no total.
EVENTS: tuple[tuple[str, str], ...] = (
    ("転入", "moves_in"),
    ("転出", "moves_out"),
    ("転居", "moves_within"),
    ("出生", "births"),
    ("死亡", "deaths"),
    ("失踪", "other_removals"),
    ("職権消除", "other_removals"),
    ("国籍喪失", "other_removals"),
    ("消除", "other_removals"),
    ("職権記載", "other_entries"),
    ("国籍取得", "other_entries"),
    ("帰化", "other_entries"),
    ("記載", "other_entries"),
)
# Events that change no count. They are matched before `EVENTS`, because
# 通称記載 and 記載事項変更 contain 記載 but add no one to the register.
NOT_COUNTED = (
    "住所設定",
    "世帯変更",
    "世帯分離",
    "世帯合併",
    "世帯構成変更",
    "世帯主変更",
    "続柄変更",
    "氏名変更",
    "通称記載",
    "通称削除",
    "記載事項変更",
    "職権修正",
    "訂正",
    "改製",
    "再製",
    "住民票コード変更",
    "個人番号変更",
)
MOVES = {"moves_in", "moves_out"}
LABELS = {
    "births": "出生",
    "deaths": "死亡",
    "moves_in": "転入",
    "moves_out": "転出",
    "moves_within": "転居（町内の移動）",
    "other_entries": "その他の記載",
    "other_removals": "その他の消除",
    "natural_change": "自然増減（出生−死亡）",
    "social_change": "社会増減（転入＋その他の記載−転出−その他の消除）",
}
SEXES = {"男": "男", "1": "男", "M": "男", "女": "女", "2": "女", "F": "女"}
AGE_GROUPS = ("15歳未満", "15～64歳", "65歳以上")
UNKNOWN = "不詳"
BREAKDOWNS = ("sex", "age_group", "district", "other_municipality")
# Columns beyond TIDY_COLUMNS: the breakdown ("" for totals, sex, age_group,
# district, other_municipality), its category, and the suppression threshold.
EXTRA_COLUMNS = ["breakdown", "category", "threshold"]


@dataclass(frozen=True)
class Notification:
    """One register notification, reduced to the fields that are aggregated."""

    day: date
    indicator: str
    sex: str
    age_group: str
    district: str
    other_municipality: str


def read_notifications(
    path: Path,
    *,
    display_path: str,
    labels: PlaceLabels,
    columns: dict[str, str] | None = None,
    sheet_name: str | None = None,
    header_row: int = 1,
    report: ReadReport,
) -> list[Notification]:
    """Read a register export, keeping only the declared fields of each row.

    Raises InputError when most values of the other municipality or 町丁 column
    resolve to no label, as they do when a name or birth date column is mapped
    to it.
    """
    sheet = select_sheet(
        read_sheets(path, display_path=display_path), sheet_name, display_path
    )
    if header_row > len(sheet.rows):
        raise InputError(
            f"見出しの行（{header_row}行目）がありません。",
            file=display_path,
            hint="databook.yml の header_row を見出しの行番号にしてください。",
        )
    header = [
        squeeze_spaces(str(cell.value)) if cell.value is not None else ""
        for cell in sheet.rows[header_row - 1]
    ]
    positions = _field_positions(header, columns, display_path, header_row)
    dropped = len([name for name in header if name]) - len(positions)
    # Each header named here equals a name of FIELDS or of `columns`.
    report.notes.append(
        "読み込んだ列: "
        + "、".join(f"{header[index]}（{name}）" for name, index in positions.items())
        + f"。ほかの {dropped} 列は読まずに捨てました。"
    )

    reader = _RowReader(sheet, positions, labels)
    notifications = []
    for row_number in range(header_row + 1, len(sheet.rows) + 1):
        values = {
            name: sheet.cell(row_number, index + 1) for name, index in positions.items()
        }
        if all(_blank(cell.value) for cell in values.values()):
            continue
        notification = reader.notification(values, row_number)
        if notification is not None:
            notifications.append(notification)
    reader.check_label_columns(header, notifications)
    reader.report_skipped(report)
    return notifications


def _field_positions(
    header: list[str], columns: dict[str, str] | None, display_path: str, row: int
) -> dict[str, int]:
    positions: dict[str, int] = {}
    for name, accepted in FIELDS.items():
        wanted = (
            (squeeze_spaces(columns[name]),)
            if columns and name in columns
            else accepted
        )
        for index, text in enumerate(header):
            if text in wanted:
                positions[name] = index
                break
        else:
            if columns and name in columns:
                raise InputError(
                    f"列「{columns[name]}」が見出しにありません。",
                    file=display_path,
                    place=f"{row}行目",
                    hint=f"databook.yml の columns.{name} を見出しの文字どおりに"
                    "書いてください。",
                )
    for name, index in positions.items():
        if personal_word(name, header[index]) is not None:
            raise InputError(
                f"列「{header[index]}」は個人を特定できる情報（氏名・住所・"
                f"生年月日・番号など）の列なので、{name}（{FIELD_NAMES[name]}）"
                "として読めません。",
                file=display_path,
                place=f"{row}行目",
                hint=f"databook.yml の columns.{name} に{FIELD_NAMES[name]}の列を"
                f"指定してください。その列がなければ columns.{name} を消してください。",
            )
    missing = [name for name in REQUIRED if name not in positions]
    if missing:
        expected = "、".join("／".join(FIELDS[name][:3]) for name in missing)
        raise InputError(
            f"必要な列（{expected}）が見出しにありません。",
            file=display_path,
            place=f"{row}行目",
            hint="databook.yml の columns で、date（異動日）と event（異動事由）の"
            "列名を指定してください。",
        )
    return positions


def personal_word(field: str, header: str) -> str | None:
    """Return the word of PERSONAL_HEADERS that rejects `header` for `field`."""
    text = unicodedata.normalize("NFKC", header).upper()
    allowed, context = ALLOWED_PERSONAL.get(field, ((), ()))
    for word in PERSONAL_HEADERS:
        if word not in text:
            continue
        if word in allowed and (not context or any(c in text for c in context)):
            continue
        return word
    return None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# A 町丁 column in which most rows carry a value that no other row carries is
# taken for a column of names. Below this many rows a town with many 町丁 can
# show that pattern too, so smaller files are not checked.
UNIQUE_CHECK_MIN_ROWS = 50
LABEL_HINTS = {
    "other_municipality": "databook.yml の columns.other_municipality に、転入元・"
    "転出先の市区町村名（例: 小田原市、東京都新宿区、国外）か団体コードの列を"
    "指定してください。氏名や生年月日の列は指定できません。",
    "district": "databook.yml の columns.district に、町丁（町丁目・字）の名前の"
    "列を指定してください。氏名・生年月日・電話番号の列は指定できません。",
}
LABEL_KINDS = {"other_municipality": "市区町村名", "district": "町丁名"}


@dataclass
class _LabelColumn:
    """Counts of the filled values of a label column and of those left unresolved."""

    filled: int = 0
    unresolved: int = 0


class _RowReader:
    """Reads the declared fields of each row and counts what it leaves out.

    Values are never kept for messages: errors name the cell, and the report
    names rows and the event labels of `NOT_COUNTED`.
    """

    def __init__(self, sheet, positions: dict[str, int], labels: PlaceLabels):
        self.sheet = sheet
        self.positions = positions
        self.labels = labels
        self.not_counted: Counter[str] = Counter()
        self.blank_events: list[int] = []
        self.unknown_events: list[int] = []
        self.columns = {
            "other_municipality": _LabelColumn(),
            "district": _LabelColumn(),
        }

    def place(self, field: str, row_number: int) -> str | None:
        return self.sheet.ref(row_number, self.positions[field] + 1).place()

    def notification(self, values: dict, row_number: int) -> Notification | None:
        day = self._day(values["date"], row_number)
        indicator = self._indicator(values["event"], row_number)
        if indicator is None:
            return None
        other = ""
        if indicator in MOVES:
            other = self._label(
                "other_municipality",
                values.get("other_municipality"),
                self.labels.municipality,
            )
        return Notification(
            day=day,
            indicator=indicator,
            sex=_sex(values.get("sex")),
            age_group=self._age_group(values, day, row_number),
            district=self._label(
                "district", values.get("district"), self.labels.district
            ),
            other_municipality=other,
        )

    def _date_of(self, cell) -> date | None:
        """Return a cell's date, or None when it lacks a full year, month and day."""
        try:
            period = parse_period(
                cell.value,
                number_format=cell.number_format,
                datemode=self.sheet.datemode,
            )
            if period.month is None or period.day is None:
                return None
            return date(period.year, period.month, period.day)
        except (CellError, ValueError):
            return None

    def _day(self, cell, row_number: int) -> date:
        day = self._date_of(cell)
        if day is None:
            raise InputError(
                "異動日を年月日として読み取れません（値は表示しません）。",
                file=self.sheet.file,
                place=self.place("date", row_number),
                hint="異動日（届出日）を「2023/4/1」や「令和5年4月1日」の形で入れて"
                "ください。行の列がずれていないか（値の中のカンマなど）も確かめて"
                "ください。",
            )
        return day

    def _indicator(self, cell, row_number: int) -> str | None:
        event = _text(cell)
        if event in ("", UNKNOWN):
            self.blank_events.append(row_number)
            return None
        ignored = next((key for key in NOT_COUNTED if key in event), None)
        if ignored is not None:
            self.not_counted[ignored] += 1
            return None
        indicator = next((name for key, name in EVENTS if key in event), None)
        if indicator is None:
            self.unknown_events.append(row_number)
        return indicator

    def _label(self, field: str, cell, resolve) -> str:
        if cell is None:
            return ""
        if _blank(cell.value):
            return OTHER
        column = self.columns[field]
        column.filled += 1
        label = resolve(_text(cell))
        if label is None:
            column.unresolved += 1
            return OTHER
        return label

    def _age_group(self, values: dict, day: date, row_number: int) -> str:
        age = None
        if "age" in values and not _blank(values["age"].value):
            text = _text(values["age"]).removesuffix("歳")
            if not text.isdecimal():
                raise InputError(
                    "年齢が 0 以上の整数ではありません（値は表示しません）。",
                    file=self.sheet.file,
                    place=self.place("age", row_number),
                    hint="年齢を 0 以上の整数（例: 34、34歳）で入れてください。"
                    "年齢の列でなければ、databook.yml の columns.age を直して"
                    "ください。",
                )
            age = int(text)
        elif "birth_date" in values and not _blank(values["birth_date"].value):
            age = self._age_from_birth_date(values["birth_date"], day, row_number)
        if age is None:
            return UNKNOWN if ("age" in values or "birth_date" in values) else ""
        return age_group_of(age)

    def _age_from_birth_date(self, cell, day: date, row_number: int) -> int:
        place = self.place("birth_date", row_number)
        born = self._date_of(cell)
        if born is None:
            raise InputError(
                "生年月日を年月日として読み取れません（値は表示しません）。",
                file=self.sheet.file,
                place=place,
                hint="生年月日を「1980/4/1」や「昭和55年4月1日」の形で入れてください。",
            )
        age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        if age < 0:
            raise InputError(
                "生年月日が異動日より後です（値は表示しません）。",
                file=self.sheet.file,
                place=place,
                hint="生年月日と異動日の列が入れ替わっていないか確かめてください。",
            )
        return age

    def check_label_columns(
        self, header: list[str], notifications: list[Notification]
    ) -> None:
        """Raise InputError when most values of a label column are unresolved."""
        for field, column in self.columns.items():
            if column.unresolved * 2 > column.filled:
                raise self._label_error(
                    field,
                    header,
                    f"値の半分以上（{column.filled} 件のうち {column.unresolved} 件）"
                    f"が{LABEL_KINDS[field]}として読めません",
                )
        filled = self.columns["district"].filled
        if filled >= UNIQUE_CHECK_MIN_ROWS:
            counts = Counter(n.district for n in notifications)
            unique = sum(
                1 for label, count in counts.items() if count == 1 and label != OTHER
            )
            if unique * 2 > filled:
                raise self._label_error(
                    "district",
                    header,
                    f"値の半分以上（{filled} 件のうち {unique} 件）がほかの行に"
                    "出てこない値で、町丁の列ではないようです（氏名などの列かも"
                    "しれません）",
                )

    def _label_error(self, field: str, header: list[str], problem: str) -> InputError:
        index = self.positions[field]
        return InputError(
            f"列「{header[index]}」（{FIELD_NAMES[field]}）の{problem}"
            "（値は表示しません）。",
            file=self.sheet.file,
            place=CellRef(self.sheet.file, self.sheet.name, None, index + 1).place(),
            hint=LABEL_HINTS[field],
        )

    def report_skipped(self, report: ReadReport) -> None:
        for event, count in sorted(self.not_counted.items()):
            report.skipped.append(f"異動事由「{event}」の {count} 件（集計しない事由）")
        column = column_letter(self.positions["event"] + 1)
        if self.blank_events:
            report.skipped.append(
                f"異動事由が空欄の {len(self.blank_events)} 件"
                f"（{column}列の {_row_list(self.blank_events)}）"
            )
        if self.unknown_events:
            report.skipped.append(
                f"集計する異動事由に当たらない {len(self.unknown_events)} 件"
                f"（{column}列の {_row_list(self.unknown_events)}。値は表示しません）"
            )


def _row_list(rows: list[int], shown: int = 5) -> str:
    """Return 「3、7、12行目」, with 「ほか」 after the first `shown` rows."""
    text = "、".join(str(row) for row in rows[:shown]) + "行目"
    return text + (" ほか" if len(rows) > shown else "")


def _text(cell) -> str:
    if cell is None or _blank(cell.value):
        return UNKNOWN if cell is not None else ""
    value = cell.value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return squeeze_spaces(str(value))


def _sex(cell) -> str:
    if cell is None:
        return ""
    return SEXES.get(_text(cell), UNKNOWN)


def age_group_of(age: int) -> str:
    """Return the 3-group label (15歳未満, 15～64歳, 65歳以上) of an age in years."""
    if age < 15:
        return AGE_GROUPS[0]
    if age < 65:
        return AGE_GROUPS[1]
    return AGE_GROUPS[2]


def fold_rare_districts(
    notifications: list[Notification], threshold: int
) -> tuple[list[Notification], int]:
    """Move the 町丁 labels that fewer than `threshold` rows carry to OTHER.

    Every count of such a label would be x, but the label itself would still
    be shown, so a name that passed as a 町丁 is folded too. Returns the
    notifications and the number of labels folded.

    NOTE: a name on `threshold` rows or more, in a column whose header no word
    of PERSONAL_HEADERS matches, still passes as a 町丁 label. No list of 町丁
    exists to check the labels against.
    """
    counts = Counter(n.district for n in notifications)
    rare = {label for label, count in counts.items() if count < threshold} - {
        "",
        OTHER,
    }
    folded = [
        dataclasses.replace(n, district=OTHER) if n.district in rare else n
        for n in notifications
    ]
    return folded, len(rare)


# --- Aggregation and suppression --------------------------------------------------


def aggregate(notifications: list[Notification]) -> pd.DataFrame:
    """Count notifications by month and by year, breakdown and category.

    Columns: indicator, period, period_kind, breakdown ("" for totals),
    category, count. Every month from the first to the last notification is
    listed for every indicator, with 0 where nothing happened.
    """
    rows = []
    months = _month_range(notifications)
    by_month = Counter(
        (n.indicator, f"{n.day.year:04d}-{n.day.month:02d}") for n in notifications
    )
    indicators = sorted({n.indicator for n in notifications})
    for indicator in indicators:
        for month in months:
            rows.append(
                (
                    indicator,
                    month,
                    PeriodKind.MONTH.value,
                    "",
                    "",
                    by_month[(indicator, month)],
                )
            )

    years = sorted({month[:4] for month in months})
    by_year = Counter((n.indicator, str(n.day.year)) for n in notifications)
    for indicator in indicators:
        for year in years:
            rows.append(
                (
                    indicator,
                    year,
                    PeriodKind.CALENDAR_YEAR.value,
                    "",
                    "",
                    by_year[(indicator, year)],
                )
            )

    for breakdown in BREAKDOWNS:
        counts = Counter(
            (n.indicator, str(n.day.year), getattr(n, breakdown))
            for n in notifications
            if getattr(n, breakdown)
        )
        for (indicator, year, category), count in sorted(counts.items()):
            rows.append(
                (
                    indicator,
                    year,
                    PeriodKind.CALENDAR_YEAR.value,
                    breakdown,
                    category,
                    count,
                )
            )

    return pd.DataFrame(
        rows,
        columns=[
            "indicator",
            "period",
            "period_kind",
            "breakdown",
            "category",
            "count",
        ],
    )


def _month_range(notifications: list[Notification]) -> list[str]:
    if not notifications:
        return []
    first = min(n.day for n in notifications)
    last = max(n.day for n in notifications)
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def suppress(counts: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Mark small counts, and the cells that would reveal them, as suppressed.

    Primary suppression hides counts from 1 to threshold − 1. A group of cells
    adds up to a shown total: the months of a year, or the categories of one
    breakdown in a year. Each group must have no suppressed cell or at least
    two, so the next smallest shown cell of a group with one is hidden too.
    When no other cell is left, the total is hidden instead. The loop repeats
    until every group is safe, because hiding a total changes its own groups.
    """
    frame = counts.copy()
    frame["suppressed"] = (frame["count"] > 0) & (frame["count"] < threshold)

    totals = (frame["breakdown"] == "") & (
        frame["period_kind"] == PeriodKind.CALENDAR_YEAR.value
    )
    total_index = {
        (row.indicator, row.period): index for index, row in frame[totals].iterrows()
    }
    groups: list[tuple[int | None, list[int]]] = []
    months = frame[frame["period_kind"] == PeriodKind.MONTH.value]
    for (indicator, year), group in months.groupby(
        [months["indicator"], months["period"].str[:4]]
    ):
        groups.append((total_index.get((indicator, year)), list(group.index)))
    parts = frame[frame["breakdown"] != ""]
    for (indicator, year, _), group in parts.groupby(
        ["indicator", "period", "breakdown"]
    ):
        groups.append((total_index.get((indicator, year)), list(group.index)))

    changed = True
    while changed:
        changed = False
        for total, members in groups:
            if total is not None and frame.at[total, "suppressed"]:
                continue
            hidden = [m for m in members if frame.at[m, "suppressed"]]
            if len(hidden) != 1:
                continue
            shown = [m for m in members if not frame.at[m, "suppressed"]]
            candidates = sorted(
                shown, key=lambda m: (frame.at[m, "count"] == 0, frame.at[m, "count"])
            )
            target = candidates[0] if candidates else total
            if target is None:
                continue
            frame.at[target, "suppressed"] = True
            changed = True
    return frame


def derived_changes(frame: pd.DataFrame) -> pd.DataFrame:
    """Add natural and social change per total period, hidden if a term is hidden."""
    totals = frame[frame["breakdown"] == ""]
    rows = []
    for (period, kind), group in totals.groupby(["period", "period_kind"]):
        values = dict(
            zip(
                group["indicator"],
                zip(group["count"], group["suppressed"], strict=True),
                strict=True,
            )
        )
        for indicator, plus, minus in (
            ("natural_change", ("births",), ("deaths",)),
            (
                "social_change",
                ("moves_in", "other_entries"),
                ("moves_out", "other_removals"),
            ),
        ):
            terms = [values.get(name, (0, False)) for name in (*plus, *minus)]
            total = sum(values.get(name, (0, False))[0] for name in plus) - sum(
                values.get(name, (0, False))[0] for name in minus
            )
            rows.append(
                {
                    "indicator": indicator,
                    "period": period,
                    "period_kind": kind,
                    "breakdown": "",
                    "category": "",
                    "count": total,
                    "suppressed": any(hidden for _, hidden in terms),
                }
            )
    return pd.concat([frame, pd.DataFrame(rows)], ignore_index=True)


def load_register_records(
    path: Path,
    *,
    display_path: str,
    area_code: str,
    area_name: str,
    master: MunicipalityMaster,
    columns: dict[str, str] | None = None,
    sheet_name: str | None = None,
    header_row: int = 1,
    threshold: int = DEFAULT_THRESHOLD,
    title: str | None = None,
) -> tuple[Dataset, ReadReport]:
    """Read, aggregate and suppress one record-level register export.

    `master` resolves the other municipality of a move, and the book's own
    municipality (`area_code`) is dropped from the start of a 町丁 value.
    """
    report = ReadReport(display_path, "register-records")
    notifications = read_notifications(
        path,
        display_path=display_path,
        labels=PlaceLabels(master, master.get(area_code)),
        columns=columns,
        sheet_name=sheet_name,
        header_row=header_row,
        report=report,
    )
    if not notifications:
        raise InputError(
            "集計できる届出の行がありません。",
            file=display_path,
            hint="見出しの行の下に、異動日と異動事由の入った行があるか確かめてください。",
        )
    notifications, folded = fold_rare_districts(notifications, threshold)
    if folded:
        report.notes.append(
            f"届出が {threshold} 件未満の町丁 {folded} 個は「{OTHER}」に含めました。"
        )

    counts = derived_changes(suppress(aggregate(notifications), threshold))
    source_id = f"register-records/{display_path}"
    frame = pd.DataFrame(
        {
            "indicator": counts["indicator"],
            "area_code": area_code,
            "area_name": area_name,
            "period": counts["period"],
            "period_kind": counts["period_kind"],
            "value": counts["count"]
            .astype("float64")
            .where(~counts["suppressed"], math.nan),
            "unit": "人",
            "status": counts["suppressed"].map(
                {True: Status.SUPPRESSED.value, False: ""}
            ),
            "source_id": source_id,
            "breakdown": counts["breakdown"],
            "category": counts["category"],
            "threshold": threshold,
        }
    )[[*TIDY_COLUMNS, *EXTRA_COLUMNS]]

    provenance = Provenance(
        id=source_id,
        source=title or "住民基本台帳の異動届出（個票）の集計",
        survey=None,
        table="住民基本台帳の異動届出（個票）を月別・事由別に集計",
        file=display_path,
        sha256=file_sha256(path),
        licence="",
        reference=f"{frame['period'].min()}～{frame['period'].max()}",
    )
    suppressed = int(counts["suppressed"].sum())
    report.rows = len(frame)
    report.periods = sorted(
        set(frame.loc[frame["period_kind"] == PeriodKind.MONTH.value, "period"])
    )
    report.districts = sorted(
        set(frame.loc[frame["breakdown"] == "district", "category"]) - {OTHER}
    )
    report.notes.append(
        f"届出 {len(notifications)} 件を集計。"
        f"{threshold}人未満などで秘匿したセル {suppressed} 個。"
    )
    logger.info(
        "読み込み: %s（届出 %d 件、%s～%s、秘匿 %d セル）",
        display_path,
        len(notifications),
        report.periods[0],
        report.periods[-1],
        suppressed,
    )
    dataset = Dataset(frame, {source_id: provenance}, dict(LABELS))
    return dataset, report
