"""What the browser tests share: where Chromium is, how it starts, and the offline rule.

Not a test module: the JupyterLab walkthrough (tests/notebooks/test_browser.py) and the site
test (tests/notebooks/test_site.py) import it, as the unit tests import ``oracles``.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("W2V_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")


def find_chromium() -> str:
    """Chromium's path; a skip without it, or a failure under ``CI=true`` (.ci/run installs it)."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    message = (
        f"Chromium not found at {CHROMIUM}. Install Debian's chromium package "
        "(apt-get install chromium) or set W2V_CHROMIUM to its path to run the browser test."
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true requires the browser test. {message}")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def local_only(blocked: list[str]):
    """A route handler that lets 127.0.0.1 through and aborts (and records) everything else."""

    def handle(route) -> None:
        url = route.request.url
        if url.startswith(LOCAL):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    return handle
