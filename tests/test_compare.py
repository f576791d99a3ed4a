"""Comparing the two forms: the differences they report, and the seconds per example of a timing."""

import numpy as np
import pytest

import mlp
from mlp.compare import FIELDS, Difference, Timing, batch_vs_examples, difference, scalar_vs_vectorized, speed
from mlp.params import random_params


def test_difference_is_absolute_and_relative_to_the_reference():
    assert difference([1.0, 2.0], [1.0, 4.0]) == Difference(2.0, 0.5)
    assert difference(3.0, 3.0) == Difference(0.0, 0.0)
    assert difference([0.0], [0.0]) == Difference(0.0, 0.0)
    assert difference([1e-3], [0.0]).relative == np.inf


@pytest.fixture
def network():
    rng = np.random.default_rng(0)
    params = random_params(6, 5, 3, rng)
    return rng.normal(size=(4, 6)), rng.integers(0, 3, size=4), params


def test_batch_matches_the_sum_and_the_mean_of_its_examples(network):
    found = batch_vs_examples(*network)
    assert set(found) == {"sum", "mean"}
    assert all(set(fields) == set(FIELDS) for fields in found.values())
    assert all(d.relative < 1e-12 for fields in found.values() for d in fields.values())


def test_a_wrong_gradient_shows_as_a_large_difference(network, monkeypatch):
    """The forms' agreement itself is tested in test_networks.py; here, that the measure sees a fault."""
    x, labels, params = network
    right = scalar_vs_vectorized(x, labels, params)
    assert set(right) == set(FIELDS) and right["v"].relative < 1e-12
    original = mlp.vectorized.backward

    def off_by_a_bit(*args, **kwargs):
        result = original(*args, **kwargs)
        return result._replace(dv=result.dv * 1.01)

    monkeypatch.setattr(mlp.vectorized, "backward", off_by_a_bit)
    assert scalar_vs_vectorized(x, labels, params)["v"].relative > 1e-3


def test_speed_reports_seconds_per_example_of_each_form(monkeypatch):
    """Each form's round is ``number`` passes of ``batch_size`` examples: its seconds per
    example divide by both."""
    import mlp.compare

    numbers = iter([10, 20, 4])  # passes per timing, as timeit's autorange would find them
    monkeypatch.setattr(mlp.compare.timeit.Timer, "autorange", lambda self: (next(numbers), 0.2))
    monkeypatch.setattr(mlp.compare, "interleaved", lambda functions, rounds: {
        i: np.array([0.2, 0.4, 0.2][:rounds]) for i in functions})
    timings = speed(mlp.init_params(5, 4, 3, rng=0), batch_sizes=(1, 8), repeat=3)
    assert [(t.form, t.batch_size) for t in timings] == [("scalar", 1), ("vectorized", 1), ("vectorized", 8)]
    assert [t.seconds for t in timings] == [[0.02, 0.04, 0.02], [0.01, 0.02, 0.01], [0.00625, 0.0125, 0.00625]]
    assert [t.examples_per_second for t in timings] == [50.0, 100.0, 160.0]
