"""Lesson code of ``05_train_it_yourself.ipynb`` (Train it yourself): its reports, panel, figures
(``views``) and exercise checks (``checks`` for one step, ``pipeline_checks`` for the pairs and
the loop). The concepts it uses live in the core modules
(corpus, models, reference, evaluation, memory).
"""

from __future__ import annotations

from .checks import (
    check_noise_sampler,
    check_sgns_gradients,
    check_sgns_loss,
    check_training_step,
)
from .pipeline_checks import check_skipgram_pairs, check_training_loop
from .views import (
    NOTEBOOK_EPOCHS,
    PROJECTED_WORDS,
    SLICE_TOKENS,
    WATCH_WORDS,
    _notebook_run,
    neighbours_table,
    plot_losses,
    snapshot_panel,
    snapshot_view,
    window_demo,
)

__all__ = [
    "NOTEBOOK_EPOCHS",
    "PROJECTED_WORDS",
    "SLICE_TOKENS",
    "WATCH_WORDS",
    "_notebook_run",
    "check_noise_sampler",
    "check_sgns_gradients",
    "check_sgns_loss",
    "check_skipgram_pairs",
    "check_training_loop",
    "check_training_step",
    "neighbours_table",
    "plot_losses",
    "snapshot_panel",
    "snapshot_view",
    "window_demo",
]
