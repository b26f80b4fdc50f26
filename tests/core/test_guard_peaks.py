"""The memory guard holds its budget: for every public function that consults it, the largest
call it admits peaks under the budget, measured the way the guard measures (the process's RSS).

Each case runs in a fresh Python process (``python tests/core/test_guard_peaks.py CASE``) under
a small budget (``W2V_MEMORY_BUDGET``, the guard's own setting). There it

1. finds, by a search over one size argument, the largest call the guard admits: the guard's
   check is replaced by a probe that records what the call asks for and the process's RSS at
   that moment, decides as the guard does (``rss + nbytes <= budget``) and stops the call;
2. builds that call's arguments, resets the process's peak RSS (``/proc/self/clear_refs``) and
   runs it with the real guard, recording what it asked for and the RSS it read;
3. reports the peak RSS (``VmHWM`` in ``/proc/self/status``: the largest RSS the process
   reached, what ``psutil``'s ``rss`` reads at each moment).

The test asserts the call was admitted, that the search came close to the budget (so it is the
largest call, not a small one), and that the peak stayed under the budget. The peak's growth over
the RSS the guard read is the measured cost of the call; it must stay within the estimate
(``nbytes``) the call asked for: the estimate-vs-measured check, per function.

    python tests/core/test_guard_peaks.py --all      # every case's numbers as a table
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

BUDGET = "512MiB"
BUDGET_BYTES = 512 << 20
CLOSE = 0.93  # the largest admitted call brings the guard's total to this share of the budget
RESULT_MARK = "GUARD-PEAK "

# ---- the cases: each builds the call of one guarded function at a size ----


def _words(n: int) -> list[str]:
    return [f"w{i}" for i in range(n)]


def _corpus(tokens: int, vocab: int = 2_000, length: int = 20) -> list[list[str]]:
    """Zipf-like sentences of ``length`` tokens over ``vocab`` words, seeded."""
    import numpy as np

    rng = np.random.default_rng(0)
    ranks = np.minimum(rng.zipf(1.3, tokens), vocab) - 1  # (tokens,)
    words = np.array(_words(vocab), dtype=object)[ranks]
    return [list(words[i : i + length]) for i in range(0, tokens, length)]


def _vocab(V: int):
    import torch

    from w2v_helpers.corpus import Vocabulary

    counts = torch.arange(V, 0, -1, dtype=torch.long) + 4  # (V,) most frequent first
    return Vocabulary(words=tuple(_words(V)), counts=counts, min_count=5)


def _analogy_vocab(V: int):
    """A vocabulary holding every word of questions-words.txt, then fillers up to V words."""
    import torch

    from w2v_helpers import analogies
    from w2v_helpers.analogies import load_analogies
    from w2v_helpers.corpus import Vocabulary

    questions = getattr(analogies, "_all_questions", None) or load_analogies()
    seen = dict.fromkeys(w for _, qs in questions for q in qs for w in q)
    words = list(seen)[:V] + _words(max(0, V - len(seen)))
    counts = torch.arange(len(words), 0, -1, dtype=torch.long) + 4  # (V,)
    return Vocabulary(words=tuple(words), counts=counts, min_count=5)


def _vectors(V: int, E: int):
    import torch

    return torch.randn(V, E, generator=torch.Generator().manual_seed(0))  # (V, E)


def case_sample_noise(n):
    import torch

    from w2v_helpers.corpus import sample_noise

    probs = torch.full((1_000,), 1e-3, dtype=torch.float64)  # (V,)
    return lambda: sample_noise(probs, (n,), generator=torch.Generator().manual_seed(0))


def case_window_reach(n):
    from w2v_helpers.corpus import window_reach

    return lambda: window_reach(n, 5)


def case_dynamic_window_pairs(n):
    import torch

    from w2v_helpers.corpus import dynamic_window_pairs

    ids = torch.arange(n) % 1_000  # (L,)
    return lambda: dynamic_window_pairs(ids, 5, generator=torch.Generator().manual_seed(0))


def case_random_cbow_batch(n):
    from w2v_helpers.data import random_cbow_batch

    return lambda: random_cbow_batch(1_000, n, 8)


def case_cooccurrence(n):
    from w2v_helpers.corpus import build_vocabulary
    from w2v_helpers.counts import cooccurrence

    sentences = _corpus(n, vocab=5_000)
    vocab = build_vocabulary(sentences, 1)
    return lambda: cooccurrence(sentences, vocab, 5)


def _sparse(rows: int, cols: int, nnz: int):
    import numpy as np
    import scipy.sparse

    rng = np.random.default_rng(0)
    r = rng.integers(0, rows, nnz)
    c = rng.integers(0, cols, nnz)
    x = rng.integers(1, 50, nnz).astype(np.float64)
    return scipy.sparse.coo_array((x, (r, c)), shape=(rows, cols)).tocsr()


def case_ppmi(n):
    from w2v_helpers.counts import ppmi

    counts = _sparse(20_000, 20_000, n)
    return lambda: ppmi(counts)


def case_svd_embeddings(n):
    from w2v_helpers.counts import svd_embeddings

    matrix = _sparse(n, 200, 5 * n)
    return lambda: svd_embeddings(matrix, 50)


def case_train_glove(n):
    from w2v_helpers.glove import train_glove

    counts = _sparse(2_000, 2_000, 20_000)
    counts = counts + counts.T
    return lambda: train_glove(counts, n, 1)


def case_build_huffman_tree(n):
    import torch

    from w2v_helpers.hierarchical_softmax import build_huffman_tree

    counts = torch.arange(n, 0, -1, dtype=torch.long) + 4  # (V,)
    return lambda: build_huffman_tree(counts)


def case_hs_log_probabilities(n):
    import torch

    from w2v_helpers.hierarchical_softmax import build_huffman_tree, hs_log_probabilities

    V, E = 2_000, 32
    tree = build_huffman_tree(torch.arange(V, 0, -1, dtype=torch.long) + 4)
    hidden = _vectors(n, E)  # (N, E)
    inner = _vectors(V - 1, E)  # (V - 1, E)
    return lambda: hs_log_probabilities(hidden, inner, tree)


def _fewer_questions() -> None:
    """Two sections of questions-words.txt instead of fourteen: the score workspace, and so the
    peak, does not depend on how many batches reuse it; the run takes a second, not ten."""
    from w2v_helpers import analogies

    if not hasattr(analogies, "_all_questions"):
        analogies._all_questions = analogies.load_analogies()
        analogies.load_analogies = lambda: analogies._all_questions[:2]


def case_analogies(n):
    from w2v_helpers.analogies import analogies

    _fewer_questions()

    vocab = _analogy_vocab(n)
    vectors = _vectors(len(vocab), 16)
    return lambda: analogies(vectors, vocab)


def case_analogy_picks(n):
    from w2v_helpers.analogies import analogy_picks

    _fewer_questions()

    vocab = _analogy_vocab(n)
    vectors = _vectors(len(vocab), 16)
    return lambda: analogy_picks(vectors, vocab, "3cosmul")


def _id_sentences(tokens: int, V: int = 1_000):
    import torch

    ids = torch.randint(V, (tokens,), generator=torch.Generator().manual_seed(0))  # (L,)
    return list(ids.split(1_000))


def case_skipgram_pairs(n):
    from w2v_helpers.reference import SkipGramPairs

    sentences = _id_sentences(n)
    return lambda: SkipGramPairs(sentences, 5)


def case_sgns_model(n):
    from w2v_helpers.reference import SGNSModel

    return lambda: SGNSModel(n, 100)


def _sgns_arguments(V: int):
    import torch

    noise = torch.full((V,), 1.0 / V, dtype=torch.float64)  # (V,)
    return _id_sentences(2_000, V=min(V, 1_000)), V, noise


def case_train_sgns(n):
    from w2v_helpers.reference import train_sgns

    sentences, V, noise = _sgns_arguments(n)
    return lambda: train_sgns(sentences, V, noise, epochs=1, embedding_dim=50)


def case_sgns_draws(n):
    from w2v_helpers.reference import sgns_draws

    sentences, V, noise = _sgns_arguments(n)
    return lambda: sgns_draws(sentences, V, noise, epochs=1, embedding_dim=50)


def case_train_word2vec(n):
    from w2v_helpers.trainer import train_word2vec
    from w2v_helpers.training_config import TrainConfig

    sentences = _corpus(20_000)
    config = TrainConfig(vector_size=n, epochs=1, min_count=1)
    return lambda: train_word2vec(sentences, config, progress=False)


def case_train_word2vec_hs(n):
    from w2v_helpers.trainer import train_word2vec
    from w2v_helpers.training_config import TrainConfig

    sentences = _corpus(20_000)
    config = TrainConfig(vector_size=n, epochs=1, min_count=1, hs=True, negative=0)
    return lambda: train_word2vec(sentences, config, progress=False)


def case_train_word2vec_numba(n):
    from w2v_helpers.trainer import train_word2vec
    from w2v_helpers.training_config import TrainConfig

    sentences = _corpus(20_000)
    config = TrainConfig(vector_size=n, epochs=1, min_count=1, hs=True, kernel="numba")
    return lambda: train_word2vec(sentences, config, progress=False)


def case_train_subwords(n):
    from w2v_helpers.subword_trainer import train_subwords
    from w2v_helpers.training_config import TrainConfig

    sentences = _corpus(5_000, vocab=500)
    config = TrainConfig(vector_size=50, epochs=1, min_count=1)
    return lambda: train_subwords(sentences, config, buckets=n)


def case_check_buckets_fit(n):
    from w2v_helpers.subwords import check_buckets_fit

    return lambda: check_buckets_fit(1_000, n, 100)


def case_sampling_report(n):
    from w2v_helpers.lessons.a1_how_the_fast_trainer_departs import sampling_report

    return lambda: sampling_report(draws=n)


def case_norm_rounding_report(n):
    from w2v_helpers.lessons.a2_float32_at_the_edges import norm_rounding_report

    return lambda: norm_rounding_report(vocab_size=n, embedding_dim=128)


def case_cbow_forward_report(n):
    from w2v_helpers.lessons.nb01_cbow_forward import cbow_forward_report

    return lambda: cbow_forward_report(n, 8, 64, 128)


def case_loss_scale_report(n):
    from w2v_helpers.lessons.nb02_bce_vs_ce import loss_scale_report

    return lambda: loss_scale_report(n, 5.0)


def case_stability_scan(n):
    from w2v_helpers.lessons.nb02_bce_vs_ce import stability_scan

    return lambda: stability_scan((1.0, 10.0), vocab_size=n)


def case_tied_step_report(n):
    from w2v_helpers.lessons.nb03_tied_weight_backward import tied_step_report

    return lambda: tied_step_report((3, 5, 8, 1), 42, vocab_size=n, embedding_dim=128)


def case_skipgram_loss_report(n):
    from w2v_helpers.lessons.nb04_skipgram_multilabel import skipgram_loss_report

    return lambda: skipgram_loss_report(n, 4, 16)


def case_snapshot_view(n):
    from w2v_helpers.lessons.nb05_train_it_yourself.views import (
        PROJECTED_WORDS,
        WATCH_WORDS,
        snapshot_view,
    )
    from w2v_helpers.reference import ReferenceResult

    vocab = _vocab_with(n, WATCH_WORDS + PROJECTED_WORDS)
    snapshots = (_vectors(n, 50).double(), _vectors(n, 50).double())
    result = ReferenceResult(
        batch_losses=(1.0, 0.9),
        epoch_losses=(0.9,),
        snapshots=snapshots,
        learning_rates=(0.025, 0.0125),
        epoch_ends=(2,),
        pairs_seen=100,
        seconds=1.0,
    )

    def call():
        import matplotlib.pyplot as plt

        out = snapshot_view(result, vocab, 1)
        plt.close("all")
        return out

    return call


def _vocab_with(V: int, first) -> object:
    import torch

    from w2v_helpers.corpus import Vocabulary

    words = list(dict.fromkeys(first)) + _words(V)
    words = words[:V]
    counts = torch.arange(V, 0, -1, dtype=torch.long) + 4  # (V,)
    return Vocabulary(words=tuple(words), counts=counts, min_count=5)


def case_full_scoring_cost(n):
    from w2v_helpers.lessons.nb06_negative_sampling import full_scoring_cost

    return lambda: full_scoring_cost((1_000, n), batch_size=64, repeats=1)


def case_neighbours_report(n):
    from w2v_helpers.lessons.nb07_fast_trainer_vs_gensim import neighbours_report

    vocab = _vocab(20_000)
    vectors = {"ours": _vectors(20_000, n)}
    return lambda: neighbours_report("w1", vocab, vectors)


def case_path_report(n):
    from w2v_helpers.lessons.nb08_hierarchical_softmax import path_report

    return lambda: path_report("the", 1.0)


def case_explorer_view(n):
    from w2v_helpers.lessons.nb09_what_the_vectors_know import explorer_view

    vocab = _analogy_vocab(20_000)
    vectors = _vectors(len(vocab), n)
    return lambda: explorer_view(vectors, vocab)


def case_time_gensim_fasttext(n):
    from w2v_helpers.lessons.nb11_subword_vectors import time_gensim_fasttext

    sentences = _corpus(2_000, vocab=200)
    return lambda: time_gensim_fasttext(sentences, epochs=1, buckets=n)


def case_sgns_pmi_fit(n):
    from w2v_helpers.lessons.nb10_count_and_predict import sgns_pmi_fit
    from w2v_helpers.trainer import Word2VecResult
    from w2v_helpers.training_config import TrainConfig

    V = 2_000
    counts = _sparse(V, V, 100_000)
    result = Word2VecResult(
        vocab=_vocab(V),
        vectors=_vectors(V, n),
        output=_vectors(V, n),
        config=TrainConfig(vector_size=min(n, 2_048)),
    )
    return lambda: sgns_pmi_fit(result, counts + counts.T, least=1.0, top=300)


@functools.lru_cache(maxsize=1)
def _subword_bags(V: int):
    from w2v_helpers.subwords import SubwordBags

    return SubwordBags.build(_vocab_with(V, ["playing", "play", "played"]), buckets=1_000)


def case_subword_view(n):
    import torch

    from w2v_helpers.lessons.nb11_subword_vectors import subword_view
    from w2v_helpers.subword_trainer import SubwordResult
    from w2v_helpers.training_config import TrainConfig

    V = 20_000
    bags = _subword_bags(V)
    table = _vectors(V + 1_000, n)  # (V + H, E)
    result = SubwordResult(
        bags=bags, table=table, output=torch.zeros(V, n), config=TrainConfig(vector_size=n)
    )
    return lambda: subword_view(result, "playing", 6)


# name: (the case, the smallest and largest size tried[, which of its guards sizes the call:
# 0, the first it asks, unless given])
CASES: dict[str, tuple] = {
    "sample_noise": (case_sample_noise, 1 << 20, 1 << 26),
    "window_reach": (case_window_reach, 1 << 21, 1 << 27),
    "dynamic_window_pairs": (case_dynamic_window_pairs, 1 << 16, 1 << 23),
    "random_cbow_batch": (case_random_cbow_batch, 1 << 18, 1 << 24),
    "cooccurrence": (case_cooccurrence, 300_000, 800_000),
    "ppmi": (case_ppmi, 1_000_000, 4_000_000),
    "svd_embeddings": (case_svd_embeddings, 2_000, 200_000),
    "train_glove": (case_train_glove, 16, 2_048),
    "build_huffman_tree": (case_build_huffman_tree, 120_000, 180_000),
    "hs_log_probabilities": (case_hs_log_probabilities, 16, 4_096),
    "analogies": (case_analogies, 30_000, 50_000),
    "analogy_picks": (case_analogy_picks, 15_000, 30_000),
    "SkipGramPairs": (case_skipgram_pairs, 500_000, 1_500_000),
    "SGNSModel": (case_sgns_model, 10_000, 1_000_000),
    "train_sgns": (case_train_sgns, 10_000, 1_000_000),
    "sgns_draws": (case_sgns_draws, 10_000, 1_000_000),
    "sgns_pmi_fit": (case_sgns_pmi_fit, 100, 20_000),
    "train_word2vec": (case_train_word2vec, 16, 2_048),
    "train_word2vec_hs": (case_train_word2vec_hs, 16, 2_048, 1),  # after the tree's guard
    "train_word2vec_numba": (case_train_word2vec_numba, 16, 2_048, 1),  # both losses, compiled
    "train_subwords": (case_train_subwords, 10_000, 4_000_000),
    "check_buckets_fit": (case_check_buckets_fit, 10_000, 4_000_000),
    "sampling_report": (case_sampling_report, 100_000, 50_000_000),
    "norm_rounding_report": (case_norm_rounding_report, 1_000, 200_000),
    "cbow_forward_report": (case_cbow_forward_report, 1_000, 500_000),
    "loss_scale_report": (case_loss_scale_report, 1_000, 2_000_000),
    "stability_scan": (case_stability_scan, 1_000, 2_000_000),
    "tied_step_report": (case_tied_step_report, 1_000, 200_000),
    "skipgram_loss_report": (case_skipgram_loss_report, 1_000, 500_000),
    "snapshot_view": (case_snapshot_view, 1_000, 1_000_000),
    "full_scoring_cost": (case_full_scoring_cost, 2_000, 1_000_000),
    "neighbours_report": (case_neighbours_report, 500, 1_500),
    "path_report": (case_path_report, 1, 1),
    "explorer_view": (case_explorer_view, 100, 400),
    "time_gensim_fasttext": (case_time_gensim_fasttext, 10_000, 2_000_000),
    "subword_view": (case_subword_view, 100, 2_048),
}

# ---- the child process: search, run, measure ----


class _Probe(Exception):
    """Stops a call at its guard, with what it asked for and the RSS the guard would read."""

    def __init__(self, nbytes: int, rss: int) -> None:
        self.nbytes, self.rss = nbytes, rss


def _guard_modules() -> list:
    return [
        m
        for name, m in list(sys.modules.items())
        if name.startswith("w2v_helpers") and hasattr(m, "check_memory")
    ]


def _patched(replacement: Callable) -> Callable[[], None]:
    """Put ``replacement`` where every module looks up ``check_memory``; return the undo."""
    from w2v_helpers import memory

    original = memory.check_memory
    saved = [(m, m.check_memory) for m in _guard_modules()]
    for m, found in saved:
        if found is original:
            m.check_memory = replacement

    def undo() -> None:
        for m, original in saved:
            m.check_memory = original

    return undo


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"{field} not in /proc/self/status")


def _asked(call: Callable, guard: int = 0) -> tuple[int, int] | None:
    """What ``call`` asks its ``guard``-th guard for (0: the first it consults) and the RSS then;
    None if it never asks. The guards before it are passed without allocating anything past
    them that is sized by the search (they guard smaller parts, e.g. a Huffman tree)."""
    from w2v_helpers import memory

    earlier = []

    def probe(nbytes, what, **kwargs):
        if len(earlier) < guard:
            earlier.append(nbytes)
            return nbytes
        raise _Probe(int(nbytes), memory.process_memory())

    undo = _patched(probe)
    try:
        call()
    except _Probe as asked:
        return asked.nbytes, asked.rss
    finally:
        undo()
    return None


def _total(asked: tuple[int, int]) -> int:
    """What the guard compares with the budget: the request, the RSS, its allowance."""
    from w2v_helpers import memory

    nbytes, rss = asked
    return nbytes + rss + memory.CALL_OVERHEAD


def _largest_admitted(case: Callable, low: int, high: int, budget: int, guard: int) -> int:
    """The largest size in [low, high] the guard admits, to within a few percent of the budget.

    Regula falsi on what the guard would compare with the budget (request plus RSS) against the
    size, between an admitted and a refused size, aiming at 98% of the budget: the totals grow
    smoothly with the size, so three or four dry runs find it.
    """
    import gc

    def dry(size: int) -> int:
        asked = _asked(case(size), guard)
        gc.collect()
        assert asked is not None, f"size {size:,} never asked the guard"
        return _total(asked)

    t_low = dry(low)
    if low == high:
        return low
    if t_low > budget:
        raise AssertionError(f"the guard refuses even the smallest size tried, {low:,}")
    t_high = dry(high)
    if t_high <= budget:
        return high
    for _ in range(8):
        size = low + (0.98 * budget - t_low) * (high - low) / max(t_high - t_low, 1)
        size = min(max(int(size), low + 1), high - 1)
        total = dry(size)
        if total <= budget:
            low, t_low = size, total
            if total >= 0.96 * budget:
                return size
        else:
            high, t_high = size, total
        if high - low <= 1:
            break
    return low


def child(name: str) -> dict:
    """Run one case in this (fresh) process; its numbers."""
    import gc

    import torch

    from w2v_helpers import memory

    torch.set_num_threads(1)
    case, low, high, *rest = CASES[name]
    guard = rest[0] if rest else 0
    budget = memory.memory_budget()
    began = time.perf_counter()
    size = _largest_admitted(case, low, high, budget, guard)
    seen = []
    done = False
    real = memory.check_memory

    def recording(nbytes, what, **kwargs):
        seen.append((int(nbytes), memory.process_memory()))
        return real(nbytes, what, **kwargs)

    for _ in range(4):  # the dry runs' leftovers can leave a little less room than they saw
        call = case(size)
        gc.collect()
        seen.clear()
        undo = _patched(recording)
        Path("/proc/self/clear_refs").write_text("5")  # the peak RSS starts again from now
        start_rss = _status("VmRSS")
        try:
            call()
            done = True
            break
        except memory.MemoryBudgetError:
            size = max(low, int(size * 0.97))
        finally:
            undo()
    peak = _status("VmHWM")
    nbytes, rss = seen[guard] if len(seen) > guard else (0, start_rss)
    return {
        "name": name,
        "size": size,
        "budget": budget,
        "overhead": memory.CALL_OVERHEAD,
        "nbytes": nbytes,
        "rss_at_guard": rss,
        "start_rss": start_rss,
        "peak": peak,
        "completed": done,
        "asked": len(seen),
        "all_asks": seen,
        "seconds": round(time.perf_counter() - began, 2),
    }


def run_case(name: str) -> dict:
    """Run ``child(name)`` in a fresh process under the test budget; its numbers."""
    env = {**os.environ, "W2V_MEMORY_BUDGET": BUDGET, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, __file__, name],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_MARK)]
    assert done.returncode == 0 and lines, f"{name} failed:\n{done.stdout}\n{done.stderr[-3000:]}"
    return json.loads(lines[-1][len(RESULT_MARK) :])


# ---- the tests ----

MiB = 1 << 20
# Functions whose guarded size is fixed (no argument sizes it): the call is admitted and peaks
# under the budget, but there is no "largest" call to search for.
FIXED = {"path_report"}
# Functions that ask the guard for a fixed or bounded part only (reported, see each reason).
ESTIMATE_EXEMPT: dict[str, str] = {}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_the_largest_call_the_guard_admits_peaks_under_the_budget(name):
    got = run_case(name)
    budget, nbytes, rss, peak = got["budget"], got["nbytes"], got["rss_at_guard"], got["peak"]
    assert budget == BUDGET_BYTES
    assert got["asked"] >= 1, f"{name} never asked the guard"
    assert got["completed"], f"{name}: a guard inside refused what the first one admitted: {got}"
    total = nbytes + rss + got["overhead"]
    assert total <= budget, f"{name}: the call run was not admitted: {got}"
    if name not in FIXED:
        assert total >= CLOSE * budget, (
            f"{name}: the search stopped at {total / MiB:.0f} MiB of the {budget / MiB:.0f} MiB "
            f"budget; widen its size range: {got}"
        )
    assert peak <= budget, (
        f"{name}: peaked at {peak / MiB:.0f} MiB over the {budget / MiB:.0f} MiB budget "
        f"(asked for {nbytes / MiB:.0f} MiB with {rss / MiB:.0f} MiB held): {got}"
    )
    if name not in ESTIMATE_EXEMPT:
        assert peak - rss <= nbytes + got["overhead"], (
            f"{name}: grew {(peak - rss) / MiB:.0f} MiB over what the guard read, estimate "
            f"{nbytes / MiB:.0f} MiB and the guard's {got['overhead'] / MiB:.0f} MiB allowance: "
            f"{got}"
        )


if __name__ == "__main__":
    if sys.argv[1] == "--all":
        for case in sys.argv[2:] or sorted(CASES):
            try:
                r = run_case(case)
            except AssertionError as failed:
                print(f"{case:24} FAILED {str(failed)[-600:]}", flush=True)
                continue
            print(
                f"{case:24} size {r['size']:>10,}  estimate {r['nbytes'] / MiB:7.1f} MiB  "
                f"held {r['rss_at_guard'] / MiB:6.1f}  peak {r['peak'] / MiB:6.1f}  "
                f"growth {(r['peak'] - r['rss_at_guard']) / MiB:7.1f}  budget "
                f"{r['budget'] / MiB:.0f} MiB  {r['seconds']:5.1f} s",
                flush=True,
            )
    else:
        print(RESULT_MARK + json.dumps(child(sys.argv[1])), flush=True)
