"""Municipality codes: JIS X 0402 check digits and the localgovjp master list.

Japan's local government codes have five digits (two for the prefecture,
three for the municipality). The six-digit 全国地方公共団体コード appends a
check digit; e-Stat and SSDSE use the five-digit form, so databook keeps area
codes as five-digit strings and converts six-digit input after verifying it.
"""

from __future__ import annotations

import csv
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from databook.errors import ConfigError, InputError, SettingValueError
from databook.sources.files import file_sha256, read_text

logger = logging.getLogger(__name__)

MASTER_COLUMNS = ("pid", "pref", "cid", "city", "citykana", "lgcode")


def check_digit(code5: str) -> str:
    """Return the JIS X 0402 check digit of a five-digit area code.

    Weights 6, 5, 4, 3, 2 on the five digits; the digit is
    (11 − sum mod 11) mod 10, so a remainder of 0 gives 1 and of 1 gives 0.
    """
    if len(code5) != 5 or not code5.isascii() or not code5.isdigit():
        raise ValueError(f"not a five-digit area code: {code5!r}")
    total = sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2), strict=True))
    return str((11 - total % 11) % 10)


def peer_word(area_code: str) -> str:
    """Return the word for the municipalities an area is ranked among.

    東京都 (prefecture code 13) ranks its 23 特別区 with its cities, towns
    and villages, so there it is 市区町村, and 市町村 elsewhere.
    """
    return "市区町村" if area_code.startswith("13") else "市町村"


def parse_area_code(code: str | int) -> str:
    """Return the five-digit area code of a five- or six-digit code.

    Full-width digits (１４３８３) are read as ASCII digits. A six-digit code
    must carry the right check digit. A four-digit code is rejected rather
    than padded with a leading zero, because 1438 may be 14383 (真鶴町) with a
    digit lost just as well as 01438 (沼田町). Raises SettingValueError with a
    hint.
    """
    text = unicodedata.normalize("NFKC", str(code)).strip()
    digits = text.isascii() and text.isdigit()
    if digits and len(text) == 5:
        return text
    if digits and len(text) == 6:
        expected = check_digit(text[:5])
        if text[5] != expected:
            raise SettingValueError(
                f"6桁の団体コード {text} の検査数字が正しくありません"
                f"（{text[:5]} の検査数字は {expected}）",
                hint=f"5桁の地域コード {text[:5]} か、"
                f"6桁の {text[:5]}{expected} を指定してください。",
            )
        return text[:5]
    if digits and len(text) == 4:
        raise SettingValueError(
            f"地域コードは5桁ですが、{text} は4桁です",
            hint=f'先頭の 0 を省いたのなら "0{text}" と引用符で囲んで書き、'
            "数字が欠けているなら団体コード一覧で確かめてください"
            "（例: 真鶴町は 14383、札幌市は 01100）。",
        )
    raise SettingValueError(
        f"団体コード {text!r} は5桁または6桁の数字ではありません",
        hint="例: 真鶴町は 14383（6桁なら 143839）。",
    )


def normalize_area_code(code: str | int, *, setting: str = "municipality") -> str:
    """Return the five-digit area code for a five- or six-digit code.

    Raises ConfigError naming `setting` for any other code (parse_area_code).
    """
    try:
        return parse_area_code(code)
    except SettingValueError as error:
        raise ConfigError(
            f"{error}。", place=f"設定 {setting}", hint=error.hint
        ) from None


PREFECTURES = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県",
    "茨城県", "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県",
    "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県",
    "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県",
    "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県",
    "徳島県", "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県",
    "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
)  # fmt: skip
"""The 47 prefectures in the order of their JIS X 0401 codes, 01 to 47."""

LAST_MUNICIPALITY = ("47382", "沖縄県与那国町")
"""The highest code of the national list (JIS X 0402), last in code order."""


def check_nationwide(
    area_codes: Sequence[str],
    *,
    display_path: str,
    last_row: str,
    source: str,
) -> None:
    """Raise InputError unless the file's areas cover the whole country.

    SSDSE-A (editions 2018–2026) and the 住基 municipal tables (2016–2022)
    list every prefecture's municipalities in code order, so all 47
    prefectures appear and the last municipality is 与那国町 (47382). A file
    cut off at a line end loses its last rows, and with them 与那国町 and
    the prefectures after the cut. `area_codes` has one code per data row,
    `last_row` names the last row read (its line and area) and `source` the
    page to download the file from, for the hint.
    """
    present = {code[:2] for code in area_codes}
    missing = [
        name
        for number, name in enumerate(PREFECTURES, start=1)
        if f"{number:02d}" not in present
    ]
    if not missing and LAST_MUNICIPALITY[0] in area_codes:
        return
    lacking = (
        f"{_prefecture_span(missing)}の行がありません"
        if missing
        else f"最後のはずの{LAST_MUNICIPALITY[1]}（{LAST_MUNICIPALITY[0]}）の行が"
        "ありません"
    )
    raise InputError(
        f"ファイルが途中で切れているようです。{lacking}"
        f"（データの行は {len(area_codes)} 行で、最後は {last_row}）。",
        file=display_path,
        hint=f"全国のファイルには47都道府県の市区町村があり、{LAST_MUNICIPALITY[1]}の"
        f"行で終わります。{source}からダウンロードし直して置き直してください。",
    )


def _prefecture_span(names: list[str]) -> str:
    """Return missing prefectures briefly: 長野県～沖縄県の28都道府県."""
    if len(names) <= 3:
        return "、".join(names)
    first, last = PREFECTURES.index(names[0]), PREFECTURES.index(names[-1])
    if last - first + 1 == len(names):
        return f"{names[0]}～{names[-1]}の{len(names)}都道府県"
    return f"{'、'.join(names[:3])}など{len(names)}都道府県"


@dataclass(frozen=True)
class Municipality:
    """One municipality (or a 政令市 ward) of the master list."""

    code: str
    """Five-digit area code, zero-padded (01100)."""
    national_code: str
    """Six-digit 全国地方公共団体コード with its check digit (011002)."""
    prefecture: str
    """Prefecture name, e.g. 神奈川県."""
    name: str
    """Name as the master list spells it, e.g. 真鶴町 or 札幌市 中央区."""
    kana: str

    @property
    def prefecture_code(self) -> str:
        return self.code[:2]

    @property
    def is_ward(self) -> bool:
        """True for a ward of a 政令市, which SSDSE does not list on its own."""
        return " " in self.name

    @property
    def full_name(self) -> str:
        return f"{self.prefecture}{self.name.replace(' ', '')}"


class MunicipalityMaster:
    """The municipalities of Japan, looked up by code or name."""

    def __init__(self, municipalities: list[Municipality]) -> None:
        self.municipalities = municipalities
        self._by_code = {m.code: m for m in municipalities}
        self._by_name: dict[tuple[str, str], list[Municipality]] = {}
        self._by_ward_name: dict[tuple[str, str], list[Municipality]] = {}
        self._by_plain_name: dict[str, list[Municipality]] = {}
        for m in municipalities:
            prefecture = normalize_name(m.prefecture)
            key = (prefecture, normalize_name(m.name))
            self._by_name.setdefault(key, []).append(m)
            if m.is_ward:
                ward = (prefecture, normalize_name(m.name.split(" ", 1)[1]))
                self._by_ward_name.setdefault(ward, []).append(m)
            self._by_plain_name.setdefault(plain_text(m.name), []).append(m)
        self._prefectures = sorted({plain_text(m.prefecture) for m in municipalities})
        self._longest_name = max(map(len, self._by_plain_name), default=0)

    def get(self, code: str) -> Municipality | None:
        return self._by_code.get(code)

    def city_of(self, ward: Municipality) -> Municipality | None:
        """Return the 政令市 whose ward `ward` is (札幌市 for 札幌市 中央区)."""
        city = ward.name.split(" ", 1)[0]
        found = self._by_name.get(
            (normalize_name(ward.prefecture), normalize_name(city)), []
        )
        return next((m for m in found if not m.is_ward), None)

    def find_by_name(self, prefecture: str, name: str) -> list[Municipality]:
        """Return the municipalities of `prefecture` whose name matches `name`.

        Names are compared after NFKC, without spaces, with ヶ read as ケ and
        a 郡 prefix dropped (足柄下郡真鶴町 is 真鶴町). A ward matches by its
        city and ward name (札幌市中央区) or, when unique, by the ward name.
        """
        key = (normalize_name(prefecture), normalize_name(name))
        return self._by_name.get(key) or self._by_ward_name.get(key, [])

    def match_start(self, text: str) -> PlaceMatch:
        """Find the prefecture and municipality names that `text` starts with.

        The text is compared in `plain_text` form. A prefecture name at the
        start is split off first. The municipality is then the longest name of
        the list that the rest starts with: a city, town or village, a 政令市
        ward written after its city (横浜市中区), or a town or village after its
        郡 (足柄下郡真鶴町). When a prefecture was named, only its municipalities
        match. Anything after the names, such as the rest of an address, is
        returned as `rest`.
        """
        plain = plain_text(text)
        prefecture = next((p for p in self._prefectures if plain.startswith(p)), None)
        rest = plain[len(prefecture) :] if prefecture else plain
        found, after = self._names_at_start(rest, prefecture)
        if not found:
            # Only a town or village is written after its 郡 (小郡市 is a city).
            district = DISTRICT_AT_START.match(rest)
            if district is not None:
                towns, after = self._names_at_start(rest[district.end() :], prefecture)
                found = [m for m in towns if m.name.endswith(("町", "村"))]
        if found:
            rest = after
        return PlaceMatch(prefecture, tuple(found), rest)

    def _names_at_start(
        self, text: str, prefecture: str | None
    ) -> tuple[list[Municipality], str]:
        for length in range(min(len(text), self._longest_name), 1, -1):
            found = [
                m
                for m in self._by_plain_name.get(text[:length], [])
                if prefecture is None or plain_text(m.prefecture) == prefecture
            ]
            if found:
                return found, text[length:]
        return [], text

    def in_prefecture(self, prefecture_code: str) -> list[Municipality]:
        """Return the prefecture's municipalities, wards left out."""
        return [
            m
            for m in self.municipalities
            if m.prefecture_code == prefecture_code and not m.is_ward
        ]


@dataclass(frozen=True)
class PlaceMatch:
    """The prefecture and municipality names found at the start of a text."""

    prefecture: str | None
    """Prefecture written at the start, or None when the text names none."""
    municipalities: tuple[Municipality, ...]
    """Municipalities of the name that follows; several when it is ambiguous
    (府中市 without a prefecture), none when no name of the list follows."""
    rest: str
    """The text after the names, in `plain_text` form."""


def reject_ward(
    ward: Municipality,
    master: MunicipalityMaster,
    *,
    query: str,
    place: str,
    file: str | None = None,
) -> None:
    """Raise ConfigError saying that `ward` is a ward and which city to use.

    Statistics such as SSDSE-A count a 政令市 as a whole, so a book is made
    for the city. `query` is the code or name the user gave.
    """
    city = master.city_of(ward)
    city_name = city.name if city else ward.name.split(" ", 1)[0]
    code = f"（地域コード {city.code}）" if city else ""
    raise ConfigError(
        f"{query} は政令指定都市{city_name}の区（{ward.full_name}）です。"
        "データブックは市全体で作ります。",
        file=file,
        place=place,
        hint=f"{ward.prefecture}{city_name}{code}を指定してください"
        "（統計が区ごとにないため）。",
    )


DISTRICT_PREFIX = re.compile(r"^.+?郡(?=.+[町村]$)")
DISTRICT_AT_START = re.compile(r"^.{1,6}?郡")


def plain_text(text: str) -> str:
    """Return `text` after NFKC, without spaces, with ヶ read as ケ and ヵ as カ."""
    plain = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", plain).replace("ヶ", "ケ").replace("ヵ", "カ")


def normalize_name(name: str) -> str:
    """Return a municipality name in the form `find_by_name` compares."""
    return DISTRICT_PREFIX.sub("", plain_text(name))


def load_master(path: Path, *, display_path: str | None = None) -> MunicipalityMaster:
    """Read localgovjp-utf8.csv and verify every six-digit code's check digit."""
    shown = display_path or str(path)
    text = read_text(path, encodings=("utf-8-sig",), display_path=shown)
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in MASTER_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(
            f"団体コード一覧に必要な列 {', '.join(missing)} がありません"
            f"（見つかった列: {', '.join(reader.fieldnames or [])}）。",
            file=shown,
            place="1行目（見出し）",
            hint="localgovjp の localgovjp-utf8.csv をそのまま置いてください。",
        )

    municipalities = []
    for line_number, row in enumerate(reader, start=2):
        lgcode = (row["lgcode"] or "").strip().zfill(6)
        code = lgcode[:5]
        if not (lgcode.isdigit() and len(lgcode) == 6) or lgcode[5] != check_digit(
            code
        ):
            raise InputError(
                f"団体コード {row['lgcode']!r} の検査数字が正しくありません。",
                file=shown,
                place=f"{line_number}行目、列 lgcode",
                hint="ファイルが壊れていないか確認し、元のファイルを置き直してください。",
            )
        municipalities.append(
            Municipality(
                code=code,
                national_code=lgcode,
                prefecture=row["pref"],
                name=row["city"],
                kana=row["citykana"],
            )
        )

    logger.info("読み込み: %s（団体 %d 件）", shown, len(municipalities))
    logger.debug("%s の SHA-256: %s", shown, file_sha256(path))
    return MunicipalityMaster(municipalities)
