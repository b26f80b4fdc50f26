"""Each notebook runs alone, in any order, without the network and without writing files.

The notebooks are executed from a temporary copy, in reverse order, each in a fresh kernel whose
IPython startup file makes every socket connection and name lookup outside 127.0.0.1 fail.
Afterwards the copy must hold exactly the notebooks it started with, so no notebook can depend on
a file another one wrote.
"""

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

NO_NETWORK = """
import socket

_connect, _connect_ex, _getaddrinfo = (
    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo
)


def _local(host):
    return isinstance(host, str) and (host.startswith("127.") or host in ("localhost", "::1"))


def _checked(address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(address, tuple) and not _local(host):
        raise ConnectionRefusedError(f"network blocked by the course's tests: {address!r}")


def connect(self, address):
    _checked(address)
    return _connect(self, address)


def connect_ex(self, address):
    _checked(address)
    return _connect_ex(self, address)


def getaddrinfo(host, *args, **kwargs):
    if host is not None and not _local(host):
        raise OSError(f"name lookup blocked by the course's tests: {host!r}")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = (
    connect, connect_ex, getaddrinfo
)
socket.W2V_NETWORK_BLOCKED = True
"""

PROBE = """
import socket
assert socket.W2V_NETWORK_BLOCKED
try:
    socket.create_connection(("198.51.100.7", 80), timeout=1)
except (ConnectionRefusedError, OSError) as err:
    print("blocked:", "blocked by the course's tests" in str(err))
"""


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    root = tmp_path_factory.mktemp("independence")
    startup = root / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-no-network.py").write_text(NO_NETWORK)
    work = root / "notebooks"
    work.mkdir()
    for path in NOTEBOOKS:
        shutil.copy(path, work / path.name)
    return root


@pytest.mark.parametrize("path", NOTEBOOKS[::-1], ids=lambda p: p.name)
def test_notebook_runs_alone_offline_in_reverse_order(sandbox, monkeypatch, path):
    monkeypatch.setenv("IPYTHONDIR", str(sandbox / "ipython"))
    work = sandbox / "notebooks"
    before = sorted(p.name for p in work.iterdir())
    nb = nbformat.read(work / path.name, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(work)}}
    ).execute()
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"{path.name}: {output.get('evalue')}"
    assert nb.cells[-1].outputs[0]["text"] == "blocked: True\n", "the network was not blocked"
    assert sorted(p.name for p in work.iterdir()) == before, f"{path.name} wrote files"
