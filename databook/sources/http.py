"""The HTTP layer that remote sources share: timeouts, retries and redaction.

`HttpClient` sends GET requests with a `requests.Session`. It retries timeouts,
connection errors, truncated transfers, HTTP 5xx and 429 with exponential
backoff, bounded both in attempts and in total time. The body is read in
chunks against a deadline, so a server that stalls or trickles bytes cannot
hold a call longer than `total_timeout`.

Secrets that travel in the query string (e-Stat's appId) are registered with
the client. requests and urllib3 put the whole URL into exception messages and
DEBUG log records, so every message this module raises is redacted, and a log
filter redacts the records of urllib3 and requests.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

import requests
import urllib3

from databook.errors import RemoteDataError

logger = logging.getLogger(__name__)

REDACTED = "***"
TOO_MANY_REQUESTS = 429
LIBRARY_LOGGERS = (
    "urllib3",
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.util.retry",
    "requests",
)
# Query parameters whose values are secret wherever they appear.
SECRET_PARAMETERS = ("appId",)
_SECRET_PARAMETER_PATTERN = re.compile(
    "((?:" + "|".join(SECRET_PARAMETERS) + r")=)[^&\s'\"]*"
)

_registered_secrets: set[str] = set()


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Replace every registered or given secret, and any appId value, with ***.

    A secret is also found percent-encoded, as it appears in a redirect URL.
    """
    for secret in _spellings({*_registered_secrets, *secrets}):
        text = text.replace(secret, REDACTED)
    return _SECRET_PARAMETER_PATTERN.sub(rf"\g<1>{REDACTED}", text)


def redact_bytes(body: bytes) -> bytes:
    """Replace every registered secret in a response body with ***.

    A server or proxy that echoes the request would otherwise put the appId
    into the stored response. The body stays valid JSON, because a secret can
    only stand inside a string there.
    """
    for secret in _spellings(_registered_secrets):
        body = body.replace(secret.encode("utf-8"), REDACTED.encode("ascii"))
    return body


def _spellings(secrets: Iterable[str]) -> list[str]:
    """Return each secret as it is and percent-encoded, longest first."""
    forms = set()
    for secret in secrets:
        if secret:
            forms |= {secret, quote(secret, safe=""), quote_plus(secret, safe="")}
    return sorted(forms, key=len, reverse=True)


class RedactingFilter(logging.Filter):
    """Rewrite a log record's message with every secret replaced by ***."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


_FILTER = RedactingFilter()


def register_secret(secret: str) -> None:
    """Redact `secret` from this module's errors and from library log records."""
    if secret:
        _registered_secrets.add(secret)
    install_log_filter()


def install_log_filter() -> None:
    """Add the redacting filter to the loggers of urllib3 and requests, once."""
    for name in LIBRARY_LOGGERS:
        library_logger = logging.getLogger(name)
        if _FILTER not in library_logger.filters:
            library_logger.addFilter(_FILTER)


@dataclass(frozen=True)
class RetryPolicy:
    """Limits on how often and how long `HttpClient.get` tries one request."""

    attempts: int = 4
    """Maximum number of attempts, the first included."""
    backoff: float = 1.0
    """Wait in seconds before the second attempt; doubled before each later one."""
    max_backoff: float = 30.0
    """Maximum wait in seconds between two attempts."""
    connect_timeout: float = 10.0
    """Seconds to wait for a connection."""
    read_timeout: float = 60.0
    """Seconds to wait for the next bytes of a response."""
    total_timeout: float = 300.0
    """Seconds one call may take over all attempts and waits, body included."""


@dataclass(frozen=True)
class Response:
    """A response read in full."""

    status_code: int
    body: bytes
    url: str
    """The URL requested, redacted."""


class _Retryable(Exception):
    """A failure worth another attempt, with its redacted description."""


class HttpClient:
    """GET requests with bounded retries, a total time limit and redaction."""

    def __init__(
        self,
        *,
        policy: RetryPolicy | None = None,
        secrets: Iterable[str] = (),
        service: str = "サーバー",
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.service = service
        for secret in secrets:
            register_secret(secret)
        install_log_filter()
        self.session = requests.Session()
        self.session.headers["Accept-Encoding"] = "gzip"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get(self, url: str, params: Mapping[str, str]) -> Response:
        """Send a GET request and return its response, whatever its HTTP status.

        Raises RemoteDataError when every attempt failed or the total time ran
        out. HTTP 4xx other than 429 is returned, because services such as
        e-Stat explain the error in the body.
        """
        policy = self.policy
        deadline = time.monotonic() + policy.total_timeout
        shown_url = redact(requests.Request("GET", url, params=params).prepare().url)
        failure = ""

        for attempt in range(1, policy.attempts + 1):
            try:
                response = self._attempt(url, params, deadline)
            except _Retryable as error:
                failure = str(error)
            else:
                if not _is_retryable(response.status_code):
                    return response
                failure = f"HTTP {response.status_code}"

            wait = min(policy.backoff * 2 ** (attempt - 1), policy.max_backoff)
            remaining = deadline - time.monotonic()
            if attempt == policy.attempts or remaining <= wait:
                break
            logger.warning(
                "%s への要求が失敗しました（%s）。%.0f 秒後に再試行します"
                "（%d/%d 回目）: %s",
                self.service,
                failure,
                wait,
                attempt,
                policy.attempts,
                shown_url,
            )
            time.sleep(wait)

        raise RemoteDataError(
            f"{self.service} からデータを取得できませんでした（{failure}）。",
            place=shown_url,
            hint="ネットワークの接続と、サービスが止まっていないかを確かめ、"
            "しばらくしてからもう一度実行してください。",
        )

    def _attempt(
        self, url: str, params: Mapping[str, str], deadline: float
    ) -> Response:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Retryable("時間切れ")
        timeout = (
            min(self.policy.connect_timeout, remaining),
            min(self.policy.read_timeout, remaining),
        )
        try:
            with self.session.get(
                url, params=dict(params), timeout=timeout, stream=True
            ) as response:
                logger.debug("HTTP %d: %s", response.status_code, redact(response.url))
                body = self._read_body(response, deadline)
                return Response(response.status_code, body, redact(response.url))
        except requests.Timeout as error:
            raise _Retryable(f"応答がありません: {_describe(error)}") from None
        except requests.ConnectionError as error:
            raise _Retryable(f"接続できません: {_describe(error)}") from None
        except (
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as error:
            raise _Retryable(f"応答が途中で切れました: {_describe(error)}") from None
        except requests.RequestException as error:
            raise RemoteDataError(
                f"{self.service} への要求が失敗しました（{_describe(error)}）。",
                place=redact(url),
                hint="設定の URL を確かめてください。",
            ) from None

    def _read_body(self, response: requests.Response, deadline: float) -> bytes:
        # read1 returns what one socket read brings, so a server that sends a
        # byte at a time still meets the deadline check between reads.
        chunks = []
        raw = response.raw
        while True:
            try:
                chunk = raw.read1(1 << 16, decode_content=True)
            except urllib3.exceptions.ReadTimeoutError as error:
                raise requests.Timeout(str(error)) from None
            except urllib3.exceptions.ProtocolError as error:
                raise requests.exceptions.ChunkedEncodingError(str(error)) from None
            if not chunk:
                break
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise _Retryable("時間内に応答を読み終えられませんでした")
        body = b"".join(chunks)

        expected = response.headers.get("Content-Length")
        if (
            expected
            and expected.isdigit()
            and "Content-Encoding" not in response.headers
            and len(body) != int(expected)
        ):
            raise _Retryable(
                f"応答が途中で切れました（{len(body)} / {expected} バイト）"
            )
        return body


_OS_ERROR = re.compile(r"\[Errno -?\d+\][^\"')]*")


def _is_retryable(status_code: int) -> bool:
    return status_code == TOO_MANY_REQUESTS or status_code >= 500


def _describe(error: Exception) -> str:
    """Return the gist of a requests exception, with every secret removed.

    requests wraps the operating system's error in several layers of urllib3
    text that repeat the URL. The full text goes to the DEBUG log, redacted.
    """
    full = redact(f"{type(error).__name__}: {error}")
    logger.debug("%s", full)
    found = _OS_ERROR.findall(full)
    if found:
        return found[-1].strip()
    if isinstance(error, requests.Timeout):
        return "タイムアウト"
    return type(error).__name__
