"""Write the student edition of the course: the notebooks without their solutions.

    python tools/student.py            # write student/ (make student)
    python tools/student.py OUT_DIR    # write OUT_DIR/ instead

Every ``notebooks/NN_*.ipynb``, then every appendix (``notebooks/A1_*.ipynb``, ...), is copied to
``student/notebooks/`` with its cells tagged ``solution`` removed and its exercise cells (code
cells that call a ``check_...`` function) cleared of outputs and execution count, so a learner
sees the stub's question, not the stored "✘ Not yet" or the answer. Each exercise cell gets
nbgrader-style metadata with a stable
``grade_id`` (``<stem>-exercise-<k>``); JupyterLab and nbval ignore it. Everything else (prose,
other cells and their stored outputs, notebook metadata) is kept as stored. The contents page
``notebooks/contents.md`` is copied beside the notebooks, which link to it, and the README beside
the folder; the helpers come from
the installed ``w2v_helpers`` package. The output folder is recreated on each run; the tool
refuses to clear a folder holding anything it did not write.
A solution cell must follow its exercise cell; otherwise the tool stops with an error rather
than ship an exercise whose answer is gone but whose question was never marked as one.
"""

from __future__ import annotations

import ast
import copy
import re
import shutil
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
README = ROOT / "README.md"
DEFAULT_OUT = ROOT / "student"
SOLUTION_TAG = "solution"
CHECK_PREFIX = "check_"
OWNED = {"notebooks", README.name}  # all this tool writes into its output folder


def is_solution(cell: nbformat.NotebookNode) -> bool:
    return SOLUTION_TAG in cell.metadata.get("tags", [])


def called_names(source: str) -> set[str]:
    """Names of the functions a cell's source calls (IPython magics and shell lines blanked)."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:  # not plain Python: fall back to the text
        return set(re.findall(r"\b(\w+)\s*\(", source))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                names.add(node.func.id)
            elif isinstance(node.func, ast.Attribute):
                names.add(node.func.attr)
    return names


def is_exercise(cell: nbformat.NotebookNode) -> bool:
    """A code cell, not a solution, that calls a ``check_...`` function on the learner's answer."""
    return (
        cell.cell_type == "code"
        and not is_solution(cell)
        and any(name.startswith(CHECK_PREFIX) for name in called_names(cell.source))
    )


def check_solutions_follow_exercises(nb: nbformat.NotebookNode, stem: str) -> None:
    for index, cell in enumerate(nb.cells):
        if is_solution(cell) and (index == 0 or not is_exercise(nb.cells[index - 1])):
            raise ValueError(
                f"{stem}: solution cell {index} ({cell.get('id', 'no id')}, "
                f"{cell.source[:60]!r}) is not preceded by an exercise cell "
                f"(a code cell that calls a {CHECK_PREFIX}... function)"
            )


def nbgrader_metadata(stem: str, k: int) -> dict:
    return {
        "grade": False,
        "solution": False,
        "locked": False,
        "task": False,
        "schema_version": 3,
        "grade_id": f"{stem}-exercise-{k}",
    }


def student_edition(nb: nbformat.NotebookNode, stem: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` without solution cells, its exercise cells cleared; ``nb`` is untouched."""
    check_solutions_follow_exercises(nb, stem)
    out = copy.deepcopy(nb)
    out.cells = [cell for cell in out.cells if not is_solution(cell)]
    exercises = [cell for cell in out.cells if is_exercise(cell)]
    for k, cell in enumerate(exercises, start=1):
        cell.outputs = []
        cell.execution_count = None
        cell.metadata["nbgrader"] = nbgrader_metadata(stem, k)
    return out


def prepare(out: Path) -> None:
    """Empty ``out`` for a fresh edition, refusing if it holds anything this tool did not write."""
    if out.exists():
        strangers = sorted(p.name for p in out.iterdir() if p.name not in OWNED)
        if strangers:
            raise SystemExit(f"{out} holds files the student tool did not write: {strangers}")
        shutil.rmtree(out)
    (out / "notebooks").mkdir(parents=True)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def shown(path: Path) -> str:
    """``path`` relative to the working directory where it is inside it, for short messages."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def write_edition(out: Path) -> list[Path]:
    """Write every notebook's student edition under ``out``; all are built before ``out`` is
    cleared, so a notebook that breaks the rules leaves the previous edition in place."""
    editions = []
    lessons = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    for source in lessons + sorted(NOTEBOOKS.glob("A[0-9]_*.ipynb")):
        nb = nbformat.read(source, as_version=4)
        student = student_edition(nb, source.stem)
        nbformat.validate(student)
        editions.append((source, len(nb.cells) - len(student.cells), student))
    prepare(out)
    written = []
    for source, removed, student in editions:
        target = out / "notebooks" / source.name
        target.write_text(nbformat.writes(student) + "\n", encoding="utf-8")
        cleared = sum("nbgrader" in cell.metadata for cell in student.cells)
        print(
            f"wrote {shown(target)}: {plural(removed, 'solution')} removed, "
            f"{plural(cleared, 'exercise')} cleared"
        )
        written.append(target)
    shutil.copyfile(NOTEBOOKS / "contents.md", out / "notebooks" / "contents.md")
    shutil.copyfile(README, out / README.name)
    return written


def main(argv: list[str]) -> int:
    if len(argv) > 1 or any(arg.startswith("-") for arg in argv):
        print(__doc__)
        return 2
    out = Path(argv[0]) if argv else DEFAULT_OUT
    written = write_edition(out)
    print(f"student edition: {len(written)} notebooks in {shown(out / 'notebooks')}/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
