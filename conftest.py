"""What every pytest run of the course shares: the test tiers, and nbval's sandbox.

Tiers, registered in ``pyproject.toml`` (``--strict-markers`` refuses any other):

- ``notebook``: executes a notebook in a Jupyter kernel. nbval's cells get it here;
- ``browser``: drives JupyterLab in headless Chromium;
- ``slow``: takes over about 2 s.

``make test-fast`` runs what carries none of them.

nbval executes every notebook once, so the checks that each notebook stands on its own ride on
that run instead of a run of their own:

- every kernel starts with an IPython startup file that refuses connections and name lookups
  outside 127.0.0.1, so a notebook that reaches for the network fails;
- the notebooks run in reverse order (the last first), each in a fresh kernel;
- after each notebook's last cell, one more item (``<notebook>::stands alone``) asks that
  notebook's kernel whether the network was blocked and whether its process served an earlier
  notebook, then checks that the notebooks' folder holds exactly the files it held before the
  notebook ran: no notebook may depend on a file another one wrote.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

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

# Run in a notebook's kernel after its last cell; prints one line of JSON.
PROBE = """
import json as _json, os as _os, socket as _socket
try:
    _socket.create_connection(("198.51.100.7", 80), timeout=1)
    _blocked = False
except OSError as _err:
    _blocked = "blocked by the course's tests" in str(_err)
print(_json.dumps({"blocked": _blocked, "pid": _os.getpid()}))
"""

_BEFORE: dict[Path, dict[str, tuple[int, int]]] = {}  # notebook -> its folder before its run
_KERNEL_PIDS: dict[int, str] = {}  # kernel process -> the notebook it ran


def pytest_configure(config: pytest.Config) -> None:
    """Kernels started by this run (nbval's, and any a test starts) load the no-network file."""
    folder = Path(tempfile.mkdtemp(prefix="w2v-ipython-"))
    startup = folder / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-no-network.py").write_text(NO_NETWORK)
    os.environ["IPYTHONDIR"] = str(folder)
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


def _nbval_classes() -> tuple[type, type] | None:
    try:
        from nbval.plugin import IPyNbCell, IPyNbFile
    except ImportError:
        return None
    return IPyNbCell, IPyNbFile


@pytest.hookimpl(tryfirst=True)  # before -m and -k deselect: they must see the marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    classes = _nbval_classes()
    if classes is None:
        return
    cell_class, _ = classes
    others: list[pytest.Item] = []
    cells: dict[pytest.Collector, list[pytest.Item]] = {}
    for item in items:
        if isinstance(item, cell_class):
            item.add_marker(pytest.mark.notebook)
            cells.setdefault(item.parent, []).append(item)
        else:
            others.append(item)
    ordered: list[pytest.Item] = []
    for notebook in sorted(cells, key=lambda f: f.path.name, reverse=True):
        check = StandsAlone.from_parent(notebook, name="stands alone")
        check.add_marker(pytest.mark.notebook)
        ordered += [*cells[notebook], check]
    items[:] = others + ordered


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before a notebook's first cell runs: what its folder holds."""
    classes = _nbval_classes()
    if classes is not None and isinstance(item, classes[0]):
        _BEFORE.setdefault(item.parent.path, _listing(item.parent.path.parent))


def _listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder``: its size and modification time."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            stat = path.stat()
            found[str(path.relative_to(folder))] = (stat.st_size, stat.st_mtime_ns)
    return found


def _run_in_kernel(kernel, code: str, timeout: float = 60) -> str:
    """Execute ``code`` in an nbval kernel; return what it printed (raise on an error)."""
    msg_id = kernel.execute_cell_input(code, allow_stdin=False)
    kernel.await_reply(msg_id, timeout=timeout)
    printed = []
    while True:
        msg = kernel.get_message(stream="iopub", timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            printed.append(content["text"])
        elif kind == "error":
            raise AssertionError(f"the probe failed: {content['ename']}: {content['evalue']}")
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(printed)


class StandsAlone(pytest.Item):
    """After a notebook's cells: it ran offline, in a kernel of its own, and wrote no file."""

    def runtest(self) -> None:
        notebook = self.parent.path
        if self.parent.kernel is None or notebook not in _BEFORE:
            pytest.skip("none of this notebook's cells ran")
        found = json.loads(_run_in_kernel(self.parent.kernel, PROBE).strip().splitlines()[-1])
        assert found["blocked"], f"{notebook.name}: its kernel could reach the network"
        earlier = _KERNEL_PIDS.setdefault(found["pid"], notebook.name)
        assert earlier == notebook.name, f"{notebook.name} ran in {earlier}'s kernel"
        before, after = _BEFORE[notebook], _listing(notebook.parent)
        changed = sorted(
            name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
        )
        assert not changed, f"{notebook.name} wrote or changed files beside it: {changed}"

    def reportinfo(self):
        return self.path, None, f"{self.path.name}: offline, own kernel, no file written"
