"""The portability tool's planning (tools/portability.py), on made-up fingerprints.

What it runs is measured by `make portability` itself; these tests check which runs it plans:
the unit tests under the fewest variants that cover every kernel the candidates change, only
nbval under ``--quick``, the longest runs first, and environments that inherit no emulation.
"""

import argparse

import pytest
from tools_loader import load_tool

portability = load_tool("portability")


@pytest.mark.parametrize(
    ("changed", "chosen"),
    [
        ({"a": {"exp", "sum", "matmul"}, "b": {"exp"}, "c": {"sum"}}, ["a"]),
        ({"a": {"exp"}, "b": {"sum"}, "c": {"exp", "sum"}}, ["c"]),
        ({"a": {"exp"}, "b": {"sum"}, "c": set()}, ["a", "b"]),
        ({"a": set(), "b": set(), "c": set()}, ["a"]),  # none emulates anything: still one run
    ],
)
def test_unit_tests_run_under_the_fewest_variants_covering_every_changed_kernel(changed, chosen):
    assert portability.covering(["a", "b", "c"], changed) == chosen


def plan(monkeypatch, **options):
    args = argparse.Namespace(quick=False, repeat=1, no_margins=False, no_trained=False)
    vars(args).update(options)
    changed = {name: {"torch.exp"} for name in portability.VARIANTS}
    changed["native-1t"] = set()
    monkeypatch.setattr(portability, "CHANGED", changed)
    runnable = portability.QUICK_VARIANTS if args.quick else list(portability.VARIANTS)
    return portability.make_jobs(args, ["nb.ipynb"], list(runnable), "/tmp/plan")


def test_quick_runs_nbval_under_its_three_variants_only(monkeypatch):
    jobs, unit = plan(monkeypatch, quick=True)
    assert unit == []
    assert sorted((j.kind, j.variant) for j in jobs) == sorted(
        ("nbval", name) for name in portability.QUICK_VARIANTS
    )


def test_the_full_plan_runs_every_variant_once_the_longest_first(monkeypatch):
    jobs, unit = plan(monkeypatch)
    nbval = [j.variant for j in jobs if j.kind == "nbval"]
    assert sorted(nbval) == sorted(portability.VARIANTS)
    assert [j.variant for j in jobs if j.kind == "unit"] == unit == ["oldest-machine-4t"]
    margins = [j.variant for j in jobs if j.kind == "margins"]
    assert margins == list(portability.MARGIN_VARIANTS)
    trained = [j.variant for j in jobs if j.kind == "trained"]  # the reference, then each mover
    assert trained == ["native-1t", *[n for n in portability.MARGIN_VARIANTS if n != "native-1t"]]
    costs = [portability.COST[j.kind] for j in jobs]
    assert costs == sorted(costs, reverse=True)


def test_a_variant_inherits_no_emulation_and_its_threads_sleep_when_idle(monkeypatch):
    monkeypatch.setenv("ATEN_CPU_CAPABILITY", "avx512")
    env = portability.variant_env(portability.VARIANTS["avx2-machine-2t"][0])
    assert env["ATEN_CPU_CAPABILITY"] == "avx2" and env["OMP_NUM_THREADS"] == "2"
    assert env["OMP_WAIT_POLICY"] == "PASSIVE"
    assert "ATEN_CPU_CAPABILITY" not in portability.variant_env({})
