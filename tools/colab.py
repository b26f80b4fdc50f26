"""The lines that let a notebook run on Google Colab, where the helper package is not installed.

``make navigation`` (tools/navigation.py) calls :func:`with_colab_install` on every notebook's
set-up cell (the first code cell). With ``[tool.w2v-course] repository`` set in pyproject.toml,
the cell starts with a block that, on Colab only (its ``google.colab`` module is loaded), installs
the package from that repository at the tag of this version, ``v<version>`` (tag each release so);
anywhere else the block does nothing and prints nothing, so stored outputs do not change. With the
repository unset the block is removed: no notebook points at a repository that does not exist.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
START = "# On Colab, install the course's helper package first (written by `make navigation`)."
END = "# (end of the Colab block)"


def release_tag() -> str:
    """``v<version>`` from pyproject.toml: the tag a notebook of this release installs from."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return f"v{config['project']['version']}"


def install_requirement(repository: str, tag: str) -> str:
    return f"w2v-helpers @ git+https://github.com/{repository}@{tag}"


def install_block(repository: str, tag: str) -> str:
    requirement = install_requirement(repository, tag)
    return "\n".join(
        [
            START,
            "import subprocess",
            "import sys",
            "",
            'if "google.colab" in sys.modules:',
            f'    package = "{requirement}"',
            '    pip = [sys.executable, "-m", "pip", "install", "--quiet", package]',
            "    subprocess.run(pip, check=True)",
            END,
            "",
        ]
    )


def without_block(source: str) -> str:
    if START not in source:
        return source
    head, _, rest = source.partition(START)
    _, _, tail = rest.partition(END)
    return head + tail.lstrip("\n")


def with_colab_install(nb: nbformat.NotebookNode, repository: str, tag: str) -> None:
    """Give ``nb``'s set-up cell the Colab block for ``repository`` (remove it if '')."""
    cell = next(cell for cell in nb.cells if cell.cell_type == "code")
    source = without_block(cell.source)
    cell.source = install_block(repository, tag) + "\n" + source if repository else source
