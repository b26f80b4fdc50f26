"""The Colab block of a notebook's set-up cell (tools/colab.py), run with Colab simulated."""

import subprocess
import sys
import tomllib
import types
from pathlib import Path

import nbformat
from tools_loader import load_tool

colab = load_tool("colab")

ROOT = Path(__file__).resolve().parents[2]
FIRST = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))[0]


def setup_cell(repository: str) -> str:
    nb = nbformat.read(FIRST, as_version=4)
    colab.with_colab_install(nb, repository, "v9.9.9")
    return next(cell for cell in nb.cells if cell.cell_type == "code").source


def run_cell(source: str, monkeypatch, *, on_colab: bool) -> list[list[str]]:
    """Execute the set-up cell's Colab block (the rest would set this process's seeds and print
    options) with ``subprocess.run`` captured; return the commands it ran."""
    block = source[source.index(colab.START) : source.index(colab.END)]
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda command, **kw: calls.append(command))
    if on_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    exec(compile(block, "setup-cell", "exec"), {})  # noqa: S102 -- the notebook's own lines
    return calls


def test_on_colab_the_setup_cell_installs_the_package_from_the_repository_at_the_release_tag(
    monkeypatch,
):
    calls = run_cell(setup_cell("someone/word2vec-course"), monkeypatch, on_colab=True)
    requirement = "w2v-helpers @ git+https://github.com/someone/word2vec-course@v9.9.9"
    assert calls == [[sys.executable, "-m", "pip", "install", "--quiet", requirement]]


def test_elsewhere_the_colab_block_installs_nothing(monkeypatch):
    assert run_cell(setup_cell("someone/word2vec-course"), monkeypatch, on_colab=False) == []


def test_without_a_repository_the_setup_cell_is_as_stored_and_has_no_block():
    stored = next(c for c in nbformat.read(FIRST, as_version=4).cells if c.cell_type == "code")
    assert colab.START not in stored.source  # the course configures no repository yet
    assert setup_cell("") == stored.source


def test_the_block_is_replaced_not_repeated():
    nb = nbformat.read(FIRST, as_version=4)
    for repository in ("a/b", "c/d", "c/d"):
        colab.with_colab_install(nb, repository, "v1")
    source = next(cell for cell in nb.cells if cell.cell_type == "code").source
    assert source.count(colab.START) == 1 and "github.com/c/d@v1" in source


def test_release_tag_is_v_and_the_package_version():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert colab.release_tag() == f"v{version}"
