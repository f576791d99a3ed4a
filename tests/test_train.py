"""The training loop: SGD and mini-batch as one, seeded, recorded, beating the baseline."""

import re

import numpy as np
import pytest

import mlp
from mlp.data import load_synth
from mlp.train import DivergenceError, evaluate, train


@pytest.fixture(scope="module")
def synth():
    (xtrain, ytrain), (xval, yval), _ = load_synth(num_train=3_000, num_val=1_000)
    return (xtrain, ytrain), (xval, yval)


def test_scalar_sgd_equals_vectorized_minibatches_of_one(synth):
    """One example per update: the scalar and the vectorized loop take the same steps."""
    params = mlp.init_params(2, 3, 2, rng=0)
    train_set = tuple(a[:500] for a in synth[0])
    p_scalar, h_scalar = train(params, train_set, lr=1e-2, epochs=2, form="scalar", seed=1, progress=False)
    p_vector, h_vector = train(params, train_set, lr=1e-2, epochs=2, batch_size=1, seed=1, progress=False)
    for a, b in zip(p_scalar, p_vector):
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(h_scalar.step_loss, h_vector.step_loss, rtol=1e-11)
    assert len(h_scalar.step_loss) == 1_000


def test_minibatch_step_is_the_sum_of_its_examples_gradients(synth):
    (x, labels), _ = synth
    params = mlp.init_params(2, 3, 2, rng=2)
    trained, _ = train(params, (x[:8], labels[:8]), lr=0.1, epochs=1, batch_size=8, seed=0, reduction="sum",
                       progress=False)
    _, grads = mlp.vectorized.gradients(x[:8], labels[:8], params, "sum")
    expected = params - 0.1 * grads  # one full batch: the order does not matter
    for a, b in zip(trained, expected):
        np.testing.assert_allclose(a, b, rtol=1e-13)


def test_same_seed_gives_bit_identical_histories(synth):
    params = mlp.init_params(2, 3, 2, rng=3)
    runs = [train(params, synth[0], synth[1], lr=0.05, epochs=2, batch_size=16, seed=7, progress=False)
            for _ in range(2)]
    (p1, h1), (p2, h2) = runs
    for name in ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "step_loss"):
        assert getattr(h1, name) == getattr(h2, name), name
    assert all(np.array_equal(a, b) for a, b in zip(p1, p2))
    _, h3 = train(params, synth[0], synth[1], lr=0.05, epochs=2, batch_size=16, seed=8, progress=False)
    assert h3.step_loss != h1.step_loss


def test_training_leaves_the_given_params_and_the_global_rng_alone(synth):
    params = mlp.init_params(2, 3, 2, rng=4)
    before = [f.copy() for f in params]
    state = np.random.get_state()[1].copy()
    train(params, synth[0], lr=0.1, epochs=1, batch_size=10, progress=False)
    assert all(np.array_equal(a, b) for a, b in zip(before, params))
    assert np.array_equal(np.random.get_state()[1], state)


def test_history_starts_before_the_first_update(synth):
    params = mlp.init_params(2, 3, 2, rng=5)
    _, history = train(params, synth[0], synth[1], lr=0.05, epochs=3, batch_size=100, progress=False)
    assert len(history.train_loss) == len(history.val_accuracy) == len(history.seconds) == 4
    assert history.seconds[0] == 0 and all(np.diff(history.seconds) > 0)
    assert (history.train_loss[0], history.train_accuracy[0]) == evaluate(*synth[0], params)
    assert (history.val_loss[0], history.val_accuracy[0]) == evaluate(*synth[1], params)
    assert len(history.step_loss) == 3 * 30


def with_and_without(synth, **option):
    """The same 3-epoch run trained as it is and with ``option``: ``(params, history)`` of each."""
    params = mlp.init_params(2, 3, 2, rng=5)
    kwargs = dict(lr=0.05, epochs=3, batch_size=100, seed=1, progress=False)
    return train(params, synth[0], synth[1], **kwargs), train(params, synth[0], synth[1], **option, **kwargs)


def test_without_epoch_records_only_the_start_and_the_end_are_evaluated(synth):
    (full_params, full), (ends_params, ends) = with_and_without(synth, record_epochs=False)
    assert all(np.array_equal(a, b) for a, b in zip(full_params, ends_params))
    for name in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"):
        assert getattr(ends, name) == [getattr(full, name)[0], getattr(full, name)[-1]], name
    assert len(ends.seconds) == 2 and ends.step_loss == full.step_loss


def test_training_metrics_on_a_sample_change_no_update(synth):
    """``train_eval`` moves only where the training curve is measured: same steps, same held-out numbers."""
    from mlp.experiments.loading import sample

    measured = sample(*synth[0], 500)
    (all_params, on_all), (sampled_params, on_sample) = with_and_without(synth, train_eval=measured)
    params = mlp.init_params(2, 3, 2, rng=5)  # the initial parameters of both
    assert all(np.array_equal(a, b) for a, b in zip(all_params, sampled_params))
    assert on_sample.step_loss == on_all.step_loss
    assert (on_sample.val_loss, on_sample.val_accuracy) == (on_all.val_loss, on_all.val_accuracy)
    assert (on_sample.train_loss[0], on_sample.train_accuracy[0]) == evaluate(*measured, params)
    assert (on_sample.train_loss[-1], on_sample.train_accuracy[-1]) == evaluate(*measured, sampled_params)
    assert on_sample.train_loss != on_all.train_loss  # measured elsewhere


def test_training_metrics_at_the_ends_only_change_no_update_and_no_held_out_number(synth):
    (every_params, every), (ends_params, ends) = with_and_without(synth, record_train=False)
    assert all(np.array_equal(a, b) for a, b in zip(every_params, ends_params))
    assert ends.step_loss == every.step_loss and ends.seconds != [] and len(ends.seconds) == 4
    assert (ends.val_loss, ends.val_accuracy) == (every.val_loss, every.val_accuracy)
    for name in ("train_loss", "train_accuracy"):
        kept, full = getattr(ends, name), getattr(every, name)
        assert [kept[0], kept[-1]] == [full[0], full[-1]] and np.isnan(kept[1:-1]).all(), name


def test_the_training_sample_is_one_fixed_random_draw_in_order(synth):
    from mlp.experiments.loading import sample

    x, labels = synth[0]  # 3,000 examples
    xs, ls = sample(x, labels, 1_000)
    assert len(xs) == len(ls) == 1_000 and xs.flags.c_contiguous
    rows = [int(np.flatnonzero((x == row).all(axis=1))[0]) for row in xs]
    assert rows == sorted(set(rows))  # distinct rows of x, in their order
    np.testing.assert_array_equal(ls, labels[rows])
    again = sample(x, labels, 1_000)
    assert np.array_equal(again[0], xs) and np.array_equal(again[1], ls)  # the same for every run
    assert sample(x, labels, None)[0] is x and sample(x, labels, 3_000)[0] is x


def test_the_training_sample_sees_both_halves_of_an_alternating_set():
    """MNIST's images alternate between two kinds of writers: a sample must not take one kind only."""
    from mlp.experiments.loading import sample

    kind = np.arange(60_000) % 2
    x = kind[:, None].astype(float)
    xs, _ = sample(x, kind, 10_000)
    assert 0.45 < xs.mean() < 0.55  # every sixth row would give 0


def test_a_bad_training_sample_is_rejected(synth):
    with pytest.raises(ValueError, match="train_eval holds no examples"):
        train(mlp.init_params(2, 3, 2, rng=0), synth[0], lr=0.1, train_eval=(synth[0][0][:0], synth[0][1][:0]))
    with pytest.raises(TypeError, match="train_eval"):
        train(mlp.init_params(2, 3, 2, rng=0), synth[0], lr=0.1, train_eval=synth[0][0])


def test_float32_training_stays_float32(synth):
    params = mlp.init_params(2, 3, 2, rng=0, dtype=np.float32)
    x, labels = synth[0]
    trained, history = train(params, (x.astype(np.float32), labels), lr=0.1, epochs=1, batch_size=10, progress=False)
    assert {p.dtype for p in trained} == {np.dtype(np.float32)}
    assert np.isfinite(history.train_loss).all()


def test_progress_bar_is_quiet_off_a_terminal(synth, capsys):
    train(mlp.init_params(2, 3, 2, rng=0), synth[0], lr=0.1, epochs=1, batch_size=100, progress=None)
    assert capsys.readouterr().err == ""
    train(mlp.init_params(2, 3, 2, rng=0), synth[0], lr=0.1, epochs=1, batch_size=100, progress=True)
    assert "step" in capsys.readouterr().err


def test_the_progress_bar_shows_the_latest_step_loss_without_epoch_records(synth, capsys):
    params = mlp.init_params(2, 3, 2, rng=0)
    _, history = train(params, synth[0], lr=0.1, epochs=3, batch_size=100, record_epochs=False, progress=True)
    shown = capsys.readouterr().err
    for epoch in (1, 2, 3):  # 30 steps an epoch
        assert f"loss={history.step_loss[30 * epoch - 1]:.4f}" in shown, epoch
    assert f"loss={history.train_loss[0]:.4f}" not in shown  # not the untrained network's


EXPLODING = dict(lr=1e300, batch_size=10, seed=1, reduction="sum", progress=False)  # diverges within a few steps


@pytest.mark.parametrize("form,batch_size,lr", [("vectorized", 10, 1e300), ("scalar", 1, 1.7e308)])
def test_a_loss_that_diverges_raises_where_it_happens(synth, form, batch_size, lr):
    params = mlp.init_params(2, 3, 2, rng=0)
    with pytest.raises(DivergenceError, match=rf"at step \d+ of epoch 1, learning rate {re.escape(f'{lr:g}')}\. Try to lower") as error:
        train(params, synth[0], **{**EXPLODING, "form": form, "batch_size": batch_size, "lr": lr}, epochs=2)
    where = error.value.where
    assert where["epoch"] == 1 and where["step"] >= 1 and where["lr"] == lr
    assert not where["loss"] <= 1_000 * np.log(2)  # over the limit, or not finite


def test_a_finite_loss_a_thousand_times_the_untrained_ones_is_a_divergence(synth):
    """lr 1e6, mean loss: the loss stays finite but grows about a million-fold within an epoch."""
    params = mlp.init_params(2, 3, 2, rng=0)
    _, history = train(params, synth[0], lr=1e6, batch_size=10, epochs=3, seed=1, on_divergence="stop",
                       progress=False)
    assert history.diverged is not None and history.diverged["epoch"] == 1
    assert np.isfinite(history.step_loss).all()  # never infinite: still a divergence
    assert history.step_loss[-1] > 1_000 * history.train_loss[0]
    assert (np.array(history.step_loss[:-1]) <= 1_000 * max(history.train_loss[0], np.log(2))).all()


def test_parameters_that_diverge_on_an_epochs_last_step_are_caught_by_its_evaluation(synth):
    """One full batch per epoch at lr 1e6: the step's loss is the untrained one, the parameters after it diverge."""
    params = mlp.init_params(2, 3, 2, rng=0)
    x, labels = synth[0]
    with pytest.raises(DivergenceError, match="at the evaluation after epoch 1") as error:
        train(params, (x, labels), lr=1e6, batch_size=len(x), epochs=2, seed=1, progress=False)
    assert error.value.where["step"] == 0


def test_the_hint_names_the_mean_loss_only_for_summed_batches(synth):
    params = mlp.init_params(2, 3, 2, rng=0)
    with pytest.raises(DivergenceError, match="reduction='mean'.*lr 1e\\+300 summed is lr 1e\\+301 mean"):
        train(params, synth[0], **EXPLODING)
    with pytest.raises(DivergenceError) as error:
        train(params, synth[0], **{**EXPLODING, "reduction": "mean"})
    assert "reduction" not in str(error.value)


def test_a_divergence_can_be_recorded_instead(synth):
    """lr grows 1e302-fold after epoch 1: epoch 1 trains, epoch 2 diverges and stops the run."""
    params = mlp.init_params(2, 3, 2, rng=0)
    kwargs = dict(lr=1e-2, batch_size=10, seed=1, reduction="sum", progress=False)
    one_epoch, one = train(params, synth[0], synth[1], epochs=1, **kwargs)
    stopped, history = train(params, synth[0], synth[1], epochs=4, lr_decay=1e302, on_divergence="stop", **kwargs)
    step = history.diverged["step"]
    assert history.diverged == {"epoch": 2, "step": step, "lr": pytest.approx(1e300), "loss": history.step_loss[-1]}
    limit = 1_000 * max(one.train_loss[0], np.log(2))
    assert not history.step_loss[-1] <= limit and (np.array(history.step_loss[:-1]) <= limit).all()
    assert len(history.step_loss) == 300 + step  # 300 steps an epoch
    # The curves end at the last evaluated epoch, and the parameters are that epoch's.
    assert history.train_loss == one.train_loss and history.val_accuracy == one.val_accuracy
    assert all(np.array_equal(a, b) for a, b in zip(stopped, one_epoch))
    assert one.diverged is None


@pytest.mark.parametrize("kwargs,word", [
    ({"lr": 0}, "lr"), ({"lr": float("nan")}, "lr"), ({"lr": 0.1, "batch_size": 0}, "batch_size"),
    ({"lr": 0.1, "epochs": -1}, "epochs"), ({"lr": 0.1, "form": "quantum"}, "form"),
    ({"lr": 0.1, "form": "scalar", "batch_size": 2}, "batch_size must be 1"),
    ({"lr": 0.1, "reduction": "avg"}, "reduction"),
])
def test_bad_training_arguments_are_rejected(synth, kwargs, word):
    with pytest.raises(ValueError, match=word):
        train(mlp.init_params(2, 3, 2, rng=0), synth[0], **kwargs)


def test_synthetic_training_beats_the_majority_class_in_float64_and_float32_alike(synth):
    (x, labels), (xv, yv) = synth
    accuracies = {}
    for dtype in (np.float64, np.float32):
        params = mlp.init_params(2, 3, 2, rng=0, dtype=dtype)
        _, history = train(params, (x.astype(dtype), labels), (xv.astype(dtype), yv), lr=0.5, epochs=20,
                           batch_size=10, reduction="mean", progress=False)
        accuracies[dtype] = history.val_accuracy[-1]
    majority = max(yv.mean(), 1 - yv.mean())
    assert majority < 0.6
    # The same seed and order: the two runs differ only by rounding; 1% is 10 of 1,000 points.
    assert accuracies[np.float64] > 0.9
    assert abs(accuracies[np.float32] - accuracies[np.float64]) <= 0.01, accuracies
