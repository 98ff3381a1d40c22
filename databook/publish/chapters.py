"""Chapter texts: Markdown with YAML front matter and Quarto-style shortcodes.

`{{< var population.total >}}` inserts a key figure as printed text;
`{{< chart age_structure >}}` and `{{< table age_structure >}}`, each on a line
of its own, place a chart or a table with its number, data and 出典 line.
The same files render through Quarto, which reads the shortcodes the same way.
"""

from __future__ import annotations

import difflib
import html
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

from databook.errors import ChapterError, ErrorCollector
from databook.formatting import NO_DATA_TEXT
from databook.model import ChartSpec, KeyFigure, Table
from databook.yaml_errors import yaml_syntax_error

SHORTCODE = re.compile(r"\{\{<\s*(\w+)\s+([^\s>]+)\s*>\}\}")
OPENING, CLOSING = "{{<", ">}}"
WITHOUT_ANGLES = re.compile(r"\{\{(?!<)\s*(var|chart|table)\s+([^\s{}<>]+)\s*\}\}")
"""A shortcode written with plain braces, {{ var name }}, which Markdown keeps."""
BLOCK_KINDS = {"chart", "table"}
SHORTCODE_EXAMPLES = {
    "var": "{{< var population.total >}}",
    "chart": "{{< chart age_structure >}}",
    "table": "{{< table age_structure >}}",
}
NO_DATA_SENTENCE = "（データがないため、この{label}は載せていません。）"
NO_DATA_BLOCK = f'<p class="no-data">{NO_DATA_SENTENCE}</p>\n'
BLOCK_LABELS = {"chart": "グラフ", "table": "表"}

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChartBlock:
    spec: ChartSpec
    number: str
    """Figure number as printed, e.g. 図1-2."""


@dataclass(frozen=True)
class TableBlock:
    table: Table
    number: str
    """Table number as printed, e.g. 表1-1."""


@dataclass
class Chapter:
    """A chapter ready to publish: HTML text with blocks between its parts."""

    number: int
    slug: str
    title: str
    file: str
    parts: list[str | ChartBlock | TableBlock] = field(default_factory=list)
    method_notes: list[str] = field(default_factory=list)
    no_data_blocks: list[tuple[str, str]] = field(default_factory=list)
    """Kind and name of each chart and table printed as the no-data placeholder."""

    @property
    def charts(self) -> list[ChartBlock]:
        return [p for p in self.parts if isinstance(p, ChartBlock)]

    @property
    def tables(self) -> list[TableBlock]:
        return [p for p in self.parts if isinstance(p, TableBlock)]


@dataclass(frozen=True)
class ChapterText:
    """A chapter file split into front matter and body."""

    file: str
    title: str
    body: str
    body_line: int
    """Line number of the body's first line in the file, for messages."""


def read_chapter(path: Path, *, display_path: str) -> ChapterText:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ChapterError(
            "章のファイルが UTF-8 ではありません。",
            file=display_path,
            hint="UTF-8 で保存し直してください。",
        ) from None

    front: dict = {}
    body, body_line = text, 1
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end == -1:
            raise ChapterError(
                "先頭の「---」で始まる見出し部分が「---」で閉じられていません。",
                file=display_path,
                place="1行目",
                hint="title などを書いた部分の後に「---」だけの行を入れてください。",
            )
        # Blank out the opening --- so that PyYAML's marks are the file's
        # own lines and columns.
        front_text = "   " + text[3:end]
        try:
            front = yaml.safe_load(front_text) or {}
        except yaml.YAMLError as error:
            raise yaml_syntax_error(
                error, front_text, file=display_path, error_class=ChapterError
            ) from None
        closing = (
            text.index("\n", end + 1) + 1 if "\n" in text[end + 1 :] else len(text)
        )
        body = text[closing:]
        body_line = text[:closing].count("\n") + 1

    title = front.get("title") if isinstance(front, dict) else None
    if not title:
        raise ChapterError(
            "章の題名（title）がありません。",
            file=display_path,
            place="見出し部分",
            hint="ファイルの先頭に「---」「title: 人口」「---」の3行を書いてください。",
        )
    return ChapterText(display_path, str(title), body, body_line)


class ChapterRenderer:
    """Turns chapter texts into HTML parts, resolving shortcodes against findings."""

    def __init__(
        self,
        variables: dict[str, KeyFigure | str],
        charts: dict[str, ChartSpec],
        tables: dict[str, Table],
    ) -> None:
        self.variables = variables
        self.charts = charts
        self.tables = tables
        self.no_data: frozenset[str] = frozenset()
        self.absent: frozenset[str] = frozenset()
        self.no_data_variables: set[str] = set()
        """Names of the key figures printed as （データなし）, in every chapter."""
        self.used_variables: set[str] = set()
        """Names of the key figures printed, in every chapter."""
        self.no_data_blocks: list[tuple[str, str]] = []
        self.errors = ErrorCollector()
        self.markdown = MarkdownIt("commonmark", {"html": False, "typographer": False})
        self.markdown.enable("table")

    def render(
        self,
        text: ChapterText,
        *,
        number: int,
        slug: str,
        notes: list[str],
        no_data: frozenset[str] = frozenset(),
        absent: frozenset[str] = frozenset(),
    ) -> Chapter:
        """Render one chapter text.

        `no_data` names the chapter's analyses that found no data for the
        area: their key figures, charts and tables print a placeholder with
        a warning instead of failing the build. `absent` names single charts,
        tables and key figures (tourism_seasonality, tourism.peak_month) that
        the analyses lack for the area, which print the same placeholder.
        Every unknown name in the chapter is reported, as one ChapterError or
        a DatabookErrorGroup.
        """
        self.no_data = no_data
        self.absent = absent
        self.errors = ErrorCollector()
        self.no_data_blocks = []
        chapter = Chapter(number, slug, text.title, text.file, method_notes=notes)
        blocks: list[ChartBlock | TableBlock] = []
        lines = []
        for offset, line in enumerate(text.body.splitlines()):
            place = f"{text.body_line + offset}行目"
            problems = shortcode_problems(line)
            for message, hint in problems:
                self.errors.add(
                    ChapterError(message, file=text.file, place=place, hint=hint)
                )
            if problems:
                continue
            try:
                block = self._block(line, place, text.file, number, blocks)
            except ChapterError as error:
                self.errors.add(error)
                continue
            if block is not None:
                blocks.append(block)
                lines.append(f"\n@@block{len(blocks) - 1}@@\n")
            else:
                lines.append(self._substitute(line, place, text.file))
        self.errors.raise_errors()

        rendered = self.markdown.render("\n".join(lines))
        pieces = re.split(r"<p>@@block(\d+)@@</p>\n?", rendered)
        for index, piece in enumerate(pieces):
            if index % 2 == 0:
                if piece.strip():
                    chapter.parts.append(piece)
            else:
                chapter.parts.append(blocks[int(piece)])
        chapter.no_data_blocks = self.no_data_blocks
        return chapter

    def _block(self, line, place, file, chapter_number, blocks):
        stripped = line.strip()
        match = SHORTCODE.fullmatch(stripped)
        if not match or match.group(1) not in BLOCK_KINDS:
            return None
        kind, name = match.groups()
        counted = ChartBlock if kind == "chart" else TableBlock
        count = sum(1 for block in blocks if isinstance(block, counted))
        if kind == "chart":
            if name not in self.charts and (self.no_data or name in self.absent):
                return self._placeholder(kind, name, place, file)
            spec = self._lookup(self.charts, name, "グラフ", "chart", place, file)
            return ChartBlock(spec, f"図{chapter_number}-{count + 1}")
        if name not in self.tables and (self.no_data or name in self.absent):
            return self._placeholder(kind, name, place, file)
        table = self._lookup(self.tables, name, "表", "table", place, file)
        return TableBlock(table, f"表{chapter_number}-{count + 1}")

    def _substitute(self, line: str, place: str, file: str) -> str:
        def replace(match: re.Match) -> str:
            try:
                return substitute(match)
            except ChapterError as error:
                # Keep looking for more unknown names; render() raises them.
                self.errors.add(error)
                return match.group(0)

        def substitute(match: re.Match) -> str:
            kind, name = match.groups()
            if kind in BLOCK_KINDS:
                raise ChapterError(
                    f"{{{{< {kind} {name} >}}}} は行の中に書けません。",
                    file=file,
                    place=place,
                    hint="グラフと表のショートコードは、それだけを1行に書いてください。",
                )
            absent = name.split(".")[0] in self.no_data or name in self.absent
            if name not in self.variables and absent:
                self._warn_no_data(kind, name, place, file)
                self.no_data_variables.add(name)
                return NO_DATA_TEXT
            figure = self._lookup(self.variables, name, "変数", "var", place, file)
            self.used_variables.add(name)
            text = figure.text if isinstance(figure, KeyFigure) else figure
            return _escape_markdown(text)

        return SHORTCODE.sub(replace, line)

    def _placeholder(self, kind, name, place, file) -> str:
        self._warn_no_data(kind, name, place, file)
        self.no_data_blocks.append((kind, name))
        return NO_DATA_BLOCK.format(label=BLOCK_LABELS[kind])

    def _warn_no_data(self, kind: str, name: str, place: str, file: str) -> None:
        if name in self.absent:
            logger.warning(
                "%s、%s: {{< %s %s >}} は、この市町村のデータにないため"
                "「データなし」と印刷します。",
                file,
                place,
                kind,
                name,
            )
            return
        logger.warning(
            "%s、%s: {{< %s %s >}} は、分析 %s にこの市町村のデータがないため"
            "「データなし」と印刷します。",
            file,
            place,
            kind,
            name,
            "、".join(sorted(self.no_data)),
        )

    @staticmethod
    def _lookup(table: dict, name: str, label: str, kind: str, place: str, file: str):
        if name in table:
            return table[name]
        # List only the names of the same analysis (population.*), which is
        # where a misspelt or missing name belongs. When the analysis part is
        # misspelt too (populaton.total), suggest from every name but list only
        # the analyses, not the hundred names of all of them.
        namespace = name.split(".")[0] + "." if "." in name else ""
        related = sorted(n for n in table if n.startswith(namespace))
        close = difflib.get_close_matches(name, related or sorted(table), n=1)
        if close:
            advice = f"もしかして {close[0]}？ "
        else:
            advice = (
                "この市町村のデータにはこの数値がないのかもしれません。"
                "その文や章を消すか、書き換えてください。"
            )
        if related or not namespace:
            listed = (
                f"使える{label}: {'、'.join(related or sorted(table)) or '（なし）'}"
            )
        else:
            analyses = sorted({n.split(".")[0] for n in table if "." in n})
            listed = (
                f"{label}の名前は「分析名.名前」です。分析名: {'、'.join(analyses)}"
            )
        raise ChapterError(
            f"{label} {name} はありません（{{{{< {kind} {name} >}}}}）。",
            file=file,
            place=place,
            hint=f"{advice}{listed}",
        )


def shortcode_problems(line: str) -> list[tuple[str, str]]:
    """Return the message and hint of each malformed shortcode in `line`.

    A shortcode is {{< kind name >}} within one line, with kind var, chart
    or table. A shortcode that is not closed, a closing without an opening,
    a missing or extra word and an unknown kind would otherwise reach the
    book as literal text.
    """
    problems: list[tuple[str, str]] = []
    for match in WITHOUT_ANGLES.finditer(line):
        kind, name = match.groups()
        problems.append(
            (
                f"「{match.group(0)}」に「<」と「>」がありません。",
                f"{OPENING} {kind} {name} {CLOSING} のように書いてください。",
            )
        )
    position = 0
    while True:
        start = line.find(OPENING, position)
        stray = line.find(CLOSING, position)
        if stray != -1 and (start == -1 or stray < start):
            problems.append(
                (
                    f"「{CLOSING}」の前に「{OPENING}」がありません"
                    f"（{line[max(0, stray - 30) : stray + 3].strip()}）。",
                    f"{SHORTCODE_EXAMPLES['var']} のように、「{OPENING}」で始めて"
                    f"「{CLOSING}」で閉じてください。",
                )
            )
            position = stray + len(CLOSING)
            continue
        if start == -1:
            return problems
        end = line.find(CLOSING, start + len(OPENING))
        following = line.find(OPENING, start + len(OPENING))
        if end == -1 or (following != -1 and following < end):
            stop = following if following != -1 else len(line)
            problems.append(_unclosed(line[start:stop]))
            position = stop
            continue
        problems += _shortcode_words(line[start + len(OPENING) : end].split())
        position = end + len(CLOSING)


def _unclosed(text: str) -> tuple[str, str]:
    """Describe a shortcode without its closing, with the corrected form if clear.

    `text` runs from the opening to the end of the line (or the next opening).
    A closing that lacks its ">" (}}) ends the shortcode, and then the form
    with ">}}" is suggested.
    """
    braces = text.find("}}")
    shown = (text[: braces + 2] if braces != -1 else text).strip()
    words = shown[len(OPENING) :].replace("}}", " ").split()
    if braces != -1 and len(words) == 2 and words[0] in SHORTCODE_EXAMPLES:
        hint = f"{OPENING} {' '.join(words)} {CLOSING} のように書いてください。"
    else:
        hint = (
            f"{SHORTCODE_EXAMPLES['var']} のように、同じ行の中で「{CLOSING}」で"
            "閉じてください。"
        )
    return f"ショートコード {shown} が「{CLOSING}」で閉じられていません。", hint


def _shortcode_words(words: list[str]) -> list[tuple[str, str]]:
    """Check the words between {{< and >}}: a known kind and one name."""
    written = f"{OPENING} {' '.join(words)} {CLOSING}" if words else "{{< >}}"
    if not words:
        return [
            (
                f"中身のないショートコード {written} があります。",
                f"{'、'.join(SHORTCODE_EXAMPLES.values())} の形で書いてください。",
            )
        ]
    kind = words[0]
    if kind not in SHORTCODE_EXAMPLES:
        return [
            (
                f"ショートコード {kind} はありません。",
                "使えるのは var、chart、table の3つです。",
            )
        ]
    example = SHORTCODE_EXAMPLES[kind]
    if len(words) == 1:
        return [
            (
                f"ショートコード {written} に名前がありません。",
                f"{example} のように、{kind} の後に名前を書いてください。",
            )
        ]
    if len(words) > 2:
        return [
            (
                f"ショートコード {written} の名前の後に、余分な "
                f"{' '.join(words[2:])} があります。",
                f"名前は1つだけ書きます（例: {example}）。",
            )
        ]
    if ">" in words[1]:
        return [
            (
                f"ショートコード {written} の名前 {words[1]} に「>」があります。",
                f"名前には「>」を使えません（例: {example}）。",
            )
        ]
    return []


def _escape_markdown(text: str) -> str:
    escaped = html.escape(text, quote=False)
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", escaped)
