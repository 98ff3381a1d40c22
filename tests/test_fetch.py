"""`databook fetch`: the raw store, resuming, hashes and keeping the appId secret."""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from databook.config import load_config
from databook.errors import ConfigError, InputError, RemoteDataError
from databook.fetch import RawStore, fetch_all, load_estat, request_key
from databook.inputs import load_inputs
from databook.sources.files import file_sha256
from databook.sources.http import RetryPolicy
from tests.conftest import REPO, TEST_DATA, run_databook
from tests.estat_responses import (
    MESSAGE_AUTHENTICATION,
    result_document,
    split_pages,
)

APP_ID = "estat-appid-DISTINCT-7c3e9a1b"
FAST = RetryPolicy(attempts=2, backoff=0.01, read_timeout=5, total_timeout=10)
API_PATH = "/rest/3.0/app/json"
FILTERS = {"cdArea": "01100", "cdCat01": "B1101", "limit": "4"}


def add_estat_dataset(project: Path, api_url: str, *, extra: str = "") -> None:
    """Add an estat dataset to the project's databook.yml, before `chapters:`."""
    block = (
        "  areas:\n"
        "    kind: estat\n"
        '    stats_data_id: "0000020202"\n'
        "    items: [B1101]\n"
        '    areas: ["011002"]\n'
        "    page_size: 4\n"
        f"    api_url: {api_url}\n"
        f"{extra}"
    )
    config = project / "databook.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("\nchapters:", f"\n{block}\nchapters:"), "utf-8")


def serve_pages(httpserver, pages: list[dict] | None = None) -> None:
    """Serve three pages (by default 4 + 4 + 2 real values) by startPosition."""
    pages = pages or split_pages([4, 4, 2])
    for page, start in zip(pages, (1, 5, 9), strict=True):
        httpserver.expect_request(
            f"{API_PATH}/getStatsData",
            query_string={
                "appId": APP_ID,
                "statsDataId": "0000020202",
                **FILTERS,
                "startPosition": str(start),
            },
        ).respond_with_json(page)


def starts_requested(httpserver) -> list[str]:
    return [request.args["startPosition"] for request, _ in httpserver.log]


def test_fetch_stores_pages_with_manifest(project, httpserver):
    add_estat_dataset(project, httpserver.url_for(API_PATH))
    serve_pages(httpserver)
    config = load_config(project / "databook.yml")

    (result,) = fetch_all(config, APP_ID, policy=FAST)

    assert result.pages == 3
    assert result.requested == 3
    assert result.total_number == 10
    assert starts_requested(httpserver) == ["1", "5", "9"]
    for request, _ in httpserver.log:
        # The six-digit 011002 was sent as its five-digit code.
        assert request.args["cdArea"] == "01100"
        assert request.args["cdCat01"] == "B1101"
        assert request.args["limit"] == "4"

    manifest_path = project / "data" / "raw" / "estat" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    entries = sorted(manifest["files"].items(), key=lambda item: item[1]["page"])
    assert len(entries) == 3
    for (file, entry), (_, served) in zip(entries, httpserver.log, strict=True):
        stored = project / file
        assert stored.read_bytes() == served.get_data()
        assert entry["sha256"] == file_sha256(stored)
        assert entry["size"] == stored.stat().st_size
        assert entry["total_number"] == 10
        assert "appId" not in entry["request"]["params"]
    assert [e["request"]["params"]["startPosition"] for _, e in entries] == [
        "1",
        "5",
        "9",
    ]
    assert APP_ID not in manifest_path.read_text(encoding="utf-8")


def test_echoed_app_id_not_stored(project, httpserver):
    # A proxy or a misconfigured server echoes the request, appId included,
    # in the PARAMETER part of an otherwise good page.
    pages = split_pages([4, 4, 2])
    for page in pages:
        page["GET_STATS_DATA"]["PARAMETER"]["APP_ID"] = APP_ID
    add_estat_dataset(project, httpserver.url_for(API_PATH))
    serve_pages(httpserver, pages)
    config = load_config(project / "databook.yml")

    (result,) = fetch_all(config, APP_ID, policy=FAST)

    assert result.pages == 3
    assert files_containing(project, APP_ID) == []
    stored = sorted((project / "data" / "raw" / "estat").rglob("getStatsData-*.json"))
    assert len(stored) == 3
    for path in stored:
        parameter = json.loads(path.read_bytes())["GET_STATS_DATA"]["PARAMETER"]
        assert parameter["APP_ID"] == "***"


def test_build_reads_fetched_pages(project, httpserver):
    add_estat_dataset(project, httpserver.url_for(API_PATH))
    serve_pages(httpserver)
    config = load_config(project / "databook.yml")
    fetch_all(config, APP_ID, policy=FAST)

    dataset = load_inputs(config).datasets["estat"]
    frame = dataset.frame
    # The real file's 10 values of B1101 for 01100, 1981–1990 年度.
    assert list(frame["value"]) == [111801.0] * 7 + [112118.0] * 3
    assert len(dataset.provenance) == 3
    files = sorted(source.file for source in dataset.provenance.values())
    assert files[0].endswith("getStatsData-0001.json")


def test_rerun_skips_stored_pages(project, httpserver):
    add_estat_dataset(project, httpserver.url_for(API_PATH))
    serve_pages(httpserver)
    config = load_config(project / "databook.yml")
    fetch_all(config, APP_ID, policy=FAST)

    (again,) = fetch_all(config, APP_ID, policy=FAST)
    assert again.requested == 0
    assert len(httpserver.log) == 3

    (refreshed,) = fetch_all(config, APP_ID, policy=FAST, refresh=True)
    assert refreshed.requested == 3
    assert starts_requested(httpserver) == ["1", "5", "9", "1", "5", "9"]


def test_tampered_page_rejected(project, httpserver):
    add_estat_dataset(project, httpserver.url_for(API_PATH))
    serve_pages(httpserver)
    config = load_config(project / "databook.yml")
    fetch_all(config, APP_ID, policy=FAST)

    store = RawStore(project)
    (entry, *_) = store.pages(request_key(_params(config)))
    page = project / entry.file
    page.write_bytes(page.read_bytes().replace(b"111801", b"111802", 1))

    with pytest.raises(InputError) as raised:
        load_estat(config.datasets["areas"], config, name="areas")
    assert raised.value.file == entry.file
    assert "databook fetch --refresh" in raised.value.hint

    result = run_databook("build", cwd=project)
    assert result.returncode == 1
    assert entry.file in result.stderr
    assert "databook fetch --refresh" in result.stderr


def _params(config):
    from databook.fetch import request_params

    return request_params(config.datasets["areas"])


def test_build_without_fetch_explains(project):
    add_estat_dataset(project, "http://127.0.0.1:9/unused")
    config = load_config(project / "databook.yml")
    with pytest.raises(InputError) as raised:
        load_estat(config.datasets["areas"], config, name="areas")
    assert "まだ取得していません" in raised.value.message
    assert "databook fetch" in raised.value.hint


def test_hand_saved_file_read_as_is(project):
    saved = project / "data" / "raw" / "estat" / "saved.json"
    saved.parent.mkdir(parents=True, exist_ok=True)
    real = TEST_DATA / "estat" / "getStatsData_0000020202_ssds_B_limit10_KOxon.json"
    saved.write_bytes(real.read_bytes())
    add_estat_dataset(
        project,
        "http://127.0.0.1:9/unused",
        extra="    files: [data/raw/estat/saved.json]\n",
    )
    config = load_config(project / "databook.yml")

    dataset = load_estat(config.datasets["areas"], config, name="areas")
    (source,) = dataset.provenance.values()
    assert source.file == "data/raw/estat/saved.json"
    assert source.sha256 == file_sha256(real)
    assert len(dataset.frame) == 10


# Killing a fetch in the middle of a response, then resuming it.


class PageServer(http.server.ThreadingHTTPServer):
    """Serves the three pages; with `stall_start` set, stalls mid-way in that page."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _PageHandler)
        self.pages = {
            str(start): json.dumps(page, ensure_ascii=False).encode("utf-8")
            for page, start in zip(split_pages([4, 4, 2]), (1, 5, 9), strict=True)
        }
        self.requests: list[dict[str, str]] = []
        self.stall_start: str | None = None
        self.stalled = threading.Event()
        self.release = threading.Event()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{API_PATH}"


class _PageHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        server: PageServer = self.server  # type: ignore[assignment]
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        server.requests.append(query)
        body = server.pages[query["startPosition"]]

        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if query["startPosition"] == server.stall_start:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            server.stalled.set()
            server.release.wait(30)
            return
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def page_server():
    server = PageServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def fetch_command(project: Path, *args: str, app_id: str = APP_ID):
    env = {
        **os.environ,
        "COLUMNS": "200",
        "NO_COLOR": "1",
        "PYTHONPATH": str(REPO),
        "ESTAT_APP_ID": app_id,
    }
    return [sys.executable, "-m", "databook.cli", "fetch", *args], env


def test_killed_fetch_resumes(project, page_server):
    add_estat_dataset(project, page_server.api_url)
    page_server.stall_start = "5"
    command, env = fetch_command(project)
    process = subprocess.Popen(
        command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        assert page_server.stalled.wait(60), "the fetch never reached page 2"
        time.sleep(0.2)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    assert [r["startPosition"] for r in page_server.requests] == ["1", "5"]

    # Page 1 is stored and entered; nothing of page 2 was kept.
    store = RawStore(project)
    (entry,) = store.entries.values()
    assert entry.page == 1
    assert store.is_intact(entry)
    leftovers = [
        p.name
        for p in (project / "data" / "raw" / "estat").rglob("*")
        if p.is_file() and p.name != "manifest.json"
    ]
    assert leftovers == ["getStatsData-0001.json"]

    page_server.stall_start = None
    page_server.requests.clear()
    command, env = fetch_command(project)
    rerun = subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, timeout=120
    )
    assert rerun.returncode == 0, rerun.stderr
    # Page 1 was not requested again.
    assert [r["startPosition"] for r in page_server.requests] == ["5", "9"]
    for query in page_server.requests:
        assert query["cdArea"] == "01100"
        assert query["cdCat01"] == "B1101"
    config = load_config(project / "databook.yml")
    frame = load_estat(config.datasets["areas"], config, name="areas").frame
    assert list(frame["value"]) == [111801.0] * 7 + [112118.0] * 3


# The appId never reaches output, logs or files.


class ForbiddenHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps(
            result_document(100, MESSAGE_AUTHENTICATION), ensure_ascii=False
        ).encode("utf-8")
        self.send_response(403)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def closed_port_url() -> str:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{API_PATH}"


def files_containing(root: Path, secret: str) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and secret.encode("utf-8") in path.read_bytes():
            found.append(str(path.relative_to(root)))
    return found


@pytest.mark.parametrize("failure", ["refused", "forbidden"])
@pytest.mark.parametrize("flag", ["--verbose", "--debug"])
def test_app_id_never_leaks(project, failure, flag):
    server = None
    if failure == "forbidden":
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ForbiddenHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        api_url = f"http://127.0.0.1:{server.server_address[1]}{API_PATH}"
    else:
        api_url = closed_port_url()
    add_estat_dataset(project, api_url)

    command, env = fetch_command(project, flag, "--verbose")
    try:
        result = subprocess.run(
            command, cwd=project, env=env, capture_output=True, text=True, timeout=300
        )
    finally:
        if server:
            server.shutdown()
            server.server_close()

    assert result.returncode == 4, result.stderr
    output = result.stdout + result.stderr
    assert "e-Stat" in output
    assert "appId=***" in output or "STATUS 100" in output
    if failure == "forbidden":
        # urllib3's DEBUG line with the request's query string, redacted.
        assert '"GET /rest/3.0/app/json/getStatsData?appId=***&' in result.stderr
    assert APP_ID not in result.stdout
    assert APP_ID not in result.stderr
    assert files_containing(project, APP_ID) == []


def test_missing_app_id_explained(project):
    add_estat_dataset(project, "http://127.0.0.1:9/unused")
    command, env = fetch_command(project, app_id="")
    result = subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "ESTAT_APP_ID" in result.stderr


@pytest.mark.parametrize(
    ("line", "setting"),
    [
        ('    stats_data_id: "20202"\n', "stats_data_id"),
        ("    filters: {cdAreaa: '14383'}\n", "filters"),
        ("    areas: [01100]\n", "areas"),
    ],
)
def test_invalid_estat_setting_located(project, line, setting):
    add_estat_dataset(project, "http://127.0.0.1:9/unused")
    config_path = project / "databook.yml"
    text = config_path.read_text(encoding="utf-8")
    if setting == "stats_data_id":
        text = text.replace('    stats_data_id: "0000020202"\n', line)
    elif setting == "areas":
        text = text.replace('    areas: ["011002"]\n', line)
    else:
        text = text.replace("    page_size: 4\n", "    page_size: 4\n" + line)
    config_path.write_text(text, encoding="utf-8")

    with pytest.raises(ConfigError) as raised:
        load_config(config_path)
    assert f"datasets.areas.{setting}" in raised.value.message
    assert "行目" in raised.value.place


@pytest.mark.parametrize("url", ["not-a-url", "ftp://127.0.0.1/x", "http://"])
def test_api_url_must_be_web_address(project, url):
    add_estat_dataset(project, url)
    config_path = project / "databook.yml"
    with pytest.raises(ConfigError) as raised:
        load_config(config_path)
    error = raised.value
    assert "datasets.areas.api_url" in error.message
    assert "http:// か https://" in error.message
    line = next(
        number
        for number, text in enumerate(config_path.read_text("utf-8").splitlines(), 1)
        if "api_url:" in text
    )
    assert error.place.startswith(f"{line}行目")


def test_table_changed_during_fetch(project, httpserver):
    add_estat_dataset(project, httpserver.url_for(API_PATH))
    pages = split_pages([4, 4, 2])
    # Page 2 reports 11 rows where page 1 reported 10, as after an update.
    pages[1]["GET_STATS_DATA"]["STATISTICAL_DATA"]["RESULT_INF"]["TOTAL_NUMBER"] = 11
    serve_pages(httpserver, pages)
    config = load_config(project / "databook.yml")

    with pytest.raises(RemoteDataError) as raised:
        fetch_all(config, APP_ID, policy=FAST)
    assert "10 件から 11 件" in raised.value.message
    assert "--refresh" in raised.value.hint
