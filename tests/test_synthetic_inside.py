"""Inside the network: the graph's numbers, parameters kept mid-training, and how pages show figures."""

import base64
import re

import numpy as np
import pytest

from mlp import plots, scalar
from mlp.experiments import loading, runs, synthetic_inside
from mlp.experiments.synthetic import decision_grid, ellipse
from mlp.params import init_params

SMALL_RUN = runs.Run(dataset="synth", form="scalar", n_hid=3, lr=1e-2, batch_size=1, epochs=5, limit=300,
                     record_steps=False, keep_params=True)


def test_training_in_segments_equals_one_run():
    kept = synthetic_inside.train_snapshots(SMALL_RUN, [0, 1, 3, 5])
    one_piece = runs.execute(SMALL_RUN)["params"]
    assert all(np.array_equal(a, b) for a, b in zip(kept[-1], one_piece))
    (x, _), _, n_out = loading.load(SMALL_RUN)
    start, _ = runs.initial(SMALL_RUN, x.shape[1], n_out)
    assert all(np.array_equal(a, b) for a, b in zip(kept[0], start))
    assert all(not np.array_equal(a.w, b.w) for a, b in zip(kept, kept[1:])), "a segment made no update"


@pytest.mark.parametrize("epochs", [[1, 0, 5], [0, 1, 4], [-1, 5], [0, 0, 5]])
def test_snapshot_epochs_must_rise_to_the_runs_last(epochs):
    with pytest.raises(ValueError, match="epochs"):
        synthetic_inside.train_snapshots(SMALL_RUN, epochs)


def test_segments_refuse_a_decaying_learning_rate():
    with pytest.raises(ValueError, match="lr_decay"):
        synthetic_inside.train_snapshots(SMALL_RUN.replace(lr_decay=0.5), [0, 5])


def test_snapshot_epochs_end_at_the_runs_last():
    assert synthetic_inside.snapshot_epochs(SMALL_RUN.replace(epochs=100)) == list(synthetic_inside.SNAPSHOT_EPOCHS)
    assert synthetic_inside.snapshot_epochs(SMALL_RUN.replace(epochs=2)) == [0, 1, 2]


def test_random_points_have_no_zero_gradient_and_table_1_has():
    assert synthetic_inside.all_gradients_nonzero(synthetic_inside.random_point())
    dry = synthetic_inside.dry_run_point()
    assert not synthetic_inside.all_gradients_nonzero(dry)
    assert all(g == 0 for row in dry["backward"].dw for g in row)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_hidden_gradient_is_dz1_times_the_row_gap(seed):
    point = synthetic_inside.random_point(seed)
    terms = synthetic_inside.hidden_gradient_terms(point)
    v, dz = np.asarray(point["params"].v), np.asarray(point["backward"].dz)
    np.testing.assert_allclose(terms["dh"], v @ dz, rtol=1e-12)  # dh_j = Σ_m dz_m v_jm, computed anew
    np.testing.assert_allclose(terms["dz1_times_gap"], terms["dh"], rtol=1e-12, atol=1e-15)
    assert abs(terms["dz_sum"]) < 1e-15 and terms["max_identity_error"] < 1e-15
    assert terms["row_gaps"] == [a - b for a, b in point["params"].v]


def texts(fig) -> dict:
    """gid -> text of every text artist that has a gid."""
    found = {}
    for t in fig.axes[0].texts:
        if t.get_gid():
            assert t.get_gid() not in found, f"two artists named {t.get_gid()}"
            found[t.get_gid()] = t.get_text()
    return found


def written(text: str) -> float:
    """The number after the last '=' of a label."""
    return float(text.rsplit("=", 1)[1])


def close(shown: float, value: float) -> bool:
    return abs(shown - value) <= 5e-3 * abs(value) + 1e-12  # 3 significant digits


@pytest.mark.parametrize("point", [synthetic_inside.random_point(), synthetic_inside.random_point(7, sizes=(3, 4, 2))],
                         ids=["2-3-2", "3-4-2"])
def test_graph_labels_are_the_forward_and_backward_values(point):
    fwd = scalar.forward(point["x"], point["params"])
    bwd = scalar.backward(point["x"], point["label"], point["params"], fwd)
    w, _, v, _ = point["params"]
    expected = {f"x_{i + 1}": x for i, x in enumerate(point["x"])}
    for name in ("k", "h", "z", "y"):
        expected |= {f"{name}_{j + 1}": value for j, value in enumerate(getattr(fwd, name))}
    for name in ("dk", "dh", "dz"):
        expected |= {f"{name}_{j + 1}": value for j, value in enumerate(getattr(bwd, name))}
    for name, matrix in (("w", w), ("dw", bwd.dw), ("v", v), ("dv", bwd.dv)):
        expected |= {f"{name}_{i + 1}{j + 1}": value for i, row in enumerate(matrix) for j, value in enumerate(row)}
    expected["l_1"] = scalar.cross_entropy(fwd.z, point["label"])
    shown = texts(plots.backprop_graph(point))
    missing = set(expected) - set(shown)
    assert not missing, f"not drawn: {sorted(missing)}"
    wrong = {gid: (shown[gid], value) for gid, value in expected.items() if not close(written(shown[gid]), value)}
    assert not wrong, wrong
    for j, db in enumerate(bwd.db):  # the k node writes dk_j = db_j
        assert f"db_{j + 1}" in shown[f"dk_{j + 1}"] and close(written(shown[f"dk_{j + 1}"]), db)


def test_graph_steps_fill_in_forward_then_backward():
    point = synthetic_inside.random_point()
    n_forward = sum(not name.startswith("d") for name, _ in plots.GRAPH_STEPS)
    counts = []
    for shown in range(len(plots.GRAPH_STEPS) + 1):
        labels = texts(plots.backprop_graph(point, shown))
        counts.append((sum("=" in t for gid, t in labels.items()
                           if not gid.startswith(("d", "t_")) and gid not in ("caption", "arithmetic")),
                       sum(gid.startswith("d") for gid in labels)))
    assert all(grads == 0 for _, grads in counts[:n_forward + 1]), counts
    assert all(a <= b for a, b in zip(counts, counts[1:])), "a step hid a number"
    assert counts[-1][1] > counts[n_forward + 1][1] > 0
    assert counts[n_forward][0] > counts[0][0], "the forward steps wrote no node value"


def test_hidden_lines_draw_each_units_line_in_each_epoch():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    data = {"val": {"x": x, "y": (x[:, 0] > 0).astype(int)}, "boundary": ellipse(50)}
    params = [init_params(2, 3, 2, seed) for seed in (1, 2)]
    params[1] = params[1]._replace(b=rng.normal(size=3))
    snapshots = {"epochs": [0, 4], "params": params, "boundaries": [decision_grid(p, points=21) for p in params]}
    fig = plots.hidden_lines(data, snapshots)
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert len(panels) == 2 and "4" in panels[1].get_title()
    for ax, p in zip(panels, params):
        lines = [line for line in ax.get_lines() if (line.get_gid() or "").endswith("=0")]
        assert len(lines) == 3
        for j, line in enumerate(lines):
            for point in (line.get_xy1(), line.get_xy2()):  # both points lie on k_j = 0
                assert abs(np.dot(point, p.w[:, j]) + p.b[j]) < 1e-9
        assert ax.collections, "no boundary or points drawn"


def shown_html(monkeypatch, show, *args) -> str:
    from mlp.site import page

    out = []
    monkeypatch.setattr(page, "display", out.append)
    getattr(page, show)(*args)
    (html,) = out
    return html.data


def test_figures_reach_the_page_as_images_with_alt_text(monkeypatch):
    html = shown_html(monkeypatch, "figure", plots.network_diagram(), "the network & its loss")
    alt, data = re.fullmatch(r'<img class="mlp-figure" alt="([^"]*)" src="data:image/svg\+xml;base64,([^"]+)">',
                             html).groups()
    assert alt == "the network &amp; its loss"
    assert base64.b64decode(data).decode().lstrip().startswith("<?xml")
    with pytest.raises(ValueError, match="text alternative"):
        shown_html(monkeypatch, "figure", plots.network_diagram(), "  ")


def test_player_is_self_contained_with_a_frame_per_step(monkeypatch):
    html = shown_html(monkeypatch, "player", plots.backprop_animation(synthetic_inside.random_point()), "the graph, stepwise")
    assert "http://" not in html and "https://" not in html and 'class="fa' not in html
    assert len(re.findall(r'alt="the graph, stepwise"', html)) == 1
    assert html.count("data:image/svg+xml;base64,") == len(plots.GRAPH_STEPS) + 1


def test_targets_are_drawn_in_their_own_colour_not_the_gradients():
    fig = plots.backprop_graph(synthetic_inside.random_point())
    colours = {t.get_gid(): t.get_color() for t in fig.axes[0].texts if t.get_gid()}
    targets = {gid: colour for gid, colour in colours.items() if gid.startswith("t_")}
    gradients = {gid: colour for gid, colour in colours.items() if gid.startswith("d")}
    assert len(targets) == 2 and gradients
    assert set(gradients.values()) == {plots.GRADIENT}
    assert set(targets.values()) == {plots.TARGET} and plots.TARGET != plots.GRADIENT
    assert colours["caption"] and "targets t (blue)" in plots.GRAPH_KEY


def numbers(text: str) -> list[float]:
    """The plain numbers written in a label (those in math mode, $...$, left out)."""
    plain = re.sub(r"\$[^$]*\$", " ", text).replace("−", "-")
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", plain)]


def test_each_steps_arithmetic_ends_in_the_value_the_code_computes():
    point = synthetic_inside.random_point()
    fwd = scalar.forward(point["x"], point["params"])
    bwd = scalar.backward(point["x"], point["label"], point["params"], fwd)
    w, b, v, c = point["params"]
    expected = {"k": fwd.k[0], "h": fwd.h[0], "z": fwd.z[0], "y": fwd.y[0],
                "l": scalar.cross_entropy(fwd.z, point["label"]), "dz": bwd.dz[0], "dv": bwd.dv[0][0],
                "dh": bwd.dh[0], "dk": bwd.dk[0], "dw": bwd.dw[0][0]}
    for step, value in expected.items():
        assert close(numbers(plots.step_arithmetic(point, step))[-1], value), step
    # the factors shown multiply to the result shown, to their 3 digits
    dh, h, one_minus_h, dk = numbers(plots.step_arithmetic(point, "dk"))
    assert (dh, h) == (round(bwd.dh[0], 3), round(fwd.h[0], 3)) and abs(dh * h * one_minus_h - dk) < 1e-3 * abs(dk) * 10
    x1, w11, x2, w21, b1, k1 = numbers(plots.step_arithmetic(point, "k"))
    assert abs(x1 * w11 + x2 * w21 + b1 - k1) < 5e-3


def test_the_player_shows_the_highlighted_steps_arithmetic():
    point = synthetic_inside.random_point()
    for shown, (step, _) in enumerate(plots.GRAPH_STEPS, start=1):
        labels = texts(plots.backprop_graph(point, shown))
        if shown < len(plots.GRAPH_STEPS):
            assert labels["arithmetic"] == plots.step_arithmetic(point, step)
        else:
            assert "arithmetic" not in labels


def test_a_still_graph_highlights_no_step_and_writes_the_colour_key():
    point = synthetic_inside.random_point()
    n_forward = sum(not name.startswith("d") for name, _ in plots.GRAPH_STEPS)
    labels = texts(plots.backprop_graph(point, n_forward, step_by_step=False))
    assert labels["caption"] == plots.GRAPH_KEY and "arithmetic" not in labels
    assert "l_1" in labels and not any(gid.startswith("d") for gid in labels)
