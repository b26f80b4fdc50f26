"""tools/navigation.py with appendices: A1 comes after the lessons, its lesson module is implied.

The stored notebooks' navigation is checked in tests/notebooks/test_notebooks.py; here the
tool's ordering and its reading of imports, on notebooks written to a temporary folder.
"""

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from tools_loader import load_tool

navigation = load_tool("navigation")


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
