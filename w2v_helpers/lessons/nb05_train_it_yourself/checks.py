"""Notebook 05's exercise checks on one step: a training step, the SGNS loss, its gradient and
the noise sampler.

Each check compares the learner's function with an independent answer (autograd, a float64
formula, the reference trainer's own draws) and, when they differ, with the usual mistakes, so
that it can name the wrong term.

Shape glossary: N batch of pairs, K negatives, V vocabulary, E embedding dim, L tokens.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F

from ...models import SkipGram
from ..feedback import Feedback, _call, _correct, _not_a_function, _not_yet

__all__ = [
    "check_noise_sampler",
    "check_sgns_gradients",
    "check_sgns_loss",
    "check_training_step",
]


def _step_case() -> tuple[SkipGram, torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(5)
    model = SkipGram(6, 3).double()  # V=6, E=3
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=generator, dtype=torch.float64))
    return model, torch.tensor([0, 2, 2, 5]), torch.tensor([1, 1, 3, 0])  # centres, contexts


def _oracle_steps(lr: float, scale: float = 1.0, accumulate: bool = False) -> list[torch.Tensor]:
    """Parameters after each of two SGD steps on mean cross-entropy, by autograd in float64."""
    model, centre, context = _step_case()
    params = list(model.parameters())
    grads = None
    out = []
    for _ in range(2):
        loss = F.cross_entropy(model(centre), context) * scale
        step = torch.autograd.grad(loss, params)
        grads = (
            step
            if grads is None or not accumulate
            else [a + b for a, b in zip(grads, step, strict=True)]
        )
        with torch.no_grad():
            for p, g in zip(params, grads, strict=True):
                p -= lr * g
        out.append(torch.cat([p.detach().flatten() for p in params]))
    return out


def check_training_step(fn: Callable[..., object]) -> Feedback:
    """Exercise: ``fn(model, optimizer, centre, context)`` does one SGD step on mean CE.

    Called twice on a tiny float64 SkipGram (V=6, E=3) with ``torch.optim.SGD(lr=0.5)``; the
    oracle is the same two steps by ``torch.autograd.grad``. Introduced in
    ``05_train_it_yourself.ipynb``.

    Args:
        fn: the learner's step: zero the gradients, score, loss, backward, step; returns the loss.

    Shape:
        - fn receives: a ``SkipGram``, its optimizer, centre ids :math:`(N)`, context ids
          :math:`(N)`; returns the batch's loss (a 0-d tensor).
    """
    model, centre, context = _step_case()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    start = torch.cat([p.detach().flatten() for p in model.parameters()])
    with torch.no_grad():
        first_loss = float(F.cross_entropy(model(centre), context))  # before any step
    got = []
    wrong_loss = ""
    for _ in range(2):
        loss = _call(fn, model, optimizer, centre, context)
        if isinstance(loss, Feedback):
            return loss
        got.append(torch.cat([p.detach().flatten() for p in model.parameters()]))
        returned = float(loss.detach().sum())
        if len(got) == 1 and not math.isclose(returned, first_loss, rel_tol=1e-9):
            wrong_loss = f"return the batch's loss ({first_loss:.4f} here), got {returned:.4f}."
    right = _oracle_steps(0.5)
    if torch.allclose(got[0], right[0], atol=1e-10) and torch.allclose(
        got[1], right[1], atol=1e-10
    ):
        if wrong_loss:
            return _not_yet(f"the step is right; {wrong_loss}")
        return _correct("two steps match SGD on the mean cross-entropy, to 1e-10.")
    if torch.equal(got[0], start):
        return _not_yet("the parameters did not move: call optimizer.step() after loss.backward().")
    if torch.allclose(got[1], _oracle_steps(0.5, accumulate=True)[1], atol=1e-10):
        return _not_yet(
            "step 1 is right, step 2 is not: call optimizer.zero_grad() each step, or "
            "the gradients of earlier steps add up."
        )
    if torch.allclose(got[0], _oracle_steps(0.5, scale=-1.0)[0], atol=1e-10):
        return _not_yet("you climb the loss: backpropagate the loss itself, not its negative.")
    if torch.allclose(got[0], _oracle_steps(0.5, scale=len(centre))[0], atol=1e-10):
        return _not_yet(
            f"your step is N = {len(centre)} times too large: use the mean "
            "cross-entropy (F.cross_entropy's default), not the sum."
        )
    return _not_yet(
        "after one step the parameters differ from SGD on F.cross_entropy(model("
        "centre), context); score with model(centre), then backward, then step."
    )


def check_sgns_loss(fn: Callable[..., object]) -> Feedback:
    """Exercise: ``fn(centre, context, noise)`` returns each pair's SGNS loss.

    Tried on ordinary vectors and on vectors whose scores reach the hundreds; the oracle is
    ``-log sigmoid(c.o) - sum_k log sigmoid(-c.n_k)`` in float64 via ``logaddexp``.
    Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        fn: the learner's per-pair SGNS loss.

    Shape:
        - fn receives: centre :math:`(N, E)`, context :math:`(N, E)`, noise :math:`(N, K, E)`
          float64; returns :math:`(N)`.
    """
    generator = torch.Generator().manual_seed(11)
    N, K, E = 4, 3, 5
    for scale in (0.5, 30.0):
        c, o, n = (
            scale * torch.randn(*s, generator=generator, dtype=torch.float64)
            for s in ((N, E), (N, E), (N, K, E))
        )
        positive = (c * o).sum(-1)  # (N,)
        negative = (n @ c.unsqueeze(-1)).squeeze(-1)  # (N, K, E) @ (N, E, 1) -> (N, K, 1) -> (N, K)
        zero = torch.zeros(())
        right = torch.logaddexp(zero, -positive) + torch.logaddexp(zero, negative).sum(-1)  # (N,)
        got = _call(fn, c.clone(), o.clone(), n.clone())
        if isinstance(got, Feedback):
            return got
        if got.numel() == 1 and N > 1:
            return _not_yet(f"return one loss per pair, shape ({N},), not their mean or sum.")
        if got.shape != (N,):
            return _not_yet(f"expected shape ({N},), got {tuple(got.shape)}.")
        got = got.double()
        if not bool(got.isfinite().all()):
            return _not_yet(
                "with large scores your loss is not finite: log(sigmoid(s)) rounds "
                "to log(0); use F.logsigmoid(s) or -F.softplus(-s)."
            )
        if torch.allclose(got, right, rtol=1e-9):
            continue
        no_noise = torch.logaddexp(zero, -positive)
        if torch.allclose(got, no_noise, rtol=1e-9):
            return _not_yet("you left out the noise words: add sum_k softplus(n_k . c).")
        if torch.allclose(got, no_noise + torch.logaddexp(zero, -negative).sum(-1), rtol=1e-9):
            return _not_yet(
                "noise words must score low: their term is softplus(+n.c) = "
                "-log sigmoid(-n.c), not softplus(-n.c)."
            )
        if torch.allclose(got, no_noise + torch.logaddexp(zero, negative).mean(-1), rtol=1e-9):
            return _not_yet(f"sum over the K = {K} noise words; you averaged them.")
        return _not_yet(f"got {got.tolist()}, expected {right.tolist()} (scale {scale}).")
    return _correct("your per-pair loss matches the float64 formula, also for huge scores.")


def check_noise_sampler(fn: Callable[..., object]) -> Feedback:
    """Exercise: ``fn(counts, num_pairs, negative, generator)`` draws noise ids from count^0.75.

    Draws 20,000 x 5 ids for counts (1000, 300, 100, 30, 10, 1) and compares the frequencies with
    count^0.75 / sum (6 standard errors). Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        fn: the learner's sampler.

    Shape:
        - fn receives: counts :math:`(V)` int64, two ints and a ``torch.Generator``; returns
          :math:`(num\\_pairs, negative)` int64 ids in [0, V).
    """
    counts = torch.tensor([1000, 300, 100, 30, 10, 1])
    draws = [_call(fn, counts.clone(), 20_000, 5, torch.Generator().manual_seed(3)) for _ in "ab"]
    if isinstance(draws[0], Feedback):
        if "without replacement" in draws[0].message:  # 6 words cannot give 100,000 distinct draws
            return _not_yet("noise words are drawn with replacement: pass replacement=True.")
        return draws[0]
    got = draws[0]
    if got.shape != (20_000, 5) or got.dtype.is_floating_point:
        return _not_yet(
            f"return (num_pairs, negative) = (20000, 5) int ids, got "
            f"{tuple(got.shape)} {got.dtype}."
        )
    if int(got.min()) < 0 or int(got.max()) >= len(counts):
        return _not_yet(f"ids must be in [0, {len(counts) - 1}].")
    if not torch.equal(got, draws[1]):
        return _not_yet(
            "the same generator gave different draws: pass generator= to torch.multinomial."
        )
    share = torch.bincount(got.flatten(), minlength=len(counts)).double() / got.numel()  # (V,)
    error = 6 * (0.25 / got.numel()) ** 0.5  # 6 standard errors of a share at worst (p = 1/2)

    def near(p: torch.Tensor) -> bool:
        return bool(((share - p / p.sum()).abs() < error).all())

    if near(counts.double() ** 0.75):
        return _correct(
            "your draws follow count^0.75: frequent words less often than their "
            "count says, rare words more often."
        )
    if near(counts.double()):
        return _not_yet("your draws follow the plain counts: raise them to the power 0.75 first.")
    if near(torch.ones(len(counts))):
        return _not_yet("every word is equally likely: weight the draw by count^0.75.")
    return _not_yet(
        f"your draw shares {[round(x, 3) for x in share.tolist()]} do not follow count^0.75."
    )


# ---- the SGNS gradient ----


def _gradient_mistakes(
    c: torch.Tensor, o: torch.Tensor, n: torch.Tensor
) -> list[tuple[int, str, torch.Tensor]]:
    """The usual wrong answers for each slot (0 centre, 1 context, 2 noise), each named."""
    s_pos = (c * o).sum(-1, keepdim=True)  # (N, 1)
    s_neg = (n @ c.unsqueeze(-1)).squeeze(-1)  # (N, K, E) @ (N, E, 1) -> (N, K)
    g_pos = torch.sigmoid(s_pos) - 1  # (N, 1)
    g_neg = torch.sigmoid(s_neg).unsqueeze(-1)  # (N, K, 1)
    noise_sum = (g_neg * n).sum(1)  # (N, K, E) -> (N, E)
    cn = c.unsqueeze(1)  # (N, 1, E)
    o_term, n_term = "∂loss/∂o (the context vector)", "∂loss/∂n_k (each noise vector)"
    c_term = "∂loss/∂c (the centre vector)"
    return [
        (1, f"{o_term} has the wrong sign: it is (σ(s⁺) − 1)·c.", -g_pos * c),
        (1, f"{o_term}: the true pair's factor is σ(s⁺) − 1, not σ(s⁺).", (g_pos + 1) * c),
        (1, f"{o_term} is missing the sigmoid: (σ(s⁺) − 1)·c, not (s⁺ − 1)·c.", (s_pos - 1) * c),
        (1, f"{o_term} is missing the sigmoid: (σ(s⁺) − 1)·c, not −c.", -c),
        (2, f"{n_term} has the wrong sign: it is +σ(s⁻_k)·c.", -g_neg * cn),
        (2, f"{n_term}: a noise word's factor is σ(s⁻_k), not σ(s⁻_k) − 1.", (g_neg - 1) * cn),
        (2, f"{n_term} is missing the sigmoid: σ(s⁻_k)·c, not s⁻_k·c.", s_neg.unsqueeze(-1) * cn),
        (2, f"{n_term} is missing the sigmoid: σ(s⁻_k)·c, not c.", cn.expand_as(n)),
        (0, f"{c_term}: the true pair's term has the wrong sign.", -g_pos * o + noise_sum),
        (
            0,
            f"{c_term}: the true pair's factor is σ(s⁺) − 1, not σ(s⁺).",
            (g_pos + 1) * o + noise_sum,
        ),
        (0, f"{c_term}: the noise term has the wrong sign.", g_pos * o - noise_sum),
        (
            0,
            f"{c_term} averages the noise terms: sum them over the K noise words.",
            g_pos * o + (g_neg * n).mean(1),
        ),
        (0, f"{c_term} is missing the noise words' term Σ_k σ(s⁻_k)·n_k.", g_pos * o),
        (0, f"{c_term} is missing the true pair's term (σ(s⁺) − 1)·o.", noise_sum),
        (
            0,
            f"{c_term} is missing the sigmoids: (s⁺ − 1)·o + Σ_k s⁻_k·n_k.",
            (s_pos - 1) * o + (s_neg.unsqueeze(-1) * n).sum(1),
        ),
    ]


def check_sgns_gradients(fn: Callable[..., object]) -> Feedback:
    """Exercise: ``fn(c, o, n)`` returns the SGNS gradient for each pair's three kinds of vector.

    The loss is the sum over pairs of ``softplus(-c.o) + sum_k softplus(n_k.c)``; the oracle is
    ``torch.autograd.grad`` of it in float64. A wrong slot is compared with the usual mistakes
    (a sign, a missing sigmoid, σ instead of σ − 1, a mean over K) and named.
    Introduced in ``05_train_it_yourself.ipynb``.

    Args:
        fn: the learner's gradient by hand.

    Shape:
        - fn receives: c :math:`(N, E)`, o :math:`(N, E)`, n :math:`(N, K, E)` float64; returns
          the gradients with respect to c, o and n, of the same shapes.
    """
    generator = torch.Generator().manual_seed(12)
    N, K, E = 4, 3, 5
    c, o, n = (
        torch.randn(*shape, generator=generator, dtype=torch.float64, requires_grad=True)
        for shape in ((N, E), (N, E), (N, K, E))
    )
    loss = F.softplus(-(c * o).sum(-1)) + F.softplus((n @ c.unsqueeze(-1)).squeeze(-1)).sum(-1)
    right = torch.autograd.grad(loss.sum(), (c, o, n))  # (N, E), (N, E), (N, K, E)
    c, o, n = c.detach(), o.detach(), n.detach()
    if (problem := _not_a_function(fn)) is not None:
        return problem
    try:
        got = fn(c.clone(), o.clone(), n.clone())
    except Exception as err:  # the learner's code: report any failure as feedback
        return _not_yet(f"your function raised {type(err).__name__}: {err}")
    if got is None or got is Ellipsis:
        return _not_yet("your function returns nothing yet; fill in its body.")
    if not isinstance(got, Sequence) or len(got) != 3:
        return _not_yet("return three gradients: (d_centre, d_context, d_noise).")
    names = ("d_centre", "d_context", "d_noise")
    for name, g, r in zip(names, got, right, strict=True):
        if not isinstance(g, torch.Tensor) or g.shape != r.shape:
            shape = tuple(g.shape) if isinstance(g, torch.Tensor) else type(g).__name__
            hint = " Sum the noise terms over the K noise words." if shape == (N, K, E) else ""
            return _not_yet(f"{name} must have shape {tuple(r.shape)}, got {shape}.{hint}")
    got = [g.detach().double() for g in got]
    wrong = [k for k in (1, 2, 0) if not torch.allclose(got[k], right[k], atol=1e-10)]
    if not wrong:
        return _correct("all three gradients match autograd, to 1e-10.")
    for slot, message, mistake in _gradient_mistakes(c, o, n):
        if slot == wrong[0] and torch.allclose(got[slot], mistake, atol=1e-10):
            return _not_yet(message)
    gap = float((got[wrong[0]] - right[wrong[0]]).abs().max())
    return _not_yet(f"{names[wrong[0]]} differs from autograd by up to {gap:.3g}.")
