"""The pages as a person sees them: `onrecord serve` started as a user starts it, driven in a real headless
Chromium (Debian's package, through Playwright; no browser is downloaded). Screenshots of every page go
into the test's temporary folder (ONRECORD_SCREENSHOTS=DIR keeps them there instead).

Without Chromium these tests skip, saying how to get it (`make test` installs it where it may: as root with
apt-get); with ONRECORD_REQUIRE_BROWSER=1 (set by .ci/run) a missing browser fails them instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def _chromium() -> str | None:
    return os.environ.get("ONRECORD_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    exe = _chromium()
    if exe is None:
        why = ("no Chromium: install Debian's package (as root: apt-get install chromium; `make test` does it "
               "when it runs as root) or set ONRECORD_CHROMIUM to a Chromium binary")
        if os.environ.get("ONRECORD_REQUIRE_BROWSER"):
            pytest.fail(why)
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(served_db):
    """`onrecord serve` on a free port of 127.0.0.1; its address, from the line it prints."""
    proc = subprocess.Popen([str(BIN / "onrecord"), "serve", "--db", str(served_db), "--port", "0"],
                            stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline()
    m = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
    assert m, f"serve said: {line!r}"
    yield m.group(1).rstrip("/")
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("ONRECORD_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors
    yield pg
    ctx.close()


def test_search_speaker_article_and_quotation(page, server, shots):
    page.goto(server + "/")
    page.fill("input[name=q]", "harbour bridge")
    page.press("input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"/search\?q=harbour"))
    assert re.match(r"\d+ quotes for “harbour bridge”", page.inner_text("#count"))
    marks = page.locator("#hits blockquote mark").all_inner_texts()
    assert {m.lower() for m in marks} == {"harbour", "bridge"}  # the matched words, highlighted
    assert "Harbour Herald" in page.inner_text("#hits") and "coastpost.example" in page.inner_text("#hits")
    page.screenshot(path=shots / "search.png", full_page=True)

    page.locator("#hits a.who", has_text="Lina Ortiz").first.click()
    page.wait_for_url(re.compile(r"/speaker/\d+"))
    assert page.inner_text("#speaker-name") == "Lina Ortiz"
    assert "Mayor" in page.inner_text("#titles")
    assert page.locator("#weekly-chart rect.bar").count() == 3  # three weeks with quotes
    assert "Harbour bridge" in page.inner_text("#positions")
    page.screenshot(path=shots / "speaker.png", full_page=True)

    page.go_back()
    page.locator("#hits a.article-link", has_text="Mayor backs the bridge").first.click()
    page.wait_for_url(re.compile(r"/article/\d+"))
    assert page.inner_text("#article-title") == "Mayor backs the bridge"
    assert page.locator("#article-text mark.q.direct").count() >= 2
    assert page.locator("#article-text a.speaker", has_text="Ortiz").count() >= 1
    assert page.locator("#article-text .cue").count() >= 1
    panel = page.inner_text("#quote-panel")
    assert "We will open the harbour bridge" in panel and "Lina Ortiz" in panel
    page.screenshot(path=shots / "article.png", full_page=True)

    page.locator("#quote-panel a.appearances", has_text="in 2 articles").click()
    page.wait_for_url(re.compile(r"/quote/\d+"))
    items = page.locator("#appearances > li")
    assert items.count() == 2
    assert "earliest" in items.nth(0).inner_text() and "Harbour Herald" in items.nth(0).inner_text()
    assert "coastpost.example" in items.nth(1).inner_text()
    page.screenshot(path=shots / "quotation.png", full_page=True)
    assert page.errors == []


def test_speakers_index_and_network(page, server, shots):
    page.goto(server + "/speakers")
    rows = page.locator("#speakers tbody tr")
    assert rows.count() >= 3 and "Ray Okafor" in rows.nth(0).inner_text()
    page.screenshot(path=shots / "speakers.png", full_page=True)
    page.goto(server + "/network?type=conflict")
    assert page.locator("#network circle.node").count() == 2
    assert page.locator("#network line.edge-no").count() == 1
    labels = page.locator("#network text.label").all_text_contents()
    assert sorted(labels) == ["Lina Ortiz", "Ray Okafor"]
    page.screenshot(path=shots / "network.png", full_page=True)


def test_a_hostile_article_is_shown_as_text_and_runs_nothing(page, server, shots, client):
    hostile = next(h for h in client.get("/api/search", params={"q": "sent"}).json()["hits"]
                   if h["article"] == "hostile-1")
    for url in (f"/article/{hostile['article_id']}", "/search?q=sent", f"/quote/{hostile['quote_id']}",
                "/search?q=" + "%3Cscript%3Ewindow.__pwned%3D9%3C%2Fscript%3E"):
        page.goto(server + url)
        assert page.evaluate("typeof window.__pwned") == "undefined", url
        assert page.locator("a[href^='javascript']").count() == 0, url
        assert page.locator("main script, main img, main b").count() == 0, url
    page.goto(server + f"/article/{hostile['article_id']}")
    text = page.inner_text("#article-text")
    assert '<img src=x onerror="window.__pwned=2">' in text and "<script>window.__pwned=4</script>" in text
    assert "<script>window.__pwned=1</script>Title" in page.inner_text("#article-title")
    assert "javascript:window.__pwned=3" in page.inner_text("main")  # shown, not linked
    page.screenshot(path=shots / "hostile.png", full_page=True)
    assert page.errors == []


def test_pages_fit_a_phone_screen(browser, server, shots, ids):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    pg = ctx.new_page()
    for name, url in (("home", "/"), ("search", "/search?q=harbour"), ("speaker", f"/speaker/{ids['Lina Ortiz']}"),
                      ("article", f"/article/{ids['herald-1']}"), ("network", "/network?type=affiliation")):
        pg.goto(server + url)
        width = pg.evaluate("document.documentElement.scrollWidth")
        assert width <= 391, f"{url} is {width}px wide on a 390px screen"
        pg.screenshot(path=shots / f"phone-{name}.png", full_page=True)
    ctx.close()
