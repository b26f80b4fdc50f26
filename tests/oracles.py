"""Independent oracles shared by the tests: float64 NumPy losses and finite differences, an
allocation recorder, and a corpus whose answer is known.

None of these call ``w2v_helpers``; they are the formulas written out again in NumPy, or data
built here. Test modules import from this module, never from each other.
"""

import numpy as np


def numpy_bce(scores: np.ndarray, targets: np.ndarray) -> float:
    """Mean BCE from logits in float64: softplus(s) - s*t, softplus via logaddexp(0, s)."""
    return float(np.mean(np.logaddexp(0.0, scores) - scores * targets))


def numpy_ce(scores: np.ndarray, y: np.ndarray) -> float:
    """Mean CE in float64: logsumexp over each row minus the right word's score."""
    m = scores.max(axis=1, keepdims=True)
    lse = (m + np.log(np.exp(scores - m).sum(axis=1, keepdims=True)))[:, 0]
    return float(np.mean(lse - scores[np.arange(len(y)), y]))


def finite_difference(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences of a scalar function of an array, entry by entry (float64)."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        grad[index] = (f(up) - f(down)) / (2 * h)
    return grad


class AllocationRecorder:
    """Records every new tensor the ops under it create: (op, numel, dtype, bytes).

    A ``TorchDispatchMode``: it sees each ATen op a call dispatches, so it counts what the code
    really allocates rather than what a test rebuilds by hand. Outputs that the op's schema marks
    as aliases (views, in-place and ``out=`` results) are not new memory and are skipped; fused
    kernels' internal scratch is not visible (it never becomes a tensor).
    """

    def __init__(self) -> None:
        import torch
        from torch.utils._python_dispatch import TorchDispatchMode
        from torch.utils._pytree import tree_flatten

        self.created: list[tuple[str, int, object, int]] = []
        recorder = self

        class _Mode(TorchDispatchMode):
            def __torch_dispatch__(self, func, types, args=(), kwargs=None):
                out = func(*args, **(kwargs or {}))
                if any(r.alias_info is not None for r in func._schema.returns):
                    return out
                for t in tree_flatten(out)[0]:
                    if isinstance(t, torch.Tensor):
                        nbytes = t.numel() * t.element_size()
                        recorder.created.append((str(func), t.numel(), t.dtype, nbytes))
                return out

        self._mode = _Mode()

    def __enter__(self) -> "AllocationRecorder":
        self._mode.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._mode.__exit__(*exc)


def topic_corpus(seed: int = 0, sentences: int = 400) -> list[list[str]]:
    """Three topics of eight words; a sentence draws ten words from one topic. Trained vectors
    must put each word's nearest neighbours in its own topic (the words share its letter)."""
    import torch

    g = torch.Generator().manual_seed(seed)
    topics = [[f"{t}{i}" for i in range(8)] for t in "abc"]
    corpus = []
    for _ in range(sentences):
        words = topics[int(torch.randint(3, (1,), generator=g))]
        corpus.append([words[int(i)] for i in torch.randint(8, (10,), generator=g)])
    return corpus
