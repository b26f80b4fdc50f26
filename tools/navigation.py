"""Generate the navigation cells of every notebook and the README's table of notebooks.

    python tools/navigation.py           # write them
    python tools/navigation.py --check   # exit 1 if anything is out of date (the tests call this)

The lessons (``NN_*.ipynb``) come in order, then the appendices (``A1_*.ipynb``, numbered A1,
A2, ...). Each notebook gets a navigation cell at the top and at the bottom (previous · contents ·
next, and a launch-on-Binder badge), tagged ``navigation`` so the next run replaces rather than
adds. "Contents" leads to ``notebooks/contents.md``, written here from the same table as the
README's: a sibling of the notebooks, so the link works wherever the notebooks are served from
(``make lab`` and the student edition serve ``notebooks/`` as the root, Binder the repository),
and ``make lab`` opens on it. JupyterLab shows it rendered (``lab/overrides.json`` makes Markdown
Preview the default viewer for markdown).
Cells tagged ``solution`` get JupyterLab's ``jupyter.source_hidden`` and ``outputs_hidden``
metadata, so a learner sees a collapsed solution and expands it on purpose.
The README's table (number, title, concept, helpers introduced, badge) is rebuilt between the
``<!-- notebooks:start -->`` and ``<!-- notebooks:end -->`` markers. A notebook's concept comes
from its metadata ``course.concept``; its helpers are the ``w2v_helpers`` names it imports that no
earlier notebook imported. With a repository set, each set-up cell also gets its Colab block
(``tools/colab.py``). The badges point at ``[tool.w2v-course] repository`` in pyproject.toml
(``owner/name`` on GitHub); while it is empty there are no badges, rather than badges that lead
nowhere.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_markdown_cell

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import colab  # noqa: E402 (a sibling tool: the set-up cell's Colab block)

NOTEBOOKS = ROOT / "notebooks"
README = ROOT / "README.md"
CONTENTS = NOTEBOOKS / "contents.md"  # the contents page beside the notebooks
START, END = "<!-- notebooks:start -->", "<!-- notebooks:end -->"
NAV_TAG = "navigation"
BADGE_IMAGE = "https://mybinder.org/badge_logo.svg"
LESSON_MODULE = re.compile(r"(nb\d\d|a\d)_")  # a notebook's own lesson module: nb06_..., a1_...


def course_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """The lessons (``NN_*.ipynb``) in order, then the appendices (``A1_*.ipynb``, ...)."""
    return sorted(folder.glob("[0-9][0-9]_*.ipynb")) + sorted(folder.glob("A[0-9]_*.ipynb"))


@dataclass(frozen=True)
class Lesson:
    path: Path
    number: str
    title: str
    concept: str
    helpers: tuple[str, ...]


def repository() -> str:
    """'owner/name' of the course's GitHub repository from pyproject.toml, or '' if unset."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    name = config.get("tool", {}).get("w2v-course", {}).get("repository", "")  # missing: unset
    name = name.strip().strip("/")
    if name and (name.count("/") != 1 or any(c.isspace() for c in name)):
        raise ValueError(f"[tool.w2v-course] repository must be 'owner/name', got {name!r}")
    return name


def binder_url(path: Path) -> str:
    target = urllib.parse.quote(f"notebooks/{path.name}", safe="")
    return f"https://mybinder.org/v2/gh/{repository()}/HEAD?labpath={target}"


def badge(path: Path) -> str:
    """A launch-on-Binder badge, or '' while no repository is configured."""
    return f"[![Launch on Binder]({BADGE_IMAGE})]({binder_url(path)})" if repository() else ""


def imported_helpers(nb: nbformat.NotebookNode) -> list[str]:
    names = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(
            "" if line.lstrip().startswith(("%", "!")) else line
            for line in cell.source.splitlines()
        )
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("w2v_helpers."):
                # core and shared modules by name; the notebook's own lesson module implied
                short = node.module.removeprefix("w2v_helpers.").removeprefix("lessons.")
                prefix = "" if LESSON_MODULE.match(short) else f"{short}."
                names += [f"{prefix}{alias.name}" for alias in node.names]
    return list(dict.fromkeys(names))


def content_cells(nb: nbformat.NotebookNode) -> list:
    return [c for c in nb.cells if NAV_TAG not in c.metadata.get("tags", [])]


def lessons() -> list[Lesson]:
    found, seen = [], {"notebook.setup"}
    for path in course_notebooks():
        nb = nbformat.read(path, as_version=4)
        heading = content_cells(nb)[0].source.splitlines()[0]
        number, _, title = heading.removeprefix("# ").partition(" · ")
        concept = nb.metadata.get("course", {}).get("concept", "")
        new = [name for name in imported_helpers(nb) if name not in seen]
        seen.update(new)
        found.append(Lesson(path, number, title.strip(), concept, tuple(new)))
    return found


def navigation_markdown(course: list[Lesson], index: int) -> str:
    parts = []
    if index > 0:
        prev = course[index - 1]
        parts.append(f"[← {prev.number} · {prev.title}]({prev.path.name})")
    parts.append(f"[Contents]({CONTENTS.name})")
    if index + 1 < len(course):
        nxt = course[index + 1]
        parts.append(f"[{nxt.number} · {nxt.title} →]({nxt.path.name})")
    launch = badge(course[index].path)
    return " | ".join(parts) + (f" &nbsp; {launch}" if launch else "")


def with_navigation(nb: nbformat.NotebookNode, text: str) -> nbformat.NotebookNode:
    """The notebook with exactly one navigation cell at the top and one at the bottom."""
    cells = content_cells(nb)
    top, bottom = new_markdown_cell(text), new_markdown_cell(text)
    for cell, where in ((top, "top"), (bottom, "bottom")):
        cell.metadata["tags"] = [NAV_TAG]
        cell["id"] = f"navigation-{where}"
    for cell in cells:
        if "solution" in cell.metadata.get("tags", []):
            cell.metadata["jupyter"] = {"source_hidden": True, "outputs_hidden": True}
    nb.cells = [top, *cells, bottom]
    return nb


def readme_table(course: list[Lesson], folder: str = "notebooks/") -> str:
    """The table of notebooks; ``folder`` leads from the page that shows it to the notebooks."""
    launch = bool(repository())
    rows = [
        "| # | Notebook | Concept | Helpers introduced |" + (" Launch |" if launch else ""),
        "|---|----------|---------|--------------------|" + ("--------|" if launch else ""),
    ]
    for lesson in course:
        helpers = ", ".join(f"`{h}`" for h in lesson.helpers)
        link = f"[{lesson.title}]({folder}{lesson.path.name})"
        row = f"| {lesson.number} | {link} | {lesson.concept} | {helpers} |"
        rows.append(row + (f" {badge(lesson.path)} |" if launch else ""))
    return "\n".join(rows)


def course_badge() -> str:
    """A badge that opens the contents page on Binder, or '' while no repository is configured."""
    return (
        f"[![Launch the course on Binder]({BADGE_IMAGE})]({binder_url(CONTENTS)})"
        if repository()
        else ""
    )


def span(numbers: list[str], one: str, many: str) -> str:
    """'lesson 01', 'appendices A1 and A2', 'lessons 01 to 09'; '' for no numbers."""
    if len(numbers) < 2:
        return f"{one} {numbers[0]}" if numbers else ""
    joiner = " and " if len(numbers) == 2 else " to "
    return f"{many} {numbers[0]}{joiner}{numbers[-1]}"


def contents_page(course: list[Lesson]) -> str:
    """``notebooks/contents.md``: the README's table, its links leading to the sibling notebooks."""
    numbers = [lesson.number for lesson in course]
    parts = [
        span([n for n in numbers if n[0].isdigit()], "lesson", "lessons"),
        span([n for n in numbers if not n[0].isdigit()], "appendix", "appendices"),
    ]
    order = ", then the ".join(part for part in parts if part)
    launch = course_badge()
    lines = [
        "<!-- Written by `make navigation` (tools/navigation.py): edits here are overwritten. -->",
        "",
        "# word2vec, hands on · Contents",
        "",
        f"The notebooks in reading order: the {order}.",
        "Each runs on its own, top to bottom, and ends with exercises whose checks explain what is",
        "wrong with a wrong answer; solutions follow, collapsed.",
        "The navigation bar at the top and bottom of every notebook leads back to this page.",
        *(["", f"{launch} opens this page in a ready-made session."] if launch else []),
        "",
        readme_table(course, folder=""),
        "",
    ]
    return "\n".join(lines)


def planned() -> dict[Path, str]:
    """Every file this tool writes, with the text it should hold."""
    course = lessons()
    out = {}
    for index, lesson in enumerate(course):
        nb = nbformat.read(lesson.path, as_version=4)
        nb = with_navigation(nb, navigation_markdown(course, index))
        colab.with_colab_install(nb, repository(), colab.release_tag())  # none while unset
        out[lesson.path] = nbformat.writes(nb) + "\n"
    readme = README.read_text(encoding="utf-8")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    out[README] = f"{head}{START}\n{readme_table(course)}\n{END}{tail}"
    out[CONTENTS] = contents_page(course)
    return out


def current(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


def stale() -> list[Path]:
    """Files whose navigation or table is out of date."""
    return [p for p, text in planned().items() if current(p) != text]


def main(argv: list[str]) -> int:
    if argv == ["--check"]:
        outdated = stale()
        for path in outdated:
            print(f"out of date: {path.relative_to(ROOT)} (run `make navigation`)")
        return 1 if outdated else 0
    for path, text in planned().items():
        if current(path) != text:
            path.write_text(text, encoding="utf-8")
            print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
