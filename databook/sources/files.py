"""Reading raw files: hashes, encodings, and errors that name the file."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from databook.errors import InputError

ENCODING_NAMES = {
    "utf-8-sig": "UTF-8",
    "utf-8": "UTF-8",
    "cp932": "Shift_JIS (CP932)",
}


@cache
def _sha256_cached(path: Path, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file, computed once per version of the file."""
    stat = path.stat()
    return _sha256_cached(path.resolve(), stat.st_size, stat.st_mtime_ns)


def read_bytes(path: Path, *, display_path: str | None = None) -> bytes:
    """Read a file, turning a missing or unreadable file into an InputError."""
    shown = display_path or str(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            "ファイルが見つかりません。",
            file=shown,
            hint="ファイルを置くか、databook.yml の該当する設定を直してください。",
        ) from None
    except OSError as error:
        raise InputError(
            f"ファイルを読めません（{error.strerror}）。",
            file=shown,
            hint="ファイルの権限と、別のプログラムが開いていないかを確認してください。",
        ) from None


def decode(
    data: bytes, *, encodings: tuple[str, ...], display_path: str
) -> tuple[str, str]:
    """Decode bytes with the first encoding that fits; return (text, encoding)."""
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue

    expected = "、".join(dict.fromkeys(ENCODING_NAMES.get(e, e) for e in encodings))
    raise InputError(
        f"文字コードを読み取れません（{expected} のいずれでもありません）。",
        file=display_path,
        hint=f"{expected} で保存し直すか、配布元のファイルをそのまま置いてください。",
    )


def read_text(
    path: Path, *, encodings: tuple[str, ...], display_path: str | None = None
) -> str:
    """Read and decode a text file, trying `encodings` in order."""
    shown = display_path or str(path)
    text, _ = decode(
        read_bytes(path, display_path=shown), encodings=encodings, display_path=shown
    )
    return text
