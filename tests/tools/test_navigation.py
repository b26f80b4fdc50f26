"""tools/navigation.py with appendices: A1 comes after the lessons, its lesson module is implied.

The stored notebooks' navigation is checked in tests/notebooks/test_notebooks.py; here the
tool's ordering and its reading of imports, on notebooks written to a temporary folder, and the
contents page every navigation bar links to (notebooks/contents.md), which `make lab` opens on.
"""

import re
import subprocess
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from tools_loader import load_tool

navigation = load_tool("navigation")

ROOT = Path(__file__).resolve().parents[2]


def write(folder, name: str, heading: str, source: str = "x = 1") -> None:
    nb = new_notebook(cells=[new_markdown_cell(heading), new_code_cell(source)])
    nbformat.write(nb, folder / name)


def test_appendices_come_after_the_lessons_in_order(tmp_path):
    for name in ("A2_more.ipynb", "10_ten.ipynb", "A1_first.ipynb", "09_nine.ipynb", "x.ipynb"):
        write(tmp_path, name, "# title")
    names = [p.name for p in navigation.course_notebooks(tmp_path)]
    assert names == ["09_nine.ipynb", "10_ten.ipynb", "A1_first.ipynb", "A2_more.ipynb"]


def test_a_notebooks_own_lesson_module_is_implied_and_core_modules_are_named():
    nb = new_notebook(
        cells=[
            new_code_cell(
                "from w2v_helpers.lessons.a1_how_the_fast_trainer_departs import check_z_score\n"
                "from w2v_helpers.lessons.nb06_negative_sampling import setting_study\n"
                "from w2v_helpers.analogies import answer_analogy\n"
                "from w2v_helpers.lessons.formatting import format_timing"
            )
        ]
    )
    assert navigation.imported_helpers(nb) == [
        "check_z_score",
        "setting_study",
        "analogies.answer_analogy",
        "formatting.format_timing",
    ]


def test_the_appendix_links_back_to_the_last_lesson_and_the_lesson_on_to_it(tmp_path):
    lessons = [
        navigation.Lesson(tmp_path / "09_nine.ipynb", "09", "Nine", "", ()),
        navigation.Lesson(tmp_path / "A1_first.ipynb", "A1", "First", "", ()),
    ]
    assert "[A1 · First →](A1_first.ipynb)" in navigation.navigation_markdown(lessons, 0)
    assert navigation.navigation_markdown(lessons, 1).startswith("[← 09 · Nine](09_nine.ipynb)")
    assert "| A1 | [First](notebooks/A1_first.ipynb) |" in navigation.readme_table(lessons)


def test_a_pyproject_without_the_course_section_means_no_repository(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    monkeypatch.setattr(navigation, "ROOT", tmp_path)
    assert navigation.repository() == ""


def test_every_notebook_links_to_a_contents_page_beside_it_that_lists_every_notebook_in_order():
    course = navigation.lessons()
    page = navigation.contents_page(course)
    for index, lesson in enumerate(course):
        links = re.findall(r"\]\(([^)#]+)[^)]*\)", navigation.navigation_markdown(course, index))
        for link in links:  # resolved from the notebook's own folder, as JupyterLab does
            assert (lesson.path.parent / link).is_file(), f"{lesson.path.name}: {link}"
        assert navigation.CONTENTS.name in links
    listed = re.findall(r"^\| (\w+) \| \[[^]]+\]\(([^)]+)\)", page, re.M)
    assert listed == [(lesson.number, lesson.path.name) for lesson in course]


def test_a_missing_contents_page_is_out_of_date(tmp_path, monkeypatch):
    monkeypatch.setattr(navigation, "CONTENTS", tmp_path / "contents.md")
    assert tmp_path / "contents.md" in navigation.stale()


def test_the_contents_page_names_the_lessons_and_appendices_it_lists(tmp_path):
    def lesson(number: str) -> navigation.Lesson:
        return navigation.Lesson(tmp_path / f"{number}_x.ipynb", number, "X", "", ())

    two = navigation.contents_page([lesson("01"), lesson("02"), lesson("A1")])
    assert "reading order: the lessons 01 and 02, then the appendix A1." in two
    many = navigation.contents_page([lesson(n) for n in ("01", "02", "03", "A1", "A2", "A3")])
    assert "reading order: the lessons 01 to 03, then the appendices A1 to A3." in many
    assert "mybinder" not in many


def test_a_configured_course_opens_its_contents_page_on_binder(monkeypatch):
    monkeypatch.setattr(navigation, "repository", lambda: "someone/w2v")
    page = navigation.contents_page(navigation.lessons())
    url = "https://mybinder.org/v2/gh/someone/w2v/HEAD?labpath=notebooks%2Fcontents.md"
    assert f"]({url}) opens this page" in page


def test_make_lab_serves_the_notebooks_and_opens_on_the_contents_page():
    stamp = ROOT / ".venv" / ".installed"  # taken as done: print the recipe, build nothing
    recipe = subprocess.run(
        ["make", "-n", "-o", str(stamp), "lab"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--ServerApp.root_dir=notebooks " in recipe
    assert navigation.CONTENTS.parent == ROOT / "notebooks"
    assert f"--LabApp.default_url=/lab/tree/{navigation.CONTENTS.name} " in recipe
