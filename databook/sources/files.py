"""Reading raw files: hashes, encodings, and errors that name the file."""

from __future__ import annotations

import hashlib
import json
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
        if isinstance(error, IsADirectoryError):
            reason = "ファイルではなくフォルダです"
        elif isinstance(error, PermissionError):
            reason = "読む権限がありません"
        else:
            reason = "読み込みに失敗しました"
        raise InputError(
            f"ファイルを読めません（{reason}）。",
            file=shown,
            hint="ファイルの権限と、別のプログラムが開いていないかを確認してください。",
            detail=f"{type(error).__name__}: {error}",
        ) from None


# The messages of Python's json module, by how they start, in Japanese.
JSON_MESSAGES = (
    (
        "Expecting value",
        "値がありません。空か、途中で切れているか、JSON でない文字があります",
    ),
    ("Expecting ',' delimiter", "値の区切りの「,」がありません"),
    ("Expecting ':' delimiter", "名前の後の「:」がありません"),
    (
        "Expecting property name",
        '名前が「"」で囲まれていないか、余分な「,」があります',
    ),
    ("Unterminated string", '文字列が「"」で閉じられていません'),
    ("Invalid control character", "文字列の中に改行かタブがあります"),
    ("Invalid \\uXXXX escape", "「\\u」の後が4桁の16進数ではありません"),
    ("Invalid \\escape", "「\\」の後の文字が使えません"),
    ("Extra data", "JSON の終わりの後に余分な文字があります"),
)


def json_error_text(error: json.JSONDecodeError) -> str:
    """Return what a JSONDecodeError found, in Japanese."""
    for start, text in JSON_MESSAGES:
        if error.msg.startswith(start):
            return text
    return "JSON の書き方が正しくありません"


def decode(
    data: bytes, *, encodings: tuple[str, ...], display_path: str
) -> tuple[str, str]:
    """Decode bytes with the first encoding that fits; return (text, encoding)."""
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue

    names = list(dict.fromkeys(ENCODING_NAMES.get(e, e) for e in encodings))
    expected = names[0] if len(names) == 1 else f"{'、'.join(names)} のどれか"
    hint = f"{expected} で保存し直してください。"
    if display_path.lower().endswith(".csv") and "UTF-8" in names:
        hint = (
            "Excel で作ったファイルなら、「名前を付けて保存」で"
            "「CSV UTF-8（コンマ区切り）」を選んで保存し直してください。"
            "配布されたファイルなら、手を加えずにそのまま置いてください。"
        )
    raise InputError(
        f"文字コードが {expected} ではないため、読み取れません。",
        file=display_path,
        hint=hint,
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
