"""`databook batch`: several real books in parallel, locally and on Dask."""

from __future__ import annotations

import socket
from html.parser import HTMLParser
from pathlib import Path

import pytest

from databook.batch import find_prefecture, run_batch
from databook.errors import ConfigError
from databook.sources.codes import load_master
from tests.conftest import RAW, run_databook


class IndexParser(HTMLParser):
    """Collects the rows of the index page's table, cell texts in order."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def index_rows(path: Path) -> dict[str, list[str]]:
    parser = IndexParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return {row[0]: row for row in parser.rows[1:]}


@pytest.fixture(scope="module")
def master():
    return load_master(RAW / "codes" / "localgovjp-utf8.csv")


@pytest.mark.parametrize("query", ["神奈川県", "神奈川", "14"])
def test_find_prefecture(master, query):
    assert find_prefecture(master, query) == ("14", "神奈川県")


def test_kanagawa_has_33_municipalities(master):
    # localgovjp-utf8.csv: 61 rows with pid 14, of which 28 are wards of
    # 横浜市 (18), 川崎市 (7) and 相模原市 (3); 61 − 28 = 33.
    assert len(master.in_prefecture("14")) == 33


def test_unknown_prefecture_rejected(master):
    with pytest.raises(ConfigError):
        find_prefecture(master, "神奈川都")


def test_only_code_outside_prefecture_rejected(tmp_path):
    with pytest.raises(ConfigError) as caught:
        run_batch("神奈川県", tmp_path, RAW, only=["13101"])
    assert "13101" in caught.value.message


@pytest.fixture(scope="module")
def local_batch(tmp_path_factory):
    """Three Kanagawa books in 2 processes; 湯河原町's chapter has a typo."""
    out = tmp_path_factory.mktemp("batch")
    created = run_databook("new", "14384", "14384-湯河原町", cwd=out)
    assert created.returncode == 0, created.stderr
    chapter = out / "14384-湯河原町" / "chapters" / "01-population.qmd"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(
        text.replace("population.total >}}", "population.totl >}}", 1),
        encoding="utf-8",
    )
    only = "14383,14384,14402"
    result = run_databook(
        "batch", "神奈川県", "--out", str(out), "--only", only, "-j", "2", cwd=out
    )
    return out, result


def test_batch_failure_reported_at_end(local_batch):
    _, result = local_batch
    assert result.returncode == 1
    summary = result.stderr[result.stderr.index("失敗:") :]
    assert "湯河原町（14384）" in summary
    assert "population.totl" in summary


def test_batch_builds_other_books(local_batch):
    out, _ = local_batch
    for folder in ("14383-真鶴町", "14402-清川村"):
        assert (out / folder / "build" / "databook.pdf").is_file()
        assert (out / folder / "build" / "site" / "index.html").is_file()
    assert not (out / "14384-湯河原町" / "build").exists()


def test_batch_index_compares_towns(local_batch):
    out, _ = local_batch
    rows = index_rows(out / "index.html")
    assert list(rows) == ["14383", "14384", "14402"]
    # SSDSE-A-2026.csv column A1101 (総人口, 2020): R14383 6722, R14402 3038.
    assert rows["14383"][2] == "6,722人"
    assert rows["14402"][2] == "3,038人"
    # 高齢化率 of 真鶴町, SSDSE-A-2026.csv row R14383 (2020): 年齢不詳 =
    # A1101 6722 − A1301 446 − A1302 3344 − A1303 2923 = 9, so
    # 2923 ÷ (6722 − 9) = 2923 ÷ 6713 = 43.54%, printed 43.5%.
    assert rows["14383"][4] == "43.5%"
    assert "作成に失敗" in rows["14384"][1]
    assert rows["14384"][2] == "―"


def test_batch_reuses_built_books(local_batch):
    out, _ = local_batch
    again = run_databook(
        "batch", "神奈川県", "--out", str(out), "--only", "14383", cwd=out
    )
    assert again.returncode == 0, again.stderr
    assert "1 / 1 冊" in again.stderr


def test_batch_on_dask_local_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        result = run_databook(
            "batch", "神奈川県", "--out", str(tmp_path), "--only", "14383,14402",
            "--scheduler", cluster.scheduler_address,
            cwd=tmp_path,
        )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "2 / 2 冊" in result.stderr
    assert "2 並列" in result.stderr
    for folder in ("14383-真鶴町", "14402-清川村"):
        assert (tmp_path / folder / "build" / "databook.pdf").is_file()
    rows = index_rows(tmp_path / "index.html")
    assert rows["14402"][2] == "3,038人"


def test_unreachable_scheduler_reported(tmp_path):
    pytest.importorskip("distributed")
    # A port that was free a moment ago, with nothing listening on it now.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_databook(
        "batch", "神奈川県", "--out", str(tmp_path), "--only", "14383",
        "--scheduler", f"tcp://127.0.0.1:{port}",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 3
    assert "スケジューラ" in result.stderr
