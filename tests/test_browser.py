"""The search page in a real browser: headless Chromium (Debian's) driven by Playwright.

``vnsearch serve`` runs as a subprocess on the seeds, the 64 news articles
made from their sentences (categories, sites, years: facets and pages) and
an article whose title and body hold HTML.  The browser types a query
without diacritics, sees the marked hits, follows "did you mean", a facet,
the next page and an article, and never runs the article's HTML.

Browsers are never downloaded: the test needs Debian's ``chromium`` (``apt-get
install chromium``).  Without it the test is skipped, except on CI
(``CI=true``), where ``.ci/run`` installs it and a skip would hide a failure.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import SEEDS, write_article, write_news
from vnsearch import update_index

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Flags for a browser on a closed network, as root (no sandbox), with nothing to fetch at start.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update"]  # fmt: skip
#: Where the README's screenshot is written, when this is set (``VNSEARCH_SCREENSHOT=docs/search-page.png``).
SCREENSHOT = os.environ.get("VNSEARCH_SCREENSHOT")

XSS_TITLE = "Tin lạ <script>alert('tiêu đề')</script> ở Hà Giang <img src=x onerror=alert(1)>"
XSS_BODY = "Bài về dân số <script>alert('nội dung')</script> và <img src=x onerror=alert(2)> mùa xuân."

pytestmark = pytest.mark.slow

if CHROMIUM is None and os.environ.get("CI") != "true":
    pytestmark = [pytest.mark.slow, pytest.mark.skip(reason="no Chromium: `apt-get install chromium` to run the browser test")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The URL of ``vnsearch serve`` on the seeds, the news articles and the HTML article."""
    root = tmp_path_factory.mktemp("browser")
    seeds = root / "seeds"
    shutil.copytree(SEEDS, seeds)
    write_news(seeds / "tin")
    write_article(seeds, "html", XSS_TITLE, XSS_BODY)
    update_index(seeds, root / "index", jobs=1)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "vnsearch", "serve", "--index", str(root / "index"), "--port", str(port),
         "--workers", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/stats", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"vnsearch serve did not start: {process.stderr.read()}") from None
                time.sleep(0.2)
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.dialogs = []  # any alert() an article's HTML managed to run
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def test_search_follow_suggestion_facet_next_page_and_article(server, page, tmp_path):
    page.goto(server)
    page.fill("input[type=search][name=q]", "dan so")
    page.press("input[type=search][name=q]", "Enter")
    page.wait_for_selector("li.hit")
    assert "q=dan+so" in page.url or "q=dan%20so" in page.url
    marked = page.locator("li.hit mark").all_inner_texts()
    assert marked and {m.lower() for m in marked} <= {"dân", "số", "dan", "so", "dần", "sổ", "sở", "sơ"}
    assert "dân" in {m.lower() for m in marked}  # typed without diacritics, the accented words are marked
    shot = Path(SCREENSHOT) if SCREENSHOT else tmp_path / "search-page.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    total = page.locator("p.total").inner_text()
    page.click("text=Trang sau →")  # the next page
    page.wait_for_selector("li.hit")
    assert "offset=" in page.url and page.locator("ol.hits").get_attribute("start") != "1"
    assert page.locator("p.total").inner_text() != total  # "…, 11–20"

    page.click("p.notice >> a")  # "Có phải bạn muốn tìm: dân số"
    page.wait_for_selector("li.hit")
    assert page.locator("input[type=search][name=q]").input_value() == "dân số"

    facet = page.locator("aside.facets a").first
    facet_text = facet.inner_text()
    facet.click()
    page.wait_for_selector("p.active")
    assert facet_text in page.locator("p.active").inner_text()

    title = page.locator("li.hit h2 a").first
    title_text = title.inner_text()
    title.click()
    page.wait_for_selector("h1")
    assert "/articles/" in page.url and page.locator("h1").inner_text() == title_text
    assert page.dialogs == []


def test_an_article_s_html_is_shown_as_text(server, page):
    page.goto(f"{server}/?q=ha+giang+xuan")
    page.wait_for_selector("li.hit")
    hit = page.locator("li.hit", has_text="Tin lạ").first
    assert "<script>alert('tiêu đề')</script>" in hit.locator("h2").inner_text()
    assert "<img src=x onerror=alert(1)>" in hit.locator("h2").inner_text()
    assert page.locator("li.hit script, li.hit img").count() == 0
    hit.locator("h2 a").click()
    page.wait_for_selector("h1")
    assert "<script>alert('nội dung')</script>" in page.locator("body").inner_text()
    assert page.locator("main script, main img, article script, article img").count() == 0
    assert page.dialogs == []  # no alert() ran, on either page
