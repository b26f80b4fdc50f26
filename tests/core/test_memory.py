"""The memory guard: its estimate against what torch really allocates, and its refusals."""

import json
import os
import subprocess
import sys

import pytest
import torch
from oracles import AllocationRecorder

from w2v_helpers.lessons.nb01_cbow_forward import cbow_forward_report
from w2v_helpers.memory import (
    DEFAULT_BUDGET,
    MemoryBudgetError,
    check_memory,
    estimate_cbow_forward_bytes,
    format_bytes,
    memory_budget,
    process_memory,
    retained_heap,
)
from w2v_helpers.models import CBOW

# Runs in a fresh interpreter: how far resident memory rises above where it stood just before
# building a CBOW and running a forward pass. Writing 5 to clear_refs resets the kernel's
# high-water mark (VmHWM), so nothing from start-up counts.
MEASURE = r"""
import json, sys, torch
torch.set_num_threads(1)
from w2v_helpers.models import CBOW


def status(field):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith(field))


V, T, N, E = map(int, sys.argv[1:5])
x = torch.randint(V, (N, T))
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
base = status("VmRSS:")
with torch.no_grad():
    model = CBOW(V, E)
    scores = model(x)
print(json.dumps({"grew": status("VmHWM:") - base}))
"""


@pytest.mark.parametrize("tied", [False, True])
def test_estimate_is_the_parameters_plus_what_a_forward_pass_allocates(tied):
    V, T, N, E = 300, 5, 7, 11
    model = CBOW(V, E, tied=tied)
    x = torch.randint(V, (N, T))  # (N, T) int64 ids
    with torch.no_grad(), AllocationRecorder() as recorder:
        model(x)
    activations = sum(b for _, n, _, b in recorder.created if n > 1)  # scalars: id-range checks
    params = sum(p.numel() * p.element_size() for p in model.parameters())
    expected = params + x.numel() * x.element_size() + activations
    assert estimate_cbow_forward_bytes(V, T, N, E, tied=tied) == expected
    if not tied:  # the report builds the lesson's untied model
        assert cbow_forward_report(V, T, N, E, time_it=False).estimated_bytes == expected


def test_estimate_is_arithmetic_only_even_for_sizes_that_could_never_be_built():
    V, T, N, E = 10**7, 10, 10, 10**4  # about 745 GiB
    with AllocationRecorder() as recorder:
        need = estimate_cbow_forward_bytes(V, T, N, E)
    assert recorder.created == []
    assert need == 4 * (2 * V * E + V + N * T * E + N * E + N * V) + 8 * N * T


@pytest.mark.slow
def test_estimate_is_within_25_percent_of_measured_peak_rss():
    V, T, N, E = 400_000, 4, 16, 128  # about 400 MiB, so interpreter noise is small
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *map(str, (V, T, N, E))],
        capture_output=True,
        text=True,
        check=True,
    )
    grew = json.loads(out.stdout)["grew"]
    estimate = estimate_cbow_forward_bytes(V, T, N, E)
    assert 0.8 * grew <= estimate <= 1.25 * grew, (format_bytes(estimate), format_bytes(grew))


# Runs in a fresh interpreter: how far resident memory rises while train_word2vec runs one
# epoch, against what estimate_training_bytes says for the same settings.
MEASURE_TRAINING = r"""
import json, sys, torch
torch.set_num_threads(1)
from w2v_helpers import trainer
from w2v_helpers.corpus import build_vocabulary, load_wiki_sample
from w2v_helpers.trainer import TrainConfig, train_word2vec


def status(field):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith(field))


estimates = []  # what the trainer asks the guard for
plain = trainer.estimate_training_bytes
trainer.estimate_training_bytes = lambda *a, **k: estimates.append(plain(*a, **k)) or estimates[0]
sentences = load_wiki_sample(max_tokens=50_000)
config = TrainConfig(epochs=1, min_count=1, **json.loads(sys.argv[1]))
vocab = build_vocabulary(sentences, 1)
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
base = status("VmRSS:")
train_word2vec(sentences, config, progress=False, vocab=vocab)
print(json.dumps({"grew": status("VmHWM:") - base, "estimate": estimates[0]}))
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    "settings",
    [
        {"chunk": 8192, "vector_size": 200},
        {"chunk": 8192, "vector_size": 200, "hs": True, "negative": 0},
        {"chunk": 8192, "vector_size": 200, "hs": True, "negative": 0, "model": "cbow"},
        {"chunk": 4096, "vector_size": 200, "hs": True, "negative": 5, "window": 10},
        {"chunk": 16384, "vector_size": 200, "workers": 2},
    ],
    ids=["sg-ns", "sg-hs", "cbow-hs", "sg-hs-and-ns", "sg-ns-two-workers"],
)
def test_training_estimate_bounds_the_measured_peak_within_a_factor_of_two(settings):
    out = subprocess.run(
        [sys.executable, "-c", MEASURE_TRAINING, json.dumps(settings)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "W2V_MEMORY_BUDGET": "8GiB"},
    )
    measured = json.loads(out.stdout)
    assert measured["grew"] <= measured["estimate"] <= 2 * measured["grew"], measured


def test_budget_defaults_to_one_gib():
    assert memory_budget() == DEFAULT_BUDGET == 2**30


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("512MiB", 512 * 2**20), ("2 GiB", 2 * 2**30), ("1000", 1000), ("1.5KiB", 1536)],
)
def test_budget_reads_the_environment_variable(monkeypatch, raw, expected):
    monkeypatch.setenv("W2V_MEMORY_BUDGET", raw)
    assert memory_budget() == expected


@pytest.mark.parametrize("raw", ["lots", "12 parsecs", "0", "-5MiB"])
def test_budget_rejects_unreadable_values_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("W2V_MEMORY_BUDGET", raw)
    with pytest.raises(ValueError, match="W2V_MEMORY_BUDGET"):
        memory_budget()


def test_check_memory_refuses_over_budget_with_a_readable_message():
    with pytest.raises(
        MemoryBudgetError, match=r"needs about 2\.0 GiB, which .* over this session.s memory budget"
    ):
        check_memory(2 * 2**30, "a test configuration")
    assert check_memory(100, "tiny", in_use=0) == 100


def test_check_memory_counts_what_the_process_already_holds():
    budget = 1000
    assert check_memory(600, "fits alone", budget=budget, in_use=300) == 600
    with pytest.raises(MemoryBudgetError, match="fits alone, not on top"):
        check_memory(600, "fits alone, not on top", budget=budget, in_use=500)


def test_process_memory_reads_this_process_resident_size():
    """Oracle: the kernel's own count, VmRSS in /proc/self/status (kB), read around the call."""

    def vm_rss() -> int:
        with open("/proc/self/status") as status:
            line = next(row for row in status if row.startswith("VmRSS:"))
        return int(line.split()[1]) * 1024

    before = vm_rss()
    rss = process_memory()
    after = vm_rss()
    assert min(before, after) - 2**20 <= rss <= max(before, after) + 2**20


def test_report_refuses_before_allocating_under_a_small_budget(monkeypatch):
    monkeypatch.setenv("W2V_MEMORY_BUDGET", "1MiB")
    with pytest.raises(MemoryBudgetError, match="vocab_size=50,000"):
        cbow_forward_report(50_000, 4, 16, 128)


def test_format_bytes_uses_binary_units():
    assert format_bytes(512) == "512 B"
    assert format_bytes(3 * 2**20) == "3.0 MiB"
    assert format_bytes(5 * 2**40) == "5120.0 GiB"


# Twenty 16 MiB buffers allocated, filled and freed in turn, in a fresh interpreter: page faults
# without the block, then inside it. glibc's thresholds are first fixed at their documented
# defaults (128 KiB): left dynamic, glibc raises them after the first free and the plain count
# depends on what the process did before.
REUSE_BUFFERS = r"""
import contextlib, ctypes, json, resource
import torch
from w2v_helpers.memory import retained_heap

libc = ctypes.CDLL("libc.so.6")
libc.mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD
libc.mallopt(-1, 128 * 1024)  # M_TRIM_THRESHOLD

def faults(block):
    with block():
        torch.empty(4 << 20).fill_(1.0)  # (4Mi,) float32: 16 MiB, touched and freed once
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(20):
            torch.empty(4 << 20).fill_(1.0)
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

print(json.dumps({"plain": faults(contextlib.nullcontext), "retained": faults(retained_heap)}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("threads", ["1", "2"])
def test_retained_heap_reuses_freed_buffers_instead_of_faulting_in_new_pages(threads):
    """The kernel's page-fault counter is the oracle. Without the block glibc maps each 16 MiB
    buffer afresh: 20 x 4,096 faults (81,940 measured, every run). Inside it freed buffers come
    back from the heap: 0, 12,288 or 28,672 faults over eight runs on one machine (where the
    heap's top sits decides how many buffers it grows by), never more than seven buffers'
    worth; the bound is half the plain count."""
    env = dict(os.environ, OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads)
    done = subprocess.run(
        [sys.executable, "-c", REUSE_BUFFERS], env=env, capture_output=True, text=True, check=True
    )
    found = json.loads(done.stdout)
    assert found["plain"] >= 20 * 4096, found  # the baseline: every buffer faulted in anew
    assert found["retained"] <= found["plain"] / 2, found


def test_retained_heap_is_a_plain_block_without_glibc(monkeypatch):
    from w2v_helpers import memory

    monkeypatch.setattr(memory, "_glibc", lambda: None)
    with retained_heap():
        ran = True
    assert ran


# ---- Counts, PPMI, SVD and GloVe (notebook 10) ----


def _random_corpus(words=1_500, sentences=60, length=200, seed=0):
    """Uniformly drawn words: almost every window pair is a new cell, the counts' worst case."""
    import numpy as np

    rng = np.random.default_rng(seed)
    names = [f"w{i}" for i in range(words)]
    return [[names[i] for i in rng.integers(0, words, length)] for _ in range(sentences)]


def _traced_peak(call):
    """The most bytes NumPy and Python held at once while ``call`` ran (tracemalloc)."""
    import tracemalloc

    tracemalloc.start()
    try:
        out = call()
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_count_ppmi_and_svd_estimates_bound_the_traced_peak_within_a_factor_of_two():
    from w2v_helpers.corpus import build_vocabulary
    from w2v_helpers.counts import cooccurrence, ppmi, svd_embeddings
    from w2v_helpers.memory import (
        estimate_cooccurrence_bytes,
        estimate_ppmi_bytes,
        estimate_svd_bytes,
    )

    corpus = _random_corpus()
    vocab = build_vocabulary(corpus, min_count=1)
    V, L = len(vocab), vocab.total
    counts, peak = _traced_peak(lambda: cooccurrence(corpus, vocab, 3))
    assert peak <= estimate_cooccurrence_bytes(V, L, 3) <= 2 * peak
    pmi, peak = _traced_peak(lambda: ppmi(counts))
    assert peak <= estimate_ppmi_bytes(V, counts.nnz) <= 2 * peak
    _, peak = _traced_peak(lambda: svd_embeddings(pmi, 20))
    assert peak <= estimate_svd_bytes(V, V, 20, pmi.nnz) <= 2 * peak


def test_count_estimates_are_arithmetic_only_and_grow_with_their_sizes():
    from w2v_helpers.memory import estimate_cooccurrence_bytes, estimate_glove_bytes

    with AllocationRecorder() as recorder:
        small = estimate_glove_bytes(10_000, 10**6, 100, 4_096)
        large = estimate_glove_bytes(10_000, 10**8, 100, 4_096)
        cells = estimate_cooccurrence_bytes(10**6, 10**9, 10)  # V² caps the cells
    assert recorder.created == []
    assert large > 90 * small / 2 and cells > 0


# Runs in a fresh interpreter: how far resident memory rises while train_glove runs two epochs
# on the Wikipedia sample's counts, against what estimate_glove_bytes says.
MEASURE_GLOVE = r"""
import json, sys, torch
torch.set_num_threads(1)
from w2v_helpers.corpus import build_vocabulary, load_wiki_sample
from w2v_helpers.counts import cooccurrence
from w2v_helpers.glove import train_glove
from w2v_helpers.memory import estimate_glove_bytes


def status(field):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith(field))


sentences = load_wiki_sample(max_tokens=150_000)
vocab = build_vocabulary(sentences, min_count=5)
counts = cooccurrence(sentences, vocab, 5)
dim, batch = map(int, sys.argv[1:3])
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
base = status("VmRSS:")
train_glove(counts, dim, 2, batch_size=batch)
print(json.dumps({
    "grew": status("VmHWM:") - base,
    "estimate": estimate_glove_bytes(len(vocab), counts.nnz, dim, batch),
}))
"""


@pytest.mark.slow
@pytest.mark.parametrize(("dim", "batch"), [(100, 4_096), (50, 65_536)])
def test_glove_estimate_bounds_the_measured_peak_within_a_factor_of_two(dim, batch):
    out = subprocess.run(
        [sys.executable, "-c", MEASURE_GLOVE, str(dim), str(batch)],
        capture_output=True,
        text=True,
        check=True,
    )
    measured = json.loads(out.stdout)
    grew, estimate = measured["grew"], measured["estimate"]
    assert grew <= estimate <= 2 * grew, (format_bytes(estimate), format_bytes(grew))
