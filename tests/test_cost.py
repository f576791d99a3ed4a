"""The cost of a gradient: backpropagation's multiply-adds against finite differences'."""

import numpy as np
import pytest

import mlp
from mlp import cost, gradcheck, vectorized


def test_the_2_3_2_network_counted_by_hand():
    # forward: x w is 2·3, h v is 3·2; backward: h^T dz and dz v^T are 3·2 each, x^T dk is 2·3
    counted = cost.count(2, 3, 2)
    assert counted.forward == 12
    assert counted.backward == 18
    assert counted.parameters == 17


def test_parameters_are_the_entries_of_the_initialized_network():
    for sizes in [(2, 3, 2), (784, 300, 10), (5, 1, 7)]:
        params = mlp.init_params(*sizes, rng=0)
        assert cost.count(*sizes).parameters == sum(np.size(field) for field in params)


def test_a_backward_pass_costs_about_one_forward_pass_on_the_mnist_network():
    counted = cost.count(784, 300, 10)
    assert 1 < counted.backward_per_forward < 1.05
    assert counted.finite_difference_passes == 2 * 238_510
    assert counted.speedup > 200_000


def test_finite_differences_evaluate_the_loss_twice_per_parameter():
    sizes = (3, 4, 2)
    params = mlp.init_params(*sizes, rng=1)
    x, labels = np.ones((2, 3)), np.array([0, 1])
    calls = []

    def loss(p):
        calls.append(1)
        return vectorized.cross_entropy(vectorized.forward(x, p).z, labels)

    gradcheck.numerical_gradients(loss, params)
    assert len(calls) == cost.count(*sizes).finite_difference_passes


@pytest.mark.parametrize("sizes,error,message", [
    ((0, 3, 2), ValueError, "n_in must be an integer >= 1, got 0"),
    ((2, 3.0, 2), TypeError, "n_hid must be an integer >= 1, got 3.0"),
    ((2, 3, True), TypeError, "n_out must be an integer >= 1, got True"),
])
def test_sizes_must_be_positive_integers(sizes, error, message):
    """The same checks as every size in the package (`mlp.checks.check_count`)."""
    with pytest.raises(error, match=message):
        cost.count(*sizes)


def chain_rule_paths(n_in, n_hid, n_out):
    """Every path from a parameter to the loss, as its list of local-derivative factors, enumerated."""
    paths = {}
    for i in range(n_in):
        for j in range(n_hid):
            paths[f"w{i}{j}"] = [["dz", f"v{j}{m}", f"s{j}", f"x{i}"] for m in range(n_out)]
    for j in range(n_hid):
        paths[f"b{j}"] = [["dz", f"v{j}{m}", f"s{j}"] for m in range(n_out)]
        for m in range(n_out):
            paths[f"v{j}{m}"] = [["dz", f"h{j}"]]
    for m in range(n_out):
        paths[f"c{m}"] = [["dz"]]
    return paths


@pytest.mark.parametrize("sizes", [(2, 3, 2), (784, 300, 10), (1, 1, 1), (3, 5, 4)])
def test_summing_paths_multiplies_every_paths_factors(sizes):
    if sizes == (784, 300, 10):  # too many paths to enumerate: by hand, 3·784·300·10 + 3·300·10
        assert cost.reuse(*sizes).paths == 7_065_000
        return
    paths = chain_rule_paths(*sizes)
    assert len(paths) == cost.count(*sizes).parameters
    assert cost.reuse(*sizes).paths == sum(len(p) - 1 for ps in paths.values() for p in ps)


def test_the_sweep_of_the_2_3_2_network_counted_by_hand():
    # dv: 3·2, dh: 3·2, dk = dh h(1 - h): 3, dw: 2·3
    assert cost.reuse(2, 3, 2).sweep == 21
    assert cost.reuse(784, 300, 10).sweep == 3_000 + 3_000 + 300 + 235_200


def test_the_saving_grows_with_the_outputs():
    # the paths of a first-layer weight are one per output; the sweep's dw is shared by them all
    savings = [cost.reuse(784, 300, n_out).saving for n_out in (1, 2, 10, 100)]
    assert all(a < b for a, b in zip(savings, savings[1:]))
    assert cost.reuse(784, 300, 10).saving > 25


def test_a_backward_pass_with_dx_costs_two_forward_passes():
    for sizes in [(2, 3, 2), (784, 300, 10), (5, 1, 7)]:
        assert cost.backward_with_dx(*sizes) == 2 * cost.count(*sizes).forward
