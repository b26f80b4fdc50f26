"""Ours vs gensim's Word2Vec on the Wikipedia sample bundled with gensim: words/s and quality.

Same corpus, same settings (SkipGram, window 5, 5 negatives, dim 100, min_count 5, sample 1e-3,
20 epochs), one machine, ``BENCH_ROUNDS`` (default 3) rounds with seeds 0, 1, 2, gensim and ours
alternating. Both use ``BENCH_WORKERS`` (default 2) threads: gensim's workers, our trainer's
``workers`` (each with ``BENCH_THREADS`` torch threads, default 1). Two workers of one thread
beat one worker of two threads: 0.98M and 1.06M words/s against 0.68M and 0.99M (3 epochs, this
2-core machine, idle), and with another process on the cores two OpenMP threads per op fell to
29k words/s. Words per second are raw corpus tokens x
epochs / wall time of the whole call, vocabulary, subsampling and pair building included for
both. Quality is WordSim353's Spearman over the pairs whose words are both in the (shared)
vocabulary. Before them, the reference trainer of notebook 05 (``w2v_helpers.reference.train_sgns``:
float64, a DataLoader, autograd, sparse SGD) runs ``BENCH_REFERENCE_EPOCHS`` (default 1) epochs
with the same settings, for its words/s. Then the same comparison with hierarchical softmax
instead of negative sampling (gensim's ``hs=1, negative=0``; ours ``hs=True, negative=0`` with
notebook 08's ``chunk``). Each comparison runs twice: ``cpu:`` and ``cpu hs:`` with
``kernel="numba"`` (SkipGram's chunk updates as compiled loops, ``compiled_ns`` and
``compiled_hs``; the tensor updates when numba is missing), ``cpu torch:`` and ``cpu hs torch:``
with the tensor updates (``kernel="torch"``, what the notebooks run). With a CUDA GPU, the
negative-sampling and tensor hierarchical-softmax comparisons run again with ours on the GPU
(``BENCH_CUDA_CHUNK`` centres a chunk, default 16,384, one worker) against gensim on the CPU.
Ends with a summary line per comparison:
``cpu: ours N words/s, gensim N words/s, ratio R, spearman ours A gensim B (ratio min-max X-Y,
3 rounds)`` and the same after ``cpu torch:``, ``cpu hs:`` and ``cpu hs torch:`` (then
``cuda:``, ``cuda hs:``),
medians over the rounds; the seed-to-seed spread of Spearman is printed above them, and, for the
seed-0 vectors of each side, WordSim353 with its bootstrap interval and coverage and the 3CosAdd
analogy accuracy with its coverage.

Every line it prints is also recorded, with the CPU, thread layout, date and commit, in the
``bench-train`` section of ``benchmarks/results.md``, which README and notebook 07 then show
(``bench_results.record``; ``BENCH_RECORD=0`` leaves them alone, ``BENCH_NOTE="shared 2-core
machine"`` says what else ran on the machine).

Then notebook 11's subword SkipGram against gensim's ``FastText`` (SkipGram, window 5, K = 5,
E = 100, min_n 3, max_n 6, 200,000 buckets, ``BENCH_SUBWORD_EPOCHS`` epochs, default 5, one
worker each), Spearman on all 353 WordSim353 pairs: the ``cpu subword:`` line.

The first lines say what ran it (``machine.describe``: CPU model, SIMD level, ATen's kernels,
cores, every thread pool) and the float32 GEMM rate of the cores the trainers use
(``machine.gemm_rate``: 2 and 1 cores). Last, one line per trainer gives its arithmetic per raw
word (``machine.multiply_adds_per_word``, formulas in its docstring) and the GFLOP/s each side
achieved with it, as a fraction of that GEMM rate: ``cpu rate:``, ``cpu torch rate:``,
``cpu hs rate:``, ``cpu hs torch rate:``, ``cpu subword rate:``.

Run: ``make bench-train`` (``BENCH_EPOCHS=2`` for a quick look). Not part of ``make test``.
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import time

import torch
from bench_results import Start, record
from machine import describe, gemm_rate, multiply_adds_per_word, rate_line

from w2v_helpers import compiled_spans
from w2v_helpers.analogies import analogies
from w2v_helpers.corpus import build_vocabulary, load_wiki_sample
from w2v_helpers.evaluation import word_pairs, wordsim_spearman
from w2v_helpers.lessons.nb07_fast_trainer_vs_gensim import time_gensim, time_ours, time_reference
from w2v_helpers.lessons.nb08_hierarchical_softmax import HS_CHUNK
from w2v_helpers.lessons.nb11_subword_vectors import (
    all_pairs,
    notebook_config,
    time_gensim_fasttext,
    time_subwords,
)
from w2v_helpers.subwords import DEFAULT_BUCKETS
from w2v_helpers.trainer import TrainConfig, train_word2vec

EPOCHS = int(os.environ.get("BENCH_EPOCHS", "20"))
THREADS = int(os.environ.get("BENCH_THREADS", "1"))  # ours: torch threads of each worker
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))  # gensim's worker threads, and ours
REFERENCE_EPOCHS = int(os.environ.get("BENCH_REFERENCE_EPOCHS", "1"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))  # seeds 0, 1, ...: one round each
# Hierarchical softmax: gensim's hs=1, negative=0; ours the same, with notebook 08's chunk.
HS_SETTINGS = dict(hs=True, negative=0, chunk=HS_CHUNK)
# On a GPU one chunk is a few kernels whatever its size: larger chunks keep it busy. One worker:
# the GPU runs the chunks one after another anyway.
CUDA_CHUNK = int(os.environ.get("BENCH_CUDA_CHUNK", "16384"))
# Subwords (notebook 11): fastText's SkipGram, ours and gensim's FastText, one worker each.
SUBWORD_EPOCHS = int(os.environ.get("BENCH_SUBWORD_EPOCHS", "5"))
PRINTED: list[str] = []  # every line printed, for the results file


def say(text: str) -> None:
    """Print ``text`` now and keep its lines for the results file."""
    print(text, flush=True)
    PRINTED.extend(text.splitlines())


def warm_compiled_loops() -> float:
    """Compile numba's loops (or load them from its disk cache) before the timed rounds, by one
    short run of each compiled update; the seconds it took (a learner's first run in a process
    pays them once)."""
    start = time.perf_counter()
    small = load_wiki_sample(max_tokens=2_000)
    for hs in (False, True):
        config = TrainConfig(min_count=1, epochs=1, hs=hs, negative=0 if hs else 5, kernel="numba")
        train_word2vec(small, config, progress=False)
    return time.perf_counter() - start


def run_reference(sentences: list[list[str]]) -> tuple[float, float]:
    """Notebook 05's reference trainer, same settings; words/s counts the same raw tokens."""
    seconds, result, vocab = time_reference(sentences, epochs=REFERENCE_EPOCHS)
    words = sum(map(len, sentences)) * REFERENCE_EPOCHS
    return words / seconds, wordsim_spearman(result.snapshots[-1], vocab)


def run_gensim(
    sentences: list[list[str]], workers: int, seed: int, hs: bool = False
) -> tuple[float, float, torch.Tensor]:
    seconds, model = time_gensim(sentences, epochs=EPOCHS, workers=workers, seed=seed, hs=hs)
    vocab = build_vocabulary(sentences, 5)
    vectors = torch.tensor(model.wv[list(vocab.words)])  # (V, E)
    return sum(map(len, sentences)) * EPOCHS / seconds, wordsim_spearman(vectors, vocab), vectors


def ours_config(device: str, seed: int, hs: bool, kernel: str = "torch") -> TrainConfig:
    """The benchmark's settings for our trainer on ``device``."""
    config = TrainConfig(model="skipgram", epochs=EPOCHS, seed=seed, workers=WORKERS, kernel=kernel)
    if device == "cuda":
        config = dataclasses.replace(config, chunk=CUDA_CHUNK, workers=1)
    if hs:  # notebook 08's settings: see HS_SETTINGS
        config = dataclasses.replace(config, **HS_SETTINGS)
    return config


def run_ours(
    sentences: list[list[str]], device: str, seed: int, hs: bool = False, kernel: str = "torch"
) -> tuple[float, float, torch.Tensor]:
    seconds, result = time_ours(sentences, ours_config(device, seed, hs, kernel), device)
    return result.raw_tokens / seconds, result.wordsim353(), result.vectors


def quality(name: str, vectors: torch.Tensor, vocab) -> str:
    """WordSim353 with its interval and coverage, and 3CosAdd analogies with theirs."""
    pairs = word_pairs(vectors, vocab)
    found = analogies(vectors, vocab, "3cosadd")
    return (
        f"{name} WordSim353 {pairs.spearman:.3f} (95% CI {pairs.ci_low:.3f} to "
        f"{pairs.ci_high:.3f}, {pairs.pairs_used} of {pairs.pairs_total} pairs), analogies "
        f"3CosAdd {found.accuracy:.1%} ({found.questions_used:,} of {found.questions_total:,} "
        "questions)"
    )


def compare(
    sentences: list[list[str]], device: str, hs: bool, kernel: str = "torch", label: str = ""
) -> tuple[str, float, float]:
    """ROUNDS rounds of gensim then ours, alternating; the summary line of the medians, and the
    median words/s of ours and gensim's. ``kernel`` is ours ("torch" or "numba"); ``label``
    starts each line (default: the device, then " hs" with ``hs``)."""
    label = label or (f"{device} hs" if hs else device)
    rounds = []  # (ours words/s, gensim words/s, ours spearman, gensim spearman) per seed
    for seed in range(ROUNDS):  # alternate the two, so a busy moment hits both
        g_wps, g_rho, g_vectors = run_gensim(sentences, WORKERS, seed, hs)
        o_wps, o_rho, o_vectors = run_ours(sentences, device, seed, hs, kernel)
        rounds.append((o_wps, g_wps, o_rho, g_rho))
        if seed == 0:
            first = (o_vectors, g_vectors)
        config = ours_config(device, seed, hs, kernel)
        how = f", kernel {config.kernel}"
        say(
            f"{label}: round {seed + 1} (seed {seed}): gensim ({WORKERS} workers) "
            f"{g_wps:,.0f} words/s, spearman {g_rho:.3f}; ours ({config.workers} workers x "
            f"{THREADS} torch thread(s), chunk {config.chunk}{how}) {o_wps:,.0f} words/s, spearman "
            f"{o_rho:.3f}; ratio {o_wps / g_wps:.2f}"
        )
    vocab = build_vocabulary(sentences, 5)
    for name, vectors in zip(("ours", "gensim"), first, strict=True):
        say(f"{label}: seed 0: " + quality(name, vectors, vocab))
    ratios = sorted(o / g for o, g, _, _ in rounds)
    o_wps, g_wps, o_rho, g_rho = (statistics.median(column) for column in zip(*rounds, strict=True))
    say(
        f"{label}: spearman over {ROUNDS} seeds: ours {min(r[2] for r in rounds):.3f} to "
        f"{max(r[2] for r in rounds):.3f}, gensim {min(r[3] for r in rounds):.3f} to "
        f"{max(r[3] for r in rounds):.3f}"
    )
    line = (
        f"{label}: ours {o_wps:.0f} words/s, gensim {g_wps:.0f} words/s, "
        f"ratio {statistics.median(ratios):.2f}, spearman ours {o_rho:.3f} gensim {g_rho:.3f} "
        f"(ratio min-max {ratios[0]:.2f}-{ratios[-1]:.2f}, {ROUNDS} rounds)"
    )
    return line, o_wps, g_wps


def compare_subwords(sentences: list[list[str]]) -> tuple[str, float, float]:
    """ROUNDS rounds of gensim's FastText then ours, one worker each, notebook 11's settings;
    Spearman on all 353 WordSim353 pairs (every word has a vector). The summary line, and the
    median words/s of ours and gensim's."""
    words = sum(map(len, sentences)) * SUBWORD_EPOCHS
    rounds = []  # (ours words/s, gensim words/s, ours spearman, gensim spearman) per seed
    for seed in range(ROUNDS):
        g_seconds, model = time_gensim_fasttext(
            sentences, epochs=SUBWORD_EPOCHS, buckets=DEFAULT_BUCKETS, seed=seed
        )
        config = dataclasses.replace(notebook_config(seed), epochs=SUBWORD_EPOCHS)
        o_seconds, result = time_subwords(sentences, config, DEFAULT_BUCKETS)
        g_rho = all_pairs(lambda w, m=model: torch.tensor(m.wv[w]), "wordsim353").spearman
        o_rho = all_pairs(result.vectors_of, "wordsim353").spearman
        rounds.append((words / o_seconds, words / g_seconds, o_rho, g_rho))
        say(
            f"cpu subword: round {seed + 1} (seed {seed}, {SUBWORD_EPOCHS} epochs, buckets "
            f"{DEFAULT_BUCKETS}): gensim FastText (1 worker) {words / g_seconds:,.0f} words/s, "
            f"spearman {g_rho:.3f}; ours (1 worker) {words / o_seconds:,.0f} words/s, spearman "
            f"{o_rho:.3f} (all 353 pairs); ratio {g_seconds / o_seconds:.2f}"
        )
    ratios = sorted(o / g for o, g, _, _ in rounds)
    o_wps, g_wps, o_rho, g_rho = (statistics.median(column) for column in zip(*rounds, strict=True))
    line = (
        f"cpu subword: ours {o_wps:.0f} words/s, gensim {g_wps:.0f} words/s, "
        f"ratio {statistics.median(ratios):.2f}, spearman ours {o_rho:.3f} gensim {g_rho:.3f} "
        f"(ratio min-max {ratios[0]:.2f}-{ratios[-1]:.2f}, {ROUNDS} rounds)"
    )
    return line, o_wps, g_wps


def main() -> None:
    Start.now()  # the date and commit the results file records
    # One torch thread per worker by default (see the module docstring): two OpenMP threads
    # spin-wait on a busy core, and every small elementwise op then takes ~20x as long.
    torch.set_num_threads(THREADS)
    for line in describe(WORKERS, THREADS):
        say(line)
    cores = {WORKERS: gemm_rate(WORKERS), 1: gemm_rate(1)}  # the trainers' cores, and one
    for n, rate in cores.items():
        say(f"gemm: float32 2048 x 2048 torch.mm on {n} thread(s): {rate:.1f} GFLOP/s (best of 5)")
    sentences = load_wiki_sample()
    tokens = sum(map(len, sentences))
    vocab = build_vocabulary(sentences, 5)
    say(f"corpus: {tokens:,} tokens in {len(sentences):,} sentences, {EPOCHS} epochs")
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    r_wps, r_rho = run_reference(sentences)
    say(
        f"cpu: reference (float64, {REFERENCE_EPOCHS} epoch(s)) {r_wps:,.0f} words/s, "
        f"spearman {r_rho:.3f} after those epochs"
    )
    lines = [f"cpu: reference {r_wps:.0f} words/s ({REFERENCE_EPOCHS} epoch(s), float64)"]
    subword = compare_subwords(sentences)  # first: the process holds least then
    rates = []
    if compiled_spans.AVAILABLE:
        seconds = warm_compiled_loops()
        say(f"numba: the compiled loops ready in {seconds:.1f} s, before the timed rounds")
    for device in devices:
        runs = [(False, "torch", ""), (True, "torch", "")]  # negative sampling, then HS
        if device == "cpu" and compiled_spans.AVAILABLE:  # each compiled, then as notebooks run
            runs = [
                (False, "numba", ""),
                (False, "torch", "cpu torch"),
                (True, "numba", ""),
                (True, "torch", "cpu hs torch"),
            ]
        for hs, kernel, label in runs:
            line, ours, gensim = compare(sentences, device, hs, kernel, label)
            lines.append(line)
            if device == "cpu":
                work = multiply_adds_per_word(vocab, tokens, kind="hs" if hs else "ns")
                label = line.split(":")[0] + " rate"
                rates.append(rate_line(label, work, ours, gensim, cores[WORKERS]))
        if device == "cpu":
            lines.append(subword[0])
            work = multiply_adds_per_word(vocab, tokens, kind="subword")
            rates.append(rate_line("cpu subword rate", work, *subword[1:], cores[1]))
    say("\n".join(lines + rates))
    record("bench-train", PRINTED, default_command="python benchmarks/bench_train.py")


if __name__ == "__main__":
    main()
