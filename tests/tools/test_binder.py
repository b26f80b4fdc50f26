"""Binder: repo2docker's build plan installs the same pins, the helper package and the course's
JupyterLab settings (lab/overrides.json, which make setup installs too)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
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


LAB_SCHEMAS = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"


def test_the_lab_settings_binder_and_make_setup_install_are_valid_and_ask_nothing():
    """lab/overrides.json names real JupyterLab settings with valid values, turns off the news
    prompt and the update check, and opens markdown rendered (the contents page)."""
    overrides = json.loads((ROOT / "lab" / "overrides.json").read_text())
    for plugin, values in overrides.items():
        package, name = plugin.split(":")
        schema = json.loads((LAB_SCHEMAS / package / f"{name}.json").read_text())
        unknown = set(values) - set(schema["properties"])
        assert not unknown, f"{plugin}: no such setting {sorted(unknown)}"
        jsonschema.validate(values, schema)
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification == {"fetchNews": "false", "checkForUpdates": False}
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers == {"markdown": "Markdown Preview"}
    post_build = (ROOT / "binder" / "postBuild").read_text()
    assert 'cp lab/overrides.json "$settings/overrides.json"' in post_build
