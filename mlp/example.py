"""The course's running example: the 2-3-2 network at one seeded point where no gradient is zero.

- `running_example` is that point: an input, a label, weights and biases drawn from a
  seeded generator, with every node's value and gradient (`backprop_point`). Every Learn
  page works its numbers at it.
- `dry_run_point` is the report's Table 1, where dh = dk = dw = db = 0: a poor first
  example, since it hides the first layer's backward pass; `hidden_gradient_terms` says why.
- `loss_along` and `descend` follow the running example's network's loss on a few
  examples along one weight, the others held: the opening page's gradient descent.
"""

from __future__ import annotations

import numpy as np

from mlp import report, scalar
from mlp.params import Params

SEED = 1  # the running example's seed (every gradient non-zero at it; a test checks)
SIZES = (2, 3, 2)  # n_in, n_hid, n_out: the report's synthetic network


def backprop_point(x, label: int, params: Params) -> dict:
    """Every node of one example's forward and backward pass through the scalar form."""
    x, label, params = scalar.check_example(x, label, params)
    fwd = scalar.forward(x, params)
    return {"x": x, "label": label, "params": params, "forward": fwd,
            "backward": scalar.backward(x, label, params, fwd), "loss": scalar.cross_entropy(fwd.z, label)}


def random_point(seed: int = SEED, sizes=SIZES) -> dict:
    """`backprop_point` at an input, label, weights and biases drawn from a seeded generator.

    Inputs, weights and biases are standard normal, the label uniform over the classes.
    """
    rng = np.random.default_rng(seed)
    n_in, n_hid, n_out = sizes
    params = Params(rng.normal(size=(n_in, n_hid)), rng.normal(size=n_hid),
                    rng.normal(size=(n_hid, n_out)), rng.normal(size=n_out))
    return backprop_point(rng.normal(size=n_in), int(rng.integers(n_out)), params)


def running_example() -> dict:
    """The course's running example: `random_point` of the 2-3-2 network at `SEED`."""
    return random_point(SEED, SIZES)


def dry_run_point() -> dict:
    """`backprop_point` at Table 1's example and parameters."""
    return backprop_point(report.DRY_RUN_X, report.DRY_RUN_LABEL, report.DRY_RUN_PARAMS)


def all_gradients_nonzero(point: dict) -> bool:
    """Whether every node's and every parameter's gradient at ``point`` is non-zero."""
    return all(np.all(np.asarray(g) != 0) for g in point["backward"])


def hidden_gradient_terms(point: dict) -> dict:
    """Why dh_j = Σ_m dz_m v_jm vanishes or not, with two outputs.

    Softmax with cross-entropy gives dz = y − t, which sums to 1 − 1 = 0; with two
    outputs dz_2 = −dz_1, so dh_j = dz_1 (v_j1 − v_j2): zero exactly when row j of v has
    equal entries. Returns the sum of dz, each row's v_j1 − v_j2, dh, that product, and
    the largest gap between the two ways of computing dh_j.
    """
    dz, dh, v = point["backward"].dz, point["backward"].dh, point["params"].v
    if len(dz) != 2:
        raise ValueError(f"the two-output identity needs 2 outputs, got {len(dz)}")
    row_gaps = [row[0] - row[1] for row in v]
    product = [dz[0] * gap for gap in row_gaps]
    return {"dz_sum": sum(dz), "row_gaps": row_gaps, "dh": list(dh), "dz1_times_gap": product,
            "max_identity_error": max(abs(a - b) for a, b in zip(dh, product))}


def few_examples(n: int = 8, seed: int = SEED, n_in: int = SIZES[0], n_out: int = SIZES[2]) -> list:
    """``n`` seeded examples ``(x, label)``, inputs standard normal and labels uniform: the opening page's data."""
    rng = np.random.default_rng([seed, n])
    return [(x.tolist(), int(label)) for x, label in zip(rng.normal(size=(n, n_in)), rng.integers(n_out, size=n))]


def with_weight(params: Params, name: str, index: tuple, value: float) -> Params:
    """``params`` with the one entry ``name[index]`` (``"v", (0, 0)`` is v_11) set to ``value``."""
    arrays = params.asarrays()
    changed = getattr(arrays, name).copy()
    changed[index] = value
    return arrays._replace(**{name: changed})


def loss_and_slope(params: Params, examples, name: str, index: tuple, value: float) -> tuple[float, float]:
    """The loss summed over ``examples`` with one weight set to ``value``, and its slope there.

    The slope is that weight's gradient, from the scalar form's backward pass.
    """
    params = with_weight(params, name, index, value)
    loss = slope = 0.0
    for x, label in examples:
        l, grads = scalar.gradients(x, label, params)
        loss += l
        slope += float(np.asarray(getattr(grads, name))[index])
    return loss, slope


def loss_along(params: Params, examples, name: str, index: tuple, values) -> np.ndarray:
    """The summed loss for each value of one weight, every other parameter held."""
    return np.array([loss_and_slope(params, examples, name, index, value)[0] for value in values])


def descend(params: Params, examples, name: str, index: tuple, lr: float, steps: int) -> list[dict]:
    """Gradient descent on one weight alone: ``steps`` updates ``weight -= lr * slope`` from its value in ``params``.

    Returns each visited weight with its loss and slope, the start first.
    """
    if lr <= 0 or steps < 0:
        raise ValueError(f"need lr > 0 and steps >= 0, got lr={lr!r}, steps={steps!r}")
    weight = float(np.asarray(getattr(params, name))[index])
    path = []
    for _ in range(steps + 1):
        loss, slope = loss_and_slope(params, examples, name, index, weight)
        path.append({"weight": weight, "loss": loss, "slope": slope})
        weight -= lr * slope
    return path
