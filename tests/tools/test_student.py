"""The student edition (tools/student.py): solutions gone, exercises cleared.

An exercise cell is taken here as "the cell just before a solution cell", independently of the
tool's own rule (a code cell calling ``check_...``), so the two must agree. That the edition runs
top to bottom, and that every exercise left as the learner finds it says "Not yet", is checked
where it runs anyway: the browser test (``test_browser.py``) runs the student edition in
JupyterLab. nbval runs the stored notebooks, whose solutions must say "Correct".
"""

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from tools_loader import load_tool

student = load_tool("student")

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))  # the lessons, each with exercises
APPENDICES = sorted(NOTEBOOK_DIR.glob("A[0-9]_*.ipynb"))  # copied too: the lessons link to them


def is_solution(cell) -> bool:
    return "solution" in cell.metadata.get("tags", [])


def exercise_indices(nb) -> set[int]:
    """Indices (in the master notebook) of the cells just before a solution cell."""
    return {i - 1 for i, cell in enumerate(nb.cells) if is_solution(cell)}


def output_text(cell) -> str:
    return "".join(
        o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.outputs
    )


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.name)
def notebook(request):
    return request.param, nbformat.read(request.param, as_version=4)


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    """The student edition as ``make student`` writes it, in a temporary folder."""
    out = tmp_path_factory.mktemp("student") / "student"
    assert student.main([str(out)]) == 0
    return out


def test_there_are_notebooks_with_solutions():
    assert NOTEBOOKS, "no notebooks found"


def test_student_edition_drops_solutions_and_clears_exactly_the_exercises(notebook):
    path, nb = notebook
    master = nbformat.read(path, as_version=4)  # student_edition must not touch its input
    solutions = [c for c in nb.cells if is_solution(c)]
    exercises = exercise_indices(nb)
    assert solutions, f"{path.name}: no solution cell"
    assert 0 <= min(exercises), f"{path.name}: a solution cell comes first"

    out = student.student_edition(nb, path.stem)

    assert nb == master, f"{path.name}: student_edition changed its input"
    kept = [(i, c) for i, c in enumerate(nb.cells) if not is_solution(c)]
    assert len(out.cells) == len(nb.cells) - len(solutions)
    assert [c.source for c in out.cells] == [c.source for _, c in kept]
    assert out.metadata == nb.metadata
    k = 0
    for (i, before), after in zip(kept, out.cells, strict=True):
        assert student.is_exercise(before) == (i in exercises), (
            f"{path.name}: cell {i} {before.source[:60]!r}: the check_ rule and the "
            "cell-before-a-solution rule disagree"
        )
        if i in exercises:
            k += 1
            assert after.outputs == [] and after.execution_count is None
            assert after.metadata["nbgrader"]["grade_id"] == f"{path.stem}-exercise-{k}"
            assert {key: v for key, v in after.metadata.items() if key != "nbgrader"} == (
                before.metadata
            )
        else:
            assert after == before, f"{path.name}: cell {i} changed: {before.source[:60]!r}"
    assert k == len(solutions)
    nbformat.validate(out)


def test_every_stored_solution_passes_its_check(notebook):
    path, nb = notebook
    for cell in nb.cells:
        if is_solution(cell):
            assert "✔ Correct" in output_text(cell), f"{path.name}: {cell.source[:60]!r}"


def test_the_tool_writes_every_notebook_and_the_readme_they_link_to(edition):
    written = sorted(p.name for p in (edition / "notebooks").iterdir())
    assert written == sorted([p.name for p in NOTEBOOKS + APPENDICES] + ["contents.md"])
    assert (edition / "README.md").exists()
    for path in (edition / "notebooks").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert not [c for c in nb.cells if is_solution(c)], path.name


def test_the_tool_refuses_to_clear_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(SystemExit, match="notes.txt"):
        student.main([str(tmp_path)])
    assert (tmp_path / "notes.txt").exists()


@pytest.mark.parametrize(
    "before",
    [
        None,  # the solution is the first cell
        new_markdown_cell("Now try it yourself."),
        new_code_cell("answer = ...  # no check is called"),
    ],
    ids=["first-cell", "after-markdown", "after-code-without-check"],
)
def test_a_solution_without_its_exercise_cell_is_an_error(before):
    solution = new_code_cell("check_answer(42)")
    solution.metadata["tags"] = ["solution"]
    nb = new_notebook(cells=[c for c in (before, solution) if c is not None])
    with pytest.raises(ValueError, match="toy: solution cell .* not preceded by an exercise cell"):
        student.student_edition(nb, "toy")


def test_an_exercise_is_any_code_cell_calling_a_check_function():
    exercise = new_code_cell("%time\nfrom m import check_it\n\n\ndef f(x): ...\n\n\ncheck_it(f)")
    solution = new_code_cell("check_it(lambda x: x)")
    solution.metadata["tags"] = ["solution"]
    prose = new_markdown_cell("Call `check_it(f)` when done.")
    nb = new_notebook(cells=[prose, exercise, solution])
    out = student.student_edition(nb, "toy")
    assert [c.cell_type for c in out.cells] == ["markdown", "code"]
    assert out.cells[1].metadata["nbgrader"]["grade_id"] == "toy-exercise-1"
