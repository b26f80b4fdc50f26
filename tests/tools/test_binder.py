"""Binder: repo2docker's build plan installs the same pins and the helper package."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tools_loader import load_tool

ROOT = Path(__file__).resolve().parents[2]
binder_tool = load_tool("binder")


def pins(text: str) -> dict[str, str]:
    found = {}
    for line in text.splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            found[name.lower()] = version
    return found


def test_binder_requirements_are_requirements_txt_with_torch_cpu():
    ours = pins((ROOT / "requirements.txt").read_text())
    binder = pins((ROOT / "binder" / "requirements.txt").read_text())
    assert binder.pop("torch") == ours.pop("torch") + "+cpu"
    assert binder == ours
    assert binder_tool.main(["--check"]) == 0, "run `make binder`"


def test_binder_pins_python_3_11():
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"


@pytest.mark.slow
def test_repo2docker_plan_installs_the_pins_and_the_helper_package(tmp_path):
    repo2docker = Path(sys.executable).parent / "repo2docker"
    copy = tmp_path / "repo"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".git", "artifacts"))
    plan = subprocess.run(
        [str(repo2docker), "--no-build", "--debug", str(copy)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    dockerfile = plan.stdout + plan.stderr
    assert "python=3.11" in dockerfile
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in dockerfile
    assert "./binder/postBuild" in dockerfile
    assert (
        "pip install --no-deps --no-cache-dir -e ." in (copy / "binder" / "postBuild").read_text()
    )
