"""Japanese help pages and command-line errors for the `databook` command.

Typer prints its help headings ("Usage:", "Options:"), the help option's text
and the parser's errors ("No such option", "Missing argument") in English.
`DatabookGroup` and `DatabookCommand` are the command classes that typer takes
through `cls=`. They write the help page themselves and turn every usage
error into a `CommandLineError` that explains in Japanese what is wrong, what to
do and how the command is used. The library's own text is printed as well
when `--debug` is on the command line.

NOTE: typer 0.29 vendors click as `typer._click` without click's gettext
wrapping, and exports none of its exception classes except BadParameter, so
there is no catalogue to translate and the exceptions are imported from the
private module. The overridden methods (`format_usage`, `format_options`,
`format_commands`, `collect_usage_pieces`, `get_help_option`, `parse_args`,
`resolve_command`) are click's documented Command and Group methods.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Sequence
from typing import IO, Any

import typer
from pydantic import ValidationError
from rich.cells import cell_len
from typer._click.core import Context
from typer._click.exceptions import (
    BadOptionUsage,
    BadParameter,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer._click.formatting import HelpFormatter
from typer.core import TyperCommand, TyperGroup

logger = logging.getLogger(__name__)

USAGE_PREFIX = "使い方: "
OPTIONS_METAVAR = "[オプション]"
SUBCOMMAND_METAVAR = "コマンド [引数]..."
HELP_TEXT = "この説明を表示して終わります。"
DEBUG_FLAG = "--debug"
_DEBUG_META = "databook.debug"
"""Context.meta key: --debug was on the command line (meta is shared by subcommands)."""

# Japanese line breaking (kinsoku): no line starts with closing punctuation
# and none ends with an opening bracket.
NO_BREAK_BEFORE = frozenset("、。，．）」』】〕・ー！？：；％)]},.:;!?%")
NO_BREAK_AFTER = frozenset("（「『【〔([{")
TOKEN = re.compile(r"[!-~]+|\s+|.")
"""A run of printable ASCII (kept whole), a run of spaces, or one other character."""


class JapaneseHelpFormatter(HelpFormatter):
    """Help layout that measures text in terminal cells, so that Japanese aligns.

    click counts characters, but a Japanese character takes two cells, and
    click's wrapper breaks lines only at spaces, which Japanese text lacks.
    """

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        for line in wrap_cells(text, self.width - self.current_indent):
            self.write(f"{indent}{line}\n" if line else "\n")

    def write_dl(
        self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        rows = list(rows)
        first_width = min(
            max((cell_len(first) for first, _ in rows), default=0), col_max
        )
        text_column = self.current_indent + first_width + col_spacing
        text_width = max(self.width - text_column, 20)
        for first, second in rows:
            self.write(" " * self.current_indent + first)
            if not second:
                self.write("\n")
                continue
            if cell_len(first) <= first_width:
                self.write(" " * (first_width + col_spacing - cell_len(first)))
            else:
                self.write("\n" + " " * text_column)
            lines = wrap_cells(second, text_width)
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(" " * text_column + line + "\n")


class DatabookContext(Context):
    formatter_class = JapaneseHelpFormatter


def wrap_cells(text: str, width: int) -> list[str]:
    """Wrap `text` to `width` terminal cells, between Japanese characters too.

    Blank lines (paragraph breaks) are kept. A line may run over `width` where
    a break would start it with closing punctuation, or where one ASCII word is
    longer than `width`.
    """
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for token in TOKEN.findall(paragraph):
            breakable = (
                current.strip()
                and token[0] not in NO_BREAK_BEFORE
                and current[-1] not in NO_BREAK_AFTER
            )
            if breakable and cell_len(current + token.rstrip()) > width:
                lines.append(current.rstrip())
                current = token.lstrip()
            else:
                current += token
        lines.append(current.rstrip())
    return lines


class CommandLineError(UsageError):
    """A mistake in the command line, explained in Japanese."""

    def __init__(
        self,
        message: str,
        ctx: Context | None,
        *,
        hint: str = "",
        detail: str = "",
    ) -> None:
        super().__init__(message, ctx)
        self.hint = hint
        self.detail = detail
        """The library's own text, printed with --debug."""

    def show(self, file: IO[Any] | None = None) -> None:
        lines = [f"エラー: {self.message}"]
        if self.hint:
            lines.append(f"対処: {self.hint}")
        if self.ctx is not None:
            lines += ["", self.ctx.get_usage()]
        if self.detail and self.ctx is not None and self.ctx.meta.get(_DEBUG_META):
            lines.append(f"元のメッセージ: {self.detail}")
        typer.echo("\n".join(lines), file=file, err=file is None)


class _JapaneseHelp:
    """Help page and usage errors in Japanese, for typer's command classes."""

    context_class = DatabookContext

    def format_usage(self, ctx: Context, formatter: HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), USAGE_PREFIX)

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        pieces = [OPTIONS_METAVAR]
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = _label(param)
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def get_help_option(self, ctx: Context):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            if getattr(param, "hidden", False):
                continue
            if param.param_type_name == "argument":
                arguments.append((_label(param), _help_text(param)))
            else:
                options.append((_option_names(param), _help_text(param)))
        if arguments:
            with formatter.section("引数"):
                formatter.write_dl(arguments)
        if options:
            with formatter.section("オプション"):
                formatter.write_dl(options)

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        if DEBUG_FLAG in args:
            ctx.meta[_DEBUG_META] = True
        try:
            return super().parse_args(ctx, args)
        except UsageError as error:
            raise translate_usage_error(error, ctx) from error


class DatabookCommand(_JapaneseHelp, TyperCommand):
    """A `databook` subcommand with Japanese help and errors."""

    # Left-over arguments reach parse_args below, which rejects them in
    # Japanese instead of click's "Got unexpected extra argument".
    allow_extra_args = True

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        rest = super().parse_args(ctx, args)
        if rest and not ctx.resilient_parsing:
            raise CommandLineError(
                f"余分な引数 {' '.join(rest)} があります。",
                ctx,
                hint="値に空白があるときは引用符で囲んでください"
                f'（例: "{rest[0]} …"）。{_help_advice(ctx)}',
            )
        return rest


class DatabookGroup(_JapaneseHelp, TyperGroup):
    """The `databook` command: Japanese help, command list and errors."""

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        return [*super().collect_usage_pieces(ctx), SUBCOMMAND_METAVAR]

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=200)))
        if rows:
            with formatter.section("コマンド"):
                formatter.write_dl(rows)

    def resolve_command(self, ctx: Context, args: list[str]):
        name = args[0]
        if (
            self.get_command(ctx, name) is None
            and not name.startswith("-")
            and not ctx.resilient_parsing
        ):
            commands = self.list_commands(ctx)
            close = difflib.get_close_matches(name, commands, n=1)
            suggestion = f"もしかして {close[0]}？ " if close else ""
            raise CommandLineError(
                f"コマンド {name} はありません。",
                ctx,
                hint=f"{suggestion}使えるコマンド: {'、'.join(commands)}。",
            )
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as error:
            # Subcommands translate their own errors; this catches the rest
            # (such as the group's "Missing command").
            raise translate_usage_error(error, ctx) from error


def translate_usage_error(error: UsageError, ctx: Context) -> UsageError:
    """Return a CommandLineError that explains click's `error` in Japanese.

    Help pages (NoArgsIsHelpError) and errors already translated are returned
    as they are.
    """
    if isinstance(error, NoArgsIsHelpError | CommandLineError):
        return error
    ctx = error.ctx or ctx
    original = error.format_message()
    logger.debug("click: %s", original)
    advice = _help_advice(ctx)

    if isinstance(error, NoSuchOption):
        close = sorted(error.possibilities or [])
        suggestion = f"もしかして {'、'.join(close)}？ " if close else ""
        return CommandLineError(
            f"オプション {error.option_name} はありません。",
            ctx,
            hint=f"{suggestion}{advice}",
            detail=original,
        )
    if isinstance(error, BadOptionUsage):
        return _bad_option_usage(error, ctx, original, advice)
    if isinstance(error, MissingParameter) and error.param is not None:
        label = _param_label(error.param)
        kind = "引数" if error.param.param_type_name == "argument" else "オプション"
        return CommandLineError(
            f"{kind} {label} がありません。",
            ctx,
            hint=f"{label} を指定してください（下の「使い方」のとおり）。{advice}",
            detail=original,
        )
    if isinstance(error, BadParameter) and error.param is not None:
        return _bad_parameter(error, ctx, original, advice)
    return CommandLineError(
        "コマンドの指定が正しくありません。",
        ctx,
        hint=advice,
        detail=original,
    )


def _bad_option_usage(
    error: BadOptionUsage, ctx: Context, original: str, advice: str
) -> CommandLineError:
    name = error.option_name
    param = next(
        (
            p
            for p in ctx.command.get_params(ctx)
            if name in (*p.opts, *getattr(p, "secondary_opts", ()))
        ),
        None,
    )
    if param is not None and getattr(param, "is_flag", False):
        return CommandLineError(
            f"オプション {name} には値をつけられません。",
            ctx,
            hint=f"「{name}=…」ではなく {name} だけを書いてください。{advice}",
            detail=original,
        )
    value = _label(param) if param is not None else "値"
    return CommandLineError(
        f"オプション {name} の後に値がありません。",
        ctx,
        hint=f"{name} の後に空白を空けて{value}を書いてください。{advice}",
        detail=original,
    )


def _bad_parameter(
    error: BadParameter, ctx: Context, original: str, advice: str
) -> CommandLineError:
    from databook.config import describe_validation_error

    param = error.param
    label = _param_label(param)
    cause = error.__cause__
    if isinstance(cause, ValidationError) and cause.errors():
        entry = cause.errors()[0]
        return CommandLineError(
            f"{label} の値「{entry.get('input')}」が正しくありません"
            f"（{describe_validation_error(entry)}）。",
            ctx,
            hint=advice,
            detail=original,
        )
    return CommandLineError(
        f"{label} の値が正しくありません（{_label(param)}を指定してください）。",
        ctx,
        hint=advice,
        detail=original,
    )


def _help_advice(ctx: Context) -> str:
    return f"使い方は「{ctx.command_path} --help」で確かめてください。"


def _label(param) -> str:
    """Return the name a user sees for a parameter's value: its metavar."""
    return param.metavar or param.name.upper()


def _param_label(param) -> str:
    """Return an option's longest name, or an argument's metavar."""
    if param.param_type_name == "option" and param.opts:
        return max(param.opts, key=len)
    return _label(param)


def _option_names(param) -> str:
    # Short names first, as click prints them: -p, --project.
    names = ", ".join(sorted(param.opts, key=lambda name: name.startswith("--")))
    if param.secondary_opts:
        names += " / " + ", ".join(param.secondary_opts)
    if not param.is_flag and not param.count:
        names += f" {_label(param)}"
    return names


def _help_text(param) -> str:
    """Return a parameter's help with its default, range and whether required."""
    extras = []
    is_flag = getattr(param, "is_flag", False)
    show_default = getattr(param, "show_default", False)
    if isinstance(show_default, str):
        extras.append(f"既定: {show_default}")
    elif show_default and not is_flag and param.default is not None:
        extras.append(f"既定: {param.default}")
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if low is not None and high is not None:
        extras.append(f"範囲: {low}～{high}")
    elif low is not None:
        extras.append(f"{low} 以上")
    elif high is not None:
        extras.append(f"{high} 以下")
    if param.required:
        extras.append("必須")
    text = param.help or ""
    return f"{text}（{'、'.join(extras)}）" if extras else text
