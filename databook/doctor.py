"""Checks of what a build needs on this machine, each with its fix."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

from databook.errors import EnvironmentProblem

JAPANESE_FONTS = ("BIZ UDPGothic", "Noto Sans CJK JP")
APT_INSTALL = "sudo apt-get install -y"


@dataclass(frozen=True)
class Check:
    """The outcome of one check."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    """What to run or change when the check failed."""


def check_chromium() -> Check:
    """Find the browser kaleido will use, the way kaleido finds it."""
    from choreographer.browsers.chromium import Chromium

    from databook.charts.export import browser_problem

    configured = os.environ.get("BROWSER_PATH")
    path = Chromium.find_browser(skip_local=False)
    if path and os.access(path, os.X_OK):
        problem = browser_problem()
        if problem is None:
            return Check("chromium（グラフの書き出し）", True, path)
        return Check(
            "chromium（グラフの書き出し）",
            False,
            problem,
            "chromium を入れ直すか、BROWSER_PATH を正しい chromium にしてください"
            f"（{APT_INSTALL} --reinstall chromium）。",
        )
    if configured:
        return Check(
            "chromium（グラフの書き出し）",
            False,
            f"環境変数 BROWSER_PATH の {configured} が実行できません",
            "BROWSER_PATH を chromium の正しいパスにするか、設定を消してください。",
        )
    return Check(
        "chromium（グラフの書き出し）",
        False,
        "chromium が見つかりません",
        f"{APT_INSTALL} chromium",
    )


def check_fonts() -> Check:
    """Check that a Japanese font the book names is installed."""
    if shutil.which("fc-list") is None:
        return Check(
            "日本語フォント",
            False,
            "fc-list（fontconfig）がありません",
            f"{APT_INSTALL} fontconfig fonts-morisawa-bizud-gothic fonts-noto-cjk",
        )
    result = subprocess.run(
        ["fc-list", ":lang=ja", "family"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    families = result.stdout
    found = [font for font in JAPANESE_FONTS if font in families]
    if found:
        return Check("日本語フォント", True, "、".join(found))
    return Check(
        "日本語フォント",
        False,
        f"{' / '.join(JAPANESE_FONTS)} のどちらも入っていません",
        f"{APT_INSTALL} fonts-morisawa-bizud-gothic fonts-noto-cjk",
    )


def check_weasyprint() -> Check:
    """Check that WeasyPrint and the Pango libraries it loads are present.

    Looks the library up rather than importing WeasyPrint, which takes about
    a second, so that the check costs little on every build.
    """
    import ctypes.util
    import importlib.metadata

    try:
        version = importlib.metadata.version("weasyprint")
    except importlib.metadata.PackageNotFoundError:
        return Check(
            "WeasyPrint（PDF）",
            False,
            "weasyprint がありません",
            "pip install weasyprint",
        )
    missing = [
        name
        for name in ("pango-1.0", "pangoft2-1.0")
        if ctypes.util.find_library(name) is None
    ]
    if missing:
        return Check(
            "WeasyPrint（PDF）",
            False,
            f"Pango のライブラリ {', '.join(missing)} が見つかりません",
            f"{APT_INSTALL} libpango-1.0-0 libpangoft2-1.0-0",
        )
    return Check("WeasyPrint（PDF）", True, f"WeasyPrint {version}")


def run_checks(*, pdf: bool = True) -> list[Check]:
    """Run the checks a build needs; the PDF ones only when a PDF is written."""
    checks = [check_fonts()]
    if pdf:
        checks += [check_chromium(), check_weasyprint()]
    return checks


def require(checks: list[Check]) -> None:
    """Raise one EnvironmentProblem listing every failed check and its fix."""
    failed = [c for c in checks if not c.ok]
    if not failed:
        return
    lines = [f"{c.name}: {c.detail}" for c in failed]
    fixes = [c.fix for c in failed if c.fix]
    raise EnvironmentProblem(
        "ビルドに必要なものが足りません。\n  " + "\n  ".join(lines),
        hint="次を実行してから、もう一度ビルドしてください。\n  " + "\n  ".join(fixes),
    )
