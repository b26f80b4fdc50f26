"""The course as learners meet it: every notebook run in JupyterLab in a real browser.

nbval never sees widgets. This test starts ``jupyter lab`` on 127.0.0.1 over a temporary folder
holding a copy of the notebooks and the student edition that ``make student`` writes (autosave
off, every cell rendered), drives headless Chromium with Playwright, and for each notebook:

- opens the notebook as stored and checks that every solution is collapsed, as a learner first
  sees it (screenshot ``NN_...-opened.png``);
- opens its student edition (solutions removed, exercise cells cleared), runs all cells, waits
  for the kernel to go idle, and asserts no error output and no browser console error: the
  student edition runs top to bottom, and every exercise cell, left as the learner finds it,
  says "Not yet" (nbval runs the stored notebook, whose solutions say "Correct");
- moves every control of every widget panel one step and asserts the panel then shows what the
  pure function behind it returns for the new value, and saves a screenshot to
  ``artifacts/browser/``.

Every request that is not to 127.0.0.1 is blocked.

Runs when Chromium is found (``/usr/bin/chromium``, or ``W2V_CHROMIUM``). With ``CI=true`` a
missing Chromium is a failure, not a skip: ``.ci/run`` installs it.
"""

from __future__ import annotations

import configparser
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import NamedTuple

import ipywidgets as widgets
import psutil
import pytest
from browser_support import CHROMIUM_ARGS, find_chromium, free_port, local_only
from tools_loader import load_tool

from w2v_helpers import memory
from w2v_helpers.lessons import panel_factories as panels_by_name

navigation = load_tool("navigation")
student = load_tool("student")

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = [
    *sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")),
    *sorted((ROOT / "notebooks").glob("A[0-9]_*.ipynb")),
]
ARTIFACTS = ROOT / "artifacts" / "browser"
TOKEN = "w2v-browser-test-token"
LAB_SERVER_PID: list[int] = []  # set by the lab fixture
RUN_ALL_TIMEOUT_MS = 600_000
# What the test types into each text box, by its label: a word the sample does not know (the
# panel must answer with a message, not an error) and an analogy whose words it knows.
TEXT_TRIES = {"word": "zyzzyva", "a : b :: c : ?": "paris : france :: rome : ?"}

# Settings a fresh JupyterLab reads from JUPYTERLAB_SETTINGS_DIR: nothing may rewrite the
# notebooks, every cell is rendered (so screenshots show them all), no calls home.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}

KERNEL_SETTINGS = "@jupyterlab/apputils-extension:kernels-settings"

# The document at ``path`` (relative to the lab's root) is the current tab, its kernel idle.
KERNEL_IDLE = """(path) => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle' && !!w.content && w.context.path === path;
}"""

ALL_CELLS_RAN = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const cells = w.content.model.cells;
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    if (c.type === 'code' && c.sharedModel.getSource().trim() && c.executionCount === null) {
      return false;
    }
  }
  return w.sessionContext.session.kernel.status === 'idle';
}"""

SOLUTIONS_SHOWN = """() => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  const open = [];
  let solutions = 0;
  nb.widgets.forEach((cell, i) => {
    const tags = cell.model.getMetadata('tags') || [];
    if (!tags.includes('solution')) return;
    solutions += 1;
    if (!cell.inputHidden || !cell.outputHidden) open.push(i);
  });
  return {solutions, open};
}"""
# Each exercise cell of the student edition (nbgrader metadata) and the text it printed.
EXERCISE_OUTPUTS = """() => {
  const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
  const found = [];
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    const grader = c.getMetadata('nbgrader');
    if (!grader) continue;
    let text = '';
    for (let j = 0; j < c.outputs.length; j++) {
      const o = c.outputs.get(j).toJSON();
      const plain = o.data && o.data['text/plain'];
      text += [].concat(o.text || []).join('') + [].concat(plain || []).join('');
    }
    found.push({id: grader.grade_id, text});
  }
  return found;
}"""
# Shut down the current notebook's kernel and close it, then open another document.
SWITCH_TO = """async (path) => {
  const app = window.jupyterapp;
  const w = app.shell.currentWidget;
  await w.sessionContext.shutdown();
  w.dispose();
  await app.commands.execute('docmanager:open', {path});
}"""
OUTPUT_TYPES = """() => {
  const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
  const found = [];
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    if (c.type !== 'code') continue;
    for (let j = 0; j < c.outputs.length; j++) {
      const o = c.outputs.get(j).toJSON();
      found.push({cell: i, type: o.output_type, error: (o.ename || '') + ': ' + (o.evalue || '')});
    }
  }
  return found;
}"""


def sanitize(text: str) -> str:
    """Mask timings with the same rules nbval uses."""
    parser = configparser.ConfigParser()
    parser.read(ROOT / "tests" / "nbval_sanitize.cfg", encoding="utf-8")
    for section in parser.sections():
        text = re.sub(parser[section]["regex"], parser[section]["replace"], text)
    return text.strip()


@pytest.fixture(scope="module")
def chromium() -> str:
    return find_chromium()


class Lab(NamedTuple):
    url: str  # the server's base URL
    root: Path  # the folder it serves: notebooks/ as stored, student/ as `make student` writes


@pytest.fixture(scope="module")
def lab(tmp_path_factory, chromium) -> Lab:
    """A JupyterLab server over a copy of the notebooks and the student edition."""
    tmp = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", tmp / "root" / "notebooks")
    assert student.main([str(tmp / "root" / "student")]) == 0  # what `make student` writes
    for plugin, values in LAB_SETTINGS.items():
        package, name = plugin.rsplit("/", 1)
        folder = tmp / "settings" / package
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.jupyterlab-settings").write_text(json.dumps(values))
    bin_dir = Path(sys.executable).parent
    env = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",  # the kernel runs this Python
    )
    port = free_port()
    command = [
        str(bin_dir / "jupyter"), "lab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={tmp / 'root'}",
        "--LabApp.expose_app_in_browser=True",
    ]  # fmt: skip
    log = open(tmp / "lab.log", "w")  # noqa: SIM115 -- closed below, after the server stops
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"jupyter lab did not start: {(tmp / 'lab.log').read_text()[-2000:]}")
        settings_url = f"{base}/lab/api/settings/{KERNEL_SETTINGS}?token={TOKEN}"
        with urllib.request.urlopen(settings_url, timeout=10) as reply:
            plugin = json.load(reply)
        # Widget callbacks on a subshell thread race matplotlib in cells: the course turns that
        # off through lab/overrides.json, which becomes the setting's default.
        default = plugin["schema"]["properties"]["commsOverSubshells"]["default"]
        assert default == "disabled", "make setup installs lab/overrides.json"
        LAB_SERVER_PID.append(server.pid)
        yield Lab(url=base, root=tmp / "root")
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def option_values(control) -> list:
    return [o[1] if isinstance(o, tuple) else o for o in control.options]


def slider_step(control: widgets.ValueWidget) -> tuple[object, str] | None:
    """The value one arrow key moves a slider to, and the key; None if not a slider."""
    if isinstance(control, widgets.SelectionSlider):
        values = option_values(control)
        index = values.index(control.value)
        if index + 1 < len(values):
            return values[index + 1], "ArrowRight"
        return values[index - 1], "ArrowLeft"
    if isinstance(control, widgets.FloatLogSlider):
        exponent = math.log(control.value, control.base)
        up = exponent + control.step
        if up <= control.max + 1e-9:
            return control.base**up, "ArrowRight"
        return control.base ** (exponent - control.step), "ArrowLeft"
    if isinstance(control, (widgets.IntSlider, widgets.FloatSlider)):
        # The browser snaps to the step grid: 0.8 + 0.1 arrives as 0.9, not 0.9000000000000001.
        up = round(control.value + control.step, 10)
        if up <= control.max:
            return up, "ArrowRight"
        return round(control.value - control.step, 10), "ArrowLeft"
    return None


def press_until_moved(page, box, key: str, tries: int = 3) -> None:
    """Press an arrow key on a slider handle until its readout changes (a handle rendered a
    moment ago may not listen yet); never presses again once it has moved. The readout, not the
    handle's aria-valuenow, tells: aria rounds 0.75 and 0.80 both to "0.8"."""
    handle, readout = box.locator(".noUi-handle"), box.locator(".widget-readout")
    handle.scroll_into_view_if_needed()

    def position() -> str:
        return readout.inner_text() if readout.count() else handle.get_attribute("aria-valuenow")

    before = position()
    for _ in range(tries):
        handle.focus()
        handle.press(key)
        for _ in range(20):
            if position() != before:
                return
            page.wait_for_timeout(100)
    raise AssertionError(f"the slider handle did not move with {key}")


def shown_text(locator) -> str:
    return sanitize("\n".join(locator.locator("pre").all_inner_texts()))


def move(page, box, control: widgets.ValueWidget, to: object = None) -> object:
    """Move one control in the browser, one step (or back ``to`` a value); return its new value."""
    step = slider_step(control)
    if step is not None:
        value, key = step
        if to is not None:
            value = to
            key = "ArrowLeft" if slider_step_back_is_left(control, to) else "ArrowRight"
        press_until_moved(page, box, key)
        return value
    if isinstance(control, widgets.Dropdown):
        values = option_values(control)
        labels = [o[0] if isinstance(o, tuple) else str(o) for o in control.options]
        index = (
            values.index(to) if to is not None else (values.index(control.value) + 1) % len(values)
        )
        box.locator("select").select_option(label=labels[index])
        return values[index]
    if isinstance(control, widgets.Checkbox):
        box.locator("input[type=checkbox]").click()
        return not control.value
    if isinstance(control, (widgets.BoundedIntText, widgets.IntText)):
        top = getattr(control, "max", control.value + 1)
        value = (
            to
            if to is not None
            else (control.value + 1 if control.value + 1 <= top else control.value - 1)
        )
        field = box.locator("input")
        field.fill(str(value))
        field.press("Enter")
        return value
    if isinstance(control, widgets.Text):  # typed, then Enter: what a learner does
        value = to if to is not None else TEXT_TRIES[control.description]
        field = box.locator("input")
        field.fill(value)
        field.press("Enter")
        return value
    raise AssertionError(f"no rule to move a {type(control).__name__}")


def slider_step_back_is_left(control: widgets.ValueWidget, to: object) -> bool:
    """Whether going back to ``to`` from the control's current value is a step left."""
    if isinstance(control, widgets.SelectionSlider):
        values = option_values(control)
        return values.index(to) < values.index(control.value)
    return to < control.value


def expect_shown(page, panel_dom, twin, what: str) -> None:
    expected = sanitize(twin.text())
    view = panel_dom.locator(".w2v-panel-view")
    deadline = time.time() + 60
    while shown_text(view) != expected and time.time() < deadline:
        page.wait_for_timeout(200)
    assert shown_text(view) == expected, f"{twin.title}: {what} showed the wrong text"


def move_every_control(page, panel_dom, twin) -> list[str]:
    """Move each control one step in the browser and in its Python twin (the same panel built
    in this process); compare what they show.

    Each control is found by its description label, so the order of the controls and the kinds
    around them do not matter.
    """
    moved = []
    for name, control in twin.controls.items():
        box = panel_dom.locator(".widget-inline-hbox").filter(
            has=page.locator(".widget-label", has_text=control.description)
        )
        assert box.count() >= 1, f"{twin.title}: no control labelled {control.description!r}"
        start = control.value
        value = move(page, box.first, control)
        control.value = value
        expect_shown(page, panel_dom, twin, f"moving {name}")
        # Back to where it was, so every check is one step from the defaults: far from the
        # memory budget, whose refusals depend on what the kernel already holds.
        move(page, box.first, control, to=start)
        control.value = start
        moved.append(name)
    return moved


def whole_page_screenshot(page, path: Path) -> None:
    """Grow the viewport to the notebook's height (JupyterLab scrolls inside it), then shoot."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate(
        "document.querySelectorAll('.jp-WindowedPanel-outer').forEach(e => e.scrollTop = 0)"
    )
    height = page.evaluate(
        "Math.max(...Array.from(document.querySelectorAll("
        "'.jp-WindowedPanel-outer, .jp-WindowedPanel-inner')).map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": 1400, "height": min(int(height) + 150, 30_000)})
    page.wait_for_timeout(800)
    page.screenshot(path=str(path))


def newest_lab_kernel() -> psutil.Process:
    """The kernel the lab server started last: the one behind the notebook just opened."""
    kernels = []
    for p in psutil.Process(LAB_SERVER_PID[-1]).children(recursive=True):
        try:
            if "ipykernel" in " ".join(p.cmdline()):
                kernels.append((p.create_time(), p))
        except psutil.Error:  # a kernel of an earlier notebook that has exited (a zombie)
            continue
    return max(kernels, key=lambda k: k[0])[1]


# Which notebooks' student editions do not run top to bottom, name -> why (none known).
KNOWN_BROKEN: dict[str, str] = {}


def check_opened_as_stored(page, lab: Lab, notebook: Path) -> None:
    """As a learner opens the stored notebook: every solution collapsed, source and output."""
    stored = f"notebooks/{notebook.name}"
    # A workspace of its own per notebook: no tab of an earlier test stays open.
    page.goto(f"{lab.url}/lab/workspaces/{notebook.stem}/tree/{stored}?reset&token={TOKEN}")
    page.wait_for_function(KERNEL_IDLE, arg=stored, timeout=120_000)
    shown = page.evaluate(SOLUTIONS_SHOWN)
    assert shown["solutions"] > 0 and not shown["open"], f"{notebook.name}: {shown}"
    whole_page_screenshot(page, ARTIFACTS / f"{notebook.stem}-opened.png")
    page.set_viewport_size({"width": 1400, "height": 1000})


def run_student_edition(page, edition: str, monkeypatch) -> None:
    """Open the student edition, run every cell: no error, and every exercise says Not yet."""
    page.evaluate(SWITCH_TO, edition)
    page.wait_for_function(KERNEL_IDLE, arg=edition, timeout=120_000)
    # The twins drawn later ask the memory guard with what the lab's kernel holds, so that
    # they refuse exactly where the page's panel does (the guard adds it to each need).
    kernel = newest_lab_kernel()
    monkeypatch.setattr(memory, "process_memory", lambda: kernel.memory_info().rss)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_timeout(500)
    page.wait_for_function(ALL_CELLS_RAN, timeout=RUN_ALL_TIMEOUT_MS, polling=500)
    errors = [o for o in page.evaluate(OUTPUT_TYPES) if o["type"] == "error"]
    assert not errors, f"{edition} does not run top to bottom: error outputs {errors}"
    exercises = page.evaluate(EXERCISE_OUTPUTS)
    assert exercises, f"{edition}: no exercise cell"
    for exercise in exercises:
        assert "Not yet" in exercise["text"], f"{exercise['id']}: {exercise['text'][:200]!r}"


def move_every_panel(page, cells: list[dict], edition: str) -> None:
    """Every panel the notebook's cells build is on the page, in the same order, and each
    follows its controls as its twin does. Only the notebook's own panels are built here."""
    factories = panels_by_name()
    called = [
        name
        for c in cells
        if c["cell_type"] == "code"
        for name in re.findall(r"\b(\w+_panel)\(", "".join(c["source"]))
    ]
    current = page.evaluate("window.jupyterapp.shell.currentWidget.id")
    panel_doms = page.locator(f"[id='{current}'] .w2v-panel")
    assert panel_doms.count() == len(called), f"{edition}: {panel_doms.count()} of {called}"
    for i, name in enumerate(called):
        panel_dom = panel_doms.nth(i)
        title = panel_dom.locator(".w2v-panel-title").inner_text().strip()
        twin = factories[name]()
        assert title == twin.title, f"{edition}: panel {i} is {title!r}, not {name}"
        assert move_every_control(page, panel_dom, twin), f"{title}: nothing moved"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_in_jupyterlab_and_its_widgets_respond(lab, browser, notebook, monkeypatch):
    if notebook.name in KNOWN_BROKEN:
        pytest.xfail(KNOWN_BROKEN[notebook.name])
    console_errors: list[str] = []
    blocked: list[str] = []
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.route("**/*", local_only(blocked))

    def on_console(message) -> None:
        # A request we blocked on purpose (the Binder badge image) fails loudly; that is expected.
        if message.type == "error" and message.location.get("url") not in blocked:
            console_errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda e: console_errors.append(str(e)))
    edition = f"student/notebooks/{notebook.name}"
    try:
        check_opened_as_stored(page, lab, notebook)
        run_student_edition(page, edition, monkeypatch)
        move_every_panel(page, json.loads((lab.root / edition).read_text())["cells"], edition)
        whole_page_screenshot(page, ARTIFACTS / f"{notebook.stem}.png")
        assert not console_errors, f"{notebook.name}: browser console errors {console_errors}"
        outside = {url for url in blocked if url != navigation.BADGE_IMAGE}
        assert not outside, f"{notebook.name}: the page tried to reach {sorted(outside)}"
    except Exception:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{notebook.stem}-failure.png"))
        raise
    finally:
        page.close()
