"""The `databook` command: build, check, fetch, serve, new, batch, doctor."""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sys
from pathlib import Path
from typing import Annotated, ClassVar

import typer
from rich.console import Console
from rich.markup import escape

from databook.cli_text import DatabookCommand, DatabookGroup
from databook.errors import DatabookError, DatabookErrorGroup

app = typer.Typer(
    cls=DatabookGroup,
    help=(
        "市町村の地域経済データブック（PDF 冊子と Web サイト）を"
        "統計データから作ります。"
    ),
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
)
# soft_wrap: long names and paths in messages stay on one line, so that a user
# can copy them; the terminal wraps them instead of rich.
console = Console(stderr=True, soft_wrap=True)
logger = logging.getLogger("databook")

PORT_ERRORS = {
    errno.EADDRINUSE: "ほかのプログラムがこのポートを使っています",
    errno.EACCES: "このポートを使う権限がありません。1024 以上の番号を使ってください",
}
"""Japanese reasons for the errors of binding the preview port, by errno."""


def _print_version(requested: bool) -> None:
    if requested:
        from importlib.metadata import version

        Console(soft_wrap=True).print(
            f"databook {version('databook')}", highlight=False
        )
        raise typer.Exit()


@app.callback()
def options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="databook の版を表示して終わります。",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Accept the options that come before the command."""


ProjectOption = Annotated[
    Path,
    typer.Option(
        "--project",
        "-p",
        help=(
            "プロジェクトのフォルダ（databook.yml のある場所）。"
            "省略時は現在のフォルダ。"
        ),
        metavar="フォルダ",
        file_okay=False,
        show_default=False,
    ),
]
DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help=(
            "全国のデータ（codes/ と ssdse/）のあるフォルダ。"
            "省略時は databook のソース一式の data/raw/。"
        ),
        metavar="フォルダ",
        file_okay=False,
        show_default=False,
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
    level = logging.INFO
    if verbose:
        level = logging.DEBUG
    elif quiet:
        level = logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LogFormatter("%(message)s"))
    root = logging.getLogger("databook")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def _fail(error: DatabookError, *, debug: bool) -> None:
    """Print `error` (every error of a group) and exit with its exit code."""
    if debug:
        console.print_exception()
    errors = error.errors if isinstance(error, DatabookErrorGroup) else [error]
    for index, each in enumerate(errors):
        if index:
            console.print()
        _print_error(each, debug=debug)
    if len(errors) > 1:
        console.print(
            f"\nエラーは全部で {len(errors)} 件です。"
            "すべて直してから、もう一度実行してください。",
            highlight=False,
        )
    raise typer.Exit(error.exit_code)


def _print_error(error: DatabookError, *, debug: bool) -> None:
    location = error.location()
    if location:
        # The location is a path or a cell text, so any [ in it is not markup.
        console.print(f"[bold red]エラー:[/] {escape(location)}", highlight=False)
        console.print(f"  {error.message}", highlight=False, markup=False)
    else:
        console.print("[bold red]エラー:[/] ", end="", highlight=False)
        console.print(error.message, highlight=False, markup=False)
    if error.hint:
        console.print("[bold]対処:[/] ", end="", highlight=False, markup=True)
        console.print(error.hint, highlight=False, markup=False)
    if error.detail and debug:
        # The library's own text, for a bug report. The module that raised the
        # error has logged it at debug level too.
        console.print(
            f"  元のメッセージ: {error.detail}", highlight=False, markup=False
        )


ForceOption = Annotated[
    bool,
    typer.Option(
        "--force", help="キャッシュを使わず、すべてを作り直します（変更がなくても）。"
    ),
]
RenderQuartoOption = Annotated[
    bool | None,
    typer.Option(
        "--render-quarto/--no-render-quarto",
        help=(
            "build/quarto/ を quarto render で build/quarto/_book/ に書き出します"
            "（Quarto 1.9 以上が必要）。省略時は databook.yml の quarto.render。"
        ),
        show_default=False,
    ),
]


@app.command(cls=DatabookCommand)
def build(
    project: ProjectOption = Path("."),
    force: ForceOption = False,
    render_quarto: RenderQuartoOption = None,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """データブックを作ります（build/databook.pdf、build/site/、build/quarto/）。"""
    _configure_logging(verbose=verbose, quiet=quiet)
    root = project.resolve()

    # Decide "nothing changed" from hashes alone, before pandas and plotly load.
    from databook.cache import is_up_to_date

    # A requested Quarto render always runs, even on an unchanged book.
    if not force and not render_quarto and is_up_to_date(root):
        if not quiet:
            console.print("変更はありません。build/ は最新です。", highlight=False)
        return

    from databook.build import build as run_build
    from databook.progress import Progress

    progress = Progress(enabled=not quiet and console.is_terminal, console=console)
    try:
        result = run_build(
            root, progress=progress, force=force, render_quarto=render_quarto
        )
    except DatabookError as error:
        _fail(error, debug=debug)
        return
    except KeyboardInterrupt:
        console.print(
            "中断しました。build/ と data/processed/ は前回のままです。",
            highlight=False,
        )
        raise typer.Exit(130) from None

    if not quiet:
        if result.pdf:
            console.print(
                f"PDF: {result.pdf}（{result.pages} ページ）",
                highlight=False,
                markup=False,
            )
        if result.site:
            console.print(
                f"サイト: {result.site / 'index.html'}", highlight=False, markup=False
            )
        console.print(f"データ: {result.processed}", highlight=False, markup=False)
        if result.quarto:
            console.print(
                f"Quarto プロジェクト: {result.quarto}", highlight=False, markup=False
            )
        if result.quarto_book:
            console.print(
                f"Quarto の出力: {result.quarto_book}", highlight=False, markup=False
            )
    if result.quarto_error:
        _fail(result.quarto_error, debug=debug)


@app.command(cls=DatabookCommand)
def fetch(
    project: ProjectOption = Path("."),
    app_id: Annotated[
        str | None,
        typer.Option(
            "--app-id",
            help="e-Stat のアプリケーションID。省略時は環境変数 ESTAT_APP_ID。",
            metavar="ID",
            show_default=False,
        ),
    ] = None,
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh", help="取得済みのページも含めて、すべて取り直します。"
        ),
    ] = False,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """e-Stat API から統計表を取得し、data/raw/estat/ に保存します。

    RESAS は API が終了したため取得できません。その旨と、同じ統計の入手先を表示します。
    """
    _configure_logging(verbose=verbose, quiet=quiet)
    if verbose:
        # Connection and request lines of urllib3, with the appId redacted by
        # the filter that databook.sources.http installs on its loggers.
        library = logging.getLogger("urllib3")
        library.handlers[:] = logging.getLogger("databook").handlers
        library.setLevel(logging.DEBUG)
    from databook.config import CONFIG_NAME, EstatDataset, ResasDataset, load_config
    from databook.errors import ConfigError
    from databook.fetch import fetch_all
    from databook.sources.resas import fetch_message

    try:
        config = load_config(project / CONFIG_NAME)
    except DatabookError as error:
        _fail(error, debug=debug)
        return

    # RESAS's API has stopped: say so, and where the same statistics are now.
    for name, settings in config.datasets.items():
        if isinstance(settings, ResasDataset):
            console.print(
                f"{name}（{settings.file}）: ", end="", highlight=False, markup=False
            )
            console.print(
                fetch_message(settings.endpoint), highlight=False, markup=False
            )
    if not any(isinstance(s, EstatDataset) for s in config.datasets.values()):
        console.print(
            "e-Stat から取得するデータ（kind: estat）はありません。", highlight=False
        )
        return

    try:
        key = app_id or os.environ.get("ESTAT_APP_ID", "")
        if not key.strip():
            raise ConfigError(
                "e-Stat のアプリケーションID がありません。",
                place="環境変数 ESTAT_APP_ID",
                hint="e-Stat のマイページで取得したアプリケーションID を"
                "環境変数 ESTAT_APP_ID に入れるか、--app-id で指定してください。",
            )
        results = fetch_all(config, key.strip(), refresh=refresh)
    except DatabookError as error:
        _fail(error, debug=debug)
        return

    if not quiet:
        for result in results:
            console.print(
                f"{result.name}: {result.pages} ページ、{result.total_number} 件"
                f"（今回取得 {result.requested} ページ）",
                highlight=False,
            )


@app.command(cls=DatabookCommand)
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


@app.command(cls=DatabookCommand)
def serve(
    project: ProjectOption = Path("."),
    port: Annotated[
        int,
        typer.Option(
            "--port",
            metavar="番号",
            min=0,
            max=65535,
            help=(
                "待ち受けるポート番号（127.0.0.1 のみ）。"
                "0 なら空いている番号を使います。"
            ),
        ),
    ] = 8000,
    verbose: VerboseOption = False,
) -> None:
    """プレビュー用のサーバーを起動し、保存するたびに作り直して表示を更新します。"""
    _configure_logging(verbose=verbose, quiet=False)
    from databook.serve import serve as run_serve

    def announce(url: str) -> None:
        console.print(f"プレビュー: {url}（止めるには Ctrl+C）", highlight=False)

    try:
        run_serve(project.resolve(), port=port, ready=announce)
    except DatabookError as error:
        _fail(error, debug=False)
    except OSError as error:
        reason = PORT_ERRORS.get(error.errno, error.strerror)
        console.print(
            f"エラー: ポート {port} で待ち受けられません（{reason}）。",
            highlight=False,
        )
        console.print("対処: --port で別の番号を指定してください。", highlight=False)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        console.print("プレビューを止めました。", highlight=False)


@app.command(cls=DatabookCommand)
def new(
    municipality: Annotated[
        str,
        typer.Argument(
            help=(
                "市区町村: 5桁の地域コード（14383）、6桁の団体コード（143839）"
                "または名前（真鶴町、足柄下郡真鶴町、神奈川県真鶴町）。"
            ),
            metavar="市区町村",
            show_default=False,
        ),
    ],
    folder: Annotated[
        Path | None,
        typer.Argument(
            help="作るフォルダ。省略時は「地域コード-市区町村名」。",
            metavar="フォルダ",
            show_default=False,
        ),
    ] = None,
    data: DataOption = None,
    edition: Annotated[
        int | None,
        typer.Option(
            "--edition",
            help="表紙に印刷する版（年）。省略時は今年。",
            metavar="年",
            show_default=False,
        ),
    ] = None,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """市区町村のプロジェクトのフォルダ（設定・章・全国のデータ）を作ります。"""
    _configure_logging(verbose=verbose, quiet=quiet)
    from databook.new import (
        MASTER_FILE,
        create_project,
        default_data_folder,
        find_municipality,
    )
    from databook.sources.codes import load_master

    try:
        source = data.resolve() if data else default_data_folder()
        master = load_master(source / MASTER_FILE)
        found = find_municipality(master, municipality)
        target = folder or Path(f"{found.code}-{found.name}")
        created = create_project(found, target, source, edition=edition)
    except DatabookError as error:
        _fail(error, debug=debug)
        return

    if not quiet:
        console.print(
            f"{found.prefecture}{found.name}（{found.code}）のプロジェクトを"
            f"作りました: {created.folder}",
            highlight=False,
            markup=False,
        )
        command = databook_command(from_folder=created.folder)
        console.print(
            f"次に: cd {created.folder} して {command} build を実行します。",
            highlight=False,
            markup=False,
        )


def databook_command(*, from_folder: Path) -> str:
    """Return how to run this databook from `from_folder`.

    install.sh puts databook in .venv/bin/ and not on PATH, so a bare
    「databook」 would not be found there. The path of the running command is
    given relative to the folder, unless PATH finds the same command.
    """
    running = Path(sys.argv[0])
    if running.name != "databook" or not running.is_file():
        return "databook"
    on_path = shutil.which("databook")
    if on_path and Path(on_path).resolve() == running.resolve():
        return "databook"
    return os.path.relpath(running.resolve(), Path(from_folder).resolve())


@app.command(cls=DatabookCommand)
def batch(
    prefecture: Annotated[
        str,
        typer.Argument(
            help="都道府県名（神奈川県）または2桁の都道府県コード（14）。",
            metavar="都道府県",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="市町村ごとのプロジェクトと index.html を作るフォルダ。",
            metavar="フォルダ",
        ),
    ] = Path("books"),
    data: DataOption = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-j",
            metavar="数",
            min=1,
            help="同時に作る冊数（プロセス数）。省略時は CPU の数。",
            show_default=False,
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help=(
                "Dask のスケジューラのアドレス（例: tcp://127.0.0.1:8786）。"
                "指定するとそのクラスタで作ります（databook[dask] が必要）。"
            ),
            metavar="アドレス",
            show_default=False,
        ),
    ] = None,
    only: Annotated[
        str | None,
        typer.Option(
            "--only",
            help="作る市町村を地域コードのカンマ区切りで限ります（例: 14383,14384）。",
            metavar="コード",
            show_default=False,
        ),
    ] = None,
    force: ForceOption = False,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """都道府県のすべての市町村のデータブックを並列に作り、比較の一覧を作ります。"""
    _configure_logging(verbose=verbose, quiet=quiet)
    from databook.batch import run_batch
    from databook.new import default_data_folder

    codes = [code.strip() for code in only.split(",") if code.strip()] if only else None
    try:
        source = data.resolve() if data else default_data_folder()
        result = run_batch(
            prefecture,
            out,
            source,
            workers=workers,
            scheduler=scheduler,
            only=codes,
            force=force,
        )
    except DatabookError as error:
        _fail(error, debug=debug)
        return

    built = len(result.outcomes) - len(result.failures)
    if not quiet:
        console.print(
            f"{result.prefecture}: {built} / {len(result.outcomes)} 冊を作りました"
            f"（{result.seconds:.0f} 秒、{result.workers} 並列）。",
            highlight=False,
        )
        console.print(f"一覧: {result.index}", highlight=False, markup=False)
    if result.failures:
        console.print(f"[bold red]失敗:[/] {len(result.failures)} 市町村", markup=True)
        for outcome in result.failures:
            console.print(
                f"  {outcome.name}（{outcome.code}）: {outcome.error}",
                highlight=False,
                markup=False,
            )
        raise typer.Exit(1)


@app.command(cls=DatabookCommand)
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


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        console.print("中断しました。", highlight=False)
        sys.exit(130)


if __name__ == "__main__":
    main()
