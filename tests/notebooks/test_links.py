"""Every relative link a learner clicks in JupyterLab leads somewhere, and nothing asks first.

The lab is started by the Makefile's own ``lab`` recipe (``make lab``, its stamp taken as done)
over a copy of the course: the same root (``notebooks/``), the same landing page, the course's
JupyterLab settings (``lab/overrides.json``, installed by ``make setup``) and a fresh learner's
empty user settings and workspace. The student edition that ``make student`` writes sits inside
that root (``student/``), so one server, started once, serves every document. In headless
Chromium (every request but 127.0.0.1's blocked):

- the URL ``make lab`` prints opens the contents page, rendered;
- each document (the contents page, every lesson and appendix, every student edition and the
  student edition's contents page) is opened, and every relative link of its rendered markdown,
  as a markdown parser reads the cell sources, is clicked: the target must become the current
  tab (a link to a place in a document must also scroll that place into view);
- after the whole walk no notification, news prompt or dialog has appeared and the page never
  asked the server for news or updates.

No cell is executed. Screenshots go to ``artifacts/links/``.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import NamedTuple

import pytest
from browser_support import CHROMIUM_ARGS, find_chromium, free_port, local_only
from markdown_it import MarkdownIt
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from tools_loader import load_tool

navigation = load_tool("navigation")
student = load_tool("student")

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(sys.prefix)  # the environment `make` built and this test runs in
ARTIFACTS = ROOT / "artifacts" / "links"
TOKEN = "w2v-links-test-token"
STUDENT = "student"  # the student edition's folder inside the lab's root
CONTENTS = navigation.CONTENTS.name
# What the course's lab/overrides.json must make the defaults: each read back from the server.
COURSE_DEFAULTS = {
    ("@jupyterlab/apputils-extension:notification", "fetchNews"): "false",
    ("@jupyterlab/apputils-extension:notification", "checkForUpdates"): False,
    ("@jupyterlab/docmanager-extension:plugin", "defaultViewers"): {"markdown": "Markdown Preview"},
}
OPENS_WITHIN_MS = 10_000  # a link's target opens in about a second; a dead link opens nothing
PROMPT_DELAY_S = 15  # JupyterLab's news prompt shows within seconds of loading (4 s here)
NEWS_REQUESTS = ("/lab/api/news", "/lab/api/update")


def documents() -> list[str]:
    """Every document a learner reads, as a path from the lab's root, in reading order."""
    course = [CONTENTS, *(path.name for path in navigation.course_notebooks())]
    return course + [f"{STUDENT}/notebooks/{name}" for name in course]


class Link(NamedTuple):
    cell: int  # the markdown cell (0 for a markdown file)
    href: str  # as written in the source
    path: str  # the document it leads to, from the lab's root
    anchor: str  # the place in it, '' for its top


def markdown_sources(root: Path, document: str) -> list[str]:
    """The markdown of each cell (a notebook's code cells as ''), or of the whole file."""
    text = (root / document).read_text(encoding="utf-8")
    if not document.endswith(".ipynb"):
        return [text]
    cells = json.loads(text)["cells"]
    return ["".join(c["source"]) if c["cell_type"] == "markdown" else "" for c in cells]


def hrefs(markdown: str) -> list[str]:
    """The targets of the markdown's links, in order, as a CommonMark parser reads them."""
    found = []
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        for child in token.children or []:
            if child.type == "link_open":
                found.append(str(child.attrs["href"]))
            elif child.type == "html_inline":
                found += re.findall(r'<a\s[^>]*href="([^"]+)"', child.content)
        if token.type == "html_block":
            found += re.findall(r'<a\s[^>]*href="([^"]+)"', token.content)
    return found


def is_relative(href: str) -> bool:
    parts = urllib.parse.urlsplit(href)
    return not (parts.scheme or parts.netloc)


def relative_links(root: Path, document: str) -> list[Link]:
    """Every relative link of the document, with the document and place it should open."""
    links = []
    for cell, markdown in enumerate(markdown_sources(root, document)):
        for href in filter(is_relative, hrefs(markdown)):
            parts = urllib.parse.urlsplit(href)
            path = urllib.parse.unquote(parts.path)
            path = posixpath.normpath(posixpath.join(posixpath.dirname(document), path))
            anchor = urllib.parse.unquote(parts.fragment)
            links.append(Link(cell, href, path if parts.path else document, anchor))
    return links


# The open document at ``path`` is the current tab and shows its rendered markdown.
CURRENT_IS = """(path) => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  return !!w && !!w.context && w.context.path === path && w.context.isReady
    && !!w.node.querySelector('.jp-RenderedMarkdown');
}"""
# The place ``anchor`` of the current document is in its viewport (after a scroll, if needed).
ANCHOR_IN_VIEW = """(anchor) => {
  const w = window.jupyterapp.shell.currentWidget;
  const target = Array.from(w.node.querySelectorAll('[id]')).find(e => e.id === anchor);
  if (!target) return false;
  const box = target.getBoundingClientRect(), view = w.content.node.getBoundingClientRect();
  return box.bottom > view.top && box.top < view.bottom;
}"""
# Close every tab whose document is not in the folder ``keep`` (null: every tab).
CLOSE_OUTSIDE = """(keep) => {
  for (const w of Array.from(window.jupyterapp.shell.widgets('main'))) {
    const path = w.context ? w.context.path : '';
    if (keep === null || path.slice(0, Math.max(0, path.lastIndexOf('/'))) !== keep) w.dispose();
  }
}"""
# Mark the cell's rendered relative links (to 127.0.0.1, not JupyterLab's heading anchors);
# true once there are ``want`` of them (``want`` -1: how many there are).
MARK_LINKS = """([cell, want]) => {
  const w = window.jupyterapp.shell.currentWidget;
  const host = w.content.widgets ? w.content.widgets[cell] && w.content.widgets[cell].node : w.node;
  const found = host ? Array.from(host.querySelectorAll(
    '.jp-RenderedMarkdown a:not(.jp-InternalAnchorLink)')) : [];
  const local = found.filter(a => a.href.startsWith(location.origin));
  local.forEach((a, k) => a.setAttribute('data-link-test', `${cell}-${k}`));
  return want < 0 ? local.length : local.length === want;
}"""
# Make the open document at ``path`` the current tab again.
ACTIVATE = """(path) => {
  const app = window.jupyterapp;
  const w = Array.from(app.shell.widgets('main')).find(w => w.context && w.context.path === path);
  if (w) app.shell.activateById(w.id);
}"""
OPEN = "(path) => { window.jupyterapp.commands.execute('docmanager:open', {path}); }"
# Anything that asked or told the learner something: toasts, notifications kept, dialogs.
PROMPTS = """() => ({
  toasts: Array.from(document.querySelectorAll('.Toastify__toast')).map(t => t.innerText),
  dialogs: Array.from(document.querySelectorAll('.jp-Dialog')).map(d => d.innerText),
  bell: (document.querySelector('.jp-Notification-Status') || {innerText: ''}).innerText.trim(),
})"""


class Lab(NamedTuple):
    url: str  # the server's base URL
    root: Path  # the folder it serves, notebooks/ as in `make lab`
    printed: str  # the URL `make lab` printed for the learner to open


def start_make_lab(course: Path, env: dict, port: int) -> subprocess.Popen:
    """The Makefile's `lab` recipe over ``course``, its set-up stamp taken as done."""
    args = f"--no-browser --IdentityProvider.token={TOKEN} --LabApp.expose_app_in_browser=True"
    make = ["make", "--no-print-directory", "-s", "-C", str(course)]
    stamp_done = ["-o", str(VENV / ".installed")]
    command = [*make, *stamp_done, "lab", f"VENV={VENV}", f"LAB_PORT={port}", f"LAB_ARGS={args}"]
    log = open(course.parent / "lab.log", "w")  # noqa: SIM115 -- the server's whole life
    return subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_until_up(base: str, log: Path) -> None:
    for _ in range(240):
        try:
            urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=1)
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"make lab did not start: {log.read_text()[-2000:]}")


def check_course_defaults(base: str) -> None:
    """lab/overrides.json, as the installed copy makes it the server's defaults."""
    for (plugin, key), value in COURSE_DEFAULTS.items():
        with urllib.request.urlopen(f"{base}/lab/api/settings/{plugin}?token={TOKEN}") as reply:
            default = json.load(reply)["schema"]["properties"][key]["default"]
        assert default == value, (
            f"{plugin} {key}: {default!r}; run `make setup` (lab/overrides.json)"
        )


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Lab:
    """`make lab` over a copy of the course, the student edition inside its root."""
    find_chromium()
    tmp = tmp_path_factory.mktemp("links")
    course = tmp / "course"
    shutil.copytree(ROOT / "notebooks", course / "notebooks")
    shutil.copy(ROOT / "Makefile", course / "Makefile")
    assert student.main([str(course / "notebooks" / STUDENT)]) == 0  # what `make student` writes
    env = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(tmp / "user-settings"),  # a fresh learner's
        JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
    )
    port = free_port()
    server = start_make_lab(course, env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, tmp / "lab.log")
        check_course_defaults(base)
        printed = re.findall(rf"{re.escape(base)}\S*", (tmp / "lab.log").read_text())
        assert printed, "make lab printed no URL"
        yield Lab(url=base, root=course / "notebooks", printed=printed[0])
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # make and the jupyter it started
        server.wait(timeout=30)


class Browser(NamedTuple):
    page: object
    blocked: list[str]  # requests to anywhere but 127.0.0.1, aborted
    asked: list[str]  # requests to the lab's news and update endpoints
    loaded: float  # when the lab's page had loaded (time.monotonic())


@pytest.fixture(scope="module")
def browser(lab):
    """One page for the whole walk, as one learner's tab."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        page = instance.new_page(viewport={"width": 1400, "height": 1000})
        blocked: list[str] = []
        asked: list[str] = []
        page.route("**/*", local_only(blocked))
        page.on(
            "request",
            lambda r: asked.append(r.url) if any(n in r.url for n in NEWS_REQUESTS) else None,
        )
        page.goto(f"{lab.url}/lab?token={TOKEN}")
        page.wait_for_function("() => !!(window.jupyterapp && window.jupyterapp.shell)")
        yield Browser(page, blocked, asked, time.monotonic())
        instance.close()


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_the_url_make_lab_prints_opens_the_rendered_contents_page(lab, browser):
    page = browser.page
    assert f"/lab/tree/{CONTENTS}" in lab.printed, lab.printed
    # A token given on the command line is printed as "...": the learner's own one is printed.
    page.goto(lab.printed.replace("token=...", f"token={TOKEN}"))
    page.wait_for_function(CURRENT_IS, arg=CONTENTS, timeout=60_000)
    current = page.locator(f"[id='{page.evaluate('window.jupyterapp.shell.currentWidget.id')}']")
    heading = current.locator(".jp-RenderedMarkdown h1")
    heading.wait_for(timeout=10_000)
    assert heading.inner_text().startswith("word2vec, hands on"), heading.inner_text()
    assert not current.locator(".cm-editor").count(), "contents.md opened as text, not rendered"
    shoot(page, "contents")


def test_every_document_is_in_the_walk(lab):
    """The student edition is where ``make student`` puts it, and the walk misses no notebook."""
    served = {
        str(p.relative_to(lab.root))
        for p in lab.root.rglob("*")
        if p.suffix in (".ipynb", ".md")
        and not any(part.startswith(".") for part in p.relative_to(lab.root).parts)
    }
    assert set(documents()) <= served, sorted(set(documents()) - served)
    assert {d for d in served if d.endswith(".ipynb")} <= set(documents())


def shut_down_kernels(lab: Lab, keep: str | None = None) -> None:
    """End the sessions of the notebooks outside the folder ``keep`` (their tabs are closed)."""
    with urllib.request.urlopen(f"{lab.url}/api/sessions?token={TOKEN}") as reply:
        sessions = json.load(reply)
    for session in sessions:
        if posixpath.dirname(session["path"]) == keep:
            continue
        url = f"{lab.url}/api/sessions/{session['id']}?token={TOKEN}"
        urllib.request.urlopen(urllib.request.Request(url, method="DELETE"))


def mark_links(page, cell: int, count: int) -> int:
    """Wait until JupyterLab has rendered ``count`` relative links in the cell (heading anchors
    and links off the machine aside); mark them ``data-link-test="<cell>-<k>"``; how many."""
    try:
        page.wait_for_function(MARK_LINKS, arg=[cell, count], timeout=OPENS_WITHIN_MS)
    except PlaywrightTimeout:
        pass
    return page.evaluate(MARK_LINKS, [cell, -1])


def follow(page, document: str, cell: int, links: list[Link]) -> list[str]:
    """Click each relative link of one cell in turn; what went wrong, one line per link."""
    rendered = mark_links(page, cell, len(links))
    if rendered != len(links):
        return [f"cell {cell}: {rendered} relative links rendered, {len(links)} in its source"]
    failures = []
    current = page.evaluate("window.jupyterapp.shell.currentWidget.id")
    for k, link in enumerate(links):
        page.locator(f"[id='{current}'] [data-link-test='{cell}-{k}']").click()
        try:
            page.wait_for_function(CURRENT_IS, arg=link.path, timeout=OPENS_WITHIN_MS)
            if link.anchor:
                page.wait_for_function(ANCHOR_IN_VIEW, arg=link.anchor, timeout=OPENS_WITHIN_MS)
        except PlaywrightTimeout:
            now = page.evaluate("(window.jupyterapp.shell.currentWidget.context || {}).path")
            where = f"#{link.anchor} in view" if now == link.path else repr(link.path)
            failures.append(f"cell {cell}: ({link.href}) left {now!r} current, not {where}")
        page.evaluate(ACTIVATE, document)  # the target stays open: a second link to it reveals it
        page.wait_for_function(CURRENT_IS, arg=document)
    return failures


CLICKED: list[int] = []  # links clicked and opened, per document whose links all opened


@pytest.mark.parametrize("document", documents())
def test_every_relative_link_opens_its_target(lab, browser, document):
    page = browser.page
    # Each document starts on a lab with no tab open; the kernels of its folder's notebooks are
    # kept (a notebook opened again finds its own), no cell runs.
    folder = posixpath.dirname(document)
    page.evaluate(CLOSE_OUTSIDE, None)
    shut_down_kernels(lab, keep=folder)
    page.evaluate(OPEN, document)
    page.wait_for_function(CURRENT_IS, arg=document, timeout=60_000)
    links = relative_links(lab.root, document)
    assert links, f"{document}: no relative link (its navigation bar has at least one)"
    by_cell: dict[int, list[Link]] = {}
    for link in links:
        by_cell.setdefault(link.cell, []).append(link)
    failures = [
        line for cell, found in by_cell.items() for line in follow(page, document, cell, found)
    ]
    if failures:
        shoot(page, document.replace("/", "_") + "-failure")
    assert not failures, f"{document}: " + "; ".join(failures)
    CLICKED.append(len(links))


def test_nothing_asked_the_learner_anything_or_fetched_news(lab, browser):
    """After the whole walk: no toast, no notification kept, no dialog; no news request."""
    page = browser.page
    # JupyterLab asks about news a few seconds after it loads; the walk alone takes minutes.
    page.wait_for_timeout(max(0.0, PROMPT_DELAY_S - (time.monotonic() - browser.loaded)) * 1000)
    page.evaluate(CLOSE_OUTSIDE, None)
    shut_down_kernels(lab)
    page.evaluate(OPEN, CONTENTS)
    page.wait_for_function(CURRENT_IS, arg=CONTENTS)
    shown = page.evaluate(PROMPTS)
    shoot(page, "after-walk")
    assert shown == {"toasts": [], "dialogs": [], "bell": "0"}, shown
    assert not browser.asked, f"the lab asked its server for news or updates: {browser.asked}"
    outside = [url for url in browser.blocked if url != navigation.BADGE_IMAGE]
    assert not outside, f"the lab tried to reach {sorted(set(outside))}"
    print(f"links: {sum(CLICKED)} relative links clicked and opened in {len(CLICKED)} documents")
