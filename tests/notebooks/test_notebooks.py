"""The notebooks as stored: imports exist, outputs come from one clean run, rules hold.

nbval (run on ``notebooks/``) proves each notebook still prints its stored outputs; these tests
prove the stored notebooks are what the regenerate command would write and follow the course's
rules.
"""

import ast
import importlib
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest
from tools_loader import load_tool

navigation = load_tool("navigation")

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
LESSONS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
APPENDICES = sorted(NOTEBOOK_DIR.glob("A[0-9]_*.ipynb"))
NOTEBOOKS = LESSONS + APPENDICES
IGNORE_TAG = "nbval-ignore-output"


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def parse(source: str) -> ast.Module:
    # IPython magics and shell escapes are not Python; blank them before parsing.
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    return ast.parse("\n".join(lines))


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.name)
def notebook(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found"


def test_every_w2v_helpers_name_a_notebook_imports_exists(notebook):
    path, nb = notebook
    for cell in code_cells(nb):
        for node in ast.walk(parse(cell.source)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("w2v_helpers"):
                module = importlib.import_module(node.module)
                for alias in node.names:
                    assert alias.name != "*", f"{path.name}: import names explicitly"
                    assert hasattr(module, alias.name), f"{path.name}: {node.module}.{alias.name}"


def test_outputs_come_from_one_clean_top_to_bottom_run(notebook):
    path, nb = notebook
    counts = [c.execution_count for c in code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: regenerate it"
    for cell in code_cells(nb):
        assert all(o.output_type != "error" for o in cell.outputs), cell.source[:80]


def test_stored_notebook_has_no_widget_state_or_volatile_metadata(notebook):
    path, nb = notebook
    assert "widgets" not in nb.metadata
    assert "version" not in nb.metadata.get("language_info", {})
    for cell in nb.cells:
        assert "execution" not in cell.metadata
        for output in cell.get("outputs", []):
            assert "application/vnd.jupyter.widget-view+json" not in output.get("data", {})


def test_only_widget_cells_ignore_their_output(notebook):
    path, nb = notebook
    for cell in code_cells(nb):
        ignored = IGNORE_TAG in cell.metadata.get("tags", [])
        shows_panel = re.search(r"\w+_panel\(", cell.source) is not None
        assert ignored == shows_panel, f"{path.name}: {cell.source[:80]!r}"


def test_the_pure_function_behind_each_widget_is_called_in_a_checked_cell(notebook):
    from w2v_helpers.lessons import panel_factories

    path, nb = notebook
    checked = "\n".join(
        c.source for c in code_cells(nb) if IGNORE_TAG not in c.metadata.get("tags", [])
    )
    for cell in code_cells(nb):
        for name in re.findall(r"(\w+_panel)\(", cell.source):
            doc = panel_factories()[name].__doc__
            behind = re.findall(r"w2v_helpers\.lessons\.nb\w+\.(\w+)", doc)
            assert behind, f"{name} must name its pure function in its docstring"
            for function in behind:
                assert f"{function}(" in checked, f"{path.name}: call {function} in a plain cell"


def test_notebook_opens_with_its_number_and_title_then_the_setup_cell(notebook):
    path, nb = notebook
    number = path.name[:2]
    lesson = [c for c in nb.cells if "navigation" not in c.metadata.get("tags", [])]
    assert lesson[0].cell_type == "markdown"
    assert lesson[0].source.startswith(f"# {number} · "), lesson[0].source[:40]
    assert "from w2v_helpers.notebook import setup" in code_cells(nb)[0].source


def test_notebook_has_navigation_at_top_and_bottom_and_a_concept(notebook):
    path, nb = notebook
    assert "navigation" in nb.cells[0].metadata.get("tags", [])
    assert "navigation" in nb.cells[-1].metadata.get("tags", [])
    assert nb.metadata.get("course", {}).get("concept"), f"{path.name}: set metadata course.concept"


def test_solutions_open_collapsed_with_their_outputs_hidden(notebook):
    path, nb = notebook
    solutions = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    assert solutions, f"{path.name}: no solution cell"
    for cell in solutions:
        hidden = cell.metadata.get("jupyter", {})
        assert hidden.get("source_hidden") is True and hidden.get("outputs_hidden") is True
        assert cell.outputs, "a hidden solution still runs; nbval checks its stored output"


def test_badges_appear_only_for_a_configured_repository(monkeypatch):
    course = navigation.lessons()
    monkeypatch.setattr(navigation, "repository", lambda: "")
    assert "mybinder" not in navigation.navigation_markdown(course, 0)
    assert "Launch" not in navigation.readme_table(course)
    monkeypatch.setattr(navigation, "repository", lambda: "someone/w2v")
    url = "https://mybinder.org/v2/gh/someone/w2v/HEAD?labpath=notebooks%2F01_cbow_forward.ipynb"
    assert navigation.navigation_markdown(course, 0).endswith(f"]({url})")
    assert f"]({url}) |" in navigation.readme_table(course)


def test_navigation_cells_and_readme_table_are_up_to_date():
    stale = navigation.stale()
    assert not stale, f"run `make navigation`: {[p.name for p in stale]}"


def test_links_between_notebooks_point_to_existing_notebooks(notebook):
    path, nb = notebook
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for target in re.findall(r"\]\(([^)#:]+\.ipynb)", cell.source):  # relative links
                assert (path.parent / target).exists(), f"{path.name} links to missing {target}"


def test_a_link_named_after_a_notebook_leads_to_that_notebook(notebook):
    """``[05 · Train it yourself](...)`` must open notebook 05, not its neighbour."""
    path, nb = notebook
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            named = re.findall(r"\[(?:← )?(A?\d+) · [^]]*\]\(([^)#:]+\.ipynb)", cell.source)
            for number, target in named:
                assert Path(target).name.startswith(f"{number}_"), (
                    f"{path.name}: a link named {number} leads to {target}"
                )


# How the stored outputs are kept the same on every machine is the README's and the appendices'
# business ("About the numbers"); a lesson's prose speaks of word2vec.
RIG_TALK = re.compile(
    r"\bCPUs\b|\b(one|another|this|each|every|any|other|your) CPU\b|\bBLAS\b|\bMKL\b|\bAVX"
    r"|flush(es|ed)?[- ]to[- ]zero|\bflush(es|ed)? subnormal|fast[- ]math"
    r"|\b(stored|saved) (output|outputs|copy|notebook)\b|\bmask(s|ed|ing)?\b"
    r"|sanitis|sanitiz|\bnbval\b|<(rate|ratio|timing)>|portab"
    r"|\b(every|any|another|each) machine\b|one machine to"
    # tolerance margins: how far a printed check sits from flipping
    r"|\b(test|check|comparison)s? would be a coin[- ]flip|\bfloat32 steps\b"
    r"|\brounding boundary|\b(absolute|relative) 1e-\d+ (test|check)\b"
    # what the test suite compares or leaves out
    r"|\bthe tests? (ignores?|checks?|compares?)\b|\bnot part of (the tests|make test)"
    r"|\boutputs? (is|are) checked\b"
    # how fast a widget panel answers, and the memory guard's environment variable
    r"|\blatenc(y|ies)\b|\banswers at once\b|\bsays it is working\b|(?-i:\bW2V_[A-Z][A-Z_]*\b)",
    re.IGNORECASE,
)
"""Words about the test rig: CPUs and their maths libraries, fast-math builds, stored copies,
masks, nbval, tolerance margins, what the tests check or ignore, panel latency, the memory
budget's environment variable."""


def lesson_prose(nb) -> list[str]:
    """A lesson's markdown (navigation aside) and the comments of its code cells, line by line."""
    lines = []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and "navigation" not in cell.metadata.get("tags", []):
            lines += cell.source.splitlines()
        elif cell.cell_type == "code":
            lines += [line.split("#", 1)[1] for line in cell.source.splitlines() if "#" in line]
    return lines


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_prose_speaks_of_word2vec_not_of_the_test_rig(path):
    nb = nbformat.read(path, as_version=4)
    found = [line.strip() for line in lesson_prose(nb) if RIG_TALK.search(line)]
    where = "the README's 'About the numbers' or an appendix"
    assert not found, f"{path.name}: move this to {where}: {found}"


@pytest.mark.parametrize(
    "line",
    [
        "the saved copy shows `<ratio>`; run the cell to see yours",
        "gensim's vectors differ from one CPU to another (its BLAS)",
        "on a machine that flushes subnormal numbers to zero",
        "a CPU in flush-to-zero mode rounds them to 0",
        "printed, masked, never checked",
        "so the stored output is the same on every machine",
        "near 10.8 an absolute 1e-6 test would be a coin flip",
        "relative 1e-5 is about 100 float32 steps, room for two summation orders",
        "every printed float sits far from a rounding boundary",
        "on fast-math builds these round to 0",
        "the time varies from run to run, so the test ignores that one number",
        "in float64 they agree to 1e-10 (the tests check many more cases)",
        "`make bench-losses` times them. It is not part of the tests: run it yourself",
        "a plain cell whose output is checked",
        "a move near the start answers at once; a large tile says it is working",
        "the panel's latency grows with N",
        "set W2V_MEMORY_BUDGET=512MiB to change it",
    ],
)
def test_rig_talk_pattern_catches_what_the_lessons_once_said(line):
    assert RIG_TALK.search(line)


@pytest.mark.parametrize(
    "line",
    [
        "Everything here trains in float64 on the CPU: slower than float32",
        "numbers below 1.2e-38 are subnormal",
        "a probability near 0.5: each of the N·V decisions is a coin flip and costs log 2",
        "at 0 every turn is a coin flip, so a word n turns deep gets (1/2)ⁿ",
        "the tied model's test loss on held-out pairs",
        "the check names the wrong term; a test of the gradient against autograd",
        "the memory guard refuses settings over the budget (1 GiB)",
        "neighbouring float32 numbers near 10.8 are 1e-6 apart",
    ],
)
def test_rig_talk_pattern_lets_word2vec_talk_through(line):
    assert RIG_TALK.search(line) is None


def test_every_exercise_check_has_a_solution_cell(notebook):
    path, nb = notebook
    cells = code_cells(nb)
    for i, cell in enumerate(cells):
        if "answer = ..." in cell.source or re.search(r"^\s+\.\.\.\s+#", cell.source, re.M):
            following = cells[i + 1] if i + 1 < len(cells) else None
            assert following is not None and "solution" in following.metadata.get("tags", []), (
                f"{path.name}: exercise without a solution: {cell.source[:60]!r}"
            )


def test_every_number_in_the_prose_is_printed_or_computed_by_a_cell(notebook):
    """A number of three or more digits in a markdown cell must appear in a code cell's output
    (or its source, where the lesson states an input): prose never quotes an unchecked result."""
    path, nb = notebook
    shown = ""
    for cell in code_cells(nb):
        shown += cell.source + "\n"
        for output in cell.outputs:
            shown += output.get("text", "") + output.get("data", {}).get("text/plain", "") + "\n"
    shown = shown.replace(",", "").replace("_", "")
    for cell in nb.cells:
        # the bench table is copied from benchmarks/results.md (tests/tools/test_bench_results.py)
        generated = {"navigation", "bench-results"} & set(cell.metadata.get("tags", []))
        if cell.cell_type != "markdown" or generated:
            continue
        for number in re.findall(r"(?<![\w.])(\d+(?:[.,]\d+)*)", cell.source):
            digits = number.replace(",", "")
            if len(digits.replace(".", "")) >= 3:
                assert digits in shown, f"{path.name}: {number} in the prose is printed nowhere"


def test_every_public_helper_says_which_notebook_introduced_it():
    import inspect
    import pkgutil

    import w2v_helpers

    missing = []
    for info in pkgutil.iter_modules(w2v_helpers.__path__):
        module = importlib.import_module(f"w2v_helpers.{info.name}")
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                match = re.search(
                    r"Introduced in\s+``(\d\d_\w+\.ipynb)``", inspect.getdoc(obj) or ""
                )
                if not match or not (Path(NOTEBOOKS[0].parent) / match.group(1)).exists():
                    missing.append(f"{info.name}.{name}")
    assert not missing, f"add 'Introduced in ``NN_....ipynb``' to: {missing}"


# A call to format_timing/format_rate followed by a format spec, e.g. {format_rate(w, s):>30}.
PADDED_VOLATILE = re.compile(r"format_(?:rate|timing)\((?:[^()]|\([^()]*\))*\)\s*:[^}]*\}")


def test_no_helper_pads_a_volatile_field():
    calls = 0
    for module in (Path(__file__).resolve().parents[2] / "w2v_helpers").rglob("*.py"):
        text = module.read_text()
        calls += len(re.findall(r"format_(?:rate|timing)\(", text))
        found = PADDED_VOLATILE.search(text)
        assert not found, f"{module.name}: {found.group(0)}"
    assert calls >= 3, "the scan found no format_rate/format_timing call: is it looking anywhere?"


def test_a_volatile_field_is_never_padded_and_ends_its_line(notebook):
    """The sanitize rules mask a timing or a rate, not the spaces around it: a padded field, or a
    column after one, would shift with the number of digits and make nbval fail on a slow run."""
    path, nb = notebook
    for cell in code_cells(nb):
        found = PADDED_VOLATILE.search(cell.source)
        assert not found, f"{path.name}: {found.group(0)}"
    for cell in code_cells(nb):
        for output in cell.outputs:
            for line in output.get("text", "").splitlines():
                if "(wall clock)" in line:
                    assert line.endswith("(wall clock)"), f"{path.name}: {line!r}"


def test_padded_volatile_pattern_catches_a_padded_field():
    assert PADDED_VOLATILE.search('f"{format_rate(words, ours.seconds):>30} x"')
    assert PADDED_VOLATILE.search('f"{format_timing(times[name]):>12}"')
    assert not PADDED_VOLATILE.search('f"  {format_timing(times[name])}"')
