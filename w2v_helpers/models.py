"""The two classroom word2vec models: CBOW and SkipGram with a full-vocabulary output layer.

Both score every word of the vocabulary for every example, exactly as the original lesson did;
notebook 05 replaces that with negative sampling. References: Mikolov et al., "Efficient
Estimation of Word Representations in Vector Space" (2013), and ``torch.nn.Embedding``.

Shape glossary: N batch, T context window, V vocabulary, E embedding dim, K negatives.
"""

from __future__ import annotations

import torch
from torch import nn

from .validation import check_positive_int, check_token_ids

__all__ = ["CBOW", "SkipGram", "parameter_table"]

MAX_VOCAB = 10_000_000  # far above anything a lesson needs; catches a typo like 5e9
MAX_EMBEDDING_DIM = 65_536


class _WordModel(nn.Module):
    """Embedding table plus an output layer over the vocabulary; tied or untied."""

    def __init__(self, vocab_size: int, embedding_dim: int = 128, tied: bool = False) -> None:
        super().__init__()
        self.vocab_size = check_positive_int("vocab_size", vocab_size, maximum=MAX_VOCAB)
        self.embedding_dim = check_positive_int(
            "embedding_dim", embedding_dim, maximum=MAX_EMBEDDING_DIM
        )
        if not isinstance(tied, bool):
            raise TypeError(f"tied must be True or False, got {tied!r}")
        self.tied = tied
        V, E = self.vocab_size, self.embedding_dim
        self.embedding = nn.Embedding(V, E)  # weight (V, E), initialised N(0, 1)
        # Linear stores its weight as (out, in) = (V, E): the same shape as the embedding table,
        # which is what makes tying possible at all.
        self.output = nn.Linear(E, V, bias=not tied)
        if tied:
            self.output.weight = self.embedding.weight  # one Parameter, two jobs

    def _score(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.output(hidden)  # (N, E) @ (E, V) -> (N, V)


class CBOW(_WordModel):
    r"""Continuous bag of words: many teachers (the context words), one student (the centre word).

    Looks up the T context embeddings, averages them, and scores every word of the vocabulary.
    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        vocab_size: V, the number of words (and of output classes), a whole number in
            [1, 10,000,000].
        embedding_dim: E, the length of each word vector, a whole number in [1, 65,536].
            Default: 128.
        tied: if ``True``, one ``(V, E)`` Parameter serves as both the embedding table and the
            output weight, and the output layer has no bias. Default: ``False`` (untied, with an
            output bias, as in the original lesson).

    Shape:
        - Input: :math:`(N, T)` int64 token ids in :math:`[0, V)`.
        - Output: :math:`(N, V)` scores (logits), one per vocabulary word.

    Example::

        >>> model = CBOW(vocab_size=1000, embedding_dim=16)
        >>> model(torch.tensor([[3, 5, 8, 1]])).shape
        torch.Size([1, 1000])
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_token_ids("x", x, self.vocab_size, ranks=(2,))
        vectors = self.embedding(x)  # (N, T) -> (N, T, E)
        hidden = vectors.mean(dim=1)  # (N, T, E) -> (N, E), the teachers' average
        return self._score(hidden)  # (N, E) -> (N, V)


class SkipGram(_WordModel):
    r"""Skip-gram: one teacher (the centre word), many students (its context words).

    Looks up the centre word's embedding and scores every word of the vocabulary; the T context
    words are the targets (see ``w2v_helpers.targets``). Introduced in
    ``04_skipgram_multilabel.ipynb``.

    Args:
        vocab_size: V, the number of words, a whole number in [1, 10,000,000].
        embedding_dim: E, the length of each word vector, a whole number in [1, 65,536].
            Default: 128.
        tied: share one ``(V, E)`` Parameter between input and output, no bias. Default: ``False``.

    Shape:
        - Input: :math:`(N)` or :math:`(N, 1)` int64 centre-word ids in :math:`[0, V)`.
        - Output: :math:`(N, V)` scores (logits).

    Example::

        >>> model = SkipGram(vocab_size=1000, embedding_dim=16)
        >>> model(torch.tensor([7, 9])).shape
        torch.Size([2, 1000])
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_token_ids("x", x, self.vocab_size, ranks=(1, 2))
        if x.dim() == 2:
            if x.shape[1] != 1:
                raise ValueError(
                    f"x must be (N,) or (N, 1): one centre word per example, got shape "
                    f"{tuple(x.shape)}; for several context words use CBOW"
                )
            x = x[:, 0]  # (N, 1) -> (N,)
        hidden = self.embedding(x)  # (N,) -> (N, E)
        return self._score(hidden)  # (N, E) -> (N, V)


def parameter_table(model: nn.Module) -> list[tuple[str, tuple[int, ...], int, int]]:
    """Rows of (name, shape, element count, bytes) for each distinct Parameter of ``model``.

    A tied Parameter appears once, under the first name that reaches it, exactly as
    ``model.parameters()`` yields it. Introduced in ``01_cbow_forward.ipynb``.

    Args:
        model: any ``torch.nn.Module``, e.g. a :class:`CBOW` or :class:`SkipGram`.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return [
        (name, tuple(p.shape), p.numel(), p.numel() * p.element_size())
        for name, p in model.named_parameters()
    ]
