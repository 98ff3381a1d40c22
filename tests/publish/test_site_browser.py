"""The site in a real browser: Debian's chromium driven by Playwright, with axe-core."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import block_ids

playwright = pytest.importorskip("playwright.sync_api")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")

CHROMIUM = Path("/usr/bin/chromium")
WIDTHS = (360, 1280)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def site_url(sample_book):
    handler = functools.partial(QuietHandler, directory=str(sample_book / "build"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/site/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--disable-background-networking", "--disable-quic", "--no-sandbox"],
        )
        yield launched
        launched.close()


# Opens every data table, then returns the row labels and numbers of chapter
# tables that take more than one line, the page's sideways overflow, and how
# many tables scroll sideways inside their own box.
TABLE_LAYOUT = """(() => {
  document.querySelectorAll("details").forEach((d) => { d.open = true; });
  const wrapped = [];
  for (const cell of document.querySelectorAll(
      'figure th[scope="row"], figure td.num')) {
    const range = document.createRange();
    range.selectNodeContents(cell);
    const tops = new Set(
      [...range.getClientRects()].map((r) => Math.round(r.top)));
    if (tops.size > 1) wrapped.push(cell.textContent.trim());
  }
  const boxes = [...document.querySelectorAll(".table-scroll")];
  return {
    wrapped: wrapped,
    overflow_open: document.documentElement.scrollWidth - window.innerWidth,
    scrolling: boxes.filter((b) => b.scrollWidth > b.clientWidth).length,
  };
})()"""


def pages_of(sample_book: Path) -> list[str]:
    return sorted(p.name for p in (sample_book / "build" / "site").glob("*.html"))


def visit(browser, url: str, width: int):
    """Load a page and return it with the console errors and outside requests."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if urlparse(r.url).hostname not in ("127.0.0.1", None)
            else None
        ),
    )
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return context, page, errors, outside


@pytest.fixture(scope="module")
def visits(browser, site_url, sample_book):
    """Visit every page at each width once; record what the tests check."""
    axe = axe_module.Axe()
    records = []
    for width in WIDTHS:
        for name in pages_of(sample_book):
            context, page, errors, outside = visit(browser, site_url + name, width)
            try:
                figures = page.locator("figure.chart")
                charts = [
                    (
                        figures.nth(i).get_attribute("id"),
                        figures.nth(i).locator(".js-plotly-plot .main-svg").count(),
                        figures.nth(i)
                        .locator(".trace .point, .trace .js-line")
                        .count(),
                    )
                    for i in range(figures.count())
                ]
                violations = axe.run(page).response["violations"]
                records.append(
                    {
                        "page": name,
                        "width": width,
                        "errors": errors,
                        "outside": outside,
                        "overflow": page.evaluate(
                            "document.documentElement.scrollWidth - window.innerWidth"
                        ),
                        "charts": charts,
                        "serious": [
                            (v["id"], len(v["nodes"]))
                            for v in violations
                            if v["impact"] in ("serious", "critical")
                        ],
                    }
                )
                # Last, because it opens every data table on the page.
                records[-1].update(page.evaluate(TABLE_LAYOUT))
            finally:
                context.close()
    return records


def test_no_console_errors(visits):
    for record in visits:
        assert record["errors"] == [], record


def test_no_request_leaves_site(visits):
    for record in visits:
        assert record["outside"] == [], record


def test_no_sideways_scrolling(visits):
    for record in visits:
        assert record["overflow"] <= 0, record


def test_no_sideways_scrolling_with_tables_open(visits):
    for record in visits:
        assert record["overflow_open"] <= 0, record


def test_table_labels_and_numbers_one_line(visits):
    # At 360 px, 2016年 used to split into 2016 and 年.
    checked = [record for record in visits if record["width"] == 360]
    assert checked
    for record in checked:
        assert record["wrapped"] == [], (record["page"], record["wrapped"])


def test_wide_tables_scroll_in_their_box(visits):
    # The finance table (9 columns) is wider than a phone, so it scrolls
    # inside .table-scroll while the page stays put.
    narrow = {r["page"]: r["scrolling"] for r in visits if r["width"] == 360}
    assert narrow["07-finance.html"] > 0


def test_every_chart_draws(visits, sample_book):
    drawn = {}
    for record in visits:
        for chart_id, layers, marks in record["charts"]:
            assert layers > 0, (record["page"], record["width"], chart_id)
            assert marks > 0, (record["page"], record["width"], chart_id)
            drawn[chart_id] = marks
    placed = {name for _, kind, name in block_ids(sample_book) if kind == "chart"}
    assert "age_structure" in placed
    assert set(drawn) == placed


def test_no_serious_accessibility_violations(visits):
    for record in visits:
        assert record["serious"] == [], record


def test_keyboard_reaches_data_and_downloads(browser, site_url):
    context, page, _, _ = visit(browser, site_url + "01-population.html", 360)
    try:
        reached = []
        for _ in range(40):
            page.keyboard.press("Tab")
            reached.append(
                page.evaluate(
                    "(() => { const e = document.activeElement;"
                    " return e.tagName + ' ' + (e.getAttribute('href') || e.textContent"
                    " || '').trim().slice(0, 40); })()"
                )
            )
        assert any(r.startswith("A #main") for r in reached[:3]), reached[:3]
        assert any(r.startswith("SUMMARY") for r in reached), reached
        assert any(r.endswith(".csv") for r in reached), reached
    finally:
        context.close()
