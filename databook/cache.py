"""Content-hash caching of build steps, and the check that nothing changed.

Every key is a SHA-256 over the step's inputs: file contents (never file
times), the relevant settings, and the code of databook itself. This module
uses the standard library only, so that `databook build` can decide that
nothing changed before it imports pandas, plotly or WeasyPrint.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import tempfile
from functools import cache
from pathlib import Path

from databook.errors import EnvironmentProblem

logger = logging.getLogger(__name__)

CACHE_DIR = ".databook-cache"
STATE_FILE = ".databook-state.json"
PACKAGE = Path(__file__).resolve().parent
CODE_SUFFIXES = {".py", ".html", ".css", ".js", ".lua", ".yml", ".typ"}


def hash_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def key_of(*parts: object) -> str:
    """Return a cache key for JSON-serialisable parts."""
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hash_bytes(text.encode("utf-8"))


@cache
def code_version() -> str:
    """Return a hash of databook's own code, templates and styles.

    Part of every key, so that an upgraded or edited databook rebuilds
    everything instead of reusing what older code produced.
    """
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(PACKAGE)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def tree_hashes(root: Path) -> dict[str, str]:
    """Return the content hash of every file under `root`, by relative path."""
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): hash_file(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def project_fingerprint(project: Path) -> str:
    """Return one hash over everything a build reads.

    That is databook.yml, the chapter texts, every file under data/raw/ and
    databook's own code.
    """
    config = project / "databook.yml"
    return key_of(
        code_version(),
        hash_file(config) if config.is_file() else None,
        tree_hashes(project / "chapters"),
        tree_hashes(project / "data" / "raw"),
    )


def read_state(build_dir: Path) -> dict:
    """Return what the last successful build recorded, or an empty dict."""
    try:
        state = json.loads((build_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def is_up_to_date(project: Path) -> bool:
    """Return True when the last build read exactly what is there now."""
    build_dir = project / "build"
    state = read_state(build_dir)
    if not state or state.get("fingerprint") != project_fingerprint(project):
        return False
    outputs = state.get("outputs", [])
    return all((build_dir / output).is_file() for output in outputs)


class StepCache:
    """Stored results of build steps, each checked against its hash when read.

    An entry is two files: the content and its SHA-256. An entry whose
    content does not match (a crash while writing, a disk error, an edit)
    is deleted and reported as missing, so the step runs again.
    """

    def __init__(self, root: Path, *, read: bool = True) -> None:
        if root.exists() and not root.is_dir():
            raise _unusable(root, "がフォルダではなくファイルです")
        self.root = root
        self.read = read
        """False to run every step again (--force) while still storing results."""
        self.hits = 0
        self.misses = 0

    def _paths(self, kind: str, key: str) -> tuple[Path, Path]:
        folder = self.root / kind
        return folder / key, folder / f"{key}.sha256"

    def get(self, kind: str, key: str) -> bytes | None:
        if not self.read:
            self.misses += 1
            return None
        content_path, hash_path = self._paths(kind, key)
        try:
            content = content_path.read_bytes()
            recorded = hash_path.read_text(encoding="ascii").strip()
        except OSError:
            self.misses += 1
            return None
        if hash_bytes(content) != recorded:
            logger.warning(
                "キャッシュが壊れていたので作り直します: %s/%s", kind, key[:12]
            )
            content_path.unlink(missing_ok=True)
            hash_path.unlink(missing_ok=True)
            self.misses += 1
            return None
        self.hits += 1
        return content

    def put(self, kind: str, key: str, content: bytes) -> None:
        content_path, hash_path = self._paths(kind, key)
        try:
            content_path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(content_path, content)
            write_atomic(hash_path, hash_bytes(content).encode("ascii"))
        except OSError as error:
            raise _unusable(self.root, _write_problem(error), error) from None


def _write_problem(error: OSError) -> str:
    if isinstance(error, PermissionError):
        return "に書き込めません（権限がありません）"
    if error.errno == errno.ENOSPC:
        return "に書き込めません（ディスクに空きがありません）"
    if isinstance(error, NotADirectoryError | FileExistsError):
        return "に書き込めません（中に、フォルダのはずの名前のファイルがあります）"
    return "に書き込めません"


def _unusable(
    root: Path, problem: str, error: OSError | None = None
) -> EnvironmentProblem:
    """Return the error for a cache folder that cannot hold the cache."""
    return EnvironmentProblem(
        f"途中の結果を保存する {CACHE_DIR} {problem}。",
        file=root,
        hint=f"{CACHE_DIR} を消すか名前を変えてください（消しても、次のビルドで"
        "作り直します）。フォルダなら、書き込む権限とディスクの空きを確かめて"
        "ください。",
        detail=f"{type(error).__name__}: {error}" if error else None,
    )


def write_atomic(path: Path, content: bytes) -> None:
    """Write to a temporary file beside `path`, then rename it into place."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
