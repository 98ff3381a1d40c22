"""`databook serve`: a real server on 127.0.0.1 that rebuilds on change."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from databook.cache import project_fingerprint
from databook.serve import PreviewState, watch
from tests.conftest import REPO
from tests.test_build import pdf_text


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


@pytest.fixture
def server(project):
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "databook.cli", "serve", "--port", "0"],
        cwd=project,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    url = None
    deadline = time.monotonic() + 300
    lines = []
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        lines.append(line)
        match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        if match:
            url = match.group(1)
            break
    assert url, "".join(lines)
    yield url
    process.terminate()
    process.wait(timeout=30)


def current_pdf_text(project) -> str:
    """Return the PDF's text, or "" while a build swaps build/ in."""
    try:
        return pdf_text(project / "build" / "databook.pdf")
    except subprocess.CalledProcessError:
        return ""


def status(url: str) -> dict:
    return json.loads(fetch(url + "__databook/status"))


def test_serve_rebuilds_after_edit(server, project):
    page = fetch(server + "site/01-population.html").decode("utf-8")
    assert "__databook/status" in page
    assert "6,722人" in page
    version = status(server)["version"]

    chapter = project / "chapters" / "01-population.qmd"
    chapter.write_text(
        chapter.read_text(encoding="utf-8") + "\n編集中の一文です。\n", "utf-8"
    )

    deadline = time.monotonic() + 180
    while status(server)["version"] == version and time.monotonic() < deadline:
        time.sleep(0.5)
    assert status(server)["version"] > version
    assert status(server)["error"] == ""
    page = fetch(server + "site/01-population.html").decode("utf-8")
    assert "編集中の一文です。" in page
    # The reload script is added while serving, never written into build/.
    built = (project / "build" / "site" / "01-population.html").read_text("utf-8")
    assert "__databook/status" not in built

    # The page reloads before the PDF is laid out; the PDF follows.
    deadline = time.monotonic() + 180
    while "編集中の一文です。" not in current_pdf_text(project):
        assert time.monotonic() < deadline, "the PDF never showed the edit"
        time.sleep(0.5)


def test_serve_shows_build_error(server, project):
    chapter = project / "chapters" / "01-population.qmd"
    chapter.write_text(
        chapter.read_text(encoding="utf-8") + "\n{{< var population.nothing >}}\n",
        "utf-8",
    )
    deadline = time.monotonic() + 180
    while not status(server)["error"] and time.monotonic() < deadline:
        time.sleep(0.5)
    assert "population.nothing" in status(server)["error"]
    # The last good book is still served.
    assert b"6,722" in fetch(server + "site/01-population.html")

    with pytest.raises(urllib.error.HTTPError) as missing:
        fetch(server + "site/no-such-page.html")
    assert missing.value.code == 404
    assert "ページが見つかりません" in missing.value.read().decode("utf-8")


def test_watch_rebuilds_early_save(project):
    """A save between the last build and the watcher's start is not missed."""
    built = project_fingerprint(project)
    chapter = project / "chapters" / "01-population.qmd"
    chapter.write_text(
        chapter.read_text(encoding="utf-8") + "\n{{< var population.nothing >}}\n",
        "utf-8",
    )
    state, stop = PreviewState(), threading.Event()
    watcher = threading.Thread(target=watch, args=(project, state, stop, built))
    watcher.start()
    try:
        deadline = time.monotonic() + 180
        while not state.error and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        stop.set()
        watcher.join(timeout=180)
    assert "population.nothing" in state.error


def run_serve(*args: str, cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "databook.cli", "serve", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_serve_without_project_exits(tmp_path):
    result = run_serve("--port", "0", cwd=tmp_path)
    assert result.returncode == 1
    assert "databook.yml" in result.stderr
    assert "設定ファイルが見つかりません" in result.stderr
    assert "--port" in result.stderr


def test_serve_port_in_use_exits_before_build(project):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_serve("--port", str(port), cwd=project)
    assert result.returncode == 1
    assert f"ポート {port} で待ち受けられません" in result.stderr
    assert "ほかのプログラムがこのポートを使っています" in result.stderr
    assert not (project / "build").exists()
