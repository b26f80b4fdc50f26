"""Input checks shared by every public helper.

Each check raises ``TypeError`` (wrong kind of thing) or ``ValueError`` (right kind, wrong value)
with a message that names the parameter, what it got and what is allowed, so a learner never
meets an opaque ``IndexError`` from deep inside torch. One vocabulary for the whole package:
numbers (``check_number``, ``check_positive_int``), counts and probabilities over a vocabulary
(``check_counts``, ``check_probabilities``), token ids, scores, and vectors against a vocabulary
(``check_vectors``); and the arguments every entry point shares: sentences (``check_sentences``),
seeds and generators (``check_seed``, ``check_generator``), devices (``check_device``), file names
inside a data folder (``check_data_name``) and finite float tensors of one dtype
(``check_float_tensors``).

Shape glossary: N batch, T context window, V vocabulary, E embedding dim, K negatives.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePath

import torch

__all__ = [
    "MAX_BATCH",
    "MAX_WINDOW",
    "MAX_SEED",
    "check_batch_sizes",
    "check_counts",
    "check_data_name",
    "check_device",
    "check_float_tensors",
    "check_generator",
    "check_pair_vectors",
    "check_seed",
    "check_sentences",
    "check_int",
    "check_number",
    "check_positive_int",
    "check_probabilities",
    "check_probability_targets",
    "check_scores",
    "check_token_ids",
    "check_vectors",
    "parse_token_ids",
]


MAX_WINDOW = 1_000  # the most context words a lesson's report or panel accepts
MAX_BATCH = 1_000_000  # the largest batch a lesson's report or panel accepts
MAX_SEED = 2**63  # torch.Generator.manual_seed takes seeds below this (an int64)


def _describe(value: object) -> str:
    if isinstance(value, torch.Tensor):
        return f"a {value.dtype} tensor of shape {tuple(value.shape)}"
    return f"{value!r} ({type(value).__name__})"


def check_positive_int(name: str, value: object, *, maximum: int | None = None) -> int:
    """Return ``value`` as an int if it is a whole number in [1, maximum]; raise otherwise.

    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        name: the parameter's name, used in the error message.
        value: the value to check; a bool is refused.
        maximum: the largest value allowed, or ``None`` for no upper bound. Default: ``None``.

    Raises:
        TypeError: if ``value`` is not a whole number.
        ValueError: if it is outside the range.
    """
    # bool is an Integral, but vocab_size=True is always a mistake.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive whole number, got {_describe(value)}")
    value = int(value)
    upper = "" if maximum is None else f" and at most {maximum:,}"
    if value < 1 or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be at least 1{upper}, got {value:,}")
    return value


def check_int(name: str, value: object, *, low: int = 0, high: int | None = None) -> int:
    """Return ``value`` as an int if it is a whole number (not a bool) in [low, high].

    Raises TypeError for anything else, ValueError outside the range. ``check_positive_int`` is
    the common case ``low=1``. Introduced in ``01_cbow_forward.ipynb``.

    Args:
        name: the parameter's name, used in the error message.
        value: the value to check; a bool is refused.
        low: the smallest value allowed. Default: 0.
        high: the largest value allowed, or ``None`` for no upper bound. Default: ``None``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number, got {_describe(value)}")
    value = int(value)
    if value < low or (high is not None and value > high):
        upper = "" if high is None else f" and at most {high:,}"
        raise ValueError(f"{name} must be at least {low:,}{upper}, got {value:,}")
    return value


def check_number(
    name: str,
    value: object,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a float if it is a real number (not a bool) in the given range.

    The range is ``[low, high]``; ``low_open`` / ``high_open`` leave out an end. NaN is never in
    range. Raises TypeError for anything that is not a number, ValueError outside the range.
    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        name: the parameter's name, used in the error message.
        value: the value to check; a bool is refused.
        low: the lower end of the range. Default: ``-inf``.
        high: the upper end of the range. Default: ``inf``.
        low_open: if ``True``, ``low`` itself is out of range. Default: ``False``.
        high_open: if ``True``, ``high`` itself is out of range. Default: ``False``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {_describe(value)}")
    value = float(value)
    above = value > low if low_open else value >= low
    below = value < high if high_open else value <= high
    if not (above and below):  # NaN fails both
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        raise ValueError(f"{name} must be in {left}{low:g}, {high:g}{right}, got {value!r}")
    return value


def check_counts(name: str, counts: object, *, positive: bool = True) -> torch.Tensor:
    """Check word counts: a non-empty 1-D tensor of finite, non-negative whole numbers.

    ``positive`` also forbids zeros (a word in a vocabulary was seen at least once). The total
    must fit float64's whole numbers (2**53), so that shares computed from it are exact enough.
    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        name: the parameter's name, used in the error message.
        counts: the counts to check, one per vocabulary word; any dtype but bool or complex.
        positive: if ``True``, every count must be at least 1; if ``False``, zeros are allowed
            but not all of them. Default: ``True``.

    Shape:
        - Input: counts :math:`(V)`.
        - Output: :math:`(V)`, ``counts`` itself, unchanged.
    """
    if not isinstance(counts, torch.Tensor) or counts.dim() != 1 or counts.numel() == 0:
        raise TypeError(
            f"{name} must be a non-empty 1-D tensor of word counts, got {_describe(counts)}"
        )
    if counts.dtype == torch.bool or counts.dtype.is_complex:
        raise TypeError(f"{name} must hold counts (int64), got dtype {counts.dtype}")
    as_float = counts.double()  # (V,)
    if not bool(torch.isfinite(as_float).all()) or bool((as_float != as_float.round()).any()):
        raise ValueError(f"{name} must hold finite whole numbers")
    smallest = float(as_float.min())
    if smallest < 0 or (positive and smallest == 0):
        allowed = "positive" if positive else "non-negative"
        raise ValueError(f"{name} must all be {allowed}, got {smallest:g}")
    total = float(as_float.sum())
    if total == 0:
        raise ValueError(f"{name} must not all be 0")
    if total > 2.0**53:
        raise ValueError(f"{name} sum to {total:.3g}, over 2**53: these cannot be word counts")
    return counts


def check_probabilities(name: str, probs: object, *, atol: float = 1e-6) -> torch.Tensor:
    """Check a distribution over a vocabulary: a 1-D floating tensor, >= 0, summing to 1.

    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        name: the parameter's name, used in the error message.
        probs: the probabilities to check; finite, non-empty.
        atol: how far the sum may be from 1. Default: 1e-6.

    Shape:
        - Input: probs :math:`(V)` floating.
        - Output: :math:`(V)`, ``probs`` itself, unchanged.
    """
    if not isinstance(probs, torch.Tensor) or probs.dim() != 1 or not probs.dtype.is_floating_point:
        raise TypeError(
            f"{name} must be a 1-D floating tensor of probabilities, got {_describe(probs)}"
        )
    if probs.numel() == 0:
        raise ValueError(f"{name} must not be empty")
    as_float = probs.double()  # (V,)
    if not bool(torch.isfinite(as_float).all()) or float(as_float.min()) < 0:
        raise ValueError(f"{name} must be finite and non-negative")
    total = float(as_float.sum())
    if abs(total - 1.0) > atol:
        raise ValueError(
            f"{name} must sum to 1 (a distribution, e.g. from noise_distribution), got {total:.6g}"
        )
    return probs


def check_vectors(name: str, vectors: object, vocab_size: int) -> torch.Tensor:
    """Check word vectors: a finite floating (V, E) tensor with one row per vocabulary word.

    Introduced in ``06_negative_sampling_real_corpus.ipynb``.

    Args:
        name: the parameter's name, used in the error message.
        vectors: the word vectors to check; non-empty.
        vocab_size: V, the number of rows ``vectors`` must have.

    Shape:
        - Input: vectors :math:`(V, E)` floating.
        - Output: :math:`(V, E)`, ``vectors`` itself, unchanged.
    """
    check_scores(name, vectors, rank=2)
    if vectors.shape[0] != vocab_size:
        raise ValueError(
            f"{name} must have one row per vocabulary word ({vocab_size:,}), "
            f"got shape {tuple(vectors.shape)}"
        )
    return vectors


def check_token_ids(
    name: str, ids: object, vocab_size: int, *, ranks: tuple[int, ...] = (2,)
) -> torch.Tensor:
    """Check that ``ids`` is an integer tensor of an allowed rank with every id in [0, V).

    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        name: the parameter's name, used in the error message.
        ids: the token ids to check; any integer dtype (not bool), non-empty.
        vocab_size: V; every id must lie in :math:`[0, V)`.
        ranks: the numbers of dimensions allowed. Default: ``(2,)``.

    Shape:
        - Input: ids of any rank in ``ranks``, e.g. :math:`(N, T)` or :math:`(N)`.
        - Output: the same shape, ``ids`` itself, unchanged (not converted to int64).
    """
    if not isinstance(ids, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of token ids, got {_describe(ids)}")
    if ids.dtype.is_floating_point or ids.dtype.is_complex or ids.dtype == torch.bool:
        raise TypeError(
            f"{name} must hold integer token ids (torch.long), got dtype {ids.dtype}; "
            f"use {name}.long() if the values are whole numbers"
        )
    if ids.dim() not in ranks:
        allowed = " or ".join(f"{r}-D" for r in ranks)
        raise ValueError(f"{name} must be {allowed}, got shape {tuple(ids.shape)}")
    if ids.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(ids.shape)}")
    low = int(ids.min())
    high = int(ids.max())
    if low < 0 or high >= vocab_size:
        bad = low if low < 0 else high
        raise ValueError(
            f"{name} must hold ids in [0, {vocab_size - 1}] (vocab_size={vocab_size:,}), "
            f"got {bad:,}"
        )
    return ids


def check_scores(
    name: str, scores: object, *, rank: int | None = 2, finite: bool = True
) -> torch.Tensor:
    """Check that ``scores`` is a floating tensor of the given rank (any if None), maybe finite.

    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        name: the parameter's name, used in the error message.
        scores: the tensor to check; floating, non-empty.
        rank: the number of dimensions required, or ``None`` for any. Default: 2.
        finite: if ``True``, refuse NaN and infinite values. Default: ``True``.

    Shape:
        - Input: scores :math:`(N, V)` by default; any shape of rank ``rank``.
        - Output: the same shape, ``scores`` itself, unchanged.
    """
    if not isinstance(scores, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of scores, got {_describe(scores)}")
    if not scores.dtype.is_floating_point:
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {scores.dtype}")
    if rank is not None and scores.dim() != rank:
        raise ValueError(f"{name} must be {rank}-D, got shape {tuple(scores.shape)}")
    if scores.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(scores.shape)}")
    if finite and not bool(torch.isfinite(scores).all()):
        count = int((~torch.isfinite(scores)).sum())
        raise ValueError(f"{name} must be finite, got {count} NaN or infinite value(s)")
    return scores


def check_probability_targets(name: str, targets: object, like: torch.Tensor) -> torch.Tensor:
    """Check BCE targets: a floating tensor shaped like the scores with values in [0, 1].

    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        name: the parameter's name, used in the error message.
        targets: the targets to check; floating, each value in [0, 1].
        like: the scores whose shape ``targets`` must have.

    Shape:
        - targets: :math:`(*)`, any shape, equal to ``like``'s.
        - like: :math:`(*)`, e.g. :math:`(N, V)` scores.
        - Output: :math:`(*)`, ``targets`` itself, unchanged.
    """
    if not isinstance(targets, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {_describe(targets)}")
    if not targets.dtype.is_floating_point:
        raise TypeError(
            f"{name} must be a floating-point tensor of 0/1 targets, got dtype {targets.dtype}; "
            f"use {name}.float()"
        )
    if targets.shape != like.shape:
        raise ValueError(
            f"{name} must have the same shape as scores {tuple(like.shape)}, "
            f"got {tuple(targets.shape)}"
        )
    if not bool(((targets >= 0) & (targets <= 1)).all()):
        low = float(targets.min())
        high = float(targets.max())
        raise ValueError(f"{name} must lie in [0, 1], got values from {low:g} to {high:g}")
    return targets


def check_batch_sizes(**tensors: torch.Tensor) -> int:
    """Check that the tensors agree on their first dimension (the batch N); return N.

    Introduced in ``01_cbow_forward.ipynb``.

    Args:
        **tensors: the tensors to compare, each passed as ``name=tensor`` so that the error
            message can name them; at least one, each of rank 1 or more.

    Shape:
        - Input: each tensor :math:`(N, *)`.
        - Output: N, an int.
    """
    sizes = {name: t.shape[0] for name, t in tensors.items()}
    if len(set(sizes.values())) > 1:
        listed = ", ".join(f"{name} has {n}" for name, n in sizes.items())
        raise ValueError(f"batch sizes differ: {listed}; they must be equal")
    return next(iter(sizes.values()))


def parse_token_ids(name: str, ids: object) -> tuple[int, ...]:
    """Token ids from a sequence of ints or a comma-separated string like ``"3, 5, 8, 1"``.

    For text a learner types into a widget; the ids' range is checked by the caller, who knows V.
    Introduced in ``03_tied_weight_backward.ipynb``.

    Args:
        name: the parameter's name, used in the error message.
        ids: a sequence of ints (no bools) or a string of whole numbers separated by commas;
            1 to ``MAX_WINDOW`` (1,000) ids.
    """
    if isinstance(ids, str):
        parts = [p.strip() for p in ids.split(",") if p.strip()]
        try:
            ids = [int(p) for p in parts]
        except ValueError:
            raise ValueError(
                f"{name} must be whole numbers separated by commas, like '3, 5, 8, 1', got {ids!r}"
            ) from None
    if not isinstance(ids, Sequence) or any(
        isinstance(i, bool) or not isinstance(i, int) for i in ids
    ):
        raise TypeError(
            f"{name} must be a sequence of ints or a string like '3, 5, 8, 1', got {ids!r}"
        )
    if not 1 <= len(ids) <= MAX_WINDOW:
        raise ValueError(f"{name} must hold 1 to {MAX_WINDOW} ids, got {len(ids)}")
    return tuple(ids)


def check_pair_vectors(centre: object, context: object, noise: object) -> None:
    """Check the vectors of N (centre, context) pairs and their K noise words each.

    Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        centre: the centre words' vectors, finite floating.
        context: the true context words' vectors, finite floating, one per centre.
        noise: the K noise words' vectors for each centre, finite floating.

    Shape:
        - centre: :math:`(N, E)`, context: :math:`(N, E)`, noise: :math:`(N, K, E)`.
    """
    check_scores("centre", centre, rank=2)
    check_scores("context", context, rank=2)
    check_scores("noise", noise, rank=3)
    check_batch_sizes(centre=centre, context=context, noise=noise)
    if not centre.shape[1] == context.shape[1] == noise.shape[2]:
        raise ValueError(
            f"centre, context and noise must share the embedding dim E, got "
            f"{centre.shape[1]}, {context.shape[1]} and {noise.shape[2]}"
        )


def _check_tokens(name: str, i: int, sentence: list | tuple) -> None:
    for j, token in enumerate(sentence):
        if not isinstance(token, str):  # a str subclass (NumPy's str_) is a word too
            raise TypeError(f"{name}[{i}][{j}] must be a word (str), got {_describe(token)}")


def check_sentences(name: str, sentences: object) -> list[list[str]]:
    """Return ``sentences`` as a list of lists of words; refuse what would be read wrongly.

    A corpus is a list (or tuple) of sentences, each a list (or tuple) of ``str`` tokens. Each
    mistake that would otherwise be read silently or fail deep inside gets its own message: a bare
    string (it would be split into characters), a generator or iterator (the first pass would
    consume it, as gensim warns), ``None``, a sentence that is a string, a token that is not a
    string. Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        name: the parameter's name, used in the error message.
        sentences: the corpus to check.
    """
    if sentences is None:
        raise TypeError(f"{name} must be a list of sentences (lists of words), got None")
    if isinstance(sentences, str):
        raise TypeError(
            f"{name} must be a list of sentences, each a list of words, got a single string; "
            "split it first, e.g. [text.split()]"
        )
    if isinstance(sentences, Iterator):
        raise TypeError(
            f"{name} must be a list of sentences, got a {type(sentences).__name__}: a generator "
            "or iterator is used up by the first pass over it; pass list(...) of it instead"
        )
    if not isinstance(sentences, list | tuple):
        raise TypeError(f"{name} must be a list of sentences, got {_describe(sentences)}")
    checked = []
    for i, sentence in enumerate(sentences):
        if isinstance(sentence, str):
            raise TypeError(
                f"{name}[{i}] is a string, not a list of words; split it, e.g. {name}[{i}].split()"
            )
        if not isinstance(sentence, list | tuple):
            raise TypeError(f"{name}[{i}] must be a list of words, got {_describe(sentence)}")
        if not set(map(type, sentence)) <= {str}:  # the fast test; the loop finds the culprit
            _check_tokens(name, i, sentence)
        checked.append(list(sentence))
    return checked


def check_seed(name: str, seed: object) -> int:
    """Return ``seed`` if it is a whole number in [0, 2**63), what ``manual_seed`` takes.

    Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        name: the parameter's name, used in the error message.
        seed: the value to check; a bool or a ``torch.Generator`` is refused.
    """
    if isinstance(seed, torch.Generator):
        raise TypeError(f"{name} must be an int seed; pass a torch.Generator as generator=")
    return check_int(name, seed, low=0, high=MAX_SEED - 1)


def check_generator(name: str, generator: object) -> torch.Generator | None:
    """Return ``generator`` if it is ``None`` or a ``torch.Generator``; an int gets a hint.

    Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        name: the parameter's name, used in the error message.
        generator: the value to check.
    """
    if generator is None or isinstance(generator, torch.Generator):
        return generator
    if isinstance(generator, numbers.Integral) and not isinstance(generator, bool):
        raise TypeError(
            f"{name} must be a torch.Generator or None, got the int {generator}; "
            f"pass torch.Generator().manual_seed({generator})"
        )
    raise TypeError(f"{name} must be a torch.Generator or None, got {_describe(generator)}")


def _available_devices() -> list[str]:
    found = ["cpu"]
    if torch.cuda.is_available():
        found += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if torch.backends.mps.is_available():
        found.append("mps")
    return found


def check_device(name: str, device: object) -> torch.device:
    """Return ``device`` as a ``torch.device`` that exists on this machine; name those that do.

    Introduced in ``07_fast_trainer_vs_gensim.ipynb``.

    Args:
        name: the parameter's name, used in the error message.
        device: a device name such as ``"cpu"`` or ``"cuda:0"``, or a ``torch.device``.
    """
    available = _available_devices()
    if not isinstance(device, str | torch.device):
        raise TypeError(f"{name} must be a device name such as 'cpu', got {_describe(device)}")
    try:
        device = torch.device(device)
    except RuntimeError:
        raise ValueError(
            f"{name} must be a device that exists here, one of {available}; "
            f"got {device!r}, which is not a device name"
        ) from None
    index = 0 if device.index is None else device.index
    wanted = device.type if device.type in ("cpu", "mps") else f"{device.type}:{index}"
    if wanted not in available or (device.type in ("cpu", "mps") and index != 0):
        raise ValueError(
            f"{name} must be a device that exists here, one of {available}; got {str(device)!r}"
        )
    return device


def check_data_name(name: str, value: object, folder: Path) -> Path:
    """Return ``folder / value`` for a plain file name inside ``folder``.

    Absolute paths, ``..``, folders and empty names are refused: a helper reads its data from the
    course's own folder, nowhere else. Introduced in ``09_what_the_vectors_know.ipynb``.

    Args:
        name: the parameter's name, used in the error message.
        value: the file name to check.
        folder: the data folder the name must stay in.
    """
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a file name (str), got {_describe(value)}")
    parts = PurePath(value).parts
    if not value.strip() or len(parts) != 1 or parts[0] in (".", "..") or PurePath(value).anchor:
        raise ValueError(
            f"{name} must be the name of a file in {folder.name}/, without folders, got {value!r}"
        )
    return folder / value


def check_float_tensors(**tensors: object) -> torch.dtype:
    """Check that every tensor is floating, finite and of one dtype; return that dtype.

    Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        **tensors: the tensors by parameter name, used in the error messages.
    """
    dtypes = {}
    for name, tensor in tensors.items():
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {_describe(tensor)}")
        if not tensor.is_floating_point():
            raise TypeError(f"{name} must be a floating-point tensor, got dtype {tensor.dtype}")
        bad = int((~torch.isfinite(tensor)).sum())
        if bad:
            raise ValueError(f"{name} must be finite, got {bad} NaN or infinite value(s)")
        dtypes[name] = tensor.dtype
    if len(set(dtypes.values())) > 1:
        listed = ", ".join(f"{name} {dtype}" for name, dtype in dtypes.items())
        raise TypeError(f"tensors must share one dtype, got {listed}; convert with .to(dtype)")
    return next(iter(dtypes.values()))
