"""`databook new`: a project folder for any municipality, ready to build offline.

The project gets databook.yml and the chapter texts from the package's
template, and copies of the national data files that need no key: the SSDSE-A
editions, the municipality master and, when present, the 住基 tables. The data
comes from a folder the user names or, by default, from the data/raw/ folder of
the databook source checkout.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

import jinja2

from databook.config import CONFIG_NAME
from databook.errors import ConfigError, InputError
from databook.sources.codes import (
    Municipality,
    MunicipalityMaster,
    check_digit,
    normalize_name,
    peer_word,
    reject_ward,
)

logger = logging.getLogger(__name__)

MASTER_FILE = Path("codes") / "localgovjp-utf8.csv"
SSDSE_PATTERN = "ssdse/SSDSE-A-*.csv"
OPTIONAL_FOLDERS = ("juki",)
"""Folders of national data copied when the data folder has them."""
CHECKOUT_DATA = Path(__file__).resolve().parents[1] / "data" / "raw"
"""data/raw/ of the source checkout this package was imported from."""
JUKI_CHAPTER = "03-juki.qmd"
TEMPLATE_PEERS = "県内の市町村"
"""Words of the template chapters that new replaces with the area's own."""
"""Template chapter written only when the data folder has 住基 tables."""
GITIGNORE = "/build/\n/data/processed/\n/.databook-cache/\n.databook-tmp-*/\n"


@dataclass(frozen=True)
class NewProject:
    """A project folder that `create_project` wrote."""

    folder: Path
    municipality: Municipality
    files: int
    """Number of data files copied or linked into data/raw/."""


def default_data_folder() -> Path:
    """Return the checkout's data/raw/, or raise when the package has none."""
    if (CHECKOUT_DATA / MASTER_FILE).is_file():
        return CHECKOUT_DATA
    raise InputError(
        "全国のデータ（SSDSE-A と団体コード一覧）の場所が分かりません。",
        place="オプション --data",
        hint="databook のソース一式の data/raw/ フォルダ（codes/ と ssdse/ のある"
        "フォルダ）を --data で指定してください。",
    )


def find_municipality(master: MunicipalityMaster, query: str) -> Municipality:
    """Return the municipality that a code or a name names.

    `query` is a five-digit area code, a six-digit national code whose check
    digit is verified, or a name with or without its prefecture and 郡
    (真鶴町, 足柄下郡真鶴町, 神奈川県真鶴町). A name shared by several
    municipalities raises ConfigError listing them.
    """
    text = unicodedata.normalize("NFKC", query).strip()
    if text.isascii() and text.isdigit():
        return _by_code(master, text, query)

    candidates = _by_name(master, text)
    if not candidates:
        raise ConfigError(
            f"市区町村 {query} が団体コード一覧にありません。",
            place="引数 市区町村",
            hint="名前を確かめるか、5桁の地域コード（例: 真鶴町は 14383）を"
            "指定してください。",
        )
    if len(candidates) > 1:
        listed = "、".join(f"{m.prefecture}{m.name}（{m.code}）" for m in candidates)
        raise ConfigError(
            f"{query} という名前の市区町村が {len(candidates)} つあります: {listed}。",
            place="引数 市区町村",
            hint=f"都道府県名を付けるか（例: {candidates[0].prefecture}{query}）、"
            "地域コードで指定してください。",
        )
    return _not_a_ward(master, candidates[0], query)


def _by_code(master: MunicipalityMaster, text: str, query: str) -> Municipality:
    if len(text) == 6:
        expected = check_digit(text[:5])
        if text[5] != expected:
            raise ConfigError(
                f"6桁の団体コード {text} の検査数字が正しくありません"
                f"（{text[:5]} の検査数字は {expected}）。",
                place="引数 市区町村",
                hint=f"5桁の地域コード {text[:5]} か、"
                f"6桁の {text[:5]}{expected} を指定してください。",
            )
        text = text[:5]
    elif len(text) == 4:
        hint = "5桁の地域コードか、市区町村の名前を指定してください。"
        guess = master.get(f"0{text}")
        if guess is not None:
            hint = (
                f"先頭の 0 を省いたのなら 0{text}（{guess.prefecture}{guess.name}）"
                "と指定してください。"
            )
        raise ConfigError(
            f"4桁のコード {query} は使えません。先頭の 0 を省いたのか、"
            "数字が欠けたのかが分からないためです。",
            place="引数 市区町村",
            hint=hint,
        )
    elif len(text) != 5:
        raise ConfigError(
            f"コード {query} は5桁の地域コードでも6桁の団体コードでもありません。",
            place="引数 市区町村",
            hint="例: 真鶴町は 14383（6桁なら 143839）。名前でも指定できます。",
        )

    municipality = master.get(text)
    if municipality is None:
        raise ConfigError(
            f"地域コード {text} の市区町村が団体コード一覧にありません。",
            place="引数 市区町村",
            hint="コードを確かめるか、市区町村名で指定してください。",
        )
    return _not_a_ward(master, municipality, query)


def _by_name(master: MunicipalityMaster, text: str) -> list[Municipality]:
    """Return the municipalities named `text`, within its prefecture if it has one.

    The prefecture is split off first, so that normalize_name, which drops a
    郡 prefix, cannot drop the prefecture with it (神奈川県足柄下郡真鶴町).
    """
    compact = re.sub(r"\s+", "", text)
    prefectures = {m.prefecture for m in master.municipalities}
    prefecture = next((p for p in prefectures if compact.startswith(p)), None)
    if prefecture and compact != prefecture:
        compact = compact[len(prefecture) :]
    name_key = normalize_name(compact)
    return [
        m
        for m in master.municipalities
        if normalize_name(m.name) == name_key
        and (prefecture is None or m.prefecture == prefecture)
    ]


def _not_a_ward(
    master: MunicipalityMaster, municipality: Municipality, query: str
) -> Municipality:
    if municipality.is_ward:
        reject_ward(municipality, master, query=query, place="引数 市区町村")
    return municipality


def create_project(
    municipality: Municipality,
    folder: Path,
    data: Path,
    *,
    edition: int | None = None,
    link: bool = False,
) -> NewProject:
    """Write a project folder for `municipality`, with the data files from `data`.

    With `link`, data files are hard-linked where the file system allows it
    (one copy on disk for a batch of books) and copied otherwise. Raises
    ConfigError when `folder` exists and is not empty.
    """
    if folder.exists() and any(folder.iterdir()):
        raise ConfigError(
            f"フォルダ {folder} は空ではありません。",
            place="引数 フォルダ",
            hint="新しいフォルダの名前を指定してください（上書きはしません）。",
        )
    sources = data_files(data)

    folder.mkdir(parents=True, exist_ok=True)
    template = resources.files("databook") / "template"
    text = template.joinpath(CONFIG_NAME).read_text(encoding="utf-8")
    values = {
        "juki": any(source.parent.name == "juki" for source in sources),
        "code": municipality.code,
        "national_code": municipality.national_code,
        "name": municipality.name,
        "edition": edition or date.today().year,
    }
    rendered = jinja2.Template(
        text, keep_trailing_newline=True, trim_blocks=True
    ).render(values)
    (folder / CONFIG_NAME).write_text(rendered, encoding="utf-8")
    (folder / "chapters").mkdir()
    for chapter in template.joinpath("chapters").iterdir():
        if chapter.name == JUKI_CHAPTER and not values["juki"]:
            continue
        if chapter.name.endswith(".qmd"):
            # The template's headings are worded for a 県; name the area's own.
            body = chapter.read_text(encoding="utf-8").replace(
                TEMPLATE_PEERS,
                f"{municipality.prefecture}内の{peer_word(municipality.code)}",
            )
            (folder / "chapters" / chapter.name).write_text(body, encoding="utf-8")
    (folder / ".gitignore").write_text(GITIGNORE, encoding="utf-8")

    raw = folder / "data" / "raw"
    for source in sources:
        target = raw / source.relative_to(data)
        target.parent.mkdir(parents=True, exist_ok=True)
        _copy(source, target, link=link)
    logger.info(
        "作成: %s（%s%s、データ %d 件）",
        folder,
        municipality.prefecture,
        municipality.name,
        len(sources),
    )
    return NewProject(folder, municipality, len(sources))


def data_files(data: Path) -> list[Path]:
    """Return the national data files in `data` that a new project needs."""
    master = data / MASTER_FILE
    ssdse = sorted(data.glob(SSDSE_PATTERN))
    if not master.is_file() or not ssdse:
        missing = [] if master.is_file() else [MASTER_FILE.as_posix()]
        missing += [] if ssdse else [SSDSE_PATTERN]
        raise InputError(
            f"データのフォルダに {'、'.join(missing)} がありません。",
            file=data,
            hint="databook のソース一式の data/raw/ と同じ形（codes/ と ssdse/）の"
            "フォルダを --data で指定してください。",
        )
    files = [master, *ssdse]
    for name in OPTIONAL_FOLDERS:
        files += sorted(p for p in (data / name).glob("*") if p.is_file())
    if (data / "SOURCES.md").is_file():
        files.append(data / "SOURCES.md")
    return files


def _copy(source: Path, target: Path, *, link: bool) -> None:
    if link:
        try:
            os.link(source, target)
            return
        except OSError:
            pass
    shutil.copy2(source, target)
