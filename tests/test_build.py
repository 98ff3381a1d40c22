"""The real `databook build` on the sample project: PDF, site, data, errors."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from databook.build import chapter_slug
from databook.cache import STATE_FILE
from databook.errors import EnvironmentProblem
from databook.staging import publish, remove_leftovers, swap_in
from tests.conftest import REPO, run_databook, set_municipality


def pdf_text(pdf: Path, page: int | None = None, *, layout: bool = True) -> str:
    args = ["pdftotext", "-layout" if layout else "-raw"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run(
        [*args, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


class PageParser(HTMLParser):
    """Collects what a page loads, links to, and its tables."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.links: list[str] = []
        self.lang = None
        self.tables: list[dict] = []
        self._figure_id = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag in ("script", "img", "iframe", "source", "video", "audio") and attrs.get(
            "src"
        ):
            self.loads.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.loads.append(attrs["href"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "figure":
            self._figure_id = attrs.get("id")
        if tag == "table":
            self.tables.append({"figure": self._figure_id, "rows": []})
        if tag == "tr":
            self._row = []
        if tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        if tag == "tr" and self._row is not None:
            self.tables[-1]["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def number(cell: str) -> float | None:
    """Read a printed table cell back as a number (△ is minus)."""
    text = cell.replace(",", "").replace("△", "-")
    if text in ("…", "x", "-", ""):
        return None
    return float(text)


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# ---------------------------------------------------------------- the PDF


def test_pdf_fonts_all_embedded(sample_book):
    output = subprocess.run(
        ["pdffonts", str(sample_book / "build" / "databook.pdf")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = output.splitlines()[2:]
    assert rows, output
    for row in rows:
        # Columns: name, type, encoding, emb, sub, uni, object ID.
        fields = row.split()
        assert fields[-5] == "yes", row
    assert any("BIZ-UDPGothic" in row for row in rows)


def test_pdf_text_holds_key_figures(sample_book):
    text = pdf_text(sample_book / "build" / "databook.pdf")
    assert "真鶴町" in text
    assert "第1章 人口" in text
    assert "第2章 人口動態" in text
    # 2020 census population, SSDSE-A-2026 line 722 column D.
    assert "6,722人" in text
    assert "33市町村中1位" in text
    assert "出典：総務省「国勢調査」" in text


def test_pdf_contents_page_numbers(sample_book):
    pdf = sample_book / "build" / "databook.pdf"
    contents = pdf_text(pdf, page=2)
    entries = re.findall(r"(第\d章 [^\s.]+)\s*\.*\s*(\d+)\s*$", contents, re.M)
    assert [title for title, _ in entries] == [
        "第1章 人口",
        "第2章 人口動態",
        "第3章 産業",
        "第4章 観光",
        "第5章 漁業",
        "第6章 経済",
        "第7章 財政",
    ]
    for title, page in entries:
        page_text = pdf_text(pdf, page=int(page))
        heading = [line.strip() for line in page_text.splitlines() if line.strip()]
        # The running header carries the chapter's short title; the heading follows.
        assert title in heading[:3], (title, page, heading[:3])


def test_pdf_every_chart_has_source_line(sample_book):
    # In content order: -layout moves the 出典 line of a chart with rotated
    # axis labels (industry_shares) above its caption.
    text = pdf_text(sample_book / "build" / "databook.pdf", layout=False)
    captions = re.findall(r"図\d-\d", text)
    assert captions
    blocks = re.split(r"\n\s*図\d-\d\s", text)[1:]
    for block in blocks:
        assert "出典：" in block


# ---------------------------------------------------------------- the site


def site_pages(project: Path) -> list[Path]:
    return sorted((project / "build" / "site").glob("*.html"))


def test_site_has_index_and_chapter_pages(sample_book):
    names = [p.name for p in site_pages(sample_book)]
    assert "index.html" in names
    assert "01-population.html" in names
    assert "02-population-change.html" in names


def test_site_loads_nothing_from_other_hosts(sample_book):
    for page in site_pages(sample_book):
        parsed = parse_page(page)
        assert parsed.lang == "ja", page.name
        for url in parsed.loads:
            assert not re.match(r"^(https?:)?//", url), (page.name, url)
            if not url.startswith("data:"):
                assert (page.parent / url).is_file(), (page.name, url)
        html = page.read_text(encoding="utf-8")
        assert "cdn." not in html


def test_chapter_pages_link_their_csvs(sample_book):
    for page in site_pages(sample_book):
        if not page.name[:2].isdigit():
            continue
        parsed = parse_page(page)
        csvs = [link for link in parsed.links if link.endswith(".csv")]
        figures = [t for t in parsed.tables if t["figure"]]
        assert len(csvs) >= len({t["figure"] for t in figures}), page.name
        for link in csvs:
            assert (page.parent / link).is_file(), (page.name, link)


def test_csv_matches_chart_table(sample_book):
    site = sample_book / "build" / "site"
    checked = 0
    for page in site_pages(sample_book):
        for table in parse_page(page).tables:
            csv_path = site / "data" / f"{table['figure']}.csv"
            if not table["figure"] or not csv_path.exists():
                continue
            raw = csv_path.read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf"), csv_path.name
            rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
            header, *body = table["rows"]
            if table["figure"].startswith("table-"):
                checked += _compare_published_table(csv_path.name, header, body, rows)
                continue
            for cells in body:
                x = cells[0]
                for series_header, cell in zip(header[1:], cells[1:], strict=True):
                    series = series_header.split("（")[0]
                    # Printed to the chart's decimals (ChartSpec.value_digits).
                    digits = len(cell.split(".")[1]) if "." in cell else 0
                    found = [float(r["値"]) for r in rows if _matches(r, x, series)]
                    shown = number(cell)
                    if shown is None:
                        assert not found, (csv_path.name, x, series)
                    else:
                        assert len(found) == 1, (csv_path.name, x, series)
                        assert round(found[0], digits) == shown, (csv_path.name, x)
                    checked += 1
    # 5 charts: 2 + 2×3 age cells, 33 ageing rates, 2×8 + 2×9 + 2×9 change cells.
    assert checked > 80


def _compare_published_table(name, header, body, rows) -> int:
    assert len(body) == len(rows), name
    checked = 0
    for cells, row in zip(body, rows, strict=True):
        for label, cell in zip(header, cells, strict=True):
            shown = number(cell) if re.fullmatch(r"[△\d,.…x-]+", cell) else cell
            if isinstance(shown, float) or shown is None:
                raw = row[label]
                assert (float(raw) if raw else None) == (
                    pytest.approx(shown, abs=0.051) if shown is not None else None
                ), (name, label, cell, raw)
            else:
                assert row[label] == cell, (name, label)
            checked += 1
    return checked


def _matches(row: dict, x: str, series: str) -> bool:
    period = row["期間"]
    labels = (row["地域"], f"{period}年", f"{period[2:]}年度", _date_label(period))
    # A chart of 1 January counts (住基) shows the year alone on its axis.
    if period.endswith("-01-01"):
        labels += (f"{period[:4]}年",)
    # Charts by industry have the industry as x; the CSV names it in 指標.
    named = x in labels or f"（{x}）" in row["指標"]
    return row["値"] != "" and named and row["系列"] == series


def _date_label(period: str) -> str:
    """Write a month or date period as axes do: 2023-04 → 2023年4月."""
    parts = period.split("-")
    if len(parts) < 2 or not all(part.isdigit() for part in parts):
        return ""
    units = ("年", "月", "日")
    return "".join(
        f"{int(part)}{unit}" for part, unit in zip(parts, units, strict=False)
    )


def test_processed_data_written(sample_book):
    processed = sample_book / "data" / "processed"
    names = sorted(p.name for p in processed.glob("*.csv"))
    assert "age_structure.csv" in names
    assert "vital.csv" in names
    text = (processed / "vital.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("系列,指標コード,")
    assert "A4101" in text


def test_no_staging_left_behind(sample_book):
    assert not list(sample_book.glob(".databook-tmp-*"))
    assert not list(sample_book.glob(".build.old-*"))


# ---------------------------------------------------------------- another town


def test_yugawara_book_has_its_own_figures(yugawara_book, sample_book):
    text = pdf_text(yugawara_book / "build" / "databook.pdf")
    assert "湯河原町" in text
    # SSDSE-A-2026 line 723, column D: 23,426; ageing rate 9961 ÷ 23187 = 43.0%.
    assert "23,426人" in text
    assert "43.0%" in text
    assert "33市町村中2位" in text
    assert "6,722人で" not in text
    chapter = (yugawara_book / "build" / "site" / "01-population.html").read_text(
        encoding="utf-8"
    )
    assert "湯河原町の総人口は23,426人" in chapter


# ---------------------------------------------------------------- bad input


@pytest.fixture
def built_copy(sample_book, tmp_path) -> Path:
    """A copy of the built sample whose inputs a test may break."""
    project = tmp_path / "built"
    shutil.copytree(
        sample_book, project, ignore=shutil.ignore_patterns(".databook-tmp-*")
    )
    return project


def _assert_outputs_untouched(project: Path, before: dict) -> None:
    assert tree_digest(project / "build") == before["build"]
    assert tree_digest(project / "data" / "processed") == before["processed"]
    assert not list(project.glob(".databook-tmp-*"))


def _digests(project: Path) -> dict:
    return {
        "build": tree_digest(project / "build"),
        "processed": tree_digest(project / "data" / "processed"),
    }


def test_missing_input_file_message(built_copy):
    before = _digests(built_copy)
    (built_copy / "data" / "raw" / "codes" / "localgovjp-utf8.csv").unlink()

    result = run_databook("build", cwd=built_copy)

    assert result.returncode != 0
    assert "datasets.municipalities.file" in result.stderr
    assert "localgovjp-utf8.csv" in result.stderr
    assert "見つかりません" in result.stderr
    assert "Traceback" not in result.stderr
    _assert_outputs_untouched(built_copy, before)


def test_unknown_setting_message(built_copy):
    before = _digests(built_copy)
    config = built_copy / "databook.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("edition:", "editon:"),
        encoding="utf-8",
    )

    result = run_databook("build", cwd=built_copy)

    assert result.returncode != 0
    assert "databook.yml" in result.stderr
    assert "editon" in result.stderr
    assert "もしかして edition" in result.stderr
    assert re.search(r"\d+行目", result.stderr)
    assert "Traceback" not in result.stderr
    _assert_outputs_untouched(built_copy, before)


def test_corrupt_csv_message(built_copy):
    before = _digests(built_copy)
    path = built_copy / "data" / "raw" / "ssdse" / "SSDSE-A-2024.csv"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])

    result = run_databook("build", cwd=built_copy)

    assert result.returncode != 0
    assert "SSDSE-A-2024.csv" in result.stderr
    assert re.search(r"\d+行目", result.stderr)
    assert "Traceback" not in result.stderr
    _assert_outputs_untouched(built_copy, before)


def test_unknown_variable_in_chapter(built_copy):
    before = _digests(built_copy)
    chapter = built_copy / "chapters" / "01-population.qmd"
    chapter.write_text(
        chapter.read_text(encoding="utf-8").replace(
            "population.total >}}", "population.totl >}}", 1
        ),
        encoding="utf-8",
    )

    result = run_databook("build", cwd=built_copy)

    assert result.returncode != 0
    assert "chapters/01-population.qmd" in result.stderr
    assert "population.totl" in result.stderr
    assert "もしかして population.total" in result.stderr
    _assert_outputs_untouched(built_copy, before)


def test_unknown_names_in_two_chapters(built_copy):
    before = _digests(built_copy)
    for name, old, new in (
        ("01-population.qmd", "population.total >}}", "population.totl >}}"),
        ("07-finance.qmd", "{{< chart finance_trend >}}", "{{< chart finance_trnd >}}"),
    ):
        chapter = built_copy / "chapters" / name
        text = chapter.read_text(encoding="utf-8")
        assert old in text
        chapter.write_text(text.replace(old, new, 1), encoding="utf-8")

    result = run_databook("build", cwd=built_copy)

    assert result.returncode == 1
    assert "chapters/01-population.qmd" in result.stderr
    assert "population.totl" in result.stderr
    assert "chapters/07-finance.qmd" in result.stderr
    assert "グラフ finance_trnd はありません" in result.stderr
    assert "エラーは全部で 2 件です。" in result.stderr
    _assert_outputs_untouched(built_copy, before)


def test_corrupt_xls_message(built_copy):
    before = _digests(built_copy)
    name = "gyogyo_census2013_vol3_keieitai_kaisou_shikuchoson_gakulab.xls"
    path = built_copy / "data" / "raw" / "fishery" / name
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])

    result = run_databook("build", cwd=built_copy)

    assert result.returncode == 1
    assert f"data/raw/fishery/{name}" in result.stderr
    assert "壊れているか、途中で切れています" in result.stderr
    assert "Traceback" not in result.stderr
    assert "IndexError" not in result.stderr
    assert "WARNING" not in result.stdout + result.stderr
    _assert_outputs_untouched(built_copy, before)


def test_chapter_slug_ascii_names():
    assert chapter_slug(1, "chapters/01-population.qmd") == "01-population"
    assert chapter_slug(2, "chapters/02_Population_Change.qmd") == (
        "02-population-change"
    )
    assert chapter_slug(3, "chapters/industry.qmd") == "03-industry"


def test_chapter_slug_japanese_names():
    # Japanese names give the chapter number alone, never ASCII leftovers.
    assert chapter_slug(7, "chapters/07-財政.qmd") == "07"
    assert chapter_slug(7, "chapters/07-令和7年度の財政.qmd") == "07"
    assert chapter_slug(3, "chapters/03-juki人口.qmd") == "03"
    # The number is the chapter's place in the book, so names never collide,
    # even for files that carry the same number.
    names = [chapter_slug(n, "chapters/07-財政.qmd") for n in (1, 7, 12)]
    assert names == ["01", "07", "12"]


def test_japanese_chapter_names_build(built_copy):
    config = built_copy / "databook.yml"
    text = config.read_text(encoding="utf-8")
    for old, new in (("03-industry", "03-産業"), ("07-finance", "07-財政")):
        (built_copy / "chapters" / f"{old}.qmd").rename(
            built_copy / "chapters" / f"{new}.qmd"
        )
        text = text.replace(f"chapters/{old}.qmd", f"chapters/{new}.qmd")
    config.write_text(text, encoding="utf-8")

    result = run_databook("build", cwd=built_copy)

    assert result.returncode == 0, result.stderr
    site = built_copy / "build" / "site"
    names = {page.name for page in site.glob("*.html")}
    assert {"03.html", "07.html", "01-population.html"} <= names
    assert not any(ord(char) > 127 for name in names for char in name)
    index = parse_page(site / "index.html")
    assert "03.html" in index.links
    assert "07.html" in index.links
    for page in site.glob("*.html"):
        for link in parse_page(page).links:
            if re.match(r"^[a-z]+:", link) or link.startswith("#"):
                continue
            target = link.split("#")[0]
            assert (page.parent / target).exists(), (page.name, link)
    finance = parse_page(site / "07.html")
    csvs = [link for link in finance.links if link.endswith(".csv")]
    assert csvs
    quarto = built_copy / "build" / "quarto"
    quarto_config = (quarto / "_quarto.yml").read_text(encoding="utf-8")
    assert "- 03.qmd" in quarto_config
    assert "- 07.qmd" in quarto_config
    assert (quarto / "07.qmd").is_file()
    assert "07-財政" not in quarto_config


def test_other_town_by_national_code(project):
    set_municipality(project, "143847")
    result = run_databook("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "湯河原町" in pdf_text(project / "build" / "databook.pdf")


def test_doctor_passes_here():
    result = run_databook("doctor", cwd=Path.cwd())
    assert result.returncode == 0, result.stderr
    assert "chromium" in result.stderr


def test_failed_second_swap_puts_first_back(tmp_path):
    # build/ swaps in, then data/processed/ cannot (its staged folder is
    # gone): build/ must be the earlier one again, with its state file.
    build, processed = tmp_path / "build", tmp_path / "processed"
    for folder, content in ((build, b"earlier book"), (processed, b"earlier data")):
        folder.mkdir()
        (folder / "file").write_bytes(content)
    (build / STATE_FILE).write_text('{"fingerprint": "earlier"}', encoding="utf-8")
    stage = tmp_path / "stage"
    stage.mkdir()
    (stage / "file").write_bytes(b"new book")

    with pytest.raises(EnvironmentProblem):
        publish(
            [(stage, build), (tmp_path / "missing-stage", processed)],
            build,
            "new",
        )

    assert (build / "file").read_bytes() == b"earlier book"
    assert "earlier" in (build / STATE_FILE).read_text(encoding="utf-8")
    assert (processed / "file").read_bytes() == b"earlier data"
    assert (stage / "file").read_bytes() == b"new book"


def test_publish_writes_state_last(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    (build / "old.pdf").write_bytes(b"earlier")
    stage = tmp_path / "stage"
    stage.mkdir()
    (stage / "databook.pdf").write_bytes(b"new")

    publish([(stage, build)], build, "fingerprint")

    state = json.loads((build / STATE_FILE).read_text(encoding="utf-8"))
    assert state == {"fingerprint": "fingerprint", "outputs": ["databook.pdf"]}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_leftovers_of_ended_builds_removed(tmp_path):
    # A process that has exited: its PID names the leftovers below.
    child = subprocess.Popen(["true"])
    child.wait()
    left = [
        tmp_path / f".databook-tmp-{child.pid}-x1y2",
        tmp_path / f".build.old-{child.pid}",
        tmp_path / "data" / f".processed.old-{child.pid}",
    ]
    (tmp_path / "data").mkdir()
    running = tmp_path / f".databook-tmp-{os.getpid()}-live"
    for folder in [*left, running]:
        folder.mkdir()

    remove_leftovers(tmp_path)

    assert not any(folder.exists() for folder in left)
    assert running.is_dir()


def test_failed_swap_keeps_old_output(tmp_path):
    # The new folder vanished before the swap (a rename that fails): the old
    # build/ must be put back and the error must be a located message.
    target = tmp_path / "build"
    target.mkdir()
    (target / "databook.pdf").write_bytes(b"earlier book")

    with pytest.raises(EnvironmentProblem) as raised:
        swap_in(tmp_path / "missing-stage", target)

    assert "置き換えられません" in raised.value.message
    assert (target / "databook.pdf").read_bytes() == b"earlier book"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_sources_page_lists_each_file(sample_book):
    """Each findings file is listed, though all three cite one nordot.app page."""
    html = (sample_book / "build" / "site" / "sources.html").read_text("utf-8")
    rows = {
        match.group(1): match.group(2)
        for match in re.finditer(
            r"<tr><th scope=\"row\"><code>([^<]+)</code>(.*?)</tr>", html
        )
    }
    for name in ("tourism", "fishery", "economy"):
        assert f"data/raw/findings/manazuru_{name}_TRANSCRIBED.csv" in rows
    tourism = rows["data/raw/findings/manazuru_tourism_TRANSCRIBED.csv"]
    assert "nordot.app 掲載の記事" in tourism
    assert "www.townnews.co.jp 掲載の記事" in tourism
    for row in rows.values():
        references = re.findall(r"<td>([^<]*)</td>", row)[2]
        years = [int(y) for y in re.findall(r"(\d{4})", references)]
        assert years == sorted(years), references


def limit_file_size() -> None:
    """Let the child's writes past 1 MB fail with EFBIG instead of a signal."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))


def test_failed_write_keeps_outputs(built_copy):
    """A write that fails (here: past a file size limit) is reported, not raised.

    plotly.min.js, copied into the Quarto project, is larger than 1 MB.
    """
    before = _digests(built_copy)
    config = built_copy / "databook.yml"
    text = config.read_text(encoding="utf-8")
    # Without the PDF and the site, no chart is drawn, so chromium, which the
    # limit would break too, is not started.
    text = text.replace("  pdf: true", "  pdf: false")
    text = text.replace("  site: true", "  site: false")
    config.write_text(text, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}

    result = subprocess.run(
        [sys.executable, "-m", "databook.cli", "build"],
        cwd=built_copy,
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=limit_file_size,
        timeout=600,
    )

    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert "ファイルの大きさの上限を超えました" in result.stderr
    assert "plotly.min.js" in result.stderr
    assert "build/ と data/processed/ は前回のままです" in result.stderr
    _assert_outputs_untouched(built_copy, before)
