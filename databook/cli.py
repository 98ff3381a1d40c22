"""The `databook` command: build, check, doctor, fetch."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, ClassVar

import typer
from rich.console import Console

from databook.errors import DatabookError

app = typer.Typer(
    help=(
        "市町村の地域経済データブック（PDF 冊子と Web サイト）を"
        "統計データから作ります。"
    ),
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
)
console = Console(stderr=True)
logger = logging.getLogger("databook")

ProjectOption = Annotated[
    Path,
    typer.Option(
        "--project",
        "-p",
        help=(
            "プロジェクトのフォルダ（databook.yml のある場所）。"
            "省略時は現在のフォルダ。"
        ),
        file_okay=False,
    ),
]
VerboseOption = Annotated[
    bool,
    typer.Option("--verbose", "-v", help="詳しい経過（デバッグ情報）も表示します。"),
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="エラーと警告だけを表示します。")
]
DebugOption = Annotated[
    bool,
    typer.Option(
        "--debug", help="エラーのときに Python のトレースバックも表示します。"
    ),
]


class _LogFormatter(logging.Formatter):
    """Plain lines; warnings and errors get a Japanese prefix."""

    PREFIXES: ClassVar[dict[int, str]] = {
        logging.WARNING: "警告: ",
        logging.ERROR: "エラー: ",
    }

    def format(self, record: logging.LogRecord) -> str:
        return self.PREFIXES.get(record.levelno, "") + super().format(record)


def _configure_logging(*, verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LogFormatter("%(message)s"))
    root = logging.getLogger("databook")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def _fail(error: DatabookError, *, debug: bool) -> None:
    if debug:
        console.print_exception()
    location = error.location()
    console.print(f"[bold red]エラー:[/] {location}", highlight=False, markup=True)
    console.print(f"  {error.message}", highlight=False, markup=False)
    if error.hint:
        console.print("[bold]対処:[/] ", end="", highlight=False, markup=True)
        console.print(error.hint, highlight=False, markup=False)
    raise typer.Exit(error.exit_code)


@app.command()
def build(
    project: ProjectOption = Path("."),
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """データブックを作ります（build/databook.pdf と build/site/）。"""
    _configure_logging(verbose=verbose, quiet=quiet)
    from databook.build import build as run_build
    from databook.progress import Progress

    progress = Progress(enabled=not quiet and console.is_terminal, console=console)
    try:
        result = run_build(project.resolve(), progress=progress)
    except DatabookError as error:
        _fail(error, debug=debug)
        return

    if not quiet:
        if result.pdf:
            console.print(
                f"PDF: {result.pdf}（{result.pages} ページ）", highlight=False
            )
        if result.site:
            console.print(f"サイト: {result.site / 'index.html'}", highlight=False)
        console.print(f"データ: {result.processed}", highlight=False)


@app.command()
def check(
    project: ProjectOption = Path("."),
    verbose: VerboseOption = False,
    debug: DebugOption = False,
) -> None:
    """入力データを読み、読めた行・期間・地区と読み飛ばした理由を表示します（作成はしません）。"""
    _configure_logging(verbose=verbose, quiet=not verbose)
    from databook.check import check_inputs, format_report
    from databook.config import CONFIG_NAME, load_config

    try:
        config = load_config(project.resolve() / CONFIG_NAME)
        results = check_inputs(config)
    except DatabookError as error:
        _fail(error, debug=debug)
        return

    out = Console(soft_wrap=True)
    for name, reports in results:
        for report in reports:
            for line in format_report(name, report):
                out.print(line, highlight=False, markup=False)
    out.print("入力データはすべて読めました。", highlight=False)


@app.command()
def doctor(
    verbose: VerboseOption = False,
) -> None:
    """ビルドに必要なもの（chromium、日本語フォント、WeasyPrint）を確かめます。"""
    _configure_logging(verbose=verbose, quiet=False)
    from databook.doctor import run_checks

    checks = run_checks(pdf=True)
    for check in checks:
        mark = "[green]OK[/]" if check.ok else "[red]NG[/]"
        console.print(f"{mark} {check.name}: ", end="", markup=True, highlight=False)
        console.print(check.detail, markup=False, highlight=False)
        if not check.ok:
            console.print(f"   対処: {check.fix}", markup=False, highlight=False)
    if not all(check.ok for check in checks):
        raise typer.Exit(3)
    console.print("ビルドに必要なものはそろっています。", highlight=False)


@app.command()
def fetch(
    project: ProjectOption = Path("."),
    debug: DebugOption = False,
) -> None:
    """databook.yml のデータを取得します（RESAS は取得できないことを知らせます）。"""
    _configure_logging(verbose=False, quiet=False)
    from databook.config import CONFIG_NAME, ResasDataset, load_config
    from databook.sources.resas import fetch_message

    try:
        config = load_config(project / CONFIG_NAME)
    except DatabookError as error:
        _fail(error, debug=debug)
        return

    resas = {
        name: settings
        for name, settings in config.datasets.items()
        if isinstance(settings, ResasDataset)
    }
    if not resas:
        console.print("取得するデータはありません。", highlight=False)
        return
    for name, settings in resas.items():
        console.print(f"{name}（{settings.file}）: ", end="", highlight=False)
        console.print(fetch_message(settings.endpoint), highlight=False, markup=False)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        console.print("中断しました。", highlight=False)
        sys.exit(130)


if __name__ == "__main__":
    main()
