"""Notebook 05's exercise checks on the whole pipeline: the pairs of the dynamic window and the
SGNS training loop.

Each check compares the learner's function with an independent answer (autograd, a float64
formula, the reference trainer's own draws) and, when they differ, with the usual mistakes, so
that it can name the wrong term.

Shape glossary: N batch of pairs, K negatives, V vocabulary, E embedding dim, L tokens.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ...corpus import (
    build_vocabulary,
    encode,
    keep_probabilities,
    load_wiki_sample,
    noise_distribution,
)
from ...evaluation import most_similar
from ...reference import (
    MIN_LR_FRACTION,
    SGNSDraws,
    SkipGramPairs,
    multinomial_noise,
    sgns_draws,
    train_sgns,
)
from ..feedback import Feedback, _correct, _not_a_function, _not_yet

__all__ = [
    "check_skipgram_pairs",
    "check_training_loop",
]


# ---- the pairs of the dynamic window ----

PAIR_LENGTHS = (9, 1, 7, 12)  # four sentences, one of a single word
PAIR_WINDOW = 3
PAIR_SEED = 4


def _pair_sentences() -> list[torch.Tensor]:
    """Sentences whose ids are their tokens' positions in the stream: a pair says where it is."""
    ends = torch.tensor(PAIR_LENGTHS).cumsum(0).tolist()
    return [torch.arange(end - length, end) for length, end in zip(PAIR_LENGTHS, ends, strict=True)]


def _reach_pairs(sentences: list[torch.Tensor], reaches: list[list[int]]) -> Counter:
    """Each centre with the words at distance 1..b on each side (b its reach), in its sentence."""
    pairs: Counter = Counter()
    for ids, reach in zip(sentences, reaches, strict=True):
        for i, b in enumerate(reach):
            for j in range(max(0, i - b), min(len(ids), i + b + 1)):
                if j != i:
                    pairs[int(ids[i]), int(ids[j])] += 1
    return pairs


def _drawn_reaches(low: int, high: int) -> list[list[int]]:
    """Each sentence's reaches drawn in turn with ``torch.randint(low, high)`` from one seed."""
    generator = torch.Generator().manual_seed(PAIR_SEED)
    draw = functools.partial(torch.randint, low, high, generator=generator)
    return [draw((len(ids),)).tolist() for ids in _pair_sentences()]


def _as_pairs(got: object) -> Counter | None:
    """The learner's pairs as a multiset of (centre, context) ids, or None if not pairs."""
    try:
        if isinstance(got, tuple) and len(got) == 2 and isinstance(got[0], torch.Tensor):
            got = list(zip(got[0].tolist(), got[1].tolist(), strict=True))
        return Counter((int(c), int(x)) for c, x in got)
    except (TypeError, ValueError):
        return None


def check_skipgram_pairs(fn: Callable[..., object]) -> Feedback:
    """Exercise: ``fn(sentences, window, generator)`` lists every (centre, context) pair.

    Called on four sentences (one of a single word) with window 3 and a generator seeded 4; the
    answer is :class:`~w2v_helpers.reference.SkipGramPairs` with the same seed, which draws the
    same reaches. Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        fn: the learner's pair generator: for each sentence, one reach per centre drawn with
            ``torch.randint(1, window + 1, (len(ids),), generator=generator)``, then the pairs.

    Shape:
        - fn receives: a list of :math:`(L)` int64 id tensors, an int and a ``torch.Generator``;
          returns a list of (centre id, context id) pairs.
    """
    if (problem := _not_a_function(fn)) is not None:
        return problem
    sentences = _pair_sentences()
    try:
        got = fn(
            [s.clone() for s in sentences], PAIR_WINDOW, torch.Generator().manual_seed(PAIR_SEED)
        )
    except Exception as err:  # the learner's code: report any failure as feedback
        return _not_yet(f"your function raised {type(err).__name__}: {err}")
    if got is None or got is Ellipsis:
        return _not_yet("your function returns nothing yet; fill in its body.")
    pairs = _as_pairs(got)
    if pairs is None:
        return _not_yet("return a list of (centre, context) pairs of ids.")
    reference = SkipGramPairs(sentences, PAIR_WINDOW, seed=PAIR_SEED)
    right = Counter(zip(reference.centres.tolist(), reference.contexts.tolist(), strict=True))
    if pairs == right:
        return _correct(
            f"your {len(right)} pairs are the reference's for the same draws: reach 1..w per "
            "centre, both sides, never past a sentence's end."
        )
    return _not_yet(_pairs_mistake(pairs, right, sentences))


def _pairs_mistake(pairs: Counter, right: Counter, sentences: list[torch.Tensor]) -> str:
    """What is wrong with the learner's pairs, named from how they differ from the right ones."""
    sentence_of = {int(i): k for k, ids in enumerate(sentences) for i in ids}
    reach = [b for r in _drawn_reaches(1, PAIR_WINDOW + 1) for b in r]  # by position
    extra, missing = pairs - right, right - pairs
    w = PAIR_WINDOW
    if any(c == x for c, x in extra):
        return "a centre is paired with itself: skip the centre's own position (j == i)."
    if any(sentence_of.get(c) != sentence_of.get(x) for c, x in extra):
        return (
            "some pairs reach across a sentence end: a window stops at its sentence's ends "
            "(clip j to 0..len(ids) - 1 within each sentence)."
        )
    named = {
        "every centre used the whole window w: draw each centre's reach b in 1..w and pair "
        "it with the b words on each side.": [[w] * n for n in PAIR_LENGTHS],
        "your reaches run 0..w: a reach of 0 leaves a centre without pairs. torch.randint's "
        "upper end is excluded: torch.randint(1, window + 1, ...).": _drawn_reaches(0, w + 1),
        "your reaches run 1..w-1: torch.randint's upper end is excluded, so draw with "
        "torch.randint(1, window + 1, ...).": _drawn_reaches(1, w),
    }
    for message, reaches in named.items():
        if pairs == _reach_pairs(sentences, reaches):
            return message
    if missing and not extra and all(abs(c - x) == reach[c] for c, x in missing):
        return (
            "off by one at the window's edge: you leave out the words at distance exactly b; "
            "a centre with reach b pairs with the words at distance 1..b on both sides, "
            "range(i - b, i + b + 1)."
        )
    if extra and not missing and all(abs(c - x) == reach[c] + 1 for c, x in extra):
        return (
            "off by one at the window's edge: you also pair words at distance b + 1; a centre "
            "with reach b pairs with the words at distance 1..b, range(i - b, i + b + 1)."
        )
    return (
        f"{sum(missing.values())} pairs missing and {sum(extra.values())} extra against the "
        f"reference's for the same draws (e.g. missing {sorted(missing)[:2]}, extra "
        f"{sorted(extra)[:2]}). Draw each sentence's reaches in turn, one per centre, with "
        "torch.randint(1, window + 1, (len(ids),), generator=generator)."
    )


# ---- the SGNS training loop ----

LOOP_TOKENS = 4_000  # the first 4,000 tokens: two epochs train in about a second
LOOP_ARGS = {
    "embedding_dim": 20,
    "window": 3,
    "negative": 5,
    "epochs": 2,
    "batch_size": 128,
    "lr": 0.2,
    "seed": 0,
}
LOOP_WORD = "anarchist"


@functools.lru_cache(maxsize=1)
def _loop_case() -> tuple[dict, object, tuple[float, ...], list[str]]:
    """The slice, its arguments, and what train_sgns makes of them: epoch losses, neighbours."""
    sentences = load_wiki_sample(max_tokens=LOOP_TOKENS)
    vocab = build_vocabulary(sentences, min_count=3)
    args = {
        "sentences": [encode([s], vocab) for s in sentences],
        "vocab_size": len(vocab),
        "noise_probs": noise_distribution(vocab.counts),  # (V,)
        "keep": keep_probabilities(vocab.counts, 1e-3),  # (V,)
        **LOOP_ARGS,
    }
    result = train_sgns(**args)
    return args, vocab, result.epoch_losses, _neighbours(result.snapshots[-1], vocab)


def _neighbours(vectors: torch.Tensor, vocab: object) -> list[str]:
    return [word for word, _ in most_similar(vectors, vocab, LOOP_WORD, 5)]


def _copy(generator: torch.Generator) -> torch.Generator:
    copy = torch.Generator()
    copy.set_state(generator.get_state())
    return copy


def _variant_losses(draws: SGNSDraws, probs: torch.Tensor, mistake: str) -> list[float]:
    """Epoch losses of the SGNS loop on ``draws`` with one usual mistake (``""``: none)."""
    lr, K = LOOP_ARGS["lr"], LOOP_ARGS["negative"]
    inputs = nn.Embedding.from_pretrained(draws.start.clone(), freeze=False, sparse=True)
    outputs = nn.Embedding.from_pretrained(torch.zeros_like(draws.start), freeze=False, sparse=True)
    if mistake == "one table":
        outputs = inputs
    optimizer = torch.optim.SGD({inputs.weight, outputs.weight}, lr=lr)
    generator, reduce_k = (
        _copy(draws.noise_generator),
        torch.mean if mistake == "mean over K" else torch.sum,
    )
    losses = []
    for epoch, batches in enumerate(draws.epochs):
        total = 0.0
        for b, (centre, context) in enumerate(batches):  # (N,), (N,)
            progress = (epoch + b / len(batches)) / len(draws.epochs)
            decay = 1.0 if mistake == "no decay" else 1 - (1 - MIN_LR_FRACTION) * progress
            optimizer.param_groups[0]["lr"] = lr * decay
            noise = multinomial_noise(probs, len(centre), K, generator=generator)  # (N, K)
            c, o, n = inputs(centre), outputs(context), outputs(noise)  # (N, E), (N, E), (N, K, E)
            s_neg = (n @ c.unsqueeze(-1)).squeeze(-1)  # (N, K, E) @ (N, E, 1) -> (N, K)
            pair = F.softplus(-(c * o).sum(-1)) + reduce_k(F.softplus(s_neg), -1)  # (N,)
            if mistake != "no zero_grad":
                optimizer.zero_grad()
            (pair.mean() if mistake == "mean over the batch" else pair.sum()).backward()
            optimizer.step()
            total += float(pair.detach().sum())
        losses.append(total / sum(len(centre) for centre, _ in batches))
    return losses


LOOP_MISTAKES = {
    "no zero_grad": "call optimizer.zero_grad() every step: gradients of earlier batches add up.",
    "no decay": "the learning rate never falls: set it each batch to "
    "lr * (1 - (1 - 1e-4) * progress).",
    "one table": "the context and noise words need a table of their own (starting at zero), "
    "not the centre words' table.",
    "mean over K": "sum the noise words' terms over the K noise words; you averaged them.",
    "mean over the batch": "step on the batch's summed loss (each pair's own word2vec step), "
    "not its mean.",
}


def check_training_loop(fn: Callable[..., object]) -> Feedback:
    """Exercise: ``fn(start, epochs, counts, lr, negative, generator)`` trains SGNS.

    Runs the learner's loop on :func:`~w2v_helpers.reference.sgns_draws` of a 4,000-token
    slice (2 epochs, E=20) and compares its epoch losses (to 1e-9) and the neighbours of
    "anarchist" with :func:`~w2v_helpers.reference.train_sgns` on the same arguments. A mismatch
    is compared with the usual mistakes: noise drawn once, no ``zero_grad``, no decay, one
    table, a mean over K or over the batch. Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        fn: the learner's loop: returns (the input table after training, the mean loss per pair
            of each epoch).

    Shape:
        - fn receives: start :math:`(V, E)` float64, a list per epoch of (centre :math:`(N)`,
          context :math:`(N)`) batches, counts :math:`(V)`, lr, K and a ``torch.Generator``.
    """
    if (problem := _not_a_function(fn)) is not None:
        return problem
    args, vocab, right, neighbours = _loop_case()
    draws = sgns_draws(**args)
    generator = _copy(draws.noise_generator)
    batches = [list(epoch) for epoch in draws.epochs]
    try:
        got = fn(
            draws.start.clone(),
            batches,
            vocab.counts.clone(),
            args["lr"],
            args["negative"],
            generator,
        )
    except Exception as err:  # the learner's code: report any failure as feedback
        once = _drawn_once(generator, draws, args)  # Feedback is falsy: test for None
        if once is not None:
            return once
        return _not_yet(f"your function raised {type(err).__name__}: {err}")
    if got is None or got is Ellipsis:
        return _not_yet("your function returns nothing yet; fill in its body.")
    if not isinstance(got, Sequence) or len(got) != 2 or not isinstance(got[0], torch.Tensor):
        return _not_yet("return (the input table after training, the list of epoch losses).")
    vectors, losses = got[0].detach().double(), [float(x) for x in got[1]]
    if len(losses) != len(right):
        return _not_yet(f"return one mean loss per pair for each of the {len(right)} epochs.")
    if all(math.isclose(a, b, rel_tol=1e-9) for a, b in zip(losses, right, strict=True)):
        if vectors.shape != draws.start.shape or _neighbours(vectors, vocab) != neighbours:
            return _not_yet("the losses match; return the input table (the centre vectors).")
        return _correct(
            f"epoch losses {right[0]:.3f}, {right[1]:.3f} match train_sgns to 1e-9, and so do "
            f"the neighbours of '{LOOP_WORD}': {', '.join(neighbours)}."
        )
    return _loop_mistake(losses, right, generator, args)


def _loop_mistake(
    losses: list[float], right: tuple[float, ...], generator: torch.Generator, args: dict
) -> Feedback:
    """Name the usual mistake whose epoch losses the learner's loop gave, if one did."""
    if (once := _drawn_once(generator, sgns_draws(**args), args)) is not None:
        return once
    for mistake, message in LOOP_MISTAKES.items():
        variant = _variant_losses(sgns_draws(**args), args["noise_probs"], mistake)
        if all(math.isclose(a, b, rel_tol=1e-6) for a, b in zip(losses, variant, strict=True)):
            return _not_yet(message)
    return _not_yet(
        f"your epoch losses {[round(x, 4) for x in losses]} differ from train_sgns's "
        f"{[round(x, 4) for x in right]}: draw each batch's noise with your draw_noise and "
        "the generator, score with your sgns_pair_losses, step on the batch's summed loss."
    )


def _drawn_once(generator: torch.Generator, draws: SGNSDraws, args: dict) -> Feedback | None:
    """Feedback if the learner's generator moved by one batch's noise only (or not at all)."""
    once = _copy(draws.noise_generator)
    first = len(draws.epochs[0][0][0])
    multinomial_noise(args["noise_probs"], first, args["negative"], generator=once)
    state = generator.get_state()
    if torch.equal(state, once.get_state()):
        return _not_yet(
            "you drew the noise once for all batches: draw K new noise words for every batch."
        )
    if torch.equal(state, draws.noise_generator.get_state()):
        return _not_yet("the noise generator was never used: pass generator to your draw_noise.")
    return None
