"""Lesson code, one module per notebook, over a small shared layer.

Each notebook's reports (a config in, a printable report out), its widget panel, its figures and
its exercise checks:

- ``nb01_cbow_forward``: CBOW, many teachers and one student;
- ``nb02_bce_vs_ce``: two ways to score the right word;
- ``nb03_tied_weight_backward``: one matrix, two jobs;
- ``nb04_skipgram_multilabel``: SkipGram, one teacher and many students;
- ``nb05_train_it_yourself``: the reference SGNS trainer, epoch by epoch;
- ``nb06_negative_sampling``: negative sampling on a real corpus;
- ``nb07_fast_trainer_vs_gensim``: the fast trainer next to gensim;
- ``nb08_hierarchical_softmax``: hierarchical softmax;
- ``nb09_what_the_vectors_know``: what the vectors know;
- ``nb10_count_and_predict``: counts, GloVe and SGNS side by side, and what SGNS fits;
- ``nb11_subword_vectors``: words the corpus never saw, fastText's subword vectors;
- ``a1_how_the_fast_trainer_departs``: appendix A1, the fast trainer audited against the
  reference trainer, and the noise table judged by its sampling error;
- ``a2_float32_at_the_edges``: appendix A2, float32 steps, norms that round to 0, the memory
  guard.

The shared layer:

- ``panel``: a widget panel over a pure function, with the memory guard's refusal as text;
- ``feedback``: exercise verdicts and a safe call of the learner's function;
- ``formatting``: timings, rates and ratios with the "(wall clock)" mark nbval masks;
- ``diagrams``: the seed's teachers-and-students pictures, shared by CBOW (01) and SkipGram (04).

A new notebook means one new lesson module (and one test file), named after it (``nb06_...``,
or ``a1_...`` for an appendix); the concepts it teaches go in the core modules one level up.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

__all__ = ["panel_factories"]


def panel_factories() -> dict[str, Callable[[], object]]:
    """Every lesson's widget panel by name (``cbow_forward_panel``, ...), in notebook order.

    For tools and tests that drive every panel of the course; a notebook imports its own panel
    from its lesson module. Introduced in ``01_cbow_forward.ipynb``.
    """
    found: dict[str, Callable[[], object]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("nb"):
            module = importlib.import_module(f"{__name__}.{info.name}")
            found.update({n: getattr(module, n) for n in module.__all__ if n.endswith("_panel")})
    return found
