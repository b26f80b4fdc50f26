"""The site builder (tools/build_site.py) without a browser: what it stages and what it refuses."""

import runpy
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from tools_loader import load_tool

build_site = load_tool("build_site")

ROOT = Path(__file__).resolve().parents[2]


def small_notebook() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("[← 01](01_x.ipynb)", metadata={"tags": ["navigation"]}),
        new_markdown_cell("# 02 · A lesson, see [the contents](../README.md#the-notebooks)"),
        new_markdown_cell("Or [pick another](contents.md), or [this one](contents.md#top)."),
        new_code_cell("panel()", execution_count=1, metadata={"tags": ["nbval-ignore-output"]}),
        new_code_cell("print(1)", execution_count=2, outputs=[new_output("stream", text="1\n")]),
        new_code_cell("# Solution", execution_count=3, metadata={"tags": ["solution"]}),
    ]
    nb.cells[3].outputs = [new_output("stream", text="[run this cell in Jupyter]\n")]
    return nb


def test_site_notebook_drops_navigation_collapses_solutions_and_notes_widgets():
    shown = build_site.site_notebook(small_notebook())
    sources = [cell.source for cell in shown.cells]
    assert not any(s.startswith("[← 01]") for s in sources)
    assert "[the contents](index.md)" in sources[0]
    assert sources[1] == "Or [pick another](index.md), or [this one](index.md)."
    widget = next(cell for cell in shown.cells if cell.source == "panel()")
    assert widget.outputs == []
    note = shown.cells[shown.cells.index(widget) + 1]
    assert note.cell_type == "markdown" and "live in JupyterLab or Binder" in note.source
    solution = next(cell for cell in shown.cells if cell.source == "# Solution")
    assert "hide-cell" in solution.metadata.tags
    assert solution.metadata.mystnb["code_prompt_show"] == "Show the solution"
    assert shown.cells[4].outputs[0].text == "1\n"  # a plain cell keeps its stored output


def test_a_notebook_never_executed_stops_the_build_with_its_name():
    nb = small_notebook()
    nb.cells[4].execution_count = None
    with pytest.raises(build_site.SiteError, match=r"02_a_lesson\.ipynb .*cell 4.*make regenerate"):
        build_site.check_executed(Path("02_a_lesson.ipynb"), nb)


def test_landing_page_keeps_the_notebook_table_points_it_at_pages_and_lists_them_in_order():
    readme = (ROOT / "README.md").read_text()
    pages = [path.stem for path in build_site.course_notebooks()]
    page = build_site.landing_page(readme, pages)
    assert page.startswith("# word2vec, hands on")
    assert "| N |" in page and f"]({pages[0]}.ipynb)" in page  # notation table, notebook links
    assert "](notebooks/" not in page and "## The two commands" not in page
    toc = page.split("```{toctree}")[1]
    assert [line for line in toc.splitlines() if line in pages] == pages


def test_broken_links_names_the_page_and_the_link(tmp_path):
    (tmp_path / "index.html").write_text(
        '<a href="a.html#here">ok</a> <a href="a.html#gone">anchor</a>'
        ' <a href="missing.html">file</a> <a href="https://example.org/">external</a>'
        ' <img src="_static/x.png">'
    )
    (tmp_path / "a.html").write_text('<h1 id="here">A</h1>')
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "x.png").write_bytes(b"png")
    broken = build_site.broken_links(tmp_path)
    assert broken == [("index.html", "a.html#gone"), ("index.html", "missing.html")]


@pytest.mark.parametrize("repository", ["", "someone/word2vec-course"])
def test_launch_buttons_appear_only_for_a_configured_repository(monkeypatch, repository):
    monkeypatch.setenv("W2V_SITE_REPOSITORY", repository)
    conf = runpy.run_path(str(ROOT / "site" / "conf.py"))
    options = conf["html_theme_options"]
    assert ("launch_buttons" in options) == bool(repository)
    if repository:
        assert options["repository_url"] == f"https://github.com/{repository}"
        assert options["launch_buttons"]["colab_url"] == "https://colab.research.google.com"


@pytest.mark.slow
def test_a_configured_site_links_each_notebook_to_binder_and_colab(tmp_path, monkeypatch):
    monkeypatch.setattr(build_site.navigation, "repository", lambda: "someone/word2vec-course")
    html = build_site.build(tmp_path)
    first = build_site.course_notebooks()[0].name
    page = (html / first.replace(".ipynb", ".html")).read_text()
    repo = "someone/word2vec-course"
    assert f"mybinder.org/v2/gh/{repo}/main?urlpath=lab/tree/notebooks/{first}" in page
    assert f"colab.research.google.com/github/{repo}/blob/main/notebooks/{first}" in page
    assert "colab.research.google.com" not in (html / "index.html").read_text()
