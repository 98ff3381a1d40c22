"""`databook serve`: a preview server that rebuilds and reloads as files change.

The server listens on 127.0.0.1 only. A watcher thread hashes what a build
reads (databook.yml, chapters/, data/raw/) once a second; when the hash
changes it rebuilds, reusing every unchanged step from the cache, and bumps a
version number. Pages served as HTML get a small script that polls that
number and reloads the page, or shows the build error, so that staff see the
text change as they save. Nothing of this reaches build/ itself.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from databook.cache import project_fingerprint
from databook.config import CONFIG_NAME
from databook.errors import ConfigError, DatabookError

logger = logging.getLogger(__name__)

STATUS_PATH = "/__databook/status"
POLL_SECONDS = 1.0

RELOAD_SCRIPT = f"""
<script>
(() => {{
  let seen = null;
  const banner = document.createElement("div");
  banner.setAttribute("role", "alert");
  banner.style.cssText = "position:fixed;left:0;right:0;bottom:0;padding:1rem;"
    + "background:#8b0000;color:#fff;font:14px/1.6 sans-serif;white-space:pre-wrap;"
    + "z-index:9999;display:none";
  document.addEventListener("DOMContentLoaded", () => document.body.append(banner));
  async function poll() {{
    try {{
      const status = await (await fetch("{STATUS_PATH}", {{cache: "no-store"}})).json();
      if (seen !== null && status.version !== seen) location.reload();
      seen = status.version;
      banner.textContent = status.error ? "ビルドのエラー:\\n" + status.error : "";
      banner.style.display = status.error ? "block" : "none";
    }} catch (error) {{ /* the server restarts; try again */ }}
    setTimeout(poll, {int(POLL_SECONDS * 1000)});
  }}
  poll();
}})();
</script>
"""


@dataclass
class PreviewState:
    """Build status that the browser polls: a version bumped by each build."""

    version: int = 0
    error: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def as_json(self) -> bytes:
        with self.lock:
            return json.dumps({"version": self.version, "error": self.error}).encode()


ERROR_PAGE = """<!DOCTYPE html>
<html lang="ja">
<head><meta charset="utf-8"><title>エラー %(code)d</title></head>
<body><h1>エラー %(code)d</h1><p>%(explain)s</p>
<p><a href="/site/index.html">データブックの表紙へ</a></p></body>
</html>
"""
ERROR_TEXTS = {
    404: "ページが見つかりません。アドレスを確かめてください。"
    "ビルドがまだ終わっていないときは、終わってから開き直してください。",
}
"""Japanese explanations of the errors a reader meets, by HTTP status."""


class PreviewHandler(SimpleHTTPRequestHandler):
    """Handler that serves build/, adds the reload script and returns the status."""

    error_message_format = ERROR_PAGE
    error_content_type = "text/html; charset=utf-8"

    def send_error(self, code: int, message=None, explain=None) -> None:
        """Send an error page in Japanese for the errors a reader meets.

        The message stays as it was, because http.server writes it into the
        status line encoded as Latin-1.
        """
        super().send_error(code, message, ERROR_TEXTS.get(code, explain))

    def __init__(self, *args, state: PreviewState, **kwargs) -> None:
        self.state = state
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        if self.path == "/":
            self.send_response(302)
            self.send_header("Location", "/site/index.html")
            self.end_headers()
            return
        if self.path == STATUS_PATH:
            self._send(self.state.as_json(), "application/json")
            return
        path = Path(self.translate_path(self.path))
        if path.suffix == ".html" and path.is_file():
            html = path.read_text(encoding="utf-8")
            html = html.replace("</body>", RELOAD_SCRIPT + "</body>", 1)
            self._send(html.encode("utf-8"), "text/html; charset=utf-8")
            return
        super().do_GET()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)


def rebuild(project: Path, state: PreviewState) -> str:
    """Build; record success as a new version, failure as the message.

    Return the fingerprint of the inputs as the build found them, so that
    the watcher notices any save made since the build started.

    The site comes first: the build leaves a PDF that needs laying out for a
    second build, so the open page reloads without waiting for WeasyPrint.
    The second build reuses everything else from the cache. It is skipped
    when files changed during the first, which the watcher then rebuilds, so
    that a new edit (or its error) shows without waiting for the PDF.
    """
    from databook.build import build

    started_with = project_fingerprint(project)
    try:
        result = build(project, defer_pdf=True)
    except DatabookError as error:
        logger.error("%s", error)
        with state.lock:
            state.error = str(error)
            state.version += 1
        return started_with
    with state.lock:
        state.error = ""
        state.version += 1
    logger.info("再ビルド: %.1f 秒", result.seconds)
    if not result.pdf_deferred:
        return started_with
    if project_fingerprint(project) != started_with:
        # Another save came meanwhile: show it first, the PDF follows it.
        logger.info("ほかの変更があったので、先にそれを反映します。")
        return started_with
    try:
        result = build(project)
    except DatabookError as error:
        logger.error("%s", error)
        with state.lock:
            state.error = str(error)
            state.version += 1
        return started_with
    logger.info("PDF: %.1f 秒", result.seconds)
    return started_with


def watch(
    project: Path, state: PreviewState, stop: threading.Event, built: str
) -> None:
    """Rebuild whenever the inputs' hash changes, until `stop` is set.

    `built` is the fingerprint of the inputs of the last build. Starting
    from it rather than from a fresh one, a save made while the server
    started is rebuilt too.
    """
    fingerprint = built
    while not stop.wait(POLL_SECONDS):
        if project_fingerprint(project) == fingerprint:
            continue
        logger.info("変更を検出しました。作り直します。")
        fingerprint = rebuild(project, state)


def serve(project: Path, *, port: int = 8000, ready=None) -> None:
    """Build, then serve build/ on 127.0.0.1:`port` until interrupted.

    `ready` is called with the URL once the server listens (port 0 picks a
    free port). A folder without databook.yml raises ConfigError, and a port
    that cannot be bound raises OSError, both before the first build.
    """
    config = project / CONFIG_NAME
    if not config.is_file():
        raise ConfigError(
            "設定ファイルが見つかりません。",
            file=config,
            hint="プロジェクトのフォルダで実行するか、"
            "--project でフォルダを指定してください（ポート番号は --port です）。",
        )
    state = PreviewState()
    handler = functools.partial(
        PreviewHandler, directory=str(project / "build"), state=state
    )
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    try:
        built = rebuild(project, state)
    except BaseException:
        server.server_close()
        raise
    url = f"http://127.0.0.1:{server.server_port}/"
    stop = threading.Event()
    watcher = threading.Thread(
        target=watch, args=(project, state, stop, built), daemon=True
    )
    watcher.start()
    if ready:
        ready(url)
    try:
        server.serve_forever()
    finally:
        stop.set()
        server.server_close()
        watcher.join(timeout=5)
