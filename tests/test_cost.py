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
