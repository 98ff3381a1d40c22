"""The shared HTTP layer: retries, time limits, truncation and redaction."""

from __future__ import annotations

import logging
import socket
import socketserver
import threading
import time
import traceback
from collections.abc import Callable

import pytest

from databook.errors import RemoteDataError
from databook.sources.http import HttpClient, RetryPolicy, redact

SECRET = "appid-SECRET-5f1e2d3c4b5a"
FAST = RetryPolicy(
    attempts=3, backoff=0.01, connect_timeout=2, read_timeout=1, total_timeout=5
)


class ScriptedServer(socketserver.ThreadingTCPServer):
    """A TCP server whose n-th connection runs the n-th script (the last repeats)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, scripts: list[Callable[[socket.socket], None]]) -> None:
        self.scripts = scripts
        self.connections = 0
        self.stop = threading.Event()
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api"


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server: ScriptedServer = self.server  # type: ignore[assignment]
        index = min(server.connections, len(server.scripts) - 1)
        server.connections += 1
        self.request.recv(65536)
        server.scripts[index](self.request)


@pytest.fixture
def scripted():
    servers = []

    def start(*scripts):
        server = ScriptedServer(list(scripts))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop.set()
        server.shutdown()
        server.server_close()


def respond(body: bytes, *, length: int | None = None, status: str = "200 OK"):
    def script(connection: socket.socket) -> None:
        head = (
            f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length if length is not None else len(body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        connection.sendall(head.encode("ascii") + body)

    return script


def stall_after(body: bytes, seconds: float):
    """Send the headers and half the body, then send nothing for `seconds`."""

    def script(connection: socket.socket) -> None:
        respond(body[: len(body) // 2], length=len(body))(connection)
        time.sleep(seconds)

    return script


def trickle(body: bytes, interval: float):
    """Send one byte every `interval` seconds, so no single read times out."""

    def script(connection: socket.socket) -> None:
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        connection.sendall(head.encode("ascii"))
        for byte in body:
            connection.sendall(bytes([byte]))
            time.sleep(interval)

    return script


def test_server_error_then_success(httpserver):
    httpserver.expect_ordered_request("/api").respond_with_data("busy", status=500)
    httpserver.expect_ordered_request("/api").respond_with_data("{}", status=200)
    with HttpClient(policy=FAST) as client:
        response = client.get(httpserver.url_for("/api"), {"q": "1"})
    assert response.status_code == 200
    assert response.body == b"{}"
    assert len(httpserver.log) == 2


def test_too_many_requests_retried(httpserver):
    httpserver.expect_ordered_request("/api").respond_with_data("slow", status=429)
    httpserver.expect_ordered_request("/api").respond_with_data("ok", status=200)
    with HttpClient(policy=FAST) as client:
        response = client.get(httpserver.url_for("/api"), {})
    assert response.body == b"ok"


def test_server_errors_bounded(httpserver):
    httpserver.expect_request("/api").respond_with_data("down", status=503)
    with HttpClient(policy=FAST) as client, pytest.raises(RemoteDataError) as raised:
        client.get(httpserver.url_for("/api"), {})
    assert "HTTP 503" in raised.value.message
    assert len(httpserver.log) == FAST.attempts


def test_client_error_returned_without_retry(httpserver):
    httpserver.expect_request("/api").respond_with_data("no", status=403)
    with HttpClient(policy=FAST) as client:
        response = client.get(httpserver.url_for("/api"), {})
    assert response.status_code == 403
    assert len(httpserver.log) == 1


def test_stalled_body_fails_within_limit(scripted):
    server = scripted(stall_after(b'{"a": "' + b"x" * 1000 + b'"}', 30))
    policy = RetryPolicy(
        attempts=2, backoff=0.01, connect_timeout=1, read_timeout=0.5, total_timeout=3
    )
    started = time.monotonic()
    with HttpClient(policy=policy) as client, pytest.raises(RemoteDataError):
        client.get(server.url, {})
    elapsed = time.monotonic() - started
    # Two attempts of one 0.5 s read timeout each, well inside the 3 s total.
    assert elapsed < policy.total_timeout + 1
    assert server.connections == 2


def test_trickling_body_meets_total_limit(scripted):
    server = scripted(trickle(b"x" * 400, 0.05))  # 20 s for the whole body
    policy = RetryPolicy(
        attempts=5, backoff=0.01, connect_timeout=1, read_timeout=1, total_timeout=2
    )
    started = time.monotonic()
    with HttpClient(policy=policy) as client, pytest.raises(RemoteDataError):
        client.get(server.url, {})
    assert time.monotonic() - started < policy.total_timeout + 1


def test_truncated_body_retried(scripted):
    body = b'{"complete": true}'
    server = scripted(respond(body[:8], length=len(body)), respond(body))
    with HttpClient(policy=FAST) as client:
        response = client.get(server.url, {})
    assert response.body == body
    assert server.connections == 2


def test_truncated_body_every_time_fails(scripted):
    body = b'{"complete": true}'
    server = scripted(respond(body[:8], length=len(body)))
    with HttpClient(policy=FAST) as client, pytest.raises(RemoteDataError) as raised:
        client.get(server.url, {})
    assert "途中で切れました" in raised.value.message
    assert server.connections == FAST.attempts


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_secret_redacted_when_refused(caplog):
    caplog.set_level(logging.DEBUG)
    url = f"http://127.0.0.1:{free_port()}/rest/3.0/app/json/getStatsData"
    with (
        HttpClient(policy=FAST, secrets=[SECRET]) as client,
        pytest.raises(RemoteDataError) as raised,
    ):
        client.get(url, {"appId": SECRET, "statsDataId": "0000020202"})

    error = raised.value
    assert "接続できません" in error.message
    assert SECRET not in str(error)
    assert SECRET not in repr(error)
    assert "appId=***" in error.place
    assert error.__cause__ is None
    assert error.__context__ is None
    printed = "".join(traceback.format_exception(error))
    assert SECRET not in printed
    assert caplog.records
    for record in caplog.records:
        assert SECRET not in record.getMessage()


def test_library_debug_logs_redacted(httpserver, caplog):
    caplog.set_level(logging.DEBUG)
    httpserver.expect_request("/api").respond_with_data("{}")
    with HttpClient(policy=FAST, secrets=[SECRET]) as client:
        client.get(httpserver.url_for("/api"), {"appId": SECRET})

    ours = [r for r in caplog.records if not r.name.startswith("werkzeug")]
    urllib3_lines = [r.getMessage() for r in ours if r.name.startswith("urllib3")]
    # urllib3 logs the request line with its query at DEBUG.
    assert any("appId=***" in line for line in urllib3_lines)
    for record in ours:
        assert SECRET not in record.getMessage()


def test_redact_parameter_without_registration():
    text = "GET /x?statsDataId=1&appId=abcdef123&limit=5"
    assert redact(text) == "GET /x?statsDataId=1&appId=***&limit=5"
