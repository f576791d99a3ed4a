"""The report's derivations, checked symbolically, and the networks checked against them."""

import numpy as np
import pytest
import sympy as sp

from mlp import derivations, report, scalar, vectorized
from mlp.params import random_params

CLASS_COUNTS = [2, 3, 10]


def test_sigmoid_derivative_is_sigma_times_one_minus_sigma():
    assert derivations.sigmoid_derivative().holds()


def test_sigmoid_check_rejects_a_wrong_claim():
    derivation = derivations.sigmoid_derivative()
    (sigma_k,) = derivation.definitions
    assert not derivation._replace(claimed=sigma_k).holds()


@pytest.mark.parametrize("K", CLASS_COUNTS)
def test_softmax_jacobian_matches_eq_5_3_for_K(K):
    jacobian = derivations.softmax_jacobian(K)
    assert jacobian.derived.shape == (K, K)
    assert jacobian.holds()


@pytest.mark.parametrize("K", CLASS_COUNTS)
def test_softmax_jacobian_check_rejects_dy_i_dz_i_equal_to_y_i(K):
    jacobian = derivations.softmax_jacobian(K)
    _, y, _ = derivations.softmax_definition(K)
    wrong = jacobian.claimed.as_mutable()
    for i in range(K):
        wrong[i, i] = y[i]
    assert not jacobian._replace(claimed=wrong).holds()


@pytest.mark.parametrize("K", CLASS_COUNTS)
def test_cross_entropy_gradient_matches_eq_5_4_for_K(K):
    assert derivations.cross_entropy_gradient(K).holds()


@pytest.mark.parametrize("K", CLASS_COUNTS)
def test_cross_entropy_gradient_needs_targets_summing_to_one(K):
    gradient = derivations.cross_entropy_gradient(K)
    _, y, t, _, _ = derivations.cross_entropy_definition(K)
    unconstrained = gradient._replace(constraints={})
    assert not unconstrained.holds()
    raw = sp.ImmutableMatrix([y_j * sum(t) - t_j for y_j, t_j in zip(y, t)])
    assert unconstrained._replace(claimed=raw).holds()


@pytest.mark.parametrize("K", CLASS_COUNTS)
def test_bonus_single_term_matches_eq_5_5_for_K(K):
    bonus = derivations.bonus_single_term(K)
    assert bonus.single_term.holds()
    assert bonus.other_terms.holds()
    assert bonus.holds()


@pytest.mark.parametrize("K", CLASS_COUNTS)
def test_bonus_single_term_plus_other_terms_is_the_full_gradient(K):
    bonus = derivations.bonus_single_term(K)
    full = derivations.cross_entropy_gradient(K)
    total = bonus.single_term.derived + bonus.other_terms.derived
    assert all(sp.cancel(entry) == 0 for entry in total - full.derived)


@pytest.mark.parametrize("K", [2, 3])
@pytest.mark.parametrize("label", [0, 1])
def test_bonus_single_term_is_the_gradient_only_at_the_label_logit(K, label):
    bonus = derivations.bonus_single_term(K)
    full = derivations.cross_entropy_gradient(K)
    _, _, t, _, _ = derivations.cross_entropy_definition(K)
    one_hot = {t_m: int(m == label) for m, t_m in enumerate(t)}
    gap = (full.derived - bonus.single_term.derived).subs(one_hot)
    for i, entry in enumerate(gap):
        assert (sp.cancel(entry) == 0) == (i == label)
    # Off the label, the single term is 0 while the gradient is y_i.
    assert bonus.single_term.derived.subs(one_hot)[1 - label] == 0


def test_softmax_definition_rejects_fewer_than_two_classes():
    with pytest.raises(ValueError, match=r"K \(the number of classes\) must be an integer >= 2"):
        derivations.softmax_definition(1)


def test_latex_renders_lhs_derived_and_claimed():
    latex = derivations.sigmoid_derivative().latex()
    assert latex.startswith(r"\frac{d\sigma}{dk} = ")
    assert r"e^{- k}" in latex and r"\sigma{\left(k \right)}" in latex
    assert latex.count(r"\\") == 0
    assert derivations.bonus_single_term(2).latex().count(r" \\ ") == 1


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("label", [0, 1])
def test_network_gradients_match_scalar_and_vectorized(seed, label):
    rng = np.random.default_rng(seed)
    params = random_params(2, 3, 2, rng)
    x = rng.normal(size=2)
    symbolic = derivations.network_gradients().evaluate(x, label, params)
    _, by_hand = scalar.gradients(x, label, params)
    _, batched = vectorized.gradients(x[None, :], [label], params)
    for expected in (by_hand.asarrays(), batched):
        for got, want in zip(symbolic, expected):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


# Table 1's point, in integers so that SymPy's exact gradients stay exact.
DRY_RUN = dict(x=[int(v) for v in report.DRY_RUN_X], label=report.DRY_RUN_LABEL,
               params=report.DRY_RUN_PARAMS.map(lambda a: np.asarray(a).astype(int).tolist()))


def test_network_gradients_at_the_dry_run_point_match_the_report():
    assert report.dry_run_agrees(derivations.network_gradients().evaluate(**DRY_RUN))


def test_network_gradients_at_the_dry_run_point_are_exactly_half_sigma_of_two():
    grads = derivations.network_gradients().exact(**DRY_RUN)
    half_sigma_2 = 1 / (2 * (1 + sp.exp(-2)))
    assert grads.w.is_zero_matrix and grads.b.is_zero_matrix
    assert grads.c == sp.Matrix([[-sp.Rational(1, 2), sp.Rational(1, 2)]])
    expected_v = sp.Matrix([[-half_sigma_2, half_sigma_2]] * 3)
    assert all(sp.cancel(entry) == 0 for entry in grads.v - expected_v)


def test_network_gradients_reject_a_label_outside_the_classes():
    with pytest.raises(ValueError, match="label"):
        derivations.network_gradients().evaluate(**{**DRY_RUN, "label": 2})


@pytest.mark.parametrize("i, j", [(0, 0), (1, 0), (1, 2)])
def test_the_chain_rules_sum_over_paths_is_the_derivative_of_the_loss(i, j):
    assert derivations.chain_rule_paths(i, j).holds()


@pytest.mark.parametrize("left_out", [0, 1])
def test_the_path_sum_with_a_path_left_out_does_not_hold(left_out):
    kept = [m for m in range(2) if m != left_out]
    assert not derivations.chain_rule_paths(0, 1, outputs=kept).holds()


def test_the_path_sum_without_the_sigmoids_derivative_does_not_hold():
    paths = derivations.chain_rule_paths(0, 0)
    h_1 = sp.Symbol("h_1")
    assert not paths._replace(claimed=paths.claimed / (h_1 * (1 - h_1))).holds()


def test_two_weights_of_one_hidden_unit_share_every_factor_but_their_input():
    first, second = derivations.chain_rule_paths(0, 1), derivations.chain_rule_paths(1, 1)
    x_1, x_2 = sp.symbols("x_1 x_2")
    assert sp.cancel(first.claimed / x_1 - second.claimed / x_2) == 0
    other_unit = derivations.chain_rule_paths(1, 2)
    assert sp.cancel(first.claimed / x_1 - other_unit.claimed / x_2) != 0


def test_chain_rule_paths_rejects_a_weight_outside_the_network():
    with pytest.raises(ValueError, match="w_ij"):
        derivations.chain_rule_paths(2, 0)


def test_the_reports_middle_lines_of_eq_5_1_and_5_2_carry_a_stray_minus():
    assert derivations.sign_slips() == (True, True)


def test_the_dry_runs_backward_pass_agrees_with_sympy_and_a_small_slip_is_caught():
    from mlp.experiments import synthetic

    dry = synthetic.dry_run("quick", [])
    found = derivations.dry_run_backprop(dry)
    assert found["agrees"] and found["error"] < 1e-12
    slipped = {**dry, "scalar": dry["scalar"]._replace(v=np.asarray(dry["scalar"].v) + 1e-9)}
    assert not derivations.dry_run_backprop(slipped)["agrees"]
    assert derivations.dry_run_backprop(slipped)["error"] == pytest.approx(1e-9, rel=1e-3)
    assert not derivations.dry_run_backprop({**dry, "max_difference_between_forms": 1e-9})["agrees"]


def test_the_layer_recursion_holds_for_a_three_layer_network():
    found = derivations.layer_recursion((2, 2, 2, 2))
    assert [d.lhs for d in found] == [rf"\frac{{\partial l}}{{\partial {p}_{l}}}" for l in (1, 2, 3) for p in "Wb"]
    assert all(d.holds() for d in found)


def test_a_wrong_layer_recursion_is_refused():
    import sympy as sp

    w1, b1, w2 = derivations.layer_recursion((2, 2, 2, 2))[:3]
    h1 = sp.symbols("h1_1:3")
    swapped = w2._replace(claimed=w2.claimed.subs({h1[0]: h1[1], h1[1]: h1[0]}, simultaneous=True))
    no_sigma_prime = b1._replace(claimed=b1.claimed.subs({h1[0]: sp.Rational(1, 2), h1[1]: sp.Rational(1, 2)}) * 4)
    transposed = w1._replace(claimed=w1.claimed.T)
    assert not any(d.holds() for d in (swapped, no_sigma_prime, transposed))


def test_sigma_is_known_by_the_sigmoids_own_derivative():
    import sympy as sp

    k = sp.Symbol("k")
    definition = 1 / (1 + sp.exp(-k))
    assert sp.cancel(derivations.sigma(k).diff(k).subs(derivations.sigma(k), definition) - definition.diff(k)) == 0
