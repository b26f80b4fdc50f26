"""benchmarks/bench_results.py: the results file the benches write, and the two copies of it.

Oracles: the stored README region and notebook 07's tagged cell are compared with the sections
cut out of ``benchmarks/results.md`` by this test's own pattern; provenance is matched by
regular expressions written here; ``record`` is run on temporary copies and its file read back.
"""

import datetime
import importlib.util
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results.md"
NOTEBOOK = ROOT / "notebooks" / "07_fast_trainer_vs_gensim.ipynb"
SECTION = re.compile(r"<!-- (bench-\w+):start -->\n.*?<!-- \1:end -->", re.S)


@pytest.fixture(scope="module")
def bench_results():
    spec = importlib.util.spec_from_file_location(
        "bench_results", ROOT / "benchmarks" / "bench_results.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_results"] = module
    spec.loader.exec_module(module)
    return module


def results_sections() -> list[str]:
    return [m.group(0) for m in SECTION.finditer(RESULTS.read_text(encoding="utf-8"))]


def test_results_file_holds_the_train_bench_with_its_provenance():
    sections = results_sections()
    assert sections, "benchmarks/results.md has no section: run make bench-train"
    assert any("<!-- bench-train:start -->" in s for s in sections)
    for section in sections:
        bench = re.match(r"<!-- (bench-\w+):", section).group(1)
        head = re.search(
            r"^measured on (.+) at ([0-9a-f]{7,40}(\+dirty)?), "
            r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC): not recomputed when the notebook runs$",
            section,
            re.M,
        )
        assert head, f"{bench}: no 'measured on <CPU> at <commit>, <date>' line"
        cpu, commit, _, date = head.groups()
        assert f"| processor | {cpu} |" in section
        assert f"| commit | `{commit}` |" in section
        assert f"| date | {date} (started; took " in section
        assert re.search(r"^\| layout \| \d+ logical processors.*threads", section, re.M)
        assert re.search(
            rf"^\| command \| `(BENCH_\w+=('[^']*'|\S+) )*make {bench}[^`]*` \|$", section, re.M
        )
        lines = re.search(r"```text\n(.+?)\n```", section, re.S)
        assert lines and lines.group(1).strip(), f"{bench}: no result lines"


def test_train_section_holds_the_summary_lines_of_both_losses():
    (train,) = [s for s in results_sections() if "<!-- bench-train:start -->" in s]
    assert re.search(r"^cpu: reference \d+ words/s", train, re.M)
    for label in ("cpu", "cpu hs"):
        assert re.search(
            rf"^{label}: ours \d+ words/s, gensim \d+ words/s, ratio [\d.]+, spearman", train, re.M
        ), label


def test_readme_region_is_the_results_file_sections():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    region = readme.split("<!-- bench:start -->")[1].split("<!-- bench:end -->")[0]
    assert region.strip("\n") == "\n\n".join(results_sections())


def test_notebook_07_cell_shows_the_train_section_of_the_results_file():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cells = [c for c in nb.cells if "bench-results" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    assert cells[0].cell_type == "markdown"
    shown = [m.group(0) for m in SECTION.finditer(cells[0].source)]
    train = [s for s in results_sections() if s.startswith("<!-- bench-train:start")]
    rig = ("machine: ", "threads: ")  # the machine's SIMD kernels and thread pools: README's
    kept = ["\n".join(line for line in s.split("\n") if not line.startswith(rig)) for s in train]
    assert shown == kept
    assert not any(line.startswith(rig) for line in cells[0].source.split("\n"))


CPUINFO = """processor\t: 0
model name\t: Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz
physical id\t: 0
siblings\t: 4
cpu cores\t: 2
processor\t: 1
physical id\t: 0
"""


def test_cpu_model_and_layout_are_read_from_cpuinfo(bench_results, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert bench_results.cpu_model(CPUINFO) == "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz"
    layout = bench_results.thread_layout(CPUINFO)
    assert "(1 socket x 2 cores x 2 thread per core); OMP_NUM_THREADS=3" in layout


def test_command_names_the_settings_and_the_make_target(bench_results, monkeypatch):
    for name in [n for n in list(__import__("os").environ) if n.startswith("BENCH_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("BENCH_EPOCHS", "2")
    monkeypatch.setenv("BENCH_COMMAND", "make bench-widgets")
    got = bench_results.command("python x.py", ["--only", "tied_step_panel"])
    assert got == 'BENCH_EPOCHS=2 make bench-widgets BENCH_ARGS="--only tied_step_panel"'
    monkeypatch.delenv("BENCH_COMMAND")
    assert bench_results.command("python x.py") == "BENCH_EPOCHS=2 python x.py"


def test_a_rerun_replaces_its_own_section_and_keeps_the_other(bench_results, monkeypatch, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- bench:start -->\nold\n<!-- bench:end -->\nrest\n")
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_markdown_cell("old")
    cell.metadata["tags"] = ["bench-results"]
    nb.cells = [nbformat.v4.new_markdown_cell("# title"), cell]
    notebook = tmp_path / "07.ipynb"
    notebook.write_text(nbformat.writes(nb))
    results = tmp_path / "results.md"
    for name, path in (("RESULTS", results), ("README", readme), ("NOTEBOOK", notebook)):
        monkeypatch.setattr(bench_results, name, path)
    monkeypatch.setattr(bench_results, "ROOT", tmp_path)
    monkeypatch.setenv("BENCH_RECORD", "1")
    bench_results.Start.now()
    bench_results.record("bench-widgets", ["w 1"], default_command="python w.py")
    bench_results.record("bench-train", ["t 1"], default_command="python t.py")
    bench_results.record("bench-train", ["t 2"], default_command="python t.py")
    text = results.read_text()
    assert "t 1" not in text and text.count("t 2") == 1 and text.count("w 1") == 1
    assert text.index("bench-train:start") < text.index("bench-widgets:start")  # fixed order
    region = readme.read_text()
    assert region.startswith("intro\n<!-- bench:start -->\n<!-- bench-train:start -->")
    assert region.endswith("<!-- bench-widgets:end -->\n<!-- bench:end -->\nrest\n")
    assert "old" not in region
    source = nbformat.read(notebook, as_version=4).cells[1].source
    assert "t 2" in source and "w 1" not in source and "old" not in source  # its bench only
    bench_results.record("bench-train", ["machine: X; SIMD AVX2 only", "t 3"], default_command="t")
    source = nbformat.read(notebook, as_version=4).cells[1].source
    assert "t 3" in source and "SIMD" not in source and "SIMD AVX2 only" in results.read_text()
    assert nbformat.read(notebook, as_version=4).cells[0].source == "# title"


def test_record_refuses_an_unknown_bench(bench_results):
    with pytest.raises(ValueError, match="bench must be one of"):
        bench_results.record("bench-losses", [], default_command="x")


def test_section_dates_in_utc(bench_results):
    when = datetime.datetime(
        2026, 1, 2, 3, 4, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
    )
    text = bench_results.section(
        "bench-train", ["a"], run="make bench-train", when=when, at="0123abc", took=125.0
    )
    assert "at 0123abc, 2026-01-02 01:04 UTC: not recomputed" in text
    assert "| date | 2026-01-02 01:04 UTC (started; took 2 min) |" in text
