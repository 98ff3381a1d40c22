"""The assembled book that the site and PDF writers publish."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from databook.model import Provenance, credit_text
from databook.publish.chapters import Chapter
from databook.sources.codes import peer_word
from databook.sources.findings import QUOTED_LICENCE


@dataclass
class Book:
    """One edition of one municipality's data book."""

    title: str
    municipality: str
    prefecture: str
    area_code: str
    edition: int
    publisher: str
    contact: str
    """Contact line of the colophon; empty when not configured."""
    built_on: str
    """Build date as printed, e.g. 2026年12月4日."""
    built_on_iso: str
    """Build date as ISO 8601, e.g. 2026-12-04."""
    chapters: list[Chapter]
    sources: list[Provenance]
    """Every source the book cites, each once."""
    variables: dict[str, str] = field(default_factory=dict)
    """Every `{{< var >}}` name the chapters can use, with its text as printed."""
    era: str = "both"
    """Year style of the running text: both, western or japanese."""
    estimated: bool = False
    """True when a figure of the book is an estimate, described in a method note."""
    designated_cities: bool = True
    """True when the prefecture has a 政令指定都市, ranked as one whole city."""

    @property
    def peers(self) -> str:
        """Return the word for the municipalities the book ranks its own among."""
        return peer_word(self.area_code)

    @property
    def quotes(self) -> bool:
        """Return True when the book quotes published findings."""
        return any(s.licence == QUOTED_LICENCE for s in self.sources)

    @property
    def notices(self) -> list[str]:
        """Return the statements the sources' terms require, each once."""
        return list(dict.fromkeys(s.notice for s in self.sources if s.notice))

    @property
    def source_files(self) -> list[SourceFile]:
        """Return the raw files behind the book, each once, with what they gave."""
        files: dict[str, SourceFile] = {}
        for source in self.sources:
            known = files.get(source.file)
            origins = ((source.source, source.url),)
            surveys = (source.survey,) if source.survey else ()
            references = (source.reference,) if source.reference else ()
            if known:
                origins = tuple(dict.fromkeys(known.origins + origins))
                surveys = tuple(dict.fromkeys(known.surveys + surveys))
                references = tuple(dict.fromkeys(known.references + references))
            files[source.file] = SourceFile(
                file=source.file,
                origins=origins,
                table=source.table,
                surveys=surveys,
                references=references,
                licence=source.licence,
                sha256=source.sha256,
            )
        ordered = (
            replace(f, references=tuple(sorted(f.references, key=_period_order)))
            for f in files.values()
        )
        return sorted(ordered, key=lambda f: f.file)


@dataclass(frozen=True)
class SourceFile:
    """A raw file the book read, for the list of sources."""

    file: str
    origins: tuple[tuple[str, str], ...]
    """Each publisher the file's values are credited to, with its page or ""."""
    table: str
    surveys: tuple[str, ...]
    references: tuple[str, ...]
    """Reference years of the values taken from the file."""
    licence: str
    sha256: str

    @property
    def source(self) -> str:
        """Return the publishers as printed, e.g. nordot.app 掲載の記事."""
        return "、".join(name for name, _ in self.origins)


def _period_order(period: str) -> tuple[int, str]:
    """Return a sort key that puts 2016 before FY2016 before 2020."""
    year = re.search(r"\d{4}", period)
    return (int(year.group()) if year else 0, period)


def credit_line(sources) -> str:
    """Return the text after 出典： for a chart or table."""
    return credit_text(sources)


@cache
def templates() -> Environment:
    environment = Environment(
        loader=PackageLoader("databook", "publish/templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["credit_text"] = credit_text
    return environment
