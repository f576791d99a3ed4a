"""Every experiment in the quick profile: the shape of its results, and the cache."""

import math

import numpy as np
import pytest

from mlp import experiments, report
from mlp.experiments import activations, estimates, loading, mnist, runs, synthetic, table, verdicts
from mlp.experiments.trainer import Trainer
from mlp.experiments.profiles import QUICK_EPOCHS, QUICK_LIMIT, sized
from mlp.experiments.stats import summary
from mlp.experiments.table import format_rows, rows
from mlp.text import percent

SYNTHETIC = ("dry_run", "synthetic_data", "scalar_sgd")  # the experiments that need no MNIST


@pytest.fixture(scope="module")
def quick(needs_data):
    return experiments.run(profile="quick", jobs=2, progress=False)


@pytest.fixture(scope="module")
def synthetic_quick():
    """The experiments that need no downloaded data, so they run without MLP_DATA_DIR too."""
    return experiments.run(SYNTHETIC, profile="quick", jobs=1, progress=False)


def is_history(h, epochs):
    return all(len(h[name]) == epochs + 1 for name in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"))


def test_every_experiment_runs_in_the_quick_profile(quick):
    assert list(quick) == list(experiments.EXPERIMENTS)


def test_dry_run_matches_the_report(synthetic_quick):
    r = synthetic_quick["dry_run"]
    assert r["max_difference_from_report"] < report.DRY_RUN_TOLERANCE
    assert report.dry_run_agrees(r["scalar"]) and not report.dry_run_agrees(r["scalar"]._replace(c=r["scalar"].c + 1e-4))
    assert r["max_difference_between_forms"] < 1e-15
    assert r["loss"] == pytest.approx(math.log(2))
    assert np.array_equal(r["report"].v, np.asarray(report.DRY_RUN_GRADS.v))


def test_synthetic_data_and_its_true_boundary(synthetic_quick):
    r = synthetic_quick["synthetic_data"]
    assert r["train_fraction_1"] == 33_494 / 60_000 and r["val_fraction_1"] == 0.5622
    x = r["boundary"]
    q = np.einsum("ni,ij,nj->n", x, np.array([[1, -0.05], [1, 0.4]]), x)
    np.testing.assert_allclose(q, 0.6)


def test_scalar_sgd_results(synthetic_quick):
    r = synthetic_quick["scalar_sgd"]
    assert len(r["runs"]) == 2 and all(run["run"]["form"] == "scalar" for run in r["runs"])
    assert all(is_history(run["history"], QUICK_EPOCHS) for run in r["runs"])
    assert r["majority_accuracy"] == pytest.approx(0.5622)
    assert r["boundary"]["p1"].shape == (len(r["boundary"]["axis"]),) * 2
    assert 0 <= r["val_accuracy"]["mean"] <= 1 and r["val_accuracy"]["n"] == 2


@pytest.mark.parametrize("name,batch", [("mnist_sgd", 1), ("mnist_minibatch", 55)])
def test_mnist_curves(quick, name, batch):
    run = quick[name]["run"]
    assert run["run"]["batch_size"] == batch
    assert is_history(run["history"], QUICK_EPOCHS)
    assert len(run["history"]["step_loss"]) == QUICK_EPOCHS * math.ceil(QUICK_LIMIT / batch)


def test_sweeps_have_a_band_per_value(quick):
    lr = quick["learning_rates"]
    assert list(lr["bands"]) == list(mnist.LEARNING_RATES)
    assert set(lr["divergent"]) == set(mnist.DIVERGENT_RATES)
    assert all(isinstance(d["diverged"], (bool, np.bool_)) for d in lr["divergent"].values())
    bs = quick["batch_sizes"]
    assert list(bs["bands"]) == list(mnist.BATCH_SIZES)
    for value, band in bs["bands"].items():
        assert len(band["val_accuracy"]["mean"]) == QUICK_EPOCHS + 1
        assert len(band["step_loss"]["mean"]) == QUICK_EPOCHS * math.ceil(QUICK_LIMIT / value)
        assert np.all(band["step_loss"]["std"] >= 0)


def test_float_types_pairs_each_float32_run_with_float64_on_its_seed(quick):
    assert mnist.BASE.dtype == "float32" and mnist.SWEEP.dtype == "float32"
    r = quick["float_types"]
    runs_ = mnist.float_types_runs("quick")
    assert {run.dtype for run in runs_} == {"float32", "float64"} and len(runs_) == 2 * r["val_accuracy"]["float32"]["n"]
    found = {run: runs.result(run) for run in runs_}  # from the cache the fixture filled
    differences = [abs(found[run]["held_out_accuracy"] - found[run.replace(dtype="float64")]["held_out_accuracy"])
                   for run in runs_ if run.dtype == "float32"]
    assert r["val_accuracy"]["largest_difference"] == max(differences)
    assert r["val_accuracy"]["float64"]["values"] == [found[run]["held_out_accuracy"] for run in runs_
                                                      if run.dtype == "float64"]


def test_final_model_chooses_on_validation_and_tests_once(quick):
    r = quick["final_model"]
    assert r["report_recipe"]["test_accuracy"]["n"] == 2
    assert all(run["held_out"] == "test" for run in r["report_recipe"]["runs"] + r["tuned"]["runs"])
    # Test accuracy is measured once, at the end: no test numbers in the per-epoch history.
    assert all(len(run["history"]["val_accuracy"]) == 0 for run in r["tuned"]["runs"])
    assert all(c["run"]["final"] is False for c in r["candidates"])
    best = max(r["candidates"], key=lambda c: c["val_accuracy"])["run"]
    assert r["tuned"]["runs"][0]["run"]["lr"] == best["lr"]


def test_activations_compares_sigmoid_and_relu_over_the_same_seeds(quick):
    r = quick["activations"]
    assert r["seeds"] == 2
    for activation in activations.ACTIVATIONS:
        assert r[activation]["val_accuracy"]["n"] == 2 and 0.5 < r[activation]["val_accuracy"]["mean"] <= 1
    assert [run.activation for run in activations.activation_runs("quick")] == ["sigmoid"] * 2 + ["relu"] * 2


def test_the_activations_reading_follows_welchs_test():
    result = {"seeds": 5, "relu_minus_sigmoid": {"difference": 0.01, "p": 0.001}}
    assert activations.reading(result) == "ReLU ahead"
    result["relu_minus_sigmoid"] = {"difference": -0.01, "p": 0.001}
    assert activations.reading(result) == "the sigmoid ahead"
    result["relu_minus_sigmoid"] = {"difference": 0.01, "p": 0.2}
    assert activations.reading(result) == "with 5 seeds, no difference they can tell"


def test_a_run_trains_and_evaluates_with_its_activation():
    from mlp.train import evaluate

    run = runs.Run(dataset="synth", n_hid=4, lr=0.3, batch_size=10, epochs=2, reduction="mean", init="lecun",
                   activation="relu", keep_params=True, record_steps=False)
    relu, sigmoid = runs.execute(run), runs.execute(run.replace(activation="sigmoid"))
    _, held_out, _ = loading.load(run)
    assert relu["held_out_accuracy"] == evaluate(*held_out, relu["params"], activation="relu")[1]
    assert not np.allclose(relu["params"].w, sigmoid["params"].w)  # the same seed, another function trained


def test_fashion_uses_fashion_mnist(quick):
    r = quick["fashion"]
    assert {run["run"]["dataset"] for run in r["report_recipe"]["runs"] + r["tuned"]["runs"]} == {"fashion-mnist"}


def test_summary_table_has_a_row_per_headline(quick):
    table = rows(quick)
    assert {row[0] for row in table} == set(experiments.EXPERIMENTS)
    assert percent(report.SYNTH_ACCURACY) in format_rows(table) and report.FINAL_ACCURACY_TEXT in format_rows(table)


def test_quoted_numbers_are_the_reports_values():
    assert float(report.SYNTH_ACCURACY_TEXT.rstrip("%")) / 100 == pytest.approx(report.SYNTH_ACCURACY)
    assert float(report.FINAL_ACCURACY_TEXT.rstrip("%")) / 100 == pytest.approx(report.FINAL_ACCURACY)
    assert set(report.QUOTED) >= {report.SYNTH_ACCURACY_TEXT, report.FINAL_ACCURACY_TEXT}


def test_claims_are_decided_from_the_results(quick):
    c = table.claims(quick)
    assert set(c) == set(table.claims(constructed(True)))
    assert c["dry_run"]["agrees"] is True
    assert c["synthetic_accuracy"]["below_majority"] is True  # 45.8% < 56.22%, whatever the profile
    # The quick profile trains 2 epochs: nothing can be said about epoch 60.
    assert c["synthetic_converges"]["agrees"] is None and c["synthetic_overfits"]["agrees"] is None
    assert c["mnist_sgd_overfits"]["after"]["last_epoch"] == QUICK_EPOCHS
    final = quick["final_model"]["report_recipe"]["test_accuracy"]
    assert c["final_accuracy"]["agrees"] == (final["ci_low"] <= report.FINAL_ACCURACY <= final["ci_high"])
    assert c["final_accuracy"]["inside_with"] == [
        s["init"] for s in quick["init_scales"]["scales"]
        if s["test_accuracy"]["ci_low"] <= report.FINAL_ACCURACY <= s["test_accuracy"]["ci_high"]]
    assert c["lr_explode"]["agrees"] == all(d["diverged"] for d in quick["learning_rates"]["divergent"].values())
    assert c["lr_best"]["found"] in {**quick["learning_rates"]["bands"], **quick["learning_rates"]["divergent"]}


def _history(val_loss):
    return {"val_loss": list(val_loss), "train_loss": [v - 0.01 for v in val_loss]}


def _band(accuracies, loss=1.0, initial=3.0):
    return {"final_val_accuracy": summary(accuracies), "final_train_loss": summary([loss] * len(accuracies)),
            "initial_train_loss": summary([initial] * len(accuracies))}


def constructed(agree: bool, seeds: int = 3, epochs: int = 70) -> dict:
    """Results made to agree with every claim of the report (or to contradict each one)."""
    spread = (lambda mean, std: [mean - std, mean, mean + std][:seeds]) if seeds > 1 else (lambda mean, std: [mean])
    synthetic_val = [1.0 - 0.005 * e for e in range(61)] + [0.7 * (1.001 if agree else 0.9) ** e for e in range(1, epochs - 60 + 1)]
    grads = report.DRY_RUN_GRADS if agree else report.DRY_RUN_GRADS._replace(c=[-0.51, 0.51])
    rates = {1e-3: (0.90, 0.010), 1e-4: (0.85, 0.0001), 1e-5: (0.80, 0.005), 1e-6: (0.70, 0.100)}
    if not agree:  # 1e-5 the best and the steadiest, 1e-4 the shakiest
        rates = {1e-3: (0.90, 0.010), 1e-4: (0.85, 0.100), 1e-5: (0.95, 0.0001), 1e-6: (0.70, 0.0005)}
    batches = {100: (0.90, 0.5), 250: (0.89, 0.6), 500: (0.88, 0.7), 1000: (0.80 if agree else 0.95, 0.9 if agree else 0.1)}
    return {
        "dry_run": {"scalar": grads, "max_difference_from_report": report.dry_run_difference(grads)},
        "scalar_sgd": {"val_accuracy": summary(spread(0.458 if agree else 0.97, 0.005)), "majority_accuracy": 0.5622,
                       "runs": [{"history": _history(synthetic_val[:epochs + 1])}] * seeds},
        "mnist_sgd": {"run": {"history": _history([2.0, 1.0, 1.1 if agree else 0.9]), "held_out_accuracy": 0.90,
                              "run": {"lr": 1e-3}}},
        "mnist_minibatch": {"run": {"held_out_accuracy": 0.92 if agree else 0.88, "run": {"lr": 1e-3}}},
        "learning_rates": {"bands": {lr: _band(spread(m, s)) for lr, (m, s) in rates.items()},
                           "divergent": {lr: {**_band(spread(0.1, 0.01), loss=9.0 if agree else 1.0), "diverged": agree}
                                         for lr in (1e-1, 1e-2)}},
        "batch_sizes": {"bands": {bs: _band(spread(m, 0.01), loss=loss) for bs, (m, loss) in batches.items()}},
        "final_model": {"report_recipe": {"test_accuracy": summary(spread(0.9314 if agree else 0.80, 0.002))}},
    }


def test_claims_agree_on_results_made_to_agree():
    c = table.claims(constructed(True))
    assert {name: v["agrees"] for name, v in c.items()} == dict.fromkeys(c, True)


def test_claims_disagree_on_results_made_to_disagree():
    c = table.claims(constructed(False))
    assert {name: v["agrees"] for name, v in c.items()} == dict.fromkeys(c, False)


def test_claims_undecided_with_one_seed_or_short_runs():
    c = table.claims(constructed(True, seeds=1, epochs=2))
    undecided = {name for name, v in c.items() if v["agrees"] is None}
    assert undecided == {"synthetic_accuracy", "synthetic_converges", "synthetic_overfits", "final_accuracy",
                         "lr_most_consistent", "lr_least_consistent", "lr_best", "batch_worst", "batch_lowest_loss"}


def test_claims_cannot_tell_a_confounded_comparison_or_a_ranking_within_noise():
    results = constructed(True)
    results["mnist_sgd"]["run"]["run"]["lr"] = 1e-2  # Figure 5 against Figure 4: ten times the rate
    noisy = {bs: _band([m - 0.05, m, m + 0.05], loss=1.0) for bs, m in {100: 0.90, 250: 0.89, 1000: 0.88}.items()}
    results["batch_sizes"]["bands"] = noisy  # 1000 is last in accuracy, by far less than the seeds' spread
    c = table.claims(results)
    assert c["minibatch_beats_sgd"]["agrees"] is None and c["minibatch_beats_sgd"]["confounded"]
    assert c["batch_worst"]["by_accuracy"]["found"] == 1000 and c["batch_worst"]["by_accuracy"]["agrees"] is None
    assert c["batch_worst"]["agrees"] is None  # the losses are equal: no ranking by loss either
    assert c["batch_lowest_loss"]["agrees"] is None
    tally = verdicts.tally(v["agrees"] for v in c.values())
    assert tally["cannot tell"] == 3 and tally["yes"] + tally["no"] + tally["cannot tell"] == tally["total"] == len(c)


def test_verdict_sentences_follow_the_claims():
    agree, disagree = table.claims(constructed(True)), table.claims(constructed(False))
    assert "cannot be ruled out" in verdicts.synthetic_accuracy(agree["synthetic_accuracy"])  # 45.8% is our mean
    assert "cannot carry" in verdicts.synthetic_accuracy(disagree["synthetic_accuracy"])
    assert "larger than the noise" in verdicts.lowest_loss_batch(agree["batch_lowest_loss"])[1]
    assert "inside our interval" in verdicts.final_accuracy(agree["final_accuracy"])
    assert "above our interval" in verdicts.final_accuracy(disagree["final_accuracy"])  # 93.14% against our 80%
    assert verdicts.final_accuracy(disagree["final_accuracy"]).endswith("cannot be placed in this build.")
    measured = {**disagree["final_accuracy"], "inside_with": [0.1]}
    assert verdicts.final_accuracy(measured).endswith("inside the interval with normal, std 0.1 weights, as measured.")
    confounded = {**agree["minibatch_beats_sgd"], "lr_sgd": 1e-2, "confounded": True, "agrees": None}
    assert "10 times smaller" in verdicts.minibatch(confounded) and "same learning rate" in verdicts.minibatch(confounded)
    assert [verdicts.word(v) for v in (True, False, None)] == ["yes", "no", "cannot tell"]
    one_seed = table.claims(constructed(True, seeds=1))["lr_best"]
    assert "cannot be told" in verdicts.best_rate(one_seed, {})[1]

def test_claim_helpers():
    s = {"n": 3, "ci_low": 0.90, "ci_high": 0.95}
    assert table.inside(0.93, s) and not table.inside(0.96, s) and table.inside(0.93, {**s, "n": 1}) is None
    falling = {"train_loss": [1.0, 0.5, 0.40, 0.39], "val_loss": [1.0, 0.6, 0.50, 0.49]}
    rising = {"train_loss": [1.0, 0.5, 0.40, 0.30], "val_loss": [1.0, 0.6, 0.70, 0.80]}
    late = table.after_epoch([falling], 2)
    assert late["converged"] and not late["rises"] and late["drop"] == pytest.approx(0.02)
    assert not table.after_epoch([falling], 1)["converged"]
    assert table.after_epoch([rising], 1)["rises"]
    assert table.after_epoch([falling, rising], 1)["val_loss_end"] == pytest.approx(0.645)
    assert table.after_epoch([falling], 3) is None
    assert table.distinct(0.4378, 0.458) and not table.distinct(0.462, 0.458)  # standard error 0.5%
    assert not table.distinct(0.4378, 0.458, n=200)
    assert table.near(0.462, 0.458) and table.near([0.30, 0.46], 0.458)
    assert table.near([0.50, 0.60], 0.458) is False and table.near(0.4378, 0.458) is False
    assert table.near([0.4378, 0.5622], 0.458) is None  # on both sides, neither near: cannot tell
    assert table.randomness_explains({"mean": 0.55, "std": 0.04}, 0.458)
    assert not table.randomness_explains({"mean": 0.97, "std": 0.005}, 0.458)
    low, high = summary([0.50, 0.51, 0.49]), summary([0.70, 0.71, 0.69])
    assert table.differ(low, high) < 0.01 and table.differ(low, low) > 0.5
    assert table.differ(summary([1.0, 1.0]), summary([2.0, 2.0])) == 0.0 and table.differ(summary([1.0]), low) is None
    steady, shaky = summary([0.50, 0.5001, 0.4999]), summary([0.3, 0.5, 0.7])
    assert table.differ(steady, shaky, "std") < 0.01 and table.differ(shaky, shaky, "std") == 1.0
    bands = {1: {"acc": low}, 2: {"acc": high}, 3: {"acc": summary([0.69, 0.71, 0.70])}}
    assert table.ranked(bands, "acc", 1)["agrees"] is True and table.ranked(bands, "acc", 2)["agrees"] is False
    assert table.ranked(bands, "acc", 2, highest=True)["agrees"] is None  # 2 and 3 are the same within noise
    assert table.both(True, None) is None and table.both(True, False) is False and table.both(True, True)


def test_warm_rerun_trains_nothing(quick, monkeypatch):
    def refuse(run, progress=False):
        raise AssertionError(f"retrained {run}")

    monkeypatch.setattr(runs, "execute", refuse)
    again = experiments.run(profile="quick", jobs=1, progress=False)
    assert again["final_model"]["tuned"]["test_accuracy"] == quick["final_model"]["tuned"]["test_accuracy"]


def test_trainer_queues_each_run_once_and_takes_runs_while_open():
    tiny = synthetic.SCALAR_SGD.replace(limit=50, keep_params=False)
    short, longer, longest = (tiny.replace(epochs=e) for e in (1, 2, 3))
    assert estimates.expected_cost(short) < estimates.expected_cost(longer) < estimates.expected_cost(longest)
    with Trainer(jobs=2, progress=False) as trainer:
        trainer.start([short, longest, longer, short])
        assert set(trainer.pending) == {longest, longer, short}  # each once (the order: test_jobs.py)
        first = trainer.fetch([longer, short])
        trainer.start([longest.replace(seed=1)])  # joins the queue while it is open
        assert len(trainer.pending) == 4
        assert [r["run"]["epochs"] for r in first] == [2, 1]
        assert trainer.fetch([longest.replace(seed=1)])[0]["run"]["seed"] == 1
    with Trainer(jobs=2, progress=False) as again:
        again.start([short, longer, longest])  # all cached now: nothing to queue
        assert again.pending == {}
        assert again.fetch([short])[0]["history"]["train_loss"].tolist() == first[1]["history"]["train_loss"].tolist()


def test_quick_profile_is_the_full_run_on_less_data():
    full = synthetic.SCALAR_SGD
    quick = sized(full, "quick")
    assert quick.replace(limit=None, epochs=full.epochs) == full
    assert quick.limit == QUICK_LIMIT and quick.epochs == QUICK_EPOCHS


def test_unknown_experiment_or_profile_is_rejected():
    with pytest.raises(ValueError, match="unknown experiment"):
        experiments.run(["figure_99"], "quick")
    with pytest.raises(ValueError, match="profile"):
        experiments.run(["dry_run"], "medium")


def test_every_figure_is_drawn_from_the_results(quick, tmp_path):
    from mlp import plots

    written = plots.draw_all(quick, tmp_path)
    assert [p.name for p in written] == [
        "figure2_synthetic_data.svg", "figure3_scalar_sgd.svg", "synthetic_boundaries.svg",
        "figure4_mnist_sgd.svg", "figure5_mnist_minibatch.svg", "figure6_learning_rates.svg",
        "figure7_batch_sizes.svg", "final_accuracies.svg"]
    svg = (tmp_path / "figure6_learning_rates.svg").read_text()
    assert svg.startswith("<?xml") and "validation accuracy (%)" in svg and "mean cross-entropy (nats)" in svg
    png = plots.save(plots.scalar_sgd(quick["scalar_sgd"]), tmp_path / "fig3.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_long_per_update_curve_gets_a_legend_placed_not_searched_for(quick):
    """Matplotlib's "best" legend spot scans every point, and past a second it warns: on a
    slow machine the warning reached the MNIST page (275,000 updates)."""
    from matplotlib.legend import Legend

    from mlp import plots

    run = quick["mnist_sgd"]["run"]
    long = {**run, "history": {**run["history"], "step_loss": np.geomspace(10, 0.01, 300_000)}}
    fig = plots.training_curves(long)
    curve = fig.axes[0]
    assert len(curve.lines[0].get_xdata()) == 300_000
    assert curve.get_legend()._loc != Legend.codes["best"]


def test_smoothing_is_a_trailing_mean():
    from mlp.plots import smooth

    np.testing.assert_allclose(smooth([1, 2, 3, 4, 5], 2), [1, 1.5, 2.5, 3.5, 4.5])
    np.testing.assert_allclose(smooth([4.0], 10), [4.0])



def test_the_init_scale_reading_names_the_scales_that_hold_the_reports_number():
    from mlp.experiments import verdicts

    scales = [{"init": 1.0, "place": "below"}, {"init": 0.1, "place": "inside"}]
    assert verdicts.init_scales({"inside": None, "scales": scales}).endswith("too few to place the report's number.")
    assert "no initialization" in verdicts.init_scales({"inside": [], "scales": scales})
    found = verdicts.init_scales({"inside": [0.1, "uniform"], "scales": scales})
    assert "normal, std 0.1 and uniform ±1/√n_in only" in found and found.endswith("lies below the interval.")


def test_a_process_loads_each_data_set_once_and_no_run_can_write_into_it():
    first, again = loading.load(runs.Run(dataset="synth", seed=1)), loading.load(runs.Run(dataset="synth", seed=2, lr=0.5))
    assert first[0][0] is again[0][0] and first[1][0] is again[1][0]  # one copy, shared by the runs
    for array in (*first[0], *first[1]):
        with pytest.raises(ValueError, match="read-only"):
            array[:1] = 0
    cut = loading.load(runs.Run(dataset="synth", limit=100))
    assert len(cut[0][0]) == 100 and not cut[0][0].flags.writeable


def test_a_runs_step_noise_is_read_from_its_last_epoch_and_val_below_train_from_epoch_1():
    run = {"run": {"epochs": 2},
           "history": {"step_loss": [9.0, 9.0, 9.0, 9.0, 1.0, 3.0, 1.0, 3.0],  # last epoch: mean 2, std 1
                       "val_loss": [1.0, 1.0, 0.5], "train_loss": [2.0, 1.5, 0.4]}}
    assert mnist.step_noise(run) == pytest.approx(0.5)
    assert mnist.val_below_train(run) == [1]  # epoch 0, before any update, is not counted


def test_figure_5_beside_figure_4_and_fashion_beside_mnist_in_words():
    steady, noisy = {"step_noise": 0.1}, {"step_noise": 0.5}
    assert verdicts.minibatch_against_sgd({"minibatch": 0.9, "sgd": 0.8}, noisy, steady) == {
        "position": "ahead", "steadiness": "steadier"}
    assert verdicts.minibatch_against_sgd({"minibatch": 0.8, "sgd": 0.9}, steady, noisy) == {
        "position": "behind", "steadiness": "not steadier"}
    tuned = lambda accuracy: {"tuned": {"test_accuracy": {"mean": accuracy}}}  # noqa: E731
    assert verdicts.harder(tuned(0.98), tuned(0.88)) == "harder"
    assert verdicts.harder(tuned(0.88), tuned(0.98)) == "not harder"


def test_each_way_to_a_low_number_is_judged_near_the_reports_or_not():
    runs = [{"history": {"val_accuracy": [0.458, 0.40], "train_accuracy": [0.5, 0.96]}},
            {"history": {"val_accuracy": [0.6, 0.52], "train_accuracy": [0.5, 0.98]}}]
    sgd = {"runs": runs, "val_accuracy": {"mean": 0.97}, "untrained_accuracy": {"values": [0.458, 0.6]},
           "always_0_accuracy": 0.4}
    found = synthetic.hypotheses(sgd, val_fraction_1=0.6, claimed=0.458)
    expected = [[0.03], [0.458, 0.6], [0.40, 0.52], [0.97], [0.6**2 + 0.4**2], [0.4]]
    assert [len(h["accuracy"]) for h in found] == [len(e) for e in expected]
    assert [a for h in found for a in h["accuracy"]] == pytest.approx([a for e in expected for a in e])
    # one untrained network scores the claim exactly; after one epoch the two lie on both sides of it
    assert [h["near"] for h in found] == [False, True, None, False, False, False]
    assert found[1]["name"].startswith("an untrained network")
