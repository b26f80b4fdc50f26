"""How fast every widget panel of the course answers: build time and update time, in the kernel.

    make bench-widgets           # or: .venv/bin/python benchmarks/bench_widgets.py [--only NAME]

What is measured, per panel of ``w2v_helpers.lessons.panel_factories()``, each in a fresh child
process (one thread, as the Makefile sets it):

- **update**: every control is moved one step near its default (a slider one notch, a dropdown to
  its next option, an id box up by one, a text box to a word or an analogy) and back, ``ROUNDS``
  times. Each move is timed as the panel's refresh in the kernel: from setting
  ``control.value`` to the view's HTML being set (render + figure to PNG + HTML; no browser round
  trip). The row prints the median and the slowest of those moves, and which move was slowest.
- **build**: the panel's factory call, which draws the panel once (its first render included).
- **prepared**: the setting-independent work the notebook has done in earlier cells before the
  panel's cell (parsing the Wikipedia sample; training the run the panel shows; notebook 03's
  plain SGD step, whose first use of ``torch.optim`` imports ``torch._dynamo``), done in the
  child before the build and printed on its own, not counted in the build. The panels that
  train on first draw when called without arguments (snapshot, neighbours, explorer) then find
  the notebook's run in their per-kernel cache, as they do in the notebook.

Before timing, each child renders one small figure, so matplotlib's one-time font loading is not
counted (a notebook has drawn figures before its panel). Every time is wall clock, on a machine
that may be shared: run it twice before reading much into a few milliseconds.

The last line, ``widgets: slowest median update N ms, slowest single update M ms, slowest build
B ms``, is computed from the rows above it (:func:`summary_line`). Issue 18's targets: N <= 150,
M <= 300, B <= 1000. Every line is also recorded, with the CPU, thread layout, date and commit,
in the ``bench-widgets`` section of ``benchmarks/results.md`` (``bench_results.record``;
``BENCH_RECORD=0`` leaves it alone).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

ROUNDS = 3  # each control: one step and back, this many times
# What a text box is set to: a word the sample knows, and an analogy whose words it knows.
TEXT_TRIES = {"word": "queen", "a : b :: c : ?": "paris : france :: rome : ?"}


def option_values(control) -> list:
    return [o[1] if isinstance(o, tuple) else o for o in control.options]


def one_step(control) -> object:
    """The value one step from the control's current value (up, or down at the top end)."""
    import ipywidgets as widgets

    value = control.value
    if isinstance(control, (widgets.SelectionSlider, widgets.Dropdown)):
        values = option_values(control)
        index = values.index(value)
        if isinstance(control, widgets.Dropdown):
            return values[(index + 1) % len(values)]
        return values[index + 1] if index + 1 < len(values) else values[index - 1]
    if isinstance(control, widgets.FloatLogSlider):
        exponent = math.log(value, control.base)
        up = exponent + control.step
        return control.base ** (up if up <= control.max + 1e-9 else exponent - control.step)
    if isinstance(control, (widgets.IntSlider, widgets.FloatSlider, widgets.BoundedIntText)):
        step = getattr(control, "step", 1) or 1
        up = round(value + step, 10)
        return up if up <= control.max else round(value - step, 10)
    if isinstance(control, widgets.Text):
        return TEXT_TRIES[control.description]
    raise TypeError(f"no rule to move a {type(control).__name__}")


def _warm_matplotlib() -> None:
    import matplotlib.pyplot as plt

    from w2v_helpers.lessons.panel import render_html

    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, 1])
    ax.set_title("warm-up")
    render_html(fig)


def _prepare(name: str) -> None:
    """The notebook's earlier, setting-independent work that the panel reuses (see the top)."""
    from w2v_helpers.corpus import wiki_vocabulary

    if name in ("path_panel",):
        wiki_vocabulary(5)
    elif name == "tied_step_panel":  # torch.optim's first use imports torch._dynamo (about 1 s)
        import torch

        torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    elif name == "snapshot_panel":
        from w2v_helpers.lessons.nb05_train_it_yourself import _notebook_run

        _notebook_run()
    elif name == "neighbours_panel":
        from w2v_helpers.lessons.nb07_fast_trainer_vs_gensim import _notebook_vectors

        _notebook_vectors()
    elif name == "explorer_panel":
        from w2v_helpers.lessons.nb09_what_the_vectors_know import _notebook_vectors

        _notebook_vectors()
    elif name == "subword_panel":
        from w2v_helpers.lessons.nb11_subword_vectors import _notebook_run

        _notebook_run()


def child(name: str, rounds: int) -> dict[str, object]:
    """Run in a fresh process: prepare, build and move one panel; return its numbers."""
    import torch

    from w2v_helpers.lessons import panel_factories

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    factory = panel_factories()[name]
    _warm_matplotlib()
    start = time.perf_counter()
    _prepare(name)
    prepared = time.perf_counter() - start
    start = time.perf_counter()
    panel = factory()
    build = time.perf_counter() - start
    moves: list[tuple[str, float]] = []  # (what moved, seconds)
    for _ in range(rounds):
        for control_name, control in panel.controls.items():
            default = control.value
            for value in (one_step(control), default):
                start = time.perf_counter()
                control.value = value
                moves.append((f"{control_name} -> {value!r}", time.perf_counter() - start))
    refused = panel.text().startswith(("Refused", "Invalid"))
    return {
        "panel": name,
        "prepared_s": prepared,
        "build_s": build,
        "moves": moves,
        "refused_at_defaults": refused,
    }


def row(result: dict) -> dict[str, object]:
    """One panel's figures (ms) from a child's raw numbers."""
    times = [seconds for _, seconds in result["moves"]]
    slowest = max(result["moves"], key=lambda move: move[1])
    return {
        "panel": result["panel"],
        "prepared_ms": 1000 * result["prepared_s"],
        "build_ms": 1000 * result["build_s"],
        "median_ms": 1000 * statistics.median(times),
        "slowest_ms": 1000 * slowest[1],
        "slowest_move": slowest[0],
        "moves": len(times),
    }


def format_row(r: dict) -> str:
    prepared = r["prepared_ms"] / 1000
    prepared = f"  (prepared {prepared:.1f} s before)" if prepared > 0.05 else ""
    return (
        f"{r['panel']:<22} build {r['build_ms']:6.0f} ms  median {r['median_ms']:5.0f} ms  "
        f"slowest {r['slowest_ms']:5.0f} ms ({r['slowest_move']}, {r['moves']} moves){prepared}"
    )


def summary_line(rows: list[dict]) -> str:
    """The last line: the worst panel's median, the slowest single move, the slowest build."""
    return (
        f"widgets: slowest median update {max(r['median_ms'] for r in rows):.0f} ms, "
        f"slowest single update {max(r['slowest_ms'] for r in rows):.0f} ms, "
        f"slowest build {max(r['build_ms'] for r in rows):.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", help="panel names, e.g. tied_step_panel")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.rounds)))
        return
    from bench_results import Start, record

    from w2v_helpers.lessons import panel_factories

    Start.now()  # the date and commit the results file records
    names = args.only or list(panel_factories())
    lines = [
        f"widgets: {len(names)} panels, each control one step and back x {args.rounds}, "
        f"{os.environ.get('OMP_NUM_THREADS', '?')} thread(s), times in the kernel (wall clock)"
    ]
    print(lines[-1], flush=True)
    rows = []
    for name in names:
        done = subprocess.run(
            [sys.executable, __file__, "--child", name, "--rounds", str(args.rounds)],
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(row(result))
        note = "  REFUSED AT DEFAULTS" if result["refused_at_defaults"] else ""
        lines.append(format_row(rows[-1]) + note)
        print(lines[-1], flush=True)
    lines.append(summary_line(rows))
    print(lines[-1])
    record(
        "bench-widgets",
        lines,
        default_command="python benchmarks/bench_widgets.py",
        argv=sys.argv[1:],
    )


if __name__ == "__main__":
    main()
