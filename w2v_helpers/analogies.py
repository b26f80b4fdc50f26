"""Word analogies, a : b :: c : ?, scored as word2vec's ``questions-words.txt`` and gensim do.

Each question asks for the word d whose vector best completes ``b - a + c`` (*man : king ::
woman : queen*). Two ways to rank the candidates x, both on unit vectors:

- **3CosAdd** (Mikolov et al. 2013): ``cos(x, b) - cos(x, a) + cos(x, c)``, gensim's
  ``most_similar(positive=[b, c], negative=[a])``;
- **3CosMul** (Levy and Goldberg 2014): ``s(x, b) s(x, c) / (s(x, a) + 1e-6)`` with
  ``s = (1 + cos) / 2``, gensim's ``most_similar_cosmul``; one large similarity cannot
  outvote the other two. (gensim 4.4's ``evaluate_word_analogies`` takes a
  ``similarity_function`` but always ranks with ``most_similar``: its 3CosMul score is 3CosAdd's.)

As in gensim's ``evaluate_word_analogies``: words are matched case-insensitively (the file
writes *Athens*, our vocabulary *athens*); a question with any of its four words outside the
vocabulary is skipped and counted; the three question words are never the answer. Unlike
gensim, which ranks in float32, we rank in float64, so a near-tie can go the other way (the
tests count how often on trained vectors). The file ships inside gensim's wheel (no download).
Introduced in ``09_what_the_vectors_know.ipynb``.

Shape glossary: V vocabulary, E embedding dim, Q questions scored at once.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .corpus import Vocabulary, test_data_path
from .memory import check_memory
from .validation import check_positive_int, check_vectors

__all__ = [
    "ANALOGY_METHODS",
    "AnalogySection",
    "AnalogiesResult",
    "analogies",
    "analogy_picks",
    "answer_analogy",
    "load_analogies",
]

ANALOGY_METHODS = ("3cosadd", "3cosmul")
ANALOGY_FILE = "questions-words.txt"
COSMUL_EPS = 1e-6  # gensim's, so a zero similarity to a does not divide by zero
BATCH = 256  # questions ranked at once: a (V, Q) float64 score table


@functools.lru_cache(maxsize=1)
def load_analogies() -> tuple[tuple[str, tuple[tuple[str, str, str, str], ...]], ...]:
    """``questions-words.txt`` from gensim's test data: (section, questions), lowercased.

    Introduced in ``09_what_the_vectors_know.ipynb``.
    """
    sections: list[tuple[str, list]] = []
    with open(test_data_path(ANALOGY_FILE), encoding="utf8") as handle:
        for line in handle:
            if line.startswith(":"):
                sections.append((line[1:].strip(), []))
            elif line.strip():
                a, b, c, d = line.lower().split()
                sections[-1][1].append((a, b, c, d))
    return tuple((name, tuple(questions)) for name, questions in sections)


@dataclass(frozen=True, kw_only=True)
class AnalogySection:
    """One section of the file: how many of its questions were answered right.

    Introduced in ``09_what_the_vectors_know.ipynb``.
    """

    name: str
    correct: int
    used: int  # questions whose four words are all in the vocabulary
    total: int

    @property
    def accuracy(self) -> float | None:
        """The share answered right; ``None`` when the vocabulary covers none of the section."""
        return self.correct / self.used if self.used else None


@dataclass(frozen=True, kw_only=True)
class AnalogiesResult:
    """Accuracy over the questions the vocabulary covers, overall and per section.

    Introduced in ``09_what_the_vectors_know.ipynb``.
    """

    method: str
    accuracy: float
    correct: int
    questions_used: int
    questions_total: int
    sections: tuple[AnalogySection, ...]

    def __str__(self) -> str:
        lines = [
            f"{self.method}: {self.correct} of {self.questions_used:,} right "
            f"({self.accuracy:.1%}); {self.questions_used:,} of {self.questions_total:,} questions "
            f"in {len(self.sections)} sections have all four words in the vocabulary"
        ]
        for s in self.sections:
            share = f"{s.accuracy:6.1%}" if s.used else "     -"
            lines.append(f"  {s.name:<28} {share}  {s.correct:>4} of {s.used:>5} ({s.total:,})")
        return "\n".join(lines)


def _check_method(method: object) -> str:
    if not isinstance(method, str) or method not in ANALOGY_METHODS:
        raise ValueError(f"method must be one of {ANALOGY_METHODS}, got {method!r}")
    return method


def _prepared(vectors: object, vocab: object, method: object) -> tuple[str, torch.Tensor, dict]:
    """Check the arguments and the memory; return the method, unit rows (V, E) and word index."""
    method = _check_method(method)
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be a Vocabulary (build_vocabulary), got {vocab!r:.80}")
    check_vectors("vectors", vectors, len(vocab))
    V, E = vectors.shape
    # the workspace of _rank (three (V, BATCH) float64 score tables for 3CosMul, one for
    # 3CosAdd) and one more for what a matmul may hold while it writes into it (measured: half
    # a table), and the float64 copy of the vectors with its normalised rows
    check_memory(
        8 * ((_tables(method) + 1) * V * BATCH + 2 * V * E),
        f"analogy scores over V={V:,} words",
        hint="Use fewer words.",
    )
    unit = F.normalize(vectors.double().cpu(), dim=1)  # (V, E) float64: no rank flips by rounding
    return method, unit, vocab.index


def _covered(vectors: torch.Tensor, vocab: Vocabulary) -> set[tuple[str, str, str, str]]:
    """The questions whose four words are in ``vocab``; refuses none, or a zero row among them."""
    index = vocab.index
    covered = {
        q for _, questions in load_analogies() for q in questions if all(w in index for w in q)
    }
    if not covered:
        total = sum(len(questions) for _, questions in load_analogies())
        raise ValueError(
            f"vocab covers none of the {total:,} questions of questions-words.txt (a question "
            f"needs all four words in the vocabulary); use a larger vocabulary"
        )
    _refuse_zero_rows(vectors, vocab, {w for q in covered for w in q})
    return covered


def _refuse_zero_rows(vectors: torch.Tensor, vocab: Vocabulary, words: set[str]) -> None:
    """A zero row has no direction: its cosine with anything is undefined, not 0."""
    rows = torch.tensor(sorted(vocab.index[w] for w in words))  # (n,)
    zero = rows[~vectors[rows].any(dim=1)]  # (z,)
    if zero.numel():
        raise ValueError(
            f"vectors holds zero rows for {zero.numel()} word(s) of the questions, e.g. "
            f"{vocab.words[int(zero[0])]!r}: a zero vector has no direction, so no cosine; "
            "train the vectors first"
        )


def _tables(method: str) -> int:
    return 3 if method == "3cosmul" else 1


def _workspace(unit: torch.Tensor, method: str) -> torch.Tensor:
    """The score tables every batch of questions reuses: (tables, V, BATCH) float64.

    Allocated once per call: fresh (V, Q) tables per batch, with the batch's small tensors
    between them, fragmented the heap until a call over 19k questions held ten times its tables
    (measured 2.1 GiB for 3CosMul at V = 12,400).
    """
    return unit.new_empty(_tables(method), unit.shape[0], BATCH)


def _rank(
    unit: torch.Tensor, abc: torch.Tensor, method: str, work: torch.Tensor | None = None
) -> torch.Tensor:
    """Scores of every word for each question (a, b, c), the question words pushed to -inf.

    ``work`` (see :func:`_workspace`) holds the scores when given: a batch shorter than it is
    padded with copies of its first question, and the padding's columns are cut off again.
    """
    Q = abc.shape[0]
    if work is None:
        work = unit.new_empty(_tables(method), unit.shape[0], Q)  # (tables, V, Q)
    elif Q < work.shape[2]:
        abc = torch.cat([abc, abc[:1].expand(work.shape[2] - Q, 3)])  # (BATCH, 3)
    a = unit[abc[:, 0]]  # (Q, E)
    b = unit[abc[:, 1]]  # (Q, E)
    c = unit[abc[:, 2]]  # (Q, E)
    if method == "3cosadd":
        scores = torch.matmul(unit, (b - a + c).T, out=work[0])  # (V, E) @ (E, Q) -> (V, Q)
    else:
        s_a, s_b, s_c = work  # (V, Q) each
        for s, x in ((s_a, a), (s_b, b), (s_c, c)):
            torch.matmul(unit, x.T, out=s).add_(1).div_(2)  # (V, E) @ (E, Q) -> (V, Q)
        scores = s_b.mul_(s_c).div_(s_a.add_(COSMUL_EPS))  # (V, Q)
    scores.scatter_(0, abc.T, -math.inf)  # (3, Q): a question's own words are never the answer
    return scores[:, :Q]


def analogies(vectors: torch.Tensor, vocab: Vocabulary, method: str = "3cosadd") -> AnalogiesResult:
    """Score ``questions-words.txt`` on ``vectors``: overall and per-section accuracy.

    Refuses (``ValueError``) a vocabulary that covers no question, and a zero row among the
    covered questions' words (it has no direction). Introduced in
    ``09_what_the_vectors_know.ipynb``.

    Args:
        vectors: finite floating word vectors, one row per word of ``vocab``.
        vocab: the vocabulary the rows belong to.
        method: ``"3cosadd"`` or ``"3cosmul"`` (see the module). Default: ``"3cosadd"``.

    Shape:
        - vectors: :math:`(V, E)`.
    """
    method, unit, index = _prepared(vectors, vocab, method)
    covered = _covered(vectors, vocab)
    work = _workspace(unit, method)
    sections = []
    for name, questions in load_analogies():
        known = [q for q in questions if q in covered]
        correct = 0
        for first in range(0, len(known), BATCH):
            ids = torch.tensor([[index[w] for w in q] for q in known[first : first + BATCH]])
            best = _rank(unit, ids[:, :3], method, work).argmax(0)  # (Q,)
            correct += int((best == ids[:, 3]).sum())
        sections.append(
            AnalogySection(name=name, correct=correct, used=len(known), total=len(questions))
        )
    used = sum(s.used for s in sections)
    right = sum(s.correct for s in sections)
    total = sum(s.total for s in sections)
    return AnalogiesResult(
        method=method,
        accuracy=right / used,
        correct=right,
        questions_used=used,
        questions_total=total,
        sections=tuple(sections),
    )


def answer_analogy(
    vectors: torch.Tensor, vocab: Vocabulary, a: str, b: str, c: str, *, topn: int = 3
) -> dict[str, list[tuple[str, float]]]:
    """The ``topn`` answers to a : b :: c : ? by each method, with their scores.

    Introduced in ``09_what_the_vectors_know.ipynb``.

    Args:
        vectors: finite floating word vectors, one row per word of ``vocab``.
        vocab: the vocabulary the rows belong to.
        a: the first word (matched case-insensitively, like b and c).
        b: the word a maps to.
        c: the word whose counterpart is asked for.
        topn: answers per method, 1 to 20. Default: 3.

    Shape:
        - vectors: :math:`(V, E)`.
    """
    check_vectors("vectors", vectors, len(vocab))
    topn = check_positive_int("topn", topn, maximum=20)
    words = []
    for name, word in (("a", a), ("b", b), ("c", c)):
        if not isinstance(word, str) or word.strip().lower() not in vocab.index:
            raise ValueError(
                f"{name}={word!r} is not in the vocabulary ({len(vocab):,} words seen at least "
                f"{vocab.min_count} times); try another word"
            )
        words.append(vocab.index[word.strip().lower()])
    _refuse_zero_rows(vectors, vocab, {vocab.words[i] for i in words})
    unit = F.normalize(vectors.double().cpu(), dim=1)  # (V, E)
    abc = torch.tensor([words])  # (1, 3)
    answers = {}
    for method in ANALOGY_METHODS:
        top = _rank(unit, abc, method)[:, 0].topk(topn)  # (topn,)
        answers[method] = [
            (vocab.words[i], float(s)) for i, s in zip(top.indices, top.values, strict=True)
        ]
    return answers


def analogy_picks(
    vectors: torch.Tensor, vocab: Vocabulary, method: str = "3cosadd"
) -> tuple[torch.Tensor, torch.Tensor]:
    """Every covered question of ``questions-words.txt`` and the word ``method`` picks for it.

    The questions are those :func:`analogies` scores (all four words in ``vocab``), in file
    order; returns ``(questions, picks)``: each question's ids (a, b, c, d) and the id of the
    best-ranked word, so two methods can be compared question by question. Refuses what
    :func:`analogies` refuses. Introduced in ``09_what_the_vectors_know.ipynb``.

    Args:
        vectors: finite floating word vectors, one row per word of ``vocab``.
        vocab: the vocabulary the rows belong to.
        method: ``"3cosadd"`` or ``"3cosmul"``. Default: ``"3cosadd"``.

    Shape:
        - vectors: :math:`(V, E)`.
        - Output: questions :math:`(Q, 4)`, picks :math:`(Q)`, int64.
    """
    method, unit, index = _prepared(vectors, vocab, method)
    covered = _covered(vectors, vocab)
    known = [q for _, questions in load_analogies() for q in questions if q in covered]
    ids = torch.tensor([[index[w] for w in q] for q in known], dtype=torch.long).reshape(-1, 4)
    work = _workspace(unit, method)
    picks = [
        _rank(unit, ids[i : i + BATCH, :3], method, work).argmax(0)
        for i in range(0, len(ids), BATCH)
    ]
    return ids, torch.cat(picks) if picks else torch.zeros(0, dtype=torch.long)  # (Q, 4), (Q,)
