"""Params: the container and its initialization."""

import numpy as np
import pytest

import mlp


def test_init_params_has_the_reports_shapes_normal_weights_and_zero_biases():
    p = mlp.init_params(784, 300, 10, rng=0)
    assert [f.shape for f in p] == [(784, 300), (300,), (300, 10), (10,)]
    assert p.sizes == (784, 300, 10)
    assert not p.b.any() and not p.c.any()
    # Standard normal weights (report 3.1): sample moments of 235,200 draws.
    assert abs(p.w.mean()) < 0.01 and abs(p.w.std() - 1) < 0.01


def test_init_params_is_seeded_and_leaves_the_global_rng_alone():
    state = np.random.get_state()
    a, b = mlp.init_params(3, 4, 2, rng=5), mlp.init_params(3, 4, 2, rng=np.random.default_rng(5))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a.w, mlp.init_params(3, 4, 2, rng=6).w)
    after = np.random.get_state()
    assert after[0] == state[0] and np.array_equal(after[1], state[1]) and after[2:] == state[2:]


@pytest.mark.parametrize("scale,std", [(0.1, 0.1), ("lecun", np.sqrt(1 / 400)), ("glorot", np.sqrt(2 / 500))])
def test_init_params_scales(scale, std):
    p = mlp.init_params(400, 100, 2, rng=1, scale=scale)
    assert p.w.std() == pytest.approx(std, rel=0.02)


def test_init_params_uniform_lies_within_one_over_root_fan_in_and_fills_it():
    p = mlp.init_params(400, 100, 50, rng=1, scale="uniform")
    for weights, fan_in in ((p.w, 400), (p.v, 100)):
        bound = 1 / np.sqrt(fan_in)
        assert np.abs(weights).max() <= bound and np.abs(weights).max() > 0.99 * bound
        assert weights.std() == pytest.approx(bound / np.sqrt(3), rel=0.02)  # std of U(-a, a) is a / sqrt(3)
    assert not p.b.any() and not p.c.any()


def test_init_params_rejects_xavier_naming_both_initializations():
    with pytest.raises(ValueError, match="lecun.*glorot"):
        mlp.init_params(2, 3, 2, rng=0, scale="xavier")


def test_init_params_float32():
    assert {f.dtype for f in mlp.init_params(3, 4, 2, rng=0, dtype=np.float32)} == {np.dtype(np.float32)}


@pytest.mark.parametrize("args,error,word", [((0, 3, 2), ValueError, "n_in"), ((2, 2.5, 2), TypeError, "n_hid"),
                                             ((2, 3, 1), ValueError, "n_out")])
def test_init_params_rejects_bad_sizes(args, error, word):
    with pytest.raises(error, match=word):
        mlp.init_params(*args, rng=0)


def test_init_params_rejects_bad_scale():
    for scale in (-1.0, "he"):
        with pytest.raises(ValueError, match="scale"):
            mlp.init_params(2, 3, 2, rng=0, scale=scale)


def test_params_arithmetic_is_field_by_field_so_a_step_reads_p_minus_lr_g():
    p = mlp.Params(np.ones((2, 3)), np.zeros(3), np.ones((3, 2)), np.zeros(2))
    g = mlp.Params(np.full((2, 3), 2.0), np.ones(3), np.ones((3, 2)), np.ones(2))
    step = p - 0.5 * g
    assert isinstance(step, mlp.Params)
    np.testing.assert_array_equal(step.w, np.zeros((2, 3)))
    np.testing.assert_array_equal(step.b, np.full(3, -0.5))
    np.testing.assert_array_equal((p + g * 2).c, np.full(2, 2.0))
    np.testing.assert_array_equal((-g).b, -np.ones(3))


def test_params_tolist_gives_plain_floats():
    lists = mlp.init_params(2, 3, 2, rng=0).tolist()
    assert type(lists.w[0][0]) is float and type(lists.c[0]) is float


def test_a_random_network_is_init_params_with_biases_drawn_from_the_same_stream():
    from mlp.params import random_params

    net = random_params(4, 3, 2, 7, scale="lecun", dtype=np.float32)
    plain = mlp.init_params(4, 3, 2, 7, scale="lecun", dtype=np.float32)
    assert np.array_equal(net.w, plain.w) and np.array_equal(net.v, plain.v)
    assert net.b.shape == (3,) and net.c.shape == (2,) and np.all(net.b != 0) and np.all(net.c != 0)
    assert all(p.dtype == np.float32 for p in net)
    assert all(np.array_equal(a, b) for a, b in zip(net, random_params(4, 3, 2, 7, scale="lecun", dtype=np.float32)))
    assert not np.array_equal(random_params(4, 3, 2, 8).b, random_params(4, 3, 2, 7).b)
