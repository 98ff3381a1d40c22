"""`quarto render` on build/quarto/, run as a subprocess with a timeout.

Quarto is not a Python package here (its PyPI package downloads the binary
while it installs), so databook finds an installed `quarto`, checks its
version, streams its output into build/quarto/render.log and the log, and
turns every failure into a DatabookError.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import signal
import subprocess
import threading
from collections import deque
from pathlib import Path

from databook.config import CONFIG_NAME
from databook.errors import EnvironmentProblem, QuartoError
from databook.publish.quarto import MIN_QUARTO_VERSION

logger = logging.getLogger(__name__)

LOG_NAME = "render.log"
OUTPUT_DIR = "_book"
VERSION_TIMEOUT = 60
"""Seconds that `quarto --version` may run before it counts as hung."""
TAIL_LINES = 20
"""Lines of the render log shown in the error when quarto fails."""
MIN_VERSION_TEXT = ".".join(map(str, MIN_QUARTO_VERSION))
INSTALL_HINT = (
    f"Quarto {MIN_VERSION_TEXT} 以上を https://quarto.org/docs/get-started/ から"
    "入れてください（Debian では、ダウンロードした .deb ファイルを "
    "sudo apt-get install ./quarto-*.deb で入れます）。quarto が PATH にない場所に"
    "あるときは、databook.yml の quarto.path にそのパスを書いてください。"
    "入れた後は、もう一度 databook build --render-quarto を実行するか、"
    "build/quarto/ で quarto render を実行してください。"
)
WRITTEN_ANYWAY = (
    "組み込みの出力（build/ の PDF・サイト・Quarto プロジェクト）は書き出し済みです。"
)


def find_quarto(configured: Path | None) -> Path:
    """Return the quarto executable: `configured` if given, else the one on PATH."""
    if configured:
        path = configured.expanduser()
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise EnvironmentProblem(
            f"quarto.path に書かれた {configured} が見つからないか、実行できません。"
            + WRITTEN_ANYWAY,
            file=CONFIG_NAME,
            place="設定 quarto.path",
            hint=INSTALL_HINT,
        )
    found = shutil.which("quarto")
    if found is None:
        raise EnvironmentProblem(
            "quarto コマンドが見つからないため、"
            "Quarto でのレンダリングをしませんでした。" + WRITTEN_ANYWAY,
            hint=INSTALL_HINT,
        )
    return Path(found)


def parse_version(text: str) -> tuple[int, int, int] | None:
    """Return (major, minor, patch) from `quarto --version` output, or None."""
    match = re.match(r"\s*v?(\d+)\.(\d+)(?:\.(\d+))?", text)
    if match is None:
        return None
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch or 0)


def check_version(quarto: Path) -> tuple[int, int, int]:
    """Run `quarto --version` and raise unless it is MIN_QUARTO_VERSION or later."""
    try:
        result = subprocess.run(
            [str(quarto), "--version"],
            capture_output=True,
            text=True,
            timeout=VERSION_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise EnvironmentProblem(
            f"{quarto} --version が {VERSION_TIMEOUT} 秒以内に終わりませんでした。"
            + WRITTEN_ANYWAY,
            hint="quarto --version を端末で実行して、動くか確かめてください。",
        ) from None
    except OSError as error:
        raise EnvironmentProblem(
            f"{quarto} を実行できません（{error.strerror or error}）。"
            + WRITTEN_ANYWAY,
            hint=INSTALL_HINT,
        ) from None

    output = result.stdout.strip()
    version = parse_version(output) if result.returncode == 0 else None
    if version is None:
        reported = (output or result.stderr.strip())[:200] or "（出力なし）"
        raise EnvironmentProblem(
            f"{quarto} --version の結果から版を読み取れません"
            f"（終了コード {result.returncode}、出力: {reported}）。" + WRITTEN_ANYWAY,
            hint="quarto --version を端末で実行して、動くか確かめてください。"
            + INSTALL_HINT,
        )
    if version[:2] < MIN_QUARTO_VERSION:
        raise EnvironmentProblem(
            f"Quarto {output} は古すぎます。typst で PDF を作る book には "
            f"Quarto {MIN_VERSION_TEXT} 以上が必要です。" + WRITTEN_ANYWAY,
            hint=INSTALL_HINT,
        )
    return version


def render_quarto(project: Path, *, configured: Path | None, timeout: int) -> Path:
    """Run `quarto render` in the Quarto project `project`; return its _book/.

    The output is written line by line to <project>/render.log and logged. On
    timeout the whole process group is killed (quarto starts deno, pandoc and
    typst), because killing quarto alone would leave those running.
    """
    quarto = find_quarto(configured)
    version = check_version(quarto)
    logger.info(
        "Quarto %s でレンダリング中: %s（最長 %d 秒）",
        ".".join(map(str, version)),
        project,
        timeout,
    )

    log_path = project / LOG_NAME
    # NO_COLOR asks quarto (a Deno program) for plain text without colour escapes.
    environment = {**os.environ, "NO_COLOR": "1"}
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    with log_path.open("w", encoding="utf-8") as log_file:
        process = subprocess.Popen(
            [str(quarto), "render"],
            cwd=project,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
        )
        reader = threading.Thread(
            target=_copy_output, args=(process, log_file, tail), daemon=True
        )
        reader.start()
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            reader.join(timeout=10)
            raise QuartoError(
                f"quarto render が {timeout} 秒以内に終わらなかったため、止めました。"
                + WRITTEN_ANYWAY,
                file=log_path,
                hint="databook.yml の quarto.timeout（秒）を大きくするか、"
                f"{log_path} で止まった場所を確かめてください。",
            ) from None
        reader.join()

    if returncode != 0:
        last_lines = "\n    ".join(tail) or "（出力なし）"
        raise QuartoError(
            f"quarto render が失敗しました（終了コード {returncode}）。"
            + WRITTEN_ANYWAY
            + f"\n  ログの最後の {len(tail)} 行:\n    {last_lines}",
            file=log_path,
            hint=f"ログ全体は {log_path} にあります。"
            "quarto の出したエラーを直してから、もう一度実行してください。",
        )

    output = project / OUTPUT_DIR
    if not output.is_dir():
        logger.warning(
            "quarto render は成功しましたが、%s がありません。%s を確かめてください。",
            output,
            log_path,
        )
    else:
        logger.info("書き出し: %s", output)
    return output


def _copy_output(process: subprocess.Popen, log_file, tail: deque[str]) -> None:
    for line in process.stdout:
        log_file.write(line)
        log_file.flush()
        text = line.rstrip("\n")
        tail.append(text)
        logger.info("quarto: %s", text)


def _kill_group(process: subprocess.Popen) -> None:
    if hasattr(os, "killpg"):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    else:
        process.kill()
    process.wait()
