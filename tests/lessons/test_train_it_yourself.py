"""Notebook 05 (train it yourself): its lesson module, ``relative_movement`` and ``show_source``.

Oracles: the exercise checks are fed the right answer in two written-out forms and each typical
mistake written out as a learner would; ``window_demo`` is compared with the reaches redrawn by
``torch.randint`` and the context lists built by hand; neighbour lists with a NumPy float64
cosine ranking; ``relative_movement`` with NumPy's median of row-norm ratios; ``show_source`` with
the source text written out literally; the loss figure with ``np.convolve``; and the snapshot
view's projection with NumPy's SVD of the final unit vectors.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from w2v_helpers.corpus import Vocabulary
from w2v_helpers.evaluation import relative_movement
from w2v_helpers.lessons.nb05_train_it_yourself import (
    PROJECTED_WORDS,
    WATCH_WORDS,
    check_noise_sampler,
    check_sgns_loss,
    check_training_step,
    neighbours_table,
    plot_losses,
    snapshot_panel,
    snapshot_view,
    window_demo,
)
from w2v_helpers.notebook import show_source
from w2v_helpers.reference import train_sgns

# ---- check_training_step ----


def _step_right(model, optimizer, centre, context):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(centre), context)
    loss.backward()
    optimizer.step()
    return loss


def _step_log_softmax(model, optimizer, centre, context):
    optimizer.zero_grad(set_to_none=False)
    loss = F.nll_loss(F.log_softmax(model(centre), dim=1), context)
    loss.backward()
    optimizer.step()
    return loss


def _step_no_zero_grad(model, optimizer, centre, context):
    loss = F.cross_entropy(model(centre), context)
    loss.backward()
    optimizer.step()
    return loss


def _step_no_step(model, optimizer, centre, context):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(centre), context)
    loss.backward()
    return loss


def _step_sum(model, optimizer, centre, context):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(centre), context, reduction="sum")
    loss.backward()
    optimizer.step()
    return loss


def _step_negated(model, optimizer, centre, context):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(centre), context)
    (-loss).backward()
    optimizer.step()
    return loss


def _step_mse(model, optimizer, centre, context):
    optimizer.zero_grad()
    scores = model(centre)  # (N, V)
    loss = F.mse_loss(scores, F.one_hot(context, scores.shape[1]).to(scores.dtype))
    loss.backward()
    optimizer.step()
    return loss


def _step_returns_nothing(model, optimizer, centre, context):
    optimizer.zero_grad()
    F.cross_entropy(model(centre), context).backward()
    optimizer.step()


def _step_wrong_call(model, optimizer, centre, context):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(centre, context), context)  # SkipGram takes the centre only
    loss.backward()
    optimizer.step()
    return loss


def _step_returns_a_constant(model, optimizer, centre, context):
    _step_right(model, optimizer, centre, context)
    return torch.tensor(123.0)  # a right step, but not the batch's loss


@pytest.mark.parametrize("step", [_step_right, _step_log_softmax])
def test_training_step_check_accepts_sgd_on_the_mean_cross_entropy(step):
    feedback = check_training_step(step)
    assert feedback, feedback


@pytest.mark.parametrize(
    ("step", "explains"),
    [
        (_step_no_zero_grad, "zero_grad"),
        (_step_no_step, "did not move"),
        (_step_sum, "too large"),
        (_step_negated, "climb"),
        (_step_mse, "differ from SGD on F.cross_entropy"),
        (_step_returns_nothing, "returns nothing"),
        (_step_wrong_call, "TypeError"),
        (_step_returns_a_constant, "return the batch's loss"),
        (..., "replace the ..."),
    ],
    ids=["no zero_grad", "no step", "sum", "-loss", "mse", "None", "raises", "loss", "..."],
)
def test_training_step_check_explains_each_typical_mistake(step, explains):
    feedback = check_training_step(step)
    assert not feedback
    assert explains in feedback.message


# ---- check_sgns_loss ----


def _scores(c, o, n):
    """(N,) true-pair scores c.o and (N, K) noise scores n_k.c."""
    return (c * o).sum(-1), torch.einsum("nke,ne->nk", n, c)


def _sgns_softplus(c, o, n):
    positive, negative = _scores(c, o, n)
    return F.softplus(-positive) + F.softplus(negative).sum(-1)


def _sgns_logsigmoid(c, o, n):
    positive, negative = _scores(c, o, n)
    return -F.logsigmoid(positive) - F.logsigmoid(-negative).sum(-1)


def _sgns_naive(c, o, n):
    positive, negative = _scores(c, o, n)
    return -torch.log(torch.sigmoid(positive)) - torch.log(torch.sigmoid(-negative)).sum(-1)


def _sgns_mean(c, o, n):
    return _sgns_softplus(c, o, n).mean()


def _sgns_noise_sign(c, o, n):
    positive, negative = _scores(c, o, n)
    return F.softplus(-positive) + F.softplus(-negative).sum(-1)


def _sgns_no_noise(c, o, n):
    return F.softplus(-_scores(c, o, n)[0])


def _sgns_mean_over_k(c, o, n):
    positive, negative = _scores(c, o, n)
    return F.softplus(-positive) + F.softplus(negative).mean(-1)


def _sgns_column(c, o, n):
    return _sgns_softplus(c, o, n)[:, None]  # (N, 1)


@pytest.mark.parametrize("loss", [_sgns_softplus, _sgns_logsigmoid])
def test_sgns_loss_check_accepts_the_softplus_and_logsigmoid_forms(loss):
    feedback = check_sgns_loss(loss)
    assert feedback, feedback


@pytest.mark.parametrize(
    ("loss", "explains"),
    [
        (_sgns_naive, "not finite"),
        (_sgns_mean, "one loss per pair"),
        (_sgns_noise_sign, "score low"),
        (_sgns_no_noise, "left out the noise"),
        (_sgns_mean_over_k, "sum over the K"),
        (_sgns_column, "expected shape (4,)"),
    ],
    ids=["log(sigmoid)", "mean", "noise sign", "no noise", "mean over K", "shape (N, 1)"],
)
def test_sgns_loss_check_explains_each_typical_mistake(loss, explains):
    feedback = check_sgns_loss(loss)
    assert not feedback
    assert explains in feedback.message


# ---- check_noise_sampler ----


def _noise_right(counts, num_pairs, negative, generator):
    weights = counts.double() ** 0.75  # (V,)
    draws = torch.multinomial(weights, num_pairs * negative, replacement=True, generator=generator)
    return draws.view(num_pairs, negative)


def _noise_normalised(counts, num_pairs, negative, generator):
    probs = counts.double() ** 0.75 / (counts.double() ** 0.75).sum()  # (V,)
    draws = torch.multinomial(probs, num_pairs * negative, replacement=True, generator=generator)
    return draws.reshape(num_pairs, negative)


def _noise_plain_counts(counts, num_pairs, negative, generator):
    draws = torch.multinomial(
        counts.double(), num_pairs * negative, replacement=True, generator=generator
    )
    return draws.view(num_pairs, negative)


def _noise_uniform(counts, num_pairs, negative, generator):
    return torch.randint(len(counts), (num_pairs, negative), generator=generator)


def _noise_global_generator(counts, num_pairs, negative, generator):
    draws = torch.multinomial(counts.double() ** 0.75, num_pairs * negative, replacement=True)
    return draws.view(num_pairs, negative)


def _noise_flat(counts, num_pairs, negative, generator):
    return _noise_right(counts, num_pairs, negative, generator).flatten()


def _noise_float(counts, num_pairs, negative, generator):
    return _noise_right(counts, num_pairs, negative, generator).double()


def _noise_without_replacement(counts, num_pairs, negative, generator):
    draws = torch.multinomial(counts.double() ** 0.75, num_pairs * negative, generator=generator)
    return draws.view(num_pairs, negative)


def _noise_one_based(counts, num_pairs, negative, generator):
    return _noise_right(counts, num_pairs, negative, generator) + 1


@pytest.mark.parametrize("sampler", [_noise_right, _noise_normalised])
def test_noise_sampler_check_accepts_multinomial_over_counts_to_the_three_quarters(sampler):
    feedback = check_noise_sampler(sampler)
    assert feedback, feedback


@pytest.mark.parametrize(
    ("sampler", "explains"),
    [
        (_noise_plain_counts, "plain counts"),
        (_noise_uniform, "equally likely"),
        (_noise_global_generator, "generator"),
        (_noise_flat, "(20000, 5)"),
        (_noise_float, "float64"),
        (_noise_one_based, "ids must be in [0, 5]"),
        (_noise_without_replacement, "replacement=True"),
    ],
    ids=["plain counts", "uniform", "no generator", "flat", "float", "out of range", "no replace"],
)
def test_noise_sampler_check_explains_each_typical_mistake(sampler, explains):
    feedback = check_noise_sampler(sampler)
    assert not feedback
    assert explains in feedback.message


# ---- window_demo ----

DEMO_WORDS = ("the", "cat", "sat", "on", "mat", "dog", "ran")
DEMO_VOCAB = Vocabulary(words=DEMO_WORDS, counts=torch.tensor([9, 7, 5, 4, 3, 2, 1]), min_count=1)
DEMO_IDS = torch.tensor([1, 2, 3, 0, 4, 5, 6, 0, 1, 2, 3, 4])  # (L,) one sentence


def _demo_rows(text: str) -> list[tuple[str, int, list[str]]]:
    """(centre word, reach b, context words) of each line after the header."""
    rows = []
    for line in text.splitlines()[1:]:
        centre, rest = line.split("  b=")
        b, context = rest.split("  -> ")
        rows.append((centre.strip(), int(b), context.split(", ") if context.strip() else []))
    return rows


def _demo_oracle(ids: list[int], window: int, count: int, seed: int):
    """Reaches redrawn as corpus.window_reach draws them; contexts built position by position."""
    generator = torch.Generator().manual_seed(seed)
    reach = torch.randint(1, window + 1, (len(ids),), generator=generator).tolist()
    rows = []
    for i in range(min(count, len(ids))):
        b = reach[i]
        around = [j for j in range(i - b, i + b + 1) if 0 <= j < len(ids) and j != i]
        rows.append((DEMO_WORDS[ids[i]], b, [DEMO_WORDS[ids[j]] for j in around]))
    return rows


@pytest.mark.parametrize(
    ("window", "count", "seed"), [(1, 8, 0), (3, 8, 5), (5, 12, 2), (10, 50, 7), (2, 4, 1)]
)
def test_window_demo_lists_each_centre_with_the_words_within_its_drawn_reach(window, count, seed):
    text = window_demo(DEMO_IDS, DEMO_VOCAB, window, count=count, seed=seed)
    assert text.splitlines()[0] == f"window {window}: each centre draws b in 1..{window}"
    assert _demo_rows(text) == _demo_oracle(DEMO_IDS.tolist(), window, count, seed)


@pytest.mark.parametrize(("count", "lines"), [(1, 1), (5, 5), (12, 12), (13, 12), (50, 12)])
def test_window_demo_shows_count_positions_at_most_one_per_token(count, lines):
    text = window_demo(DEMO_IDS, DEMO_VOCAB, 3, count=count)
    assert len(text.splitlines()) == 1 + lines


def test_window_demo_of_a_one_word_sentence_has_no_context():
    text = window_demo(torch.tensor([4]), DEMO_VOCAB, 3)
    assert _demo_rows(text) == [("mat", _demo_oracle([4], 3, 8, 0)[0][1], [])]


# ---- neighbours_table ----


def _numpy_neighbours(vectors: np.ndarray, words, word: str, topn: int) -> list[str]:
    """The topn words of highest cosine similarity to ``word`` (itself left out), float64."""
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    i = words.index(word)
    sims = unit @ unit[i]
    sims[i] = -np.inf
    order = np.argsort(-sims, kind="stable")[:topn]
    assert np.all(np.diff(sims[order]) < -1e-4), "near-tie: the oracle's order is ambiguous"
    return [words[j] for j in order]


def _table_rows(text: str) -> dict[str, list[str]]:
    rows = {}
    for line in text.splitlines():
        word, listed = line.split(": ")
        rows[word.strip()] = listed.split(", ")
    return rows


CLUSTER_WORDS = ("cat", "dog", "cow", "red", "blue", "green", "one", "two", "three")


def _cluster_vectors() -> np.ndarray:
    """Three clusters of three words along orthogonal axes, each word jittered."""
    rng = np.random.default_rng(4)
    axes = np.repeat(np.eye(3), 3, axis=0)  # (9, 3): words 0-2 on x, 3-5 on y, 6-8 on z
    return np.hstack([axes, np.zeros((9, 1))]) + 0.25 * rng.standard_normal((9, 4))  # (V, E)


@pytest.mark.parametrize("topn", [1, 2, 5])
def test_neighbours_table_lists_a_numpy_cosine_ranking_per_word(topn):
    vectors = _cluster_vectors()
    vocab = Vocabulary(words=CLUSTER_WORDS, counts=torch.arange(9, 0, -1), min_count=1)
    words = ["cat", "blue", "three", "dog"]
    text = neighbours_table(torch.from_numpy(vectors), vocab, words, topn=topn)
    rows = _table_rows(text)
    assert list(rows) == words  # one line per word, in the order asked
    for word in words:
        assert rows[word] == _numpy_neighbours(vectors, CLUSTER_WORDS, word, topn)
    if topn == 2:  # by construction the two nearest are the word's own cluster
        for word in words:
            i = CLUSTER_WORDS.index(word)
            assert set(rows[word]) == set(CLUSTER_WORDS[i - i % 3 : i - i % 3 + 3]) - {word}


# ---- relative_movement ----


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_relative_movement_is_the_median_of_row_norm_ratios(dtype):
    rng = np.random.default_rng(0)
    before = rng.standard_normal((7, 5))  # odd V: one middle row
    after = before + rng.standard_normal((7, 5)) * rng.uniform(0.1, 3.0, (7, 1))
    expected = np.median(np.linalg.norm(after - before, axis=1) / np.linalg.norm(before, axis=1))
    got = relative_movement(torch.from_numpy(before).to(dtype), torch.from_numpy(after).to(dtype))
    assert got == pytest.approx(expected, rel=1e-6 if dtype == torch.float32 else 1e-12)


def test_relative_movement_of_an_even_number_of_rows_averages_the_two_middle_ratios():
    before = torch.ones(4, 2, dtype=torch.float64)
    after = before * torch.tensor([[1.0], [2.0], [3.0], [4.0]], dtype=torch.float64)
    assert relative_movement(before, after) == pytest.approx(np.median([0.0, 1.0, 2.0, 3.0]))


def test_relative_movement_refuses_a_zero_row_and_a_shape_mismatch():
    before = torch.ones(3, 2)
    with pytest.raises(ValueError, match="zero row"):
        relative_movement(torch.cat([before[:2], torch.zeros(1, 2)]), before)
    with pytest.raises(ValueError, match="after must have before's shape"):
        relative_movement(before, torch.ones(3, 4))


# ---- show_source ----


def _documented(x, y=2):
    """Add and double when large.

    A second paragraph that must not be shown.
    """
    total = x + y  # a comment stays
    if total > 3:
        return total * 2
    return total


def _undocumented(x):
    # a leading comment stays
    doubled = x * 2
    return doubled


DOCUMENTED_BODY = """def _documented(x, y=2):
    total = x + y  # a comment stays
    if total > 3:
        return total * 2
    return total"""

UNDOCUMENTED_SOURCE = """def _undocumented(x):
    # a leading comment stays
    doubled = x * 2
    return doubled"""


def test_show_source_drops_the_docstring_and_keeps_every_other_line():
    assert show_source(_documented) == DOCUMENTED_BODY


def test_show_source_of_a_function_without_docstring_is_its_whole_source():
    assert show_source(_undocumented) == UNDOCUMENTED_SOURCE


def test_show_source_dedents_a_nested_function():
    def inner(a):
        """Docstring.

        More.
        """
        return a

    assert show_source(inner) == "def inner(a):\n    return a"


def _one_line_doc(x):
    """Add one."""
    return x + 1


def test_show_source_drops_a_one_line_docstring():
    assert show_source(_one_line_doc) == "def _one_line_doc(x):\n    return x + 1"


@pytest.mark.parametrize("fn", [len, int, print, "def f(): pass"], ids=repr)
def test_show_source_refuses_what_is_not_a_python_function(fn):
    with pytest.raises(TypeError, match="fn must be a Python function"):
        show_source(fn)


# ---- plot_losses ----


def _split_lines(ax):
    """(faint batch line, running-mean line, dotted vertical lines) of the loss axes."""
    lines = {line.get_label(): line for line in ax.get_lines()}
    verticals = [line for line in ax.get_lines() if line.get_label().startswith("_")]
    return lines["batch"], lines["mean of 50"], verticals


def test_plot_losses_draws_the_losses_and_their_running_mean_over_50_batches():
    losses = 3.0 * np.exp(-np.arange(130) / 40) + np.random.default_rng(1).uniform(0, 0.5, 130)
    fig = plot_losses(losses.tolist(), (40, 90, 130))
    faint, mean, _ = _split_lines(fig.axes[0])
    np.testing.assert_allclose(faint.get_ydata(), losses, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(faint.get_xdata(), np.arange(130))
    np.testing.assert_allclose(
        mean.get_ydata(), np.convolve(losses, np.ones(50) / 50, "valid"), rtol=1e-12
    )
    np.testing.assert_array_equal(np.asarray(mean.get_xdata()), np.arange(49, 130))


def test_plot_losses_marks_each_epoch_end_with_one_dotted_vertical_line():
    ends = (25, 60, 99)
    _, _, verticals = _split_lines(plot_losses(np.linspace(2, 1, 100).tolist(), ends).axes[0])
    assert len(verticals) == len(ends)
    for line, end in zip(verticals, ends, strict=True):
        assert list(line.get_xdata()) == [end, end]
        assert line.get_linestyle() == ":"


def test_plot_losses_without_epoch_ends_draws_no_vertical_line():
    _, _, verticals = _split_lines(plot_losses([1.0] * 60).axes[0])
    assert verticals == []


@pytest.mark.parametrize("losses", [[], [1.0, float("nan")], [float("inf")]], ids=repr)
def test_plot_losses_refuses_empty_or_non_finite_losses(losses):
    with pytest.raises(ValueError, match="batch_losses"):
        plot_losses(losses)


# ---- snapshot_view and snapshot_panel ----

SNAPSHOT_WORDS = tuple(dict.fromkeys(PROJECTED_WORDS + WATCH_WORDS)) + ("alpha", "beta", "gamma")


@pytest.fixture(scope="module")
def trained():
    """A 2-epoch reference run on random sentences over the projected and watched words."""
    V = len(SNAPSHOT_WORDS)
    g = torch.Generator().manual_seed(0)
    sentences = [torch.randint(V, (12,), generator=g) for _ in range(30)]
    counts = torch.bincount(torch.cat(sentences), minlength=V)  # (V,)
    assert bool((counts > 0).all())
    vocab = Vocabulary(words=SNAPSHOT_WORDS, counts=counts, min_count=1)
    probs = counts.double() ** 0.75 / (counts.double() ** 0.75).sum()  # (V,)
    result = train_sgns(
        sentences, V, probs, embedding_dim=6, window=2, negative=3, epochs=2, batch_size=32, lr=0.2
    )
    return result, vocab


def _numpy_projection(result, epoch: int) -> np.ndarray:
    """(n, 2): the centred unit vectors at ``epoch`` on the final vectors' first two axes."""
    ids = [SNAPSHOT_WORDS.index(w) for w in PROJECTED_WORDS]

    def unit(table):
        rows = table.numpy()[ids]
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    final = unit(result.snapshots[-1])
    _, singular, vt = np.linalg.svd(final - final.mean(0), full_matrices=False)
    assert singular[1] - singular[2] > 1e-3 * singular[0], "axes 2 and 3 are nearly tied"
    here = unit(result.snapshots[epoch])
    return (here - here.mean(0)) @ vt[:2].T


def test_snapshot_text_says_before_training_then_each_epochs_loss(trained):
    result, vocab = trained
    assert snapshot_view(result, vocab, 0)[0].startswith("before training\n")
    for epoch in (1, 2):
        head = snapshot_view(result, vocab, epoch)[0].splitlines()[0]
        assert head.startswith(f"after epoch {epoch} of 2")
        assert head.endswith(f"{result.epoch_losses[epoch - 1]:.3f}")


@pytest.mark.parametrize("epoch", [0, 1, 2])
def test_snapshot_text_lists_the_watch_words_neighbours_at_that_epoch(trained, epoch):
    result, vocab = trained
    rows = _table_rows("\n".join(snapshot_view(result, vocab, epoch)[0].splitlines()[1:]))
    vectors = result.snapshots[epoch].numpy()
    assert rows == {w: _numpy_neighbours(vectors, SNAPSHOT_WORDS, w, 4) for w in WATCH_WORDS}


@pytest.mark.parametrize("epoch", [0, 1, 2])
def test_snapshot_loss_plot_shows_the_batches_done_by_that_epoch(trained, epoch):
    result, vocab = trained
    (line,) = snapshot_view(result, vocab, epoch)[1].axes[0].get_lines()
    done = result.epoch_ends[epoch - 1] if epoch else 0
    assert len(line.get_ydata()) == done
    np.testing.assert_array_equal(line.get_ydata(), result.batch_losses[:done])


@pytest.mark.parametrize("epoch", [0, 1, 2])
def test_snapshot_projection_uses_the_final_vectors_principal_axes(trained, epoch):
    result, vocab = trained
    scatter = snapshot_view(result, vocab, epoch)[1].axes[1].collections[0]
    got = np.asarray(scatter.get_offsets())  # (n, 2)
    expected = _numpy_projection(result, epoch)
    assert got.shape == expected.shape == (len(PROJECTED_WORDS), 2)
    for axis in range(2):  # a singular vector's sign is arbitrary: match it per axis
        sign = 1.0 if np.allclose(got[:, axis], expected[:, axis], atol=1e-9) else -1.0
        np.testing.assert_allclose(got[:, axis], sign * expected[:, axis], rtol=0, atol=1e-9)


def test_snapshot_projection_labels_each_point_with_its_word(trained):
    result, vocab = trained
    right = snapshot_view(result, vocab, 1)[1].axes[1]
    assert [t.get_text() for t in right.texts] == list(PROJECTED_WORDS)


@pytest.mark.parametrize("epoch", [-1, 3])
def test_snapshot_view_refuses_an_epoch_outside_zero_to_epochs(trained, epoch):
    result, vocab = trained
    with pytest.raises(ValueError, match="epoch"):
        snapshot_view(result, vocab, epoch)


def test_snapshot_view_refuses_what_is_not_a_reference_result(trained):
    _, vocab = trained
    with pytest.raises(TypeError, match="result must be a ReferenceResult"):
        snapshot_view({"epoch_losses": (1.0,)}, vocab, 0)


def test_snapshot_panel_opens_at_the_last_epoch_and_its_slider_goes_back_to_the_start(trained):
    result, vocab = trained
    panel = snapshot_panel(result, vocab)
    slider = panel.controls["epoch"]
    assert (slider.min, slider.max, slider.value) == (0, 2, 2)
    assert panel.text().startswith("after epoch 2 of 2")
    slider.value = 0
    assert panel.text().startswith("before training")
    slider.value = 1
    head = f"after epoch 1 of 2: loss per pair {result.epoch_losses[0]:.3f}"
    assert panel.text().startswith(head)
