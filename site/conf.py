"""Sphinx configuration of the course site (built by ``tools/site.py``; ``make site``).

The pages are the stored notebooks, read without executing a cell (``nb_execution_mode =
"off"``): the site shows exactly the outputs CI compares. Everything it loads ships with it:
MathJax from ``sphinx-mathjax-offline``, the theme's fonts and scripts from its wheel.
Launch buttons (Binder, Colab) appear only when ``[tool.w2v-course] repository`` is set in
``pyproject.toml``; ``tools/site.py`` passes it in as ``W2V_SITE_REPOSITORY``.
"""

import os

project = "word2vec, hands on"
author = "the course's authors"
copyright = "the course's authors"  # noqa: A001 (Sphinx reads this name)

extensions = ["myst_nb", "sphinx_copybutton", "sphinx-mathjax-offline"]
myst_enable_extensions = ["dollarmath", "amsmath"]
nb_execution_mode = "off"  # the stored outputs are the reference; never re-run them here
nb_ipywidgets_js = {}  # widget cells show a note instead; load no widget script from a CDN
exclude_patterns = ["_build"]
suppress_warnings = ["myst.header"]  # a notebook's title is its first heading, as in JupyterLab

html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_last_updated_fmt = None
html_context = {"default_mode": "light"}  # an empty mode makes the theme log a console error
html_theme_options = {
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "use_download_button": False,
    "use_fullscreen_button": False,
}

repository = os.environ.get("W2V_SITE_REPOSITORY", "").strip()
if repository:
    html_theme_options |= {
        "repository_url": f"https://github.com/{repository}",
        "repository_branch": os.environ.get("W2V_SITE_BRANCH", "main"),
        "path_to_docs": "notebooks",
        "launch_buttons": {
            "binderhub_url": "https://mybinder.org",
            "colab_url": "https://colab.research.google.com",
            "notebook_interface": "jupyterlab",
        },
    }
