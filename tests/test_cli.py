"""The `databook` command's help pages and errors, as a user reads them."""

from __future__ import annotations

import re
import sys

import pytest
from typer.testing import CliRunner

from databook.cli import app, databook_command
from databook.cli_text import wrap_cells
from tests.conftest import copy_project, run_databook

# Words that typer and click print in English; none may reach a user.
FRAMEWORK_WORDS = re.compile(
    r"Usage|Options|Arguments|Commands|Error|Show this message|Missing|"
    r"No such|Try '|Invalid value|required|default|Possible|Got unexpected|"
    r"OPTIONS|COMMAND|ARGS|<dir>|<str>|<int|<path>"
)
COMMANDS = ("build", "fetch", "check", "serve", "new", "batch", "doctor")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str):
    # COLUMNS=80 as in a plain terminal; the output of both streams together.
    return runner.invoke(
        app, list(args), env={"COLUMNS": "80", "NO_COLOR": "1"}, prog_name="databook"
    )


def test_main_help_japanese(runner):
    result = run(runner, "--help")
    assert result.exit_code == 0
    assert result.output.startswith("使い方: databook [オプション] コマンド")
    assert "コマンド:" in result.output
    assert "この説明を表示して終わります。" in result.output
    for command in COMMANDS:
        assert f"  {command} " in result.output
    assert FRAMEWORK_WORDS.search(result.output) is None, result.output


def test_no_arguments_shows_help(runner):
    result = run(runner)
    assert "使い方: databook" in result.output
    assert FRAMEWORK_WORDS.search(result.output) is None, result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_command_help_japanese(runner, command):
    result = run(runner, command, "--help")
    assert result.exit_code == 0
    assert result.output.startswith(f"使い方: databook {command} [オプション]")
    assert "オプション:" in result.output
    assert FRAMEWORK_WORDS.search(result.output) is None, result.output


def test_help_lists_arguments_default_and_range(runner):
    new = run(runner, "new", "--help").output
    assert "使い方: databook new [オプション] 市区町村 [フォルダ]" in new
    assert "引数:" in new
    assert "（必須）" in new
    serve = run(runner, "serve", "--help").output
    assert "--port 番号" in serve
    assert "既定: 8000" in serve
    assert "範囲: 0～65535" in serve


def test_help_columns_align_by_cells(runner):
    # Japanese metavars take two cells a character; the help texts must still
    # start in one column.
    lines = run(runner, "batch", "--help").output.splitlines()
    rows = [line for line in lines if line.startswith("  -") and "  " in line[3:]]
    starts = set()
    for line in rows:
        name = re.match(r"  (\S.*?)  +\S", line)
        if name:
            starts.add(_cells(line[: name.end() - 1]))
    assert len(rows) >= 5
    assert len(starts) == 1, rows


def test_unknown_option_message(runner):
    result = run(runner, "build", "--verbos")
    assert result.exit_code == 2
    assert "エラー: オプション --verbos はありません。" in result.output
    assert "もしかして --verbose？" in result.output
    assert "使い方: databook build [オプション]" in result.output
    assert FRAMEWORK_WORDS.search(result.output) is None, result.output


def test_missing_argument_message(runner):
    result = run(runner, "new")
    assert result.exit_code == 2
    assert "引数 市区町村 がありません。" in result.output
    assert FRAMEWORK_WORDS.search(result.output) is None, result.output


def test_option_without_value_message(runner):
    result = run(runner, "build", "--project")
    assert result.exit_code == 2
    assert "オプション --project の後に値がありません。" in result.output
    assert FRAMEWORK_WORDS.search(result.output) is None, result.output


def test_flag_with_value_message(runner):
    result = run(runner, "build", "--force=yes")
    assert result.exit_code == 2
    assert "--force には値をつけられません" in result.output


def test_invalid_number_message(runner):
    result = run(runner, "serve", "--port", "八千")
    assert result.exit_code == 2
    assert "--port の値「八千」が正しくありません（整数を指定してください）" in (
        result.output
    )
    out_of_range = run(runner, "serve", "--port", "70000")
    assert "65535 以下を指定してください" in out_of_range.output
    for output in (result.output, out_of_range.output):
        assert FRAMEWORK_WORDS.search(output) is None, output


def test_folder_option_given_a_file(runner, tmp_path):
    config = tmp_path / "databook.yml"
    config.write_text("edition: 2025\n", encoding="utf-8")
    result = run(runner, "build", "--project", str(config))
    assert result.exit_code == 2
    assert "フォルダを指定してください" in result.output
    assert FRAMEWORK_WORDS.search(result.output) is None, result.output


def test_extra_argument_message(runner):
    result = run(runner, "build", "真鶴町")
    assert result.exit_code == 2
    assert "余分な引数 真鶴町 があります。" in result.output
    assert FRAMEWORK_WORDS.search(result.output) is None, result.output


def test_unknown_command_suggests(runner):
    result = run(runner, "biuld")
    assert result.exit_code == 2
    assert "コマンド biuld はありません。" in result.output
    assert "もしかして build？" in result.output
    assert FRAMEWORK_WORDS.search(result.output) is None, result.output


def test_debug_shows_original_text(runner):
    plain = run(runner, "build", "--verbos")
    debug = run(runner, "build", "--debug", "--verbos")
    assert "元のメッセージ" not in plain.output
    assert "元のメッセージ: No such option: --verbos" in debug.output


def test_yaml_error_through_build(runner, project):
    config = project / "databook.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("publisher: ", "publisher:\t", 1), encoding="utf-8")

    result = run(runner, "build", "--project", str(project))
    debug = run(runner, "build", "--debug", "--project", str(project))

    assert result.exit_code == 1
    assert "databook.yml、5行目、11文字目" in result.output
    assert "タブ文字があります" in result.output
    assert "対処: タブを半角スペースに置き換えてください" in result.output
    assert "found character" not in result.output
    assert "元のメッセージ: PyYAML:" in debug.output
    assert "found character '\\t'" in debug.output


def test_several_config_errors_through_build(runner, project):
    config = project / "databook.yml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("edition: 2025", "edition: 二〇二五")
    text = text.replace("era: both", "era: heisei")
    config.write_text(text, encoding="utf-8")
    (project / "chapters" / "05-fishery.qmd").unlink()

    result = run(runner, "build", "--project", str(project))

    assert result.exit_code == 1
    assert result.output.count("エラー: ") == 3, result.output
    assert "設定 edition の値" in result.output
    assert "設定 era の値" in result.output
    assert "chapters/05-fishery.qmd が見つかりません" in result.output
    assert "エラーは全部で 3 件です。" in result.output
    assert "Traceback" not in result.output


def test_rows_past_sheet_end_through_build(runner, project):
    # The fishery sheet ends at row 742; rows 800-900 are not there.
    config = project / "databook.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("data_rows: 12-742", "data_rows: 800-900"), "utf-8")

    result = run(runner, "build", "--project", str(project))

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "KeyError" not in result.output
    assert "gyogyo_census2013" in result.output
    assert "datasets.fishery.data_rows" in result.output
    assert "最後の行（742行目）" in result.output


def test_cache_folder_is_file_through_build(runner, project):
    (project / ".databook-cache").write_text("stale", encoding="utf-8")

    result = run(runner, "build", "--project", str(project))

    assert result.exit_code == 3
    assert "Traceback" not in result.output
    assert "NotADirectoryError" not in result.output
    assert ".databook-cache がフォルダではなくファイルです" in result.output
    assert "消すか名前を変えてください" in result.output


def test_wrap_cells_breaks_japanese():
    # 20 two-cell characters into 16 cells: 8 a line, and 。 never starts one.
    lines = wrap_cells("あいうえおかきくけこさしすせそたちつてと。", 16)
    assert lines == ["あいうえおかきく", "けこさしすせそた", "ちつてと。"]
    assert wrap_cells("一行目\n\n三行目", 40) == ["一行目", "", "三行目"]
    assert wrap_cells("see build/quarto/_book/ now", 12) == [
        "see",
        "build/quarto/_book/",
        "now",
    ]


def _cells(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def test_next_step_names_running_command(tmp_path, monkeypatch):
    # install.sh leaves databook in .venv/bin/, which is not on PATH.
    command = tmp_path / ".venv" / "bin" / "databook"
    command.parent.mkdir(parents=True)
    command.write_text("#!/bin/sh\n", encoding="utf-8")
    monkeypatch.setattr(sys, "argv", [str(command), "new", "清川村"])
    monkeypatch.setenv("PATH", "/usr/bin:/bin")

    assert databook_command(from_folder=tmp_path / "14402-清川村") == (
        "../.venv/bin/databook"
    )


def test_version_printed(runner):
    result = run(runner, "--version")
    assert result.exit_code == 0
    assert re.fullmatch(r"databook \d+\.\d+\.\d+\n", result.output)
    # On standard output, where `databook --version > file` expects it.
    assert re.fullmatch(r"databook \d+\.\d+\.\d+\n", result.stdout)


def test_error_path_with_brackets_printed_as_is(tmp_path):
    # Rich reads [b] as markup; a file name may contain it all the same.
    project = copy_project(tmp_path / "project")
    (project / "data" / "raw" / "codes" / "[b]list.csv").write_text("x,y\n1,2\n")
    config = project / "databook.yml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("codes/localgovjp-utf8.csv", "codes/[b]list.csv")
    config.write_text(text, encoding="utf-8")

    result = run_databook("build", cwd=project)

    assert result.returncode != 0
    assert "エラー: data/raw/codes/[b]list.csv、1行目（見出し）" in result.stderr
    assert "Traceback" not in result.stderr
