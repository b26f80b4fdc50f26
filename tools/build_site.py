"""Build the course site from the stored notebooks and the README, executing nothing.

    python tools/build_site.py              # build/site/html (make site)
    python tools/build_site.py OUT_DIR      # OUT_DIR/html instead

The sources are staged in ``OUT_DIR/src`` and built there with Sphinx and myst-nb
(``site/conf.py``) as ``sphinx-build -W``: a warning fails the build. Staging:

- the landing page is the README's opening, its table of notebooks (links turned into pages)
  and its notation table, with a hidden table of contents in the notebooks' order, which gives
  every page its previous and next links;
- each notebook keeps its stored outputs; its navigation cells go (the site has its own), links
  to the contents page (``contents.md``, or the README's table) lead to the landing page, its
  ``solution`` cells are tagged ``hide-cell`` (collapsed until clicked, as in JupyterLab), and
  each widget cell's output gives way to a note that the panel is live in JupyterLab or Binder;
- a notebook that was never executed (a code cell without an execution count) stops the build
  with its name: the site shows only what CI has checked.

Launch buttons come from ``[tool.w2v-course] repository`` in ``pyproject.toml`` (see
``tools/navigation.py``); while it is empty the site has none.
"""

from __future__ import annotations

import copy
import html.parser
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import nbformat
from nbformat.v4 import new_markdown_cell

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import navigation  # noqa: E402 (a sibling tool: the repository setting and the notebook order)

NOTEBOOKS = ROOT / "notebooks"
README = ROOT / "README.md"
CONF = ROOT / "site"
DEFAULT_OUT = ROOT / "build" / "site"
WIDGET_TAG = "nbval-ignore-output"
WIDGET_NOTE = (
    '<p class="widget-note">This panel is live in JupyterLab or Binder: run the notebook there '
    "to move its controls. The cell below it prints the same function's result.</p>"
)


# A link to the contents: notebooks/contents.md beside the notebooks, or the README's table.
CONTENTS_LINK = re.compile(
    rf"\]\((?:\.\./README\.md|{re.escape(navigation.CONTENTS.name)})(#[^)]*)?\)"
)


class SiteError(RuntimeError):
    """The site cannot be built from what is stored (e.g. a notebook never executed)."""


def course_notebooks() -> list[Path]:
    """The notebooks in reading order: lessons, then appendices."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) + sorted(NOTEBOOKS.glob("A[0-9]_*.ipynb"))


def check_executed(path: Path, nb: nbformat.NotebookNode) -> None:
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.execution_count is None:
            raise SiteError(
                f"{path.name} has a code cell that was never run (cell {index}): run "
                f"`make regenerate NB=notebooks/{path.name}` and commit its outputs"
            )


def site_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` as the site shows it (see the module docstring)."""
    out = copy.deepcopy(nb)
    cells = []
    for cell in out.cells:
        tags = cell.metadata.get("tags", [])
        if "navigation" in tags:
            continue
        if cell.cell_type == "markdown":  # the contents page is the site's landing page
            cell.source = CONTENTS_LINK.sub("](index.md)", cell.source)
        if "solution" in tags:
            cell.metadata["tags"] = [*tags, "hide-cell"]
            cell.metadata["mystnb"] = {
                "code_prompt_show": "Show the solution",
                "code_prompt_hide": "Hide the solution",
            }
        cells.append(cell)
        if cell.cell_type == "code" and WIDGET_TAG in tags:
            cell.outputs = []
            cells.append(new_markdown_cell(WIDGET_NOTE))
    out.cells = cells
    out.metadata.pop("widgets", None)
    return out


def section(text: str, heading: str) -> str:
    """The README section that starts at ``heading``, up to the next heading of its level."""
    start = text.index(heading)
    following = re.search(r"^## ", text[start + len(heading) :], re.M)
    end = start + len(heading) + following.start() if following else len(text)
    return text[start:end]


def landing_page(readme: str, pages: list[str]) -> str:
    """The README's opening and the notebooks section, links pointing at the site's pages."""
    opening = readme[: readme.index("\n## ")]
    notebooks = section(readme, "## The notebooks")
    notebooks = notebooks.split(navigation.END)[0] + navigation.END
    page = f"{opening}\n\n{notebooks}\n"
    page = re.sub(r"\[!\[[^]]*\]\([^)]*\)\]\([^)]*\)", "", page)  # badges: the site has buttons
    page = re.sub(r"\]\(notebooks/([^)]+\.ipynb)\)", r"](\1)", page)
    toc = "\n".join(pages)
    return f"{page}\n```{{toctree}}\n:hidden:\n:maxdepth: 1\n\n{toc}\n```\n"


def stage(src: Path) -> list[str]:
    """Write the site's sources into ``src``; return the notebook pages in order."""
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(CONF, src, ignore=shutil.ignore_patterns("__pycache__", "_build"))
    pages = []
    for path in course_notebooks():
        nb = nbformat.read(path, as_version=4)
        check_executed(path, nb)
        nbformat.write(site_notebook(nb), src / path.name)
        pages.append(path.stem)
    if not pages:
        raise SiteError(f"no notebooks in {NOTEBOOKS}")
    (src / "index.md").write_text(landing_page(README.read_text(), pages))
    return pages


def build(out: Path = DEFAULT_OUT) -> Path:
    """Stage and build the site; return the folder holding ``index.html``."""
    src, html = out / "src", out / "html"
    stage(src)
    env = dict(os.environ, W2V_SITE_REPOSITORY=navigation.repository())
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-E", "-b", "html"]
    command += [str(src), str(html)]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SiteError(f"sphinx-build failed:\n{result.stdout}{result.stderr}")
    return html


class _Links(html.parser.HTMLParser):
    """The ids and the href/src targets of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            elif name in ("href", "src") and value:
                self.targets.append(value)


def _parse(page: Path) -> _Links:
    links = _Links()
    links.feed(page.read_text(encoding="utf-8"))
    return links


def broken_links(html_dir: Path) -> list[tuple[str, str]]:
    """Every (page, link) of the built site whose file or anchor does not exist."""
    html_dir = Path(html_dir).resolve()
    found = sorted(html_dir.rglob("*.html"))
    pages = {p: _parse(p) for p in found if "_static" not in p.relative_to(html_dir).parts}
    broken = []
    for page, links in pages.items():
        for target in links.targets:
            parts = urllib.parse.urlsplit(target)
            if parts.scheme or parts.netloc or target.startswith(("javascript:", "mailto:")):
                continue  # external: the browser test blocks and reports any request to it
            path = (
                (page.parent / urllib.parse.unquote(parts.path)).resolve() if parts.path else page
            )
            if path.is_dir():
                path = path / "index.html"
            if not path.exists():
                broken.append((page.name, target))
            elif parts.fragment and path.suffix == ".html":
                ids = pages[path].ids if path in pages else _parse(path).ids
                if urllib.parse.unquote(parts.fragment) not in ids:
                    broken.append((page.name, target))
    return broken


def main(argv: list[str]) -> int:
    out = Path(argv[0]).resolve() if argv else DEFAULT_OUT
    started = time.perf_counter()
    try:
        html = build(out)
    except SiteError as error:
        print(f"site: {error}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    print(f"site: {html / 'index.html'} ({len(course_notebooks())} notebooks, {seconds:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
