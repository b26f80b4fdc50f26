"""The course site (``make site``), served on 127.0.0.1 and read in headless Chromium.

The site is built once from the stored notebooks (``tools/build_site.py``, no cell executed) into a
temporary folder and served by a local HTTP server. For every page: HTTP 200, no request to any
host but 127.0.0.1, no console error, every image loaded, MathJax formulas rendered where the
page has math, and solutions hidden until their toggle is clicked. Every internal link, anchors
included, is crawled. Screenshots of the landing page and two notebook pages go to
``artifacts/site/``.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest
from browser_support import CHROMIUM_ARGS, find_chromium, free_port, local_only
from tools_loader import load_tool

build_site = load_tool("build_site")

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "site"
PAGES = ["index", *(path.stem for path in build_site.course_notebooks())]
SCREENSHOTS = {"index", "02_bce_vs_ce", "05_train_it_yourself"}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # failures are reported by the assertions
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    html = build_site.build(tmp_path_factory.mktemp("site"))
    handler = functools.partial(QuietHandler, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield html, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def test_every_internal_link_of_the_site_resolves(served):
    html, _ = served
    broken = build_site.broken_links(html)
    listed = "; ".join(f"{page}: {link}" for page, link in broken)
    assert not broken, f"broken links (page: link): {listed}"


@pytest.mark.parametrize("name", PAGES)
def test_site_page_loads_offline_with_its_images_math_and_hidden_solutions(served, browser, name):
    html, base = served
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    blocked: list[str] = []
    errors: list[str] = []
    page.route("**/*", local_only(blocked))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        response = page.goto(f"{base}/{name}.html", wait_until="load")
        status = response.status if response is not None else None
        assert status == 200, f"{name}: HTTP {status}"
        page.wait_for_load_state("networkidle")
        broken_images = page.evaluate(
            "Array.from(document.images)"
            ".filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
        )
        assert not broken_images, f"{name}: images not loaded: {broken_images}"
        if name != "index":
            assert page.locator("button.copybtn").count() > 0, f"{name}: no copy buttons"
        if page.locator(".math").count():
            page.wait_for_selector("mjx-container", timeout=30_000)
        if name in SCREENSHOTS:  # before any click: solutions collapsed, as a reader sees them
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        check_solutions_hidden_until_clicked(page, name)
        assert not blocked, f"{name}: requests outside 127.0.0.1: {blocked}"
        assert not errors, f"{name}: console errors: {errors}"
    finally:
        page.close()


def check_solutions_hidden_until_clicked(page, name: str) -> None:
    summary = page.locator("summary", has_text="Show the solution")
    toggles = page.locator("details.hide", has=summary)
    notebook = ROOT / "notebooks" / f"{name}.ipynb"
    if notebook.exists() and '"solution"' in notebook.read_text():
        assert toggles.count() > 0, f"{name}: the notebook has solutions, the page no toggle"
    for i in range(toggles.count()):
        toggle = toggles.nth(i)
        code = toggle.locator(".cell_input")
        assert not code.is_visible(), f"{name}: solution {i + 1} is visible before a click"
        toggle.locator("summary").click()
        code.wait_for(state="visible", timeout=5_000)
