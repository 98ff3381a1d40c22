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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from databook.config import CONFIG_NAME, Config
from databook.errors import ConfigError, InputError
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


def normalize_area_code(code: str | int, *, setting: str = "municipality") -> str:
    """Return the five-digit area code for a five- or six-digit code.

    A six-digit code must carry the right check digit. Raises ConfigError
    naming `setting` otherwise.
    """
    text = str(code).strip()
    if text.isascii() and text.isdigit() and len(text) in (4, 5):
        return text.zfill(5)
    if text.isascii() and text.isdigit() and len(text) == 6:
        expected = check_digit(text[:5])
        if text[5] != expected:
            raise ConfigError(
                f"6桁の団体コード {text} の検査数字が正しくありません"
                f"（{text[:5]} の検査数字は {expected}）。",
                place=f"設定 {setting}",
                hint=f"5桁の地域コード {text[:5]} か、"
                f"6桁の {text[:5]}{expected} を指定してください。",
            )
        return text[:5]
    raise ConfigError(
        f"団体コード {text!r} は5桁または6桁の数字ではありません。",
        place=f"設定 {setting}",
        hint="例: 真鶴町は 14383（6桁なら 143839）。",
    )


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

    logger.info(
        "読み込み: %s（団体 %d 件、sha256 %s…）",
        shown,
        len(municipalities),
        file_sha256(path)[:12],
    )
    return MunicipalityMaster(municipalities)


def configured_master(config: Config) -> MunicipalityMaster:
    """Return the municipality master that databook.yml declares, for name lookups."""
    found = config.dataset_of_kind("municipalities")
    if found is None:
        raise ConfigError(
            "団体コード一覧（kind: municipalities）のデータがありません。",
            file=CONFIG_NAME,
            place="設定 datasets",
            hint="datasets に kind: municipalities と file: を書き足してください。",
        )
    settings = found[1]
    path = config.path(settings.file)
    return _read_master(path, file_sha256(path), settings.file)


@lru_cache(maxsize=4)
def _read_master(path: Path, sha256: str, display_path: str) -> MunicipalityMaster:
    """Read the master once per content, for the several loaders that look names up.

    The hash is part of the key so that an edited file is read again.
    """
    return load_master(path, display_path=display_path)
