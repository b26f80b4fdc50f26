"""Lesson code of ``10_count_and_predict.ipynb`` (Count and predict): its reports, panel and
figures for the counts, PPMI + SVD and GloVe (``views``), intervals for analogy accuracy
(``paired``), the one-table comparison and the check of Levy and Goldberg's result
(``compare``), and the exercise checks (``checks``). The concepts it uses live in the core
modules (counts, glove, trainer, evaluation, analogies, memory).
"""

from __future__ import annotations

from .checks import check_glove_loss, check_ppmi
from .compare import MethodRun, PmiFit, compare_methods, plot_pmi_fit, sgns_pmi_fit
from .paired import analogy_difference, analogy_interval
from .views import (
    BOOTSTRAP,
    DIM,
    GLOVE,
    SVD_VARIANTS,
    WINDOW,
    GloveSettings,
    Scores,
    SvdStudy,
    contexts_panel,
    count_report,
    glove_bytes,
    plot_glove_losses,
    ppmi_svd_bytes,
    score_vectors,
    svd_study,
    top_contexts,
    weighting_report,
)

__all__ = [
    "BOOTSTRAP",
    "DIM",
    "GLOVE",
    "SVD_VARIANTS",
    "WINDOW",
    "GloveSettings",
    "MethodRun",
    "PmiFit",
    "Scores",
    "SvdStudy",
    "analogy_difference",
    "analogy_interval",
    "check_glove_loss",
    "check_ppmi",
    "compare_methods",
    "contexts_panel",
    "count_report",
    "glove_bytes",
    "plot_glove_losses",
    "plot_pmi_fit",
    "ppmi_svd_bytes",
    "score_vectors",
    "sgns_pmi_fit",
    "svd_study",
    "top_contexts",
    "weighting_report",
]
