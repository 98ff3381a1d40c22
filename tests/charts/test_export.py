"""The chart server's guards against a browser that fails to start or respond."""

from __future__ import annotations

import time

import pytest

from databook.charts.export import browser_problem, call_with_timeout
from tests.conftest import copy_project, run_databook


@pytest.fixture
def broken_browser(tmp_path, monkeypatch):
    """A BROWSER_PATH that fails as a browser without its libraries does."""
    browser = tmp_path / "chromium"
    browser.write_text("#!/bin/sh\necho 'cannot open shared object' >&2\nexit 127\n")
    browser.chmod(0o755)
    monkeypatch.setenv("BROWSER_PATH", str(browser))
    return browser


def test_debian_chromium_runs():
    assert browser_problem() is None


def test_broken_browser_named(broken_browser):
    problem = browser_problem()
    assert problem == f"{broken_browser} を起動できません（終了コード 127）"


def test_build_stops_with_broken_browser(broken_browser, tmp_path):
    project = copy_project(tmp_path / "project")
    result = run_databook("build", cwd=project)
    assert result.returncode != 0
    assert "chromium（グラフの書き出し）" in result.stderr
    assert "終了コード 127" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "build").exists()


def test_timeout_returns_value():
    assert call_with_timeout(lambda: b"svg", 5) == b"svg"


def test_timeout_reraises_error():
    def fail() -> bytes:
        raise ValueError("kaleido failed")

    with pytest.raises(ValueError, match="kaleido failed"):
        call_with_timeout(fail, 5)


def test_timeout_on_call_that_hangs():
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        call_with_timeout(lambda: time.sleep(30) or b"", 0.2)
    assert time.monotonic() - started < 5
