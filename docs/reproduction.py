# %% [markdown]
# # Reproduction report
#
# Every claim and number of the course report that an experiment or a derivation can
# test, beside what this site finds, and whether the two agree. Nothing in the "agrees"
# column is typed: each verdict is computed by the build from the results, by these
# rules.
#
# - **A reported number** (an accuracy) agrees when it lies inside the 95% confidence
#   interval of our mean over seeds for the same recipe.
# - **A ranking** ("the most consistent learning rate", "the worst batch size") agrees
#   when the same value comes first here. Consistency is the standard deviation over seeds
#   of the final validation accuracy.
# - **Convergence after epoch $e$**: the validation loss (mean over seeds) falls by less
#   than 5% of its value between epoch $e$ and the last epoch. **Overfitting after epoch
#   $e$**: the validation loss ends higher than it was at epoch $e$.
# - **Divergence** ("exploded"): the training loss ends higher than it started.
# - **An equation** agrees when SymPy reduces the difference between its own derivative
#   and the report's closed form to zero ([Derivatives](../derivatives/)).
#
# The logic lives in the package, in `mlp.experiments.table.claims`, and is tested there.
# The details behind each row are on the [synthetic](../synthetic/) and
# [MNIST](../mnist/) pages.

# %% tags=["hide-input"]
import numpy as np
import sympy as sp

import mlp
from mlp import derivations, report, vectorized
from mlp.experiments import init_scales, mnist, synthetic, table
from mlp.site import page

results = {name: page.results(name) for name in mlp.experiments.EXPERIMENTS}
claims = table.claims(results)
K = 3  # classes for the symbolic checks; the tests also check 2 and 10

if page.profile() != "full":
    page.md(f"*This build uses the `{page.profile()}` profile (1,000 training images, 2 epochs, 2 seeds): the "
            f"verdicts below are computed the same way as in the full build, but from barely trained networks, "
            f"and those about epoch 60 cannot be decided at all.*")


pct = page.FORMATS["percent"]  # as the site's tagged numbers are written


def verdict(agrees):
    return {True: "**yes**", False: "**no**", None: "*not decided in this build*"}[agrees]


def ci(s):
    return f"{pct(s['mean'])} (95% interval {pct(s['ci_low'])} – {pct(s['ci_high'])}, {s['n']} seeds)"


def rate(value):
    return f"{value:g}"


# Equations of the appendix, checked again (cheap for K = 3).
jacobian, gradient, bonus = (derivations.softmax_jacobian(K), derivations.cross_entropy_gradient(K),
                             derivations.bonus_single_term(K))
# The middle lines of eq. 5.1 and 5.2 as the report writes them, for two classes.
(z1, z2), (y1, y2), defs = derivations.softmax_definition(2)
total = sp.exp(z1) + sp.exp(z2)
middle_51 = -(sp.exp(z1) * total - sp.exp(z1) * sp.exp(z1)) / total**2
middle_52 = -(0 - sp.exp(z1) * sp.exp(z2)) / total**2
slip_51 = sp.cancel(middle_51 + (y1 * (1 - y1)).subs(defs)) == 0  # the middle line is minus the result
slip_52 = sp.cancel(middle_52 - (y1 * y2).subs(defs)) == 0  # it equals +y1 y2, the result says -y1 y2
assert slip_51 and slip_52, "the sign slips described in the table are not there"
# Eq. 2.2 / 2.4 at the dry-run point: SymPy's gradients (no backpropagation) against both forms.
dry = results["dry_run"]
symbolic = derivations.network_gradients().evaluate(report.DRY_RUN_X, report.DRY_RUN_LABEL, report.DRY_RUN_PARAMS)
backprop_error = max(float(np.abs(np.asarray(s) - np.asarray(g)).max()) for s, g in zip(symbolic, dry["scalar"]))
backprop_agrees = backprop_error < 1e-12 and dry["max_difference_between_forms"] < 1e-12

# %% [markdown]
# ## The table

# %% tags=["hide-input"]
c = claims
synth, sgd_runs = results["synthetic_data"], results["scalar_sgd"]["runs"]
epochs, n_train = sgd_runs[0]["run"]["epochs"], sgd_runs[0]["run"]["limit"] or 60_000
late, early = c["synthetic_converges"]["after"], c["mnist_sgd_overfits"]["after"]
h4 = results["mnist_sgd"]["run"]["history"]
gap_1, gap_end = (h4["train_accuracy"][e] - h4["val_accuracy"][e] for e in (1, -1))
report_steps, our_steps = 60_000 * 10, epochs * n_train
(_, synth_train), (_, synth_val), _ = mlp.data.load_synth()
rows = []


def row(section, claim, ours, agrees, why):
    rows.append([f"{section}: {claim}", ours, f"{verdict(agrees)}. {why}"])
    verdicts.append(agrees)


verdicts = []


row("4.1, Table 1", "dry run: $\\partial l/\\partial w = 0$, $\\partial l/\\partial b = 0$, "
    "$\\partial l/\\partial v = \\pm 0.4404$, $\\partial l/\\partial c = (-0.5, 0.5)$",
    f"largest difference {page.number('dry_run.max_difference_from_report', 'sci')}",
    c["dry_run"]["agrees"],
    "Every $k_j = 2$ and both columns of $v$ are equal, so $y = (\\frac12, \\frac12)$, "
    "$\\partial l/\\partial v_{jm} = \\sigma(2)(y_m - t_m)$ and $\\partial l/\\partial h_j = 0$, "
    "hence zero gradients for $w$ and $b$. "
    + ("Agreement to the report's 4 decimals." if c["dry_run"]["agrees"] else "The report's values differ."))
row("2.1–2.4", "the backward pass of eq. 2.2 (scalar) and 2.4 (vectorized)",
    f"SymPy vs scalar {backprop_error:.1e}; scalar vs vectorized "
    f"{page.number('dry_run.max_difference_between_forms', 'sci')}",
    backprop_agrees,
    "SymPy differentiates the loss directly, without any backpropagation rule; both forms match it at the "
    "dry-run point to rounding ([Gradient checking](../gradcheck/) checks other points).")
row("3.1", "synthetic set: 60,000 training and 10,000 validation points; label balance not stated",
    f"{len(synth_train):,} and {len(synth_val):,} points; class 1: {page.number('synthetic_data.train_fraction_1')} "
    f"(training), {page.number('synthetic_data.val_fraction_1')} (validation)",
    (len(synth_train), len(synth_val)) == (60_000, 10_000),
    "Same sizes. The report gives no balance; the larger class sets the baseline any classifier must beat.")
row("3.1", "100 epochs of SGD are \"60000*10 steps\"",
    f"{epochs} epochs × {n_train:,} points = {our_steps:,} updates", report_steps == our_steps,
    "100 epochs of 60,000 one-example updates are 6,000,000 updates; the report's product is a slip."
    if report_steps != our_steps else "Same count.")
acc = c["synthetic_accuracy"]
row("4.1", "synthetic validation accuracy 45.8%", ci(acc["ours"]), acc["agrees"],
    f"45.8% is {'below' if acc['below_majority'] else 'above'} the {pct(acc['majority'])} of always answering "
    f"class 1: worse than a constant. Seeds vary by {pct(acc['ours']['std'])}, "
    + ("far too little to explain it." if acc["ours"]["mean"] - 3 * acc["ours"]["std"] > report.SYNTH_ACCURACY
       and table.distinct(acc["ours"]["mean"] - 3 * acc["ours"]["std"], report.SYNTH_ACCURACY)
       else "too much in this build to rule it out."))
row("4.1", "losses \"converge after 60 epochs\"",
    "runs too short" if late is None else
    f"validation loss {late['val_loss_at']:.4f} at epoch 60, {late['val_loss_end']:.4f} at {late['last_epoch']} "
    f"({100 * late['drop']:.1f}% lower)",
    c["synthetic_converges"]["agrees"],
    "Runs stop before epoch 60." if late is None else
    ("The loss still falls markedly after epoch 60; on a linear axis the curve looks flat there, which is easy "
     "to read as convergence." if not late["converged"] else "The loss is flat after epoch 60."))
row("4.1", "after 60 epochs the model overfits, \"because loss of validation is larger than training\"",
    "runs too short" if late is None else
    f"validation loss {'rises' if late['rises'] else 'falls'} after epoch 60; at the end it is "
    f"{abs(late['val_minus_train_end']):.4f} {'above' if late['val_minus_train_end'] > 0 else 'below'} the training loss",
    c["synthetic_overfits"]["agrees"],
    "Runs stop before epoch 60." if late is None else
    "Overfitting needs a rising validation loss, not a small gap; "
    f"{sum(np.size(p) for p in sgd_runs[0]['params'])} parameters cannot memorize {n_train:,} points.")
sm = c["minibatch_beats_sgd"]
row("4.2, Fig. 4", "SGD on MNIST overfits after one epoch",
    f"validation loss {early['val_loss_at']:.3f} after epoch 1, {early['val_loss_end']:.3f} after epoch "
    f"{early['last_epoch']}", c["mnist_sgd_overfits"]["agrees"],
    f"The accuracy gap between training and validation {'grows' if gap_end > gap_1 else 'does not grow'} "
    f"({pct(gap_1)} after epoch 1, {pct(gap_end)} at the end), and the validation loss "
    + ("keeps falling: a generalization gap, not overfitting." if not early["rises"] else "rises: overfitting."))
row("4.2, Fig. 5", "mini-batch gradient descent outperforms SGD",
    f"after 5 epochs: SGD {page.number('mnist_sgd.run.held_out_accuracy')}, mini-batch "
    f"{page.number('mnist_minibatch.run.held_out_accuracy')}", sm["agrees"],
    "With the summed loss an epoch adds up the same per-example gradients at any batch size; Figure 5's "
    "learning rate is ten times smaller than Figure 4's, so each epoch moves the network about a tenth as far.")
for key, claim in (("lr_most_consistent", "learning rate $10^{-4}$ is the most consistent"),
                   ("lr_least_consistent", "learning rate $10^{-6}$ is the least consistent")):
    v = c[key]
    row("4.2, Fig. 6", claim,
        f"{'most' if key == 'lr_most_consistent' else 'least'}: {rate(v['found'])}; std over seeds "
        + ", ".join(f"{rate(lr)}: {pct(s)}" for lr, s in v["std"].items()),
        v["agrees"], "The report compared the widths of shaded bands by eye; here the spread is measured.")
ex = c["lr_explode"]
row("4.2", "learning rates $10^{-2}$ and $10^{-1}$ \"exploded\"",
    "; ".join(f"{rate(lr)}: training loss {ex['initial_loss'][lr]:.2f} → {ex['final_loss'][lr]:.2f}, "
              f"validation accuracy {pct(ex['accuracy'][lr])}" for lr in ex["diverged"]),
    ex["agrees"],
    "The loss only starts very high (standard-normal weights make the untrained network confidently wrong). "
    "Inference: the report may have taken that first loss for an explosion." if not ex["agrees"] else
    "Both diverge here too.")
b = c["lr_best"]
row("4.2", "learning rate $10^{-3}$ is the best", f"best on validation: {rate(b['found'])} "
    f"({pct(b['accuracy'][b['found']])}; {rate(report.BEST_LR)}: {pct(b['accuracy'][report.BEST_LR])})",
    b["agrees"], "Same choice." if b["agrees"] else
    ("The report discarded this rate as exploding (previous row)." if b["found"] in ex["diverged"]
     else "A smaller rate does better here."))
w = c["batch_worst"]
row("4.2, Fig. 7", "batch size 1000 is the worst (largest loss, lowest accuracy)",
    f"lowest accuracy: {w['lowest_accuracy']:,}; largest loss: {w['highest_loss']:,}; the four means lie within "
    f"{pct(w['spread'])}", w["agrees"],
    f"The means differ by {'less' if w['spread'] < w['typical_std'] else 'more'} than the typical std over seeds "
    f"({pct(w['typical_std'])}). With the summed loss an epoch sums the same gradients at any batch size; per "
    "update, as the report plotted, large batches lag because they make fewer updates.")
lo = c["batch_lowest_loss"]
row("4.2, Fig. 7", "batch size 100 has the lowest loss",
    f"lowest final training loss: {lo['found']:,} (" + ", ".join(f"{bs:,}: {v:.3f}" for bs, v in lo["loss"].items())
    + ")", lo["agrees"], "See the previous row for why batch sizes barely matter per epoch with the summed loss.")
fa = c["final_accuracy"]
row("4.2", "final test accuracy 93.14% (lr $10^{-3}$, batch 500, 4 epochs)", ci(fa["ours"]), fa["agrees"],
    "One run without a seed cannot be placed in a distribution; the report's number is "
    + ("inside our interval." if fa["agrees"] else
       ("above" if report.FINAL_ACCURACY > fa["ours"]["ci_high"] else "below") + " our interval for its recipe. "
       f"The same network reaches {page.number('final_model.tuned.test_accuracy.mean')} with a tuned recipe. "
       "The report states standard-normal weights only for its synthetic network; trained from other initial "
       "scales (MNIST page), its recipe "
       + ("cannot be placed in this build." if fa["inside_with"] is None else
          "brings the report's number inside the interval with none of them." if not fa["inside_with"] else
          "brings the report's number inside the interval with "
          + " and ".join(init_scales.describe(s) for s in fa["inside_with"]) + " weights, as measured.")))
row("5.1–5.3", "softmax Jacobian: $y_i(1 - y_i)$ if $i = j$, $-y_i y_j$ otherwise",
    f"SymPy, {K} classes: {'holds' if jacobian.holds() else 'fails'}", jacobian.holds(),
    "The results are right. The middle lines of 5.1 and 5.2 carry a stray minus sign in front of the quotient "
    "(as written, 5.1's middle line equals $-y_i(1-y_i)$ and 5.2's equals $+y_i y_j$); the last lines correct it.")
row("5.4", "$\\partial l / \\partial z_j = y_j - t_j$",
    f"SymPy, {K} classes: {'holds' if gradient.holds() else 'fails'}", gradient.holds(),
    "Differentiation gives $y_j \\sum_m t_m - t_j$; it is $y_j - t_j$ because the targets sum to one, a step "
    "the report uses without saying so.")
row("5.5", "bonus: $\\partial (-t_i \\ln y_i) / \\partial z_i = t_i y_i - t_i$, so only 5.4 is needed",
    f"SymPy, {K} classes: the single term {'holds' if bonus.single_term.holds() else 'fails'}; the other terms "
    f"add $y_i \\sum_{{m \\ne i}} t_m$: {'holds' if bonus.other_terms.holds() else 'fails'}",
    bonus.single_term.holds(),
    "The formula is right, but it is the whole gradient only at the true class; at any other logit the other "
    "loss terms add $y_i$ through the softmax's denominator, which 5.4 includes.")

page.table(["the report (section: claim)", "here", "agrees? why"], rows)

# %% [markdown]
# ## Summary

# %% tags=["hide-input"]
decided = [v for v in verdicts if v is not None]
page.md(f"Of the {len(verdicts)} claims, {len(decided)} are decided in this build: {sum(decided)} agree and "
        f"{len(decided) - sum(decided)} do not.")
assert c["dry_run"]["agrees"] and backprop_agrees, "the dry run no longer matches the report"
assert jacobian.holds() and gradient.holds() and bonus.holds()
assert acc["below_majority"]
if page.profile() == "full":
    assert acc["agrees"] is False and late is not None
    assert fa["agrees"] is not None
