"""benchmarks/machine.py: the machine lines, the GEMM rate and the arithmetic per word.

Oracles: SIMD levels from hand-written cpuinfo flags; the multiply-adds per word recomputed here
by a plain loop over the words with word2vec's keep formula and the tree's path lengths; the
GEMM rate checked only for being a positive, finite number of GFLOP/s (its size is the
machine's).
"""

import importlib.util
import math
import sys
from pathlib import Path

import pytest
import torch

from w2v_helpers.corpus import build_vocabulary, load_wiki_sample
from w2v_helpers.hierarchical_softmax import build_huffman_tree
from w2v_helpers.subwords import char_ngrams

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def machine():
    sys.path.insert(0, str(BENCH))  # machine.py imports bench_results as the bench does
    try:
        spec = importlib.util.spec_from_file_location("bench_machine", BENCH / "machine.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_machine"] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


@pytest.mark.parametrize(
    ("flags", "level"),
    [
        ("fpu sse2 avx avx2 fma avx512f avx512bw", "AVX-512"),
        ("fpu sse2 avx avx2 fma", "AVX2 only"),
        ("fpu sse2 avx", "no AVX2"),
    ],
)
def test_simd_level_reads_the_flags(machine, flags, level):
    assert machine.simd_level(f"model name\t: X\nflags\t\t: {flags}\n") == level
    assert machine.simd_level("") == "unknown"


def test_describe_names_the_machine_and_every_thread_pool(machine):
    first, threads = machine.describe(workers=2, threads=1)
    assert first.startswith("machine: ") and "SIMD " in first and "ATen kernels " in first
    assert "2 workers runs 1 torch thread(s)" in threads and "MKL max" in threads
    assert "OpenBLAS" in threads and "gensim 2 worker threads" in threads


def test_gemm_rate_is_a_rate_and_leaves_the_thread_count_alone(machine):
    before = torch.get_num_threads()
    rate = machine.gemm_rate(1, size=256, repeats=2)
    assert math.isfinite(rate) and rate > 0.1
    assert torch.get_num_threads() == before


def test_multiply_adds_per_word_match_a_loop_over_the_words(machine):
    sentences = load_wiki_sample(max_tokens=20_000)
    raw = sum(map(len, sentences))
    vocab = build_vocabulary(sentences, 5)
    lengths = build_huffman_tree(vocab.counts).lengths.tolist()
    total = float(vocab.counts.sum())
    kept = steps = rows = 0.0
    for word, count, length in zip(vocab.words, vocab.counts.tolist(), lengths, strict=True):
        f = count / total
        keep = min(1.0, (math.sqrt(f / 1e-3) + 1) * 1e-3 / f)  # word2vec's C formula
        kept += count * keep
        steps += count * keep * length
        rows += count * keep * (1 + len(char_ngrams(word, 3, 6)))
    E, pairs, K = 100, 6, 5
    ns = machine.multiply_adds_per_word(vocab, raw, kind="ns")
    hs = machine.multiply_adds_per_word(vocab, raw, kind="hs")
    sub = machine.multiply_adds_per_word(vocab, raw, kind="subword")
    assert ns.per_word == pytest.approx(kept / raw * pairs * 3 * E * (1 + K), rel=1e-9)
    assert hs.per_word == pytest.approx(kept / raw * pairs * 3 * E * steps / kept, rel=1e-9)
    expected = kept / raw * (pairs * 3 * E * (1 + K) + 2 * E * rows / kept)
    assert sub.per_word == pytest.approx(expected, rel=1e-9)
    assert ns.gflops(1e6) == pytest.approx(2 * ns.per_word * 1e6 / 1e9)
    line = machine.rate_line("cpu rate", ns, 1e6, 5e5, 100.0)
    assert f"{ns.gflops(1e6) / 100:.1%} of GEMM" in line and line.startswith("cpu rate: ")
    with pytest.raises(ValueError, match="kind"):
        machine.multiply_adds_per_word(vocab, raw, kind="cbow")
