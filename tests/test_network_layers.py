"""The layers of `mlp.layers`: the report's network equals `vectorized`, other networks pass
a gradient check, and each layer's backward matches central differences on its own."""

import numpy as np
import pytest

import mlp
from mlp import exercises, gradcheck, layers, vectorized
from mlp.params import random_params

TOLERANCE = 1e-7  # relative error of an analytic gradient against central differences (float64)


def random_batch(n_in, n_out, rng, batch=5):
    return rng.normal(size=(batch, n_in)), rng.integers(n_out, size=batch)


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_the_reports_network_as_layers_equals_vectorized(reduction):
    rng = np.random.default_rng(0)
    params = random_params(4, 6, 3, rng)
    x, labels = random_batch(4, 3, rng)
    loss, grads = layers.gradients(layers.from_params(params, reduction), x, labels)
    expected_loss, expected = vectorized.gradients(x, labels, params, reduction)
    assert loss == pytest.approx(expected_loss, rel=1e-14)
    got = [g for d_params in grads for g in d_params]
    for name, g, e in zip(mlp.Params._fields, got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-14, err_msg=name)


@pytest.mark.parametrize("sizes, activation", [
    ((3, 4, 2), "tanh"), ((3, 4, 2), "relu"),
    ((3, 5, 4, 2), "sigmoid"), ((2, 4, 4, 3, 3), "tanh"), ((4, 6, 5, 3), "relu"), ((3, 2), "sigmoid")])
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_any_depth_and_activation_passes_a_gradient_check(sizes, activation, reduction):
    rng = np.random.default_rng(1)
    net = layers.network(sizes, activation, rng, reduction)
    x, labels = random_batch(sizes[0], sizes[-1], rng)
    _, grads = layers.gradients(net, x, labels)
    numerical = gradcheck.central_differences(lambda: layers.gradients(net, x, labels)[0], layers.parameters(net))
    analytic = [g for d_params in grads for g in d_params]
    assert len(analytic) == len(numerical) == 2 * (len(sizes) - 1)
    for a, n in zip(analytic, numerical):
        assert gradcheck.relative_error(a, n) < TOLERANCE


LAYERS = [lambda rng: layers.Linear(rng.normal(size=(4, 3)), rng.normal(size=3)),
          lambda rng: layers.Sigmoid(), lambda rng: layers.Tanh(), lambda rng: layers.ReLU()]


@pytest.mark.parametrize("make", LAYERS, ids=["Linear", "Sigmoid", "Tanh", "ReLU"])
def test_each_layers_backward_matches_central_differences(make):
    """Against the scalar L = Σ g ⊙ layer(a) for a random g, whose gradient in the output is g."""
    rng = np.random.default_rng(2)
    layer = make(rng)
    a = rng.normal(size=(5, 4))
    a[np.abs(a) < 1e-3] = 0.5  # away from ReLU's kink
    out = layer.forward(a)
    g = rng.normal(size=out.shape)
    d_in, d_params = layer.backward(g)
    numerical = gradcheck.central_differences(lambda: float(np.sum(g * layer.forward(a))), [a, *layer.params])
    for analytic, n in zip([d_in, *d_params], numerical):
        assert analytic.shape == n.shape
        assert gradcheck.relative_error(analytic, n) < TOLERANCE


def test_softmax_cross_entropy_backward_matches_central_differences():
    rng = np.random.default_rng(3)
    for reduction in ("sum", "mean"):
        loss_layer = layers.SoftmaxCrossEntropy(reduction)
        z, labels = rng.normal(size=(5, 3)), rng.integers(3, size=5)
        loss_layer.forward(z, labels)
        dz, d_params = loss_layer.backward()
        (numerical,) = gradcheck.central_differences(lambda: loss_layer.forward(z, labels), [z])
        assert d_params == () and gradcheck.relative_error(dz, numerical) < TOLERANCE


def test_an_unknown_activation_is_refused_with_the_names():
    with pytest.raises(ValueError, match="'sigmoid', 'tanh', 'relu'"):
        layers.Activation("softsign")


class StudentTanh(layers.Activation):
    """A student's tanh layer whose backward is given as ``backward(k, h, d_out)``."""

    def __init__(self, backward):
        super().__init__("tanh")
        self.rule = backward

    def backward(self, d_out):
        return self.rule(self.k, self.h, d_out), ()


def student(activation, rule):
    def make():
        layer = layers.Activation(activation)
        layer.backward = lambda d_out: rule(layer.k, layer.h, d_out)  # d_in alone, also accepted
        return layer
    return make


@pytest.mark.parametrize("activation, rule, expected", [
    ("tanh", lambda k, h, d: d * (1 - h * h), "Right"),
    ("relu", lambda k, h, d: d * (k > 0), "Right"),
    ("sigmoid", lambda k, h, d: d * h * (1 - h), "Right"),
    ("tanh", lambda k, h, d: d * (1 - k * k), "input k instead of the output h"),
    ("tanh", lambda k, h, d: d * (1 - h), "the square missing"),
    ("relu", lambda k, h, d: d * (d > 0), "mask taken after the layer"),
    ("relu", lambda k, h, d: d, "the derivative missing"),
    ("sigmoid", lambda k, h, d: d * k * (1 - k), "input k instead of the output h"),
    ("tanh", lambda k, h, d: -d * (1 - h * h), "the sign flipped"),
    ("tanh", lambda k, h, d: d * 0.5, "no usual mistake fits"),
])
def test_the_checker_names_a_students_layer_mistake(activation, rule, expected):
    verdict = exercises.check_layer(student(activation, rule), activation)
    assert expected in str(verdict)
    assert verdict.ok == (expected == "Right")
    assert (verdict.mistake is not None) == (expected not in ("Right", "no usual mistake fits"))


def test_the_checker_takes_a_layer_class_returning_d_in_and_d_params():
    assert exercises.check_layer(layers.Tanh, "tanh").ok
    assert exercises.check_layer(lambda: StudentTanh(lambda k, h, d: d * (1 - h * h)), "tanh").ok
    assert not exercises.check_layer(layers.Sigmoid, "tanh").ok  # a sigmoid is not a tanh
