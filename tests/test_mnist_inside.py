"""The inside of the MNIST network, the init sweep and the standardization comparison:
their logic on constructed inputs, and the figures drawn from small inputs."""

import numpy as np
import pytest

from mlp import plots
from mlp.experiments import init_scales, mnist_inside
from mlp.experiments.stats import summary
from mlp.params import Params, init_params


def test_first_per_class_takes_the_first_of_each_class_in_loader_order():
    labels = np.array([3, 1, 3, 0, 1, 3, 0, 1])
    assert mnist_inside.first_per_class(labels, 2).tolist() == [3, 6, 1, 4, 0, 2]


def test_confusion_counts_rows_as_true_and_columns_as_predicted():
    counts = mnist_inside.confusion([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3)
    assert counts.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]


def _two_class_params(bias):
    """A network whose output depends only on the first input: class 1 when it is positive, by ``bias``."""
    w = np.zeros((2, 2)); w[0, 0] = 10.0
    v = np.array([[0.0, bias], [0.0, 0.0]])
    return Params(w, np.zeros(2), v, np.array([0.0, -bias / 2]))


def test_confident_mistakes_are_the_wrong_ones_ordered_by_the_wrong_class_probability():
    params = _two_class_params(6.0)
    x = np.array([[1.0, 0], [0.05, 0], [-1.0, 0], [2.0, 0], [0.2, 0]])
    labels = np.array([0, 0, 0, 1, 0])  # rows 0, 1 and 4 predicted 1, wrongly
    found = mnist_inside.confident_mistakes(x, labels, params, 2)
    assert [m["index"] for m in found] == [0, 4]  # the largest inputs are the most confident
    assert all(m["predicted"] == 1 and m["label"] == 0 for m in found)
    assert found[0]["probability"] > found[1]["probability"] > 0.5


def test_saturation_puts_every_value_in_a_bin_and_counts_the_flat_tails():
    x = np.array([[100.0], [-0.2], [0.0], [0.1]])
    params = Params(np.ones((1, 3)), np.zeros(3), np.zeros((3, 2)), np.zeros(2))
    s = mnist_inside.saturation(x, params)
    assert s["k_counts"].sum() == s["slope_counts"].sum() == 12  # 4 images x 3 units, clipped into range
    assert s["k_counts"][-1] == 3 and s["k_counts"][0] == 0  # k = 100 clipped into the last bin
    assert s["saturated"] == 0.25  # the far image saturates every unit, the three near 0 none


def _summary(low, high):
    """A 5-seed summary whose 95% interval is [low, high] (values spread to make it so)."""
    mid = (low + high) / 2
    s = summary([mid - 1, mid, mid, mid, mid + 1])
    half = (s["ci_high"] - s["ci_low"]) / 2
    return summary([mid + (v - mid) * (high - low) / 2 / half for v in s["values"]])


def test_place_and_bringing_inside_name_the_scales_whose_interval_holds_the_value():
    scales = [{"init": 1.0, "test_accuracy": _summary(0.85, 0.88)},
              {"init": 0.1, "test_accuracy": _summary(0.92, 0.94)},
              {"init": "lecun", "test_accuracy": _summary(0.93, 0.95)},
              {"init": "uniform", "test_accuracy": _summary(0.95, 0.96)}]
    assert [init_scales.place(0.9314, s["test_accuracy"]) for s in scales] == ["above", "inside", "inside", "below"]
    assert init_scales.bringing_inside(0.9314, scales) == [0.1, "lecun"]
    assert init_scales.bringing_inside(0.97, scales) == []


def test_bringing_inside_cannot_decide_from_single_runs():
    one = [{"init": 1.0, "test_accuracy": summary([0.93])}]
    assert init_scales.place(0.93, one[0]["test_accuracy"]) is None
    assert init_scales.bringing_inside(0.93, one) is None


def test_verdict_needs_a_significant_difference():
    low, high = [0.80, 0.81, 0.80, 0.82], [0.90, 0.91, 0.90, 0.92]
    assert init_scales.verdict(low, high) == "lower" and init_scales.verdict(high, low) == "higher"
    assert init_scales.verdict([0.80, 0.90, 0.85], [0.84, 0.86, 0.83]) == "cannot tell"
    assert init_scales.verdict([0.5], [0.9]) == "cannot tell"


def test_every_swept_scale_is_an_initialization_init_params_accepts_and_has_a_name():
    names = [init_scales.describe(scale) for scale in init_scales.INIT_SCALES]
    assert len(set(names)) == len(names)
    for scale in init_scales.INIT_SCALES:
        init_params(4, 3, 2, rng=0, scale=scale)


# ---------------------------------------------------------------- the figures, on small inputs

def _images(n, rng):
    return rng.normal(size=(n, 784))


@pytest.fixture
def small_inside():
    rng = np.random.default_rng(0)
    edges_k, edges_s = np.linspace(-5, 5, 11), np.linspace(0, 0.25, 6)

    def stage():
        return {"k_counts": rng.integers(1, 9, 10), "slope_counts": rng.integers(1, 9, 5), "saturated": 0.3}

    def recipe():
        return {"weights": _images(3, rng), "initial_weights": _images(3, rng), "init": stage(), "trained": stage()}

    return {"digits": {"images": _images(6, rng), "labels": np.array([0, 0, 1, 1, 2, 2])},
            "recipes": {"report": recipe(), "tuned": recipe()}, "k_edges": edges_k, "slope_edges": edges_s,
            "saturated_below": 0.01, "confusion": np.array([[5, 1, 0], [0, 4, 2], [1, 0, 6]]),
            "mistakes": [{"image": im, "label": 0, "predicted": 1, "probability": 0.9} for im in _images(4, rng)]}


def _shown_images(fig):
    return [ax for ax in fig.axes if ax.images]


def test_digit_grid_draws_each_digit_in_a_row_per_class(small_inside):
    fig = plots.digit_grid(small_inside["digits"])
    shown = _shown_images(fig)
    assert len(shown) == 6 and all(ax.images[0].get_array().shape == (28, 28) for ax in shown)
    assert [ax.get_title() for ax in shown] == ["0", "0", "1", "1", "2", "2"]


def test_hidden_weights_draws_two_rows_per_recipe_with_symmetric_colour_ranges(small_inside):
    fig = plots.hidden_weights(small_inside)
    shown = _shown_images(fig)
    assert len(shown) == 4 * 3
    for ax in shown:
        low, high = ax.images[0].get_clim()
        assert low == -high and high == pytest.approx(np.abs(ax.images[0].get_array()).max())


def test_saturation_draws_four_histograms_in_each_panel(small_inside):
    fig = plots.saturation(small_inside)
    assert len(fig.legends[0].get_texts()) == 4
    for ax, edges in zip(fig.axes, ("k_edges", "slope_edges")):
        assert len(ax.patches) == 4
        assert all(len(p.get_data().edges) == len(small_inside[edges]) for p in ax.patches)
        assert all(p.get_data().values.sum() == pytest.approx(1) for p in ax.patches)


def test_confusion_matrix_writes_every_non_zero_count(small_inside):
    fig = plots.confusion_matrix(small_inside)
    ax = fig.axes[0]
    written = sorted(int(t.get_text()) for t in ax.texts)
    counts = small_inside["confusion"]
    assert written == sorted(counts[counts > 0].tolist())
    assert ax.images[0].get_array().shape == counts.shape


def test_mistakes_draws_each_with_its_classes_in_the_title(small_inside):
    fig = plots.mistakes(small_inside)
    shown = _shown_images(fig)
    assert len(shown) == 4 and all("true 0, said 1" in ax.get_title() for ax in shown)


def test_init_scales_draws_each_scale_at_its_weight_spread_and_the_reports_line():
    result = {"report_accuracy": 0.9314, "scales": [
        {"init": init, "weight_std": std, "test_accuracy": summary(acc)}
        for init, std, acc in ((1.0, 1.0, [0.86, 0.87, 0.865]), ("lecun", 0.036, [0.93, 0.94, 0.935]))]}
    fig = plots.init_scales(result)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    points = [line for line in ax.lines if line.get_marker() == "o"]
    assert [float(line.get_xdata()[0]) for line in points] == [1.0, 0.036]
    assert sorted(float(v) for line in points for v in line.get_ydata()) == sorted(
        100 * v for s in result["scales"] for v in s["test_accuracy"]["values"])
    report = 100 * result["report_accuracy"]
    assert any(list(line.get_ydata()) == [report, report] for line in ax.lines)  # the report's line
    assert len(fig.legends[0].get_texts()) == 3  # under the panel, clear of the data


def test_the_summary_is_stored_under_its_runs_results_and_this_modules_code(needs_data, tmp_path, monkeypatch):
    from mlp import cache, experiments
    from mlp.experiments import mnist_inside
    from mlp.experiments.trainer import Trainer

    monkeypatch.setenv("MLP_RESULTS_DIR", str(tmp_path))
    first = experiments.run(["mnist_inside"], "tiny", progress=False)["mnist_inside"]
    assert len(list(tmp_path.glob("inside-*.npz"))) == 1
    monkeypatch.setattr(mnist_inside, "_inside", lambda *a: pytest.fail("computed again"))
    again = experiments.run(["mnist_inside"], "tiny", progress=False)["mnist_inside"]
    assert np.array_equal(again["confusion"], first["confusion"]) and again["train_sample"] == first["train_sample"]

    with Trainer(1, progress=False) as trainer:
        report = trainer.fetch(mnist_inside.inside_runs("tiny"))[0]
        tuned = trainer.fetch(mnist_inside.inside_followup("tiny", trainer.fetch))[0]
    key = mnist_inside.summary_key(report, tuned)
    stored = cache.path_for("inside", key, ("mnist",), code=(mnist_inside.__name__,))  # keyed by this module's code
    assert list(tmp_path.glob("inside-*.npz")) == [stored]
    assert mnist_inside.summary_key(report, report) != key  # other runs, other results
