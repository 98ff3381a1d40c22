"""Japanese messages for YAML syntax errors, with the line and column.

PyYAML reports a syntax error as English text ("mapping values are not allowed
here") and a 0-based mark. This module turns the common cases (a tab, an
unclosed quote or bracket, a misaligned indent, a missing or misplaced colon)
into a message that states what is wrong, where, and how to fix it. PyYAML's
own text is kept as the error's `detail` for --debug.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from databook.errors import DatabookError

logger = logging.getLogger(__name__)

FULLWIDTH_COLON = "："
QUOTE_HINT = '値全体を引用符で囲んでください（例: title: "真鶴町: 2025年版"）。'


@dataclass(frozen=True)
class _Explanation:
    message: str
    hint: str
    mark: yaml.Mark | None
    """Mark to point the user at: the start of what is unclosed, or the problem."""


def yaml_syntax_error(
    error: yaml.YAMLError,
    text: str,
    *,
    file: str | Path,
    error_class: type[DatabookError],
) -> DatabookError:
    """Return an `error_class` that explains `error`, raised while reading `text`.

    `text` must be the text PyYAML read, so that the marks point into it.
    """
    explanation = _explain(error, text)
    logger.debug("%s: PyYAML: %s", file, error)
    return error_class(
        f"{explanation.message.removesuffix('。')}（YAML の書き方の誤り）。",
        file=file,
        place=_place(explanation.mark, text) if explanation.mark else None,
        hint=explanation.hint,
        detail=f"PyYAML: {error}",
    )


def _place(mark: yaml.Mark, text: str) -> str:
    if mark.line >= len(text.splitlines()):
        return f"{mark.line + 1}行目（ファイルの終わり）"
    return f"{mark.line + 1}行目、{mark.column + 1}文字目"


def _character_at(mark: yaml.Mark | None, text: str) -> str:
    if mark is None:
        return ""
    lines = text.splitlines()
    if mark.line < len(lines) and mark.column < len(lines[mark.line]):
        return lines[mark.line][mark.column]
    return ""


def _explain(error: yaml.YAMLError, text: str) -> _Explanation:
    if isinstance(error, yaml.reader.ReaderError):
        return _reader_error(error, text)

    problem = str(getattr(error, "problem", "") or "")
    context = str(getattr(error, "context", "") or "")
    problem_mark = getattr(error, "problem_mark", None)
    context_mark = getattr(error, "context_mark", None)

    unclosed = _unclosed_quote(text, problem_mark)
    if unclosed is not None:
        return unclosed
    if "cannot start any token" in problem:
        return _bad_character(_character_at(problem_mark, text), problem_mark)
    if "unknown escape character" in problem:
        return _Explanation(
            '二重引用符（"）の中の「\\」の書き方が正しくありません。',
            "Windows のパス（C:\\data）などは一重引用符（'）で囲むか、"
            "「\\」を「/」にしてください。",
            problem_mark,
        )
    if "quoted scalar" in context:
        quote = _character_at(context_mark, text) or '"'
        return _Explanation(
            f"引用符（{quote}）が閉じられていません。",
            f"この位置で始まる値の終わりに、閉じる {quote} を書いてください。",
            context_mark or problem_mark,
        )
    if "flow sequence" in context or "flow mapping" in context:
        opening = "[" if "sequence" in context else "{"
        closing = "]" if opening == "[" else "}"
        return _Explanation(
            f"「{opening}」が「{closing}」で閉じられていません。",
            f"この位置の「{opening}」で始めた並びを、同じ行の「{closing}」で"
            "閉じてください。",
            context_mark or problem_mark,
        )
    if "mapping values are not allowed" in problem:
        return _misplaced_colon(problem_mark, text)
    if "could not find expected ':'" in problem:
        return _Explanation(
            "「設定名: 値」の「:」がありません。",
            "設定名の後に半角の「:」と空白を書いてください。前の行の続きのつもり"
            f"なら、前の行とまとめて1行にしてください。{_fullwidth_advice(text)}",
            context_mark or problem_mark,
        )
    if "undefined alias" in problem or "mapping keys are not allowed" in problem:
        return _bad_character(_character_at(problem_mark, text), problem_mark)
    if "another document" in problem:
        return _Explanation(
            "「---」の行の後に2つ目の文書があります。",
            "設定の途中に「---」だけの行を書かないでください。",
            problem_mark,
        )
    if context.startswith("while parsing a block") or "<block end>" in problem:
        return _Explanation(
            "字下げ（行の先頭の空白）がそろっていないか、値の後に余分な文字があります。",
            "同じ階層の設定は同じ数の半角スペースで字下げしてください"
            "（上の行と比べてください）。値の中に空白や記号があるときは、"
            f"{QUOTE_HINT}",
            problem_mark,
        )
    return _Explanation(
        "設定ファイルの書き方が正しくありません。",
        "字下げ（行の先頭の半角スペース）と、「:」の後の空白を確かめてください。",
        problem_mark or context_mark,
    )


QUOTED_VALUE = re.compile(r"^(\s*(?:-\s+)?(?:[^\s#\"'][^#\"']*?:\s+)?)([\"'])(.*)$")
"""A line whose value (after "key: " or "- ") starts with a quote."""


def _unclosed_quote(text: str, mark: yaml.Mark | None) -> _Explanation | None:
    """Explain a quote left open on a line above the problem, if there is one.

    PyYAML reads an unclosed quote on to the next quote in the file, so the
    error it reports is often many lines further down.

    NOTE: a quoted value that spans lines on purpose (valid YAML) is taken
    for an unclosed quote when a later line has a syntax error.
    """
    if mark is None:
        return None
    for number, line in enumerate(text.splitlines()[: mark.line]):
        match = QUOTED_VALUE.match(line)
        if match is None:
            continue
        quote, rest = match.group(2), match.group(3)
        closing = r'(?<!\\)"' if quote == '"' else r"'(?!')"
        if re.search(closing, rest.replace("''", "")):
            continue
        column = len(match.group(1))
        return _Explanation(
            f"引用符（{quote}）が閉じられていません。",
            f"この位置で始まる値の終わりに、閉じる {quote} を書いてください。",
            yaml.Mark("", 0, number, column, None, None),
        )
    return None


def _bad_character(character: str, mark: yaml.Mark | None) -> _Explanation:
    if character == "\t":
        return _Explanation(
            "タブ文字があります。字下げや区切りにタブは使えません。",
            "タブを半角スペースに置き換えてください（字下げは半角スペース2つずつ）。",
            mark,
        )
    shown = f"「{character}」" if character.strip() else "この記号"
    return _Explanation(
        f"{shown}で始まる値はそのままでは書けません。",
        QUOTE_HINT,
        mark,
    )


def _misplaced_colon(mark: yaml.Mark | None, text: str) -> _Explanation:
    lines = text.splitlines()
    if mark is not None and 0 < mark.line < len(lines):
        line = lines[mark.line]
        above = [earlier for earlier in lines[: mark.line] if earlier.strip()]
        indent = len(line) - len(line.lstrip(" "))
        if above:
            previous = above[-1]
            previous_indent = len(previous) - len(previous.lstrip(" "))
            opens_block = previous.split("#", 1)[0].rstrip().endswith(":")
            if indent > previous_indent and not opens_block:
                # "key: value" followed by a deeper "key:" that belongs nowhere.
                return _Explanation(
                    "字下げ（行の先頭の空白）が上の行より深くなっています。",
                    "同じ階層の設定は、上の行と同じ数の半角スペースで字下げして"
                    "ください。",
                    yaml.Mark("", 0, mark.line, 0, None, None),
                )
    return _Explanation(
        "ここに「:」は書けません。",
        "値の中に「:」があるときは、"
        f"{QUOTE_HINT}前の行の「:」の後に半角スペースがあるか、字下げがそろって"
        f"いるかも確かめてください。{_fullwidth_advice(text)}",
        mark,
    )


def _fullwidth_advice(text: str) -> str:
    """Return advice on a full-width colon, which YAML does not take for ':'."""
    for number, line in enumerate(text.splitlines(), start=1):
        key = line.split("#", 1)[0]
        if FULLWIDTH_COLON in key and ":" not in key:
            return f"{number}行目の全角の「：」は半角の「:」にしてください。"
    return ""


def _reader_error(error: yaml.reader.ReaderError, text: str) -> _Explanation:
    # ReaderError gives a character offset instead of a mark.
    before = text[: error.position]
    line = before.count("\n")
    column = error.position - (before.rfind("\n") + 1)
    mark = yaml.Mark("", error.position, line, column, None, None)
    code = (
        f"U+{error.character:04X}"
        if isinstance(error.character, int)
        else repr(error.character)
    )
    return _Explanation(
        f"使えない制御文字（{code}）があります。",
        "その文字を消してください（ほかのソフトから写したときに入ることがあります）。",
        mark,
    )
