"""The Quarto book project in build/quarto/ and `quarto render` as a subprocess.

Quarto is not installed on the machines this suite is developed on. So the
subprocess handling runs against a stand-in `quarto` script that the tests put
first on PATH. The Lua shortcode file is only syntax-checked (with luac, when
installed) and read for the names it defines. The test that renders with a
real Quarto runs only where `quarto` is on PATH.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from databook.config import load_config
from databook.errors import ConfigError, EnvironmentProblem, QuartoError
from databook.publish.chapters import SHORTCODE
from databook.publish.quarto import MIN_QUARTO_VERSION, SHORTCODES
from databook.publish.quarto_render import (
    TAIL_LINES,
    find_quarto,
    parse_version,
    render_quarto,
)
from tests.conftest import REPO, block_ids, run_databook

# ---------------------------------------------------------------------------
# The generated project, from the sample book built by the real command.


@pytest.fixture(scope="module")
def quarto_dir(sample_book) -> Path:
    return sample_book / "build" / "quarto"


def read_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def chapter_texts() -> dict[str, str]:
    """Chapter files of the sample project by the name they get in build/quarto/.

    The sample's chapter files are already named as their pages are.
    """
    config = yaml.safe_load((REPO / "databook.yml").read_text("utf-8"))
    return {
        Path(chapter["file"]).name: (REPO / chapter["file"]).read_text("utf-8")
        for chapter in config["chapters"]
    }


def shortcodes_used() -> list[tuple[str, str, str]]:
    """Return (chapter stem, kind, name) for every shortcode in the chapters."""
    used = []
    for name, text in chapter_texts().items():
        for kind, argument in SHORTCODE.findall(text):
            used.append((Path(name).stem, kind, argument))
    return used


def test_quarto_yml_is_book_with_html_and_typst(quarto_dir):
    config = read_yaml(quarto_dir / "_quarto.yml")

    assert config["project"]["type"] == "book"
    assert config["project"]["output-dir"] == "_book"
    assert config["lang"] == "ja"
    assert set(config["format"]) == {"html", "typst"}
    assert config["format"]["typst"]["papersize"] == "a4"
    assert config["format"]["typst"]["mainfont"] == "BIZ UDPGothic"
    assert "BIZ UDPGothic" in config["format"]["html"]["mainfont"]
    assert config["book"]["title"] == "真鶴町 地域経済データブック"
    assert config["book"]["author"] == "真鶴町"


def test_quarto_yml_lists_existing_chapters(quarto_dir):
    book = read_yaml(quarto_dir / "_quarto.yml")["book"]

    assert book["chapters"][:3] == [
        "index.qmd",
        "01-population.qmd",
        "02-population-change.qmd",
    ]
    assert book["chapters"][1:] == list(chapter_texts())
    assert book["appendices"] == ["sources.qmd"]
    render = read_yaml(quarto_dir / "_quarto.yml")["project"]["render"]
    assert render == [*book["chapters"], "sources.qmd"]
    for name in book["chapters"] + book["appendices"]:
        assert (quarto_dir / name).is_file(), name


def test_chapters_copied_unchanged(quarto_dir):
    for name, text in chapter_texts().items():
        assert (quarto_dir / name).read_text("utf-8") == text


def test_extension_defines_every_shortcode_used(quarto_dir):
    extension = quarto_dir / "_extensions" / "databook"
    manifest = read_yaml(extension / "_extension.yml")
    lua_files = manifest["contributes"]["shortcodes"]
    defined = set()
    for name in lua_files:
        lua = (extension / name).read_text("utf-8")
        defined |= set(re.findall(r'\["(\w+)"\]\s*=\s*function', lua))

    assert defined == set(SHORTCODES)
    # var is Quarto's own shortcode, so only the other kinds need the extension.
    kinds = {kind for _, kind, _ in shortcodes_used()}
    assert kinds - {"var"} <= defined
    assert kinds == {"var", "chart", "table"}


def test_extension_requires_quarto_version(quarto_dir):
    manifest = read_yaml(quarto_dir / "_extensions" / "databook" / "_extension.yml")
    major, minor = MIN_QUARTO_VERSION

    assert manifest["quarto-required"] == f">={major}.{minor}.0"


@pytest.mark.skipif(shutil.which("luac") is None, reason="luac (lua5.4) not installed")
def test_shortcode_lua_compiles(quarto_dir):
    # Only a syntax check: the file calls Quarto's Lua API, which runs only
    # inside quarto render.
    lua = quarto_dir / "_extensions" / "databook" / "shortcodes.lua"
    result = subprocess.run(
        ["luac", "-p", str(lua)], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr


def test_fragments_exist_for_every_block(quarto_dir):
    blocks = [(s, k, n) for s, k, n in shortcodes_used() if k != "var"]

    placed = block_ids(REPO)
    assert len(blocks) == len(placed)
    assert {name for _, _, name in blocks} == {name for _, _, name in placed}
    for stem, kind, name in blocks:
        base = quarto_dir / "_fragments" / stem / f"{kind}-{name}"
        assert base.with_suffix(".html").is_file(), base
        assert base.with_suffix(".md").is_file(), base


def test_every_variable_used_is_defined(quarto_dir):
    variables = read_yaml(quarto_dir / "_variables.yml")
    names = [n for _, kind, n in shortcodes_used() if kind == "var"]

    text = "".join(p.read_text("utf-8") for p in (REPO / "chapters").glob("*.qmd"))
    assert len(names) == text.count("{{< var")
    for name in names:
        node = variables
        for key in name.split("."):
            assert isinstance(node, dict), name
            assert key in node, name
            node = node[key]
        assert isinstance(node, str), name


def test_variables_hold_printed_text(quarto_dir):
    variables = read_yaml(quarto_dir / "_variables.yml")

    # data/raw/ssdse/SSDSE-A-2026.csv, line 722 (R14383, 真鶴町):
    # A1101 = 6722 people in 2020, A1303 (65+) = 2923.
    assert variables["population"]["total"] == "6,722人"
    assert variables["population"]["elderly"] == "2,923人"
    # Same line: A4101 births 13 and A4200 deaths 140 in 2023, 13 - 140 = -127.
    assert variables["population_change"]["births"] == "13人"
    assert variables["population_change"]["natural"] == "127人減"
    # Same line: A5101 moves in = 156 in 2024.
    assert variables["population_change"]["moves_in"] == "156人"
    assert variables["book"]["municipality"] == "真鶴町"
    assert variables["book"]["prefecture"] == "神奈川県"
    assert variables["book"]["edition"] == "2025年版"


def test_chart_markdown_points_at_copied_svg(quarto_dir, sample_book):
    markdown = (
        quarto_dir / "_fragments" / "01-population" / "chart-age_structure.md"
    ).read_text("utf-8")
    image = re.search(r"!\[(.*?)\]\((charts/[\w-]+\.svg)\)", markdown)

    assert image is not None
    assert image.group(1).startswith("図1-1 ")
    assert image.group(2) == "charts/age_structure.svg"
    svg = quarto_dir / image.group(2)
    built = sample_book / "build" / "charts" / "age_structure.svg"
    assert svg.read_bytes() == built.read_bytes()
    assert "出典：総務省「国勢調査」" in markdown
    assert not (quarto_dir / "charts" / "README.md").exists()


def test_chart_html_is_site_fragment(quarto_dir):
    html = (
        quarto_dir / "_fragments" / "02-population-change" / "chart-vital.html"
    ).read_text("utf-8")

    assert 'id="plot-vital"' in html
    assert "Plotly.newPlot" in html
    assert "図2-1" in html
    assert 'href="data/vital.csv"' in html
    assert (quarto_dir / "data" / "vital.csv").is_file()


def test_html_loads_local_plotly(quarto_dir):
    config = read_yaml(quarto_dir / "_quarto.yml")
    header = config["format"]["html"]["include-in-header"]["text"]

    assert 'src="assets/plotly.min.js"' in header
    assert (quarto_dir / "assets" / "plotly.min.js").stat().st_size > 1_000_000
    assert "assets/" in config["project"]["resources"]


def test_table_markdown_emphasises_municipality(quarto_dir):
    markdown = (
        quarto_dir / "_fragments" / "01-population" / "table-ageing_ranking.md"
    ).read_text("utf-8")
    rows = [line for line in markdown.splitlines() if line.startswith("|")]

    # Header, alignment row and the 33 municipalities of 神奈川県.
    assert len(rows) == 35
    assert rows[0].count("|") == rows[2].count("|")
    # SSDSE-A-2026.csv line 722: 2923 / (446 + 3344 + 2923) = 43.54 % -> 43.5,
    # the highest ageing rate in the prefecture.
    assert rows[2].startswith("| **1** | **真鶴町** | **43.5** |")
    assert "\n: 表1-2 " in markdown


def test_sources_page_lists_files(quarto_dir):
    text = (quarto_dir / "sources.qmd").read_text("utf-8")

    assert text.startswith("# 出典一覧\n")
    assert "`data/raw/ssdse/SSDSE-A-2026.csv`" in text
    assert "## 数値の説明" in text


def test_no_pdf_leaves_note_instead_of_svgs(project):
    set_outputs(project, pdf=False, site=False)

    result = run_databook("build", cwd=project)

    assert result.returncode == 0, result.stderr
    charts = project / "build" / "quarto" / "charts"
    assert [p.name for p in charts.iterdir()] == ["README.md"]
    assert "output.pdf" in (charts / "README.md").read_text("utf-8")
    assert read_yaml(project / "build" / "quarto" / "_quarto.yml")["lang"] == "ja"


# ---------------------------------------------------------------------------
# The quarto settings block in databook.yml.


def append_to_config(project: Path, text: str) -> Path:
    path = project / "databook.yml"
    path.write_text(path.read_text("utf-8") + text, "utf-8")
    return path


def test_quarto_settings_default(project):
    config = load_config(project / "databook.yml")

    assert config.quarto.render is False
    assert config.quarto.path is None
    assert config.quarto.timeout == 600


def test_quarto_settings_read(project):
    path = append_to_config(
        project,
        "quarto:\n  render: true\n  path: /opt/quarto/bin/quarto\n  timeout: 90\n",
    )

    config = load_config(path)

    assert config.quarto.render is True
    assert config.quarto.path == "/opt/quarto/bin/quarto"
    assert config.quarto.timeout == 90


def test_quarto_unknown_setting_suggests_name(project):
    path = append_to_config(project, "quarto:\n  rendr: true\n")
    line = len(path.read_text("utf-8").splitlines())

    with pytest.raises(ConfigError) as caught:
        load_config(path)

    assert "quarto.rendr" in caught.value.message
    assert caught.value.place == f"{line}行目（設定 quarto.rendr）"
    assert "もしかして render？" in caught.value.hint
    assert "path, timeout" in caught.value.hint


def test_quarto_timeout_must_be_positive(project):
    path = append_to_config(project, "quarto:\n  timeout: 0\n")

    with pytest.raises(ConfigError) as caught:
        load_config(path)

    assert "quarto.timeout" in caught.value.message
    assert "1 以上" in caught.value.message


# ---------------------------------------------------------------------------
# `quarto render` against a stand-in executable.

STAND_IN = """\
#!{python}
# Stand-in for quarto: records each call, then acts as behaviour.json sets.
import json, os, pathlib, subprocess, sys, time

here = pathlib.Path(__file__).resolve().parent
behaviour = json.loads((here / "behaviour.json").read_text())
with open(here / "calls.jsonl", "a") as calls:
    calls.write(json.dumps({{
        "argv": sys.argv[1:], "cwd": os.getcwd(), "env": dict(os.environ),
        "pid": os.getpid(),
    }}) + "\\n")

if sys.argv[1:] == ["--version"]:
    print(behaviour.get("version", "1.9.18"))
    sys.exit(behaviour.get("version_exit", 0))

for number in range(1, behaviour.get("lines", 0) + 1):
    print(f"line {{number}}", flush=True)

if behaviour.get("wait_for_log"):
    # Exit 0 only once databook has written the line into render.log, which
    # shows that the output is streamed while quarto still runs.
    print("ready", flush=True)
    for _ in range(200):
        log = pathlib.Path("render.log")
        if log.exists() and "ready" in log.read_text():
            print("seen in log", flush=True)
            sys.exit(0)
        time.sleep(0.05)
    sys.exit(7)

if behaviour.get("spawn_child"):
    child = subprocess.Popen(["sleep", "300"])
    (here / "child.pid").write_text(str(child.pid))
if behaviour.get("sleep"):
    time.sleep(behaviour["sleep"])

if behaviour.get("make_book"):
    book = pathlib.Path("_book")
    book.mkdir(exist_ok=True)
    (book / "index.html").write_text("<html></html>")
sys.exit(behaviour.get("exit", 0))
"""


class StandIn:
    """A fake `quarto` in its own folder, and what it recorded."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / "quarto"
        self.path.write_text(STAND_IN.format(python=sys.executable), "utf-8")
        self.path.chmod(0o755)
        self.behave()

    def behave(self, **behaviour) -> None:
        (self.folder / "behaviour.json").write_text(json.dumps(behaviour), "utf-8")

    def calls(self) -> list[dict]:
        log = self.folder / "calls.jsonl"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text("utf-8").splitlines()]


@pytest.fixture
def stand_in(tmp_path, monkeypatch) -> StandIn:
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return StandIn(folder)


@pytest.fixture
def quarto_project(tmp_path) -> Path:
    folder = tmp_path / "quarto"
    folder.mkdir()
    (folder / "_quarto.yml").write_text("project:\n  type: book\n", "utf-8")
    return folder


def process_gone(pid: int) -> bool:
    """Whether `pid` has exited (a zombie waiting for its parent counts)."""
    status = Path(f"/proc/{pid}/status")
    try:
        text = status.read_text()
    except FileNotFoundError:
        return True
    return re.search(r"^State:\s+Z", text, re.M) is not None


@pytest.mark.parametrize(
    ("output", "version"),
    [
        ("1.9.18\n", (1, 9, 18)),
        ("1.10.2", (1, 10, 2)),
        ("v1.9", (1, 9, 0)),
        ("99.9.9\n", (99, 9, 9)),
        ("quarto development version", None),
        ("", None),
    ],
)
def test_parse_version(output, version):
    assert parse_version(output) == version


def test_render_arguments_cwd_environment(stand_in, quarto_project, monkeypatch):
    monkeypatch.setenv("DATABOOK_TEST_MARK", "kept")
    stand_in.behave(version="1.9.18", make_book=True)

    output = render_quarto(quarto_project, configured=None, timeout=60)

    calls = stand_in.calls()
    assert [call["argv"] for call in calls] == [["--version"], ["render"]]
    render = calls[1]
    assert Path(render["cwd"]) == quarto_project
    assert render["env"]["NO_COLOR"] == "1"
    assert render["env"]["DATABOOK_TEST_MARK"] == "kept"
    assert render["env"]["PATH"] == os.environ["PATH"]
    assert output == quarto_project / "_book"
    assert (output / "index.html").is_file()


def test_newer_minor_version_accepted(stand_in, quarto_project):
    # 1.10 must compare as newer than 1.9, not as the string "1.10" < "1.9".
    stand_in.behave(version="1.10.0")

    render_quarto(quarto_project, configured=None, timeout=60)

    assert [call["argv"] for call in stand_in.calls()][-1] == ["render"]


def test_missing_output_warns(stand_in, quarto_project, caplog):
    stand_in.behave(version="1.9.18", make_book=False)
    caplog.set_level("INFO", logger="databook")

    output = render_quarto(quarto_project, configured=None, timeout=60)

    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1
    assert str(output) in warnings[0]
    assert "render.log" in warnings[0]


def test_old_version_rejected(stand_in, quarto_project):
    stand_in.behave(version="1.8.26")

    with pytest.raises(EnvironmentProblem) as caught:
        render_quarto(quarto_project, configured=None, timeout=60)

    assert "1.8.26" in caught.value.message
    assert "1.9 以上" in caught.value.message
    assert "書き出し済み" in caught.value.message
    assert "quarto.org" in caught.value.hint
    assert [call["argv"] for call in stand_in.calls()] == [["--version"]]
    assert caught.value.exit_code == 3


def test_unparsable_version_rejected(stand_in, quarto_project):
    stand_in.behave(version="quarto development version")

    with pytest.raises(EnvironmentProblem) as caught:
        render_quarto(quarto_project, configured=None, timeout=60)

    assert "読み取れません" in caught.value.message
    assert "quarto development version" in caught.value.message
    assert [call["argv"] for call in stand_in.calls()] == [["--version"]]


def test_failing_version_command_rejected(stand_in, quarto_project):
    stand_in.behave(version="1.9.18", version_exit=1)

    with pytest.raises(EnvironmentProblem) as caught:
        render_quarto(quarto_project, configured=None, timeout=60)

    assert "終了コード 1" in caught.value.message


def test_missing_quarto_explains_install(tmp_path, quarto_project, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))

    with pytest.raises(EnvironmentProblem) as caught:
        find_quarto(None)

    assert "quarto コマンドが見つからない" in caught.value.message
    assert "書き出し済み" in caught.value.message
    assert "https://quarto.org/docs/get-started/" in caught.value.hint
    assert "quarto.path" in caught.value.hint


def test_configured_path_used(tmp_path, quarto_project):
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    stand_in = StandIn(folder)

    render_quarto(quarto_project, configured=stand_in.path, timeout=60)

    assert [call["argv"] for call in stand_in.calls()] == [["--version"], ["render"]]


def test_configured_path_missing(tmp_path):
    with pytest.raises(EnvironmentProblem) as caught:
        find_quarto(tmp_path / "no-such-quarto")

    assert caught.value.place == "設定 quarto.path"
    assert "no-such-quarto" in caught.value.message


def test_log_streamed_while_running(stand_in, quarto_project, caplog):
    stand_in.behave(lines=3, wait_for_log=True)
    caplog.set_level("INFO", logger="databook")

    render_quarto(quarto_project, configured=None, timeout=60)

    log = (quarto_project / "render.log").read_text("utf-8")
    assert log == "line 1\nline 2\nline 3\nready\nseen in log\n"
    logged = [r.getMessage() for r in caplog.records if r.msg == "quarto: %s"]
    assert logged == [
        "quarto: line 1",
        "quarto: line 2",
        "quarto: line 3",
        "quarto: ready",
        "quarto: seen in log",
    ]


def test_failure_shows_log_tail(stand_in, quarto_project):
    stand_in.behave(lines=30, exit=2)

    with pytest.raises(QuartoError) as caught:
        render_quarto(quarto_project, configured=None, timeout=60)

    error = caught.value
    log_path = quarto_project / "render.log"
    assert "終了コード 2" in error.message
    assert f"ログの最後の {TAIL_LINES} 行" in error.message
    assert "line 30" in error.message
    assert f"line {30 - TAIL_LINES + 1}\n" in error.message
    assert f"line {30 - TAIL_LINES}\n" not in error.message
    assert error.file == str(log_path)
    assert str(log_path) in error.hint
    assert error.exit_code == 5
    assert log_path.read_text("utf-8").count("\n") == 30


def test_timeout_kills_process_group(stand_in, quarto_project):
    stand_in.behave(lines=1, spawn_child=True, sleep=300)

    with pytest.raises(QuartoError) as caught:
        render_quarto(quarto_project, configured=None, timeout=3)

    assert "3 秒以内に終わらなかった" in caught.value.message
    assert "quarto.timeout" in caught.value.hint
    assert (quarto_project / "render.log").read_text("utf-8") == "line 1\n"
    quarto_pid = stand_in.calls()[-1]["pid"]
    child_pid = int((stand_in.folder / "child.pid").read_text())
    # The stand-in itself is dead once render_quarto returns. Its orphaned
    # child is reaped by init shortly after, so the test waits for that.
    assert process_gone(quarto_pid)
    for _ in range(100):
        if process_gone(child_pid):
            break
        time.sleep(0.05)
    assert process_gone(child_pid)


# ---------------------------------------------------------------------------
# `databook build --render-quarto` end to end.


def without_quarto_on_path() -> str:
    folders = os.environ["PATH"].split(os.pathsep)
    return os.pathsep.join(f for f in folders if not (Path(f) / "quarto").exists())


def test_build_without_quarto_exits_3(project, monkeypatch):
    monkeypatch.setenv("PATH", without_quarto_on_path())

    result = run_databook("build", "--render-quarto", cwd=project)

    assert result.returncode == 3, result.stderr
    assert "quarto コマンドが見つからない" in result.stderr
    assert "https://quarto.org/docs/get-started/" in result.stderr
    assert (project / "build" / "databook.pdf").is_file()
    assert (project / "build" / "site" / "index.html").is_file()
    assert (project / "build" / "quarto" / "_quarto.yml").is_file()
    assert "PDF: " in result.stderr


def set_outputs(project: Path, *, pdf: bool, site: bool, extra: str = "") -> None:
    config = project / "databook.yml"
    text = config.read_text("utf-8")
    text = text.replace("  pdf: true", f"  pdf: {str(pdf).lower()}")
    text = text.replace("  site: true", f"  site: {str(site).lower()}")
    config.write_text(text + extra, "utf-8")


def test_build_renders_with_setting(project, stand_in):
    stand_in.behave(version="1.9.18", lines=2, make_book=True)
    set_outputs(
        project,
        pdf=False,
        site=False,
        extra="\nquarto:\n  render: true\n  timeout: 120\n",
    )

    result = run_databook("build", cwd=project)

    assert result.returncode == 0, result.stderr
    quarto_dir = (project / "build" / "quarto").resolve()
    # No databook PDF, but Quarto's typst PDF still gets the five chart SVGs,
    # exported into build/charts/ as for any build that draws charts.
    assert not (project / "build" / "databook.pdf").exists()
    assert (project / "build" / "charts" / "vital.svg").is_file()
    svgs = sorted(p.name for p in (quarto_dir / "charts").iterdir())
    placed = [name for _, kind, name in block_ids(project) if kind == "chart"]
    assert "vital" in placed
    assert svgs == sorted(f"{name}.svg" for name in placed)
    render = stand_in.calls()[-1]
    assert render["argv"] == ["render"]
    # quarto runs in the swapped-in build/quarto/, not in the staging folder.
    assert Path(render["cwd"]).resolve() == quarto_dir
    assert (quarto_dir / "_book" / "index.html").is_file()
    assert (quarto_dir / "render.log").read_text("utf-8") == "line 1\nline 2\n"
    assert f"Quarto の出力: {quarto_dir / '_book'}" in result.stderr


def test_build_reports_render_failure(project, stand_in):
    stand_in.behave(version="1.9.18", lines=5, exit=1)
    set_outputs(project, pdf=False, site=True)

    result = run_databook("build", "--render-quarto", cwd=project)

    assert result.returncode == 5, result.stderr
    assert "quarto render が失敗しました（終了コード 1）" in result.stderr
    assert "line 5" in result.stderr
    assert "render.log" in result.stderr
    assert (project / "build" / "site" / "index.html").is_file()
    assert (project / "build" / "quarto" / "render.log").is_file()


# ---------------------------------------------------------------------------
# A real Quarto, where one is installed.


@pytest.mark.skipif(
    shutil.which("quarto") is None,
    reason="quarto is not installed (its PyPI package downloads the binary "
    "while it installs, so it is not installed from the package registries)",
)
def test_real_quarto_renders_sample(sample_book, tmp_path):
    project = shutil.copytree(sample_book / "build" / "quarto", tmp_path / "quarto")

    output = render_quarto(project, configured=None, timeout=900)

    pages = {p.name for p in output.glob("*.html")}
    assert {"index.html", "01-population.html", "02-population-change.html"} <= pages
    assert list(output.glob("*.pdf"))
    chapter = (output / "01-population.html").read_text("utf-8")
    # data/raw/ssdse/SSDSE-A-2026.csv line 722: A1101 = 6722.
    assert "6,722人" in chapter
    assert 'id="plot-age_structure"' in chapter
