# %% [markdown]
# # Reproduction report
#
# Every claim and number of the course report that an experiment or a derivation can
# test, beside what this site finds, and whether the two agree. Nothing in the "agrees"
# column is typed: each verdict is computed by the build from the results, by the rules
# below, and where the data cannot decide, the verdict says so. The logic lives in the
# package (`mlp.experiments.table.claims`, worded by `mlp.experiments.verdicts`) and is
# tested there. The details behind each row are on the [synthetic](../synthetic/) and
# [MNIST](../mnist/) pages.

# %% tags=["hide-input"]
import numpy as np

import mlp
from mlp import derivations, report, vectorized
from mlp.experiments import init_scales, mnist, synthetic, table, verdicts
from mlp.site import page

results = {name: page.results(name) for name in mlp.experiments.EXPERIMENTS}
claims = table.claims(results)
K = 3  # classes for the symbolic checks; the tests also check 2 and 10

if page.profile() != "full":
    page.md(f"*This build uses the `{page.profile()}` profile (1,000 training images, 2 epochs, 2 seeds): the "
            f"verdicts below are computed the same way as in the full build, but from barely trained networks; "
            f"those about epoch 60 cannot be decided at all, and this build counts them as *cannot tell*.*")




def verdict(agrees):
    return f"**{verdicts.word(agrees)}**"


def ci(key):
    s = page.lookup(key)
    return (f"{page.number(key + '.mean')} ({page.number(key + '.confidence', 'percent0')} interval "
            f"{page.interval(key)}, {s['n']} seeds)")


confidence = page.number("scalar_sgd.val_accuracy.confidence", "percent0")
page.md(f"""
- **A reported number** (an accuracy) agrees when it lies inside the {confidence} confidence interval of our
  mean over seeds for the same recipe (the interval says where the mean over seeds lies, not where one run
  lands). With one seed: cannot tell.
- **A ranking** ("the most consistent learning rate", "the worst batch size") agrees when the claimed value comes
  first here *and* a test at the {page.number("table.level", "percent0", table.LEVEL)} level separates it from
  the runner-up: Welch's t-test for means (it does not assume equal variances), the F-test for standard
  deviations. It disagrees when another value comes first and the test separates that one from the claimed one.
  Otherwise the data cannot tell. Consistency is the standard deviation over seeds of the final validation accuracy.
- **A comparison of two methods** is decided only when nothing else differs between their runs.
- **Convergence after epoch $e$** (this site's rule): the validation loss (mean over seeds) changes by less than
  {page.number("table.converged_tolerance", "percent0", table.CONVERGED_TOLERANCE)} of its value between epoch
  $e$ and the last epoch. The usual criterion in optimization is of the same kind, a stopping test: the change
  of the objective, or the size of its gradient, falls below a tolerance one chooses (Nocedal and Wright,
  *Numerical Optimization*, 2nd ed., 2006). The tolerance is a choice; this one is stated so it can be argued with.
- **Overfitting after epoch $e$** (this site's rule): the validation loss ends higher than it was at epoch $e$,
  the signal early stopping watches for (Goodfellow, Bengio and Courville, *Deep Learning*, 2016, chapter 7, on early stopping).
  The usual definition is broader: a model overfits when the gap between its training and test error is too
  large (same book, chapter 5, on capacity, overfitting and underfitting). The report reads its curves that way, which is a fair reading; but "too large"
  is not defined, so the table tests the stricter, measurable rule and says so.
- **Divergence** ("exploded"): the training loss ends higher than it started.
- **An equation** agrees when SymPy reduces the difference between its own derivative and the report's closed
  form to zero ([Derivatives](../derivatives/)).
""")


# Equations of the appendix, checked again (cheap for K = 3).
jacobian, gradient, bonus = (derivations.softmax_jacobian(K), derivations.cross_entropy_gradient(K),
                             derivations.bonus_single_term(K))
assert all(derivations.sign_slips()), "the sign slips described in the table are not there"
# Eq. 2.2 / 2.4 at the dry-run point: SymPy's gradients (no backpropagation) against both forms.
backprop = derivations.dry_run_backprop(results["dry_run"])
backprop_error, backprop_agrees = backprop["error"], backprop["agrees"]

# %% tags=["hide-input"]
c = claims
synth, sgd_runs = results["synthetic_data"], results["scalar_sgd"]["runs"]
epochs, n_train = sgd_runs[0]["run"]["epochs"], sgd_runs[0]["run"]["limit"] or 60_000
n_params = sum(np.size(p) for p in sgd_runs[0]["params"])
report_steps, our_steps = 60_000 * 10, epochs * n_train
(_, synth_train), (_, synth_val), _ = mlp.data.load_synth()
rows, verdicts_ = [], []


def row(section, claim, ours, agrees, why):
    rows.append([f"{section}: {claim}", ours, f"{verdict(agrees)}. {why}"])
    verdicts_.append((f"{section}: {claim}", agrees))


def holds(check):
    return "holds" if check else "fails"


row("4.1, Table 1", "dry run: $\\partial l/\\partial w = 0$, $\\partial l/\\partial b = 0$, "
    "$\\partial l/\\partial v = \\pm 0.4404$, $\\partial l/\\partial c = (-0.5, 0.5)$",
    f"largest difference {page.number('dry_run.max_difference_from_report', 'sci')}",
    c["dry_run"]["agrees"],
    "Every $k_j = 2$ and both columns of $v$ are equal, so $y = (\\frac12, \\frac12)$, "
    "$\\partial l/\\partial v_{jm} = \\sigma(2)(y_m - t_m)$ and $\\partial l/\\partial h_j = 0$, "
    "hence zero gradients for $w$ and $b$; the difference is below half a unit of the report's fourth decimal.")
row("2.1–2.4", "the backward pass of eq. 2.2 (scalar) and 2.4 (vectorized)",
    f"SymPy vs scalar {page.number('reproduction.backprop_error', 'sci', backprop_error)}; scalar vs vectorized "
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
row("4.1", f"synthetic validation accuracy {report.SYNTH_ACCURACY_TEXT}", ci("scalar_sgd.val_accuracy"), acc["agrees"],
    verdicts.synthetic_accuracy(acc, page.number))
late, early = c["synthetic_converges"]["after"], c["mnist_sgd_overfits"]["after"]
row("4.1", "losses \"converge after 60 epochs\"", *verdicts.convergence(c["synthetic_converges"], page.number)[:1],
    c["synthetic_converges"]["agrees"], verdicts.convergence(c["synthetic_converges"], page.number)[1])
ours, why = verdicts.overfitting(c["synthetic_overfits"], n_params, n_train, page.number)
row("4.1", "after 60 epochs the model overfits, \"because loss of validation is larger than training\"", ours,
    c["synthetic_overfits"]["agrees"], why)
ours, why = verdicts.mnist_overfitting(c["mnist_sgd_overfits"], page.number)
row("4.2, Fig. 4", "SGD on MNIST overfits after one epoch", ours, c["mnist_sgd_overfits"]["agrees"], why)
sm = c["minibatch_beats_sgd"]
row("4.2, Fig. 5", "mini-batch gradient descent outperforms SGD",
    f"after 5 epochs: SGD {page.number('mnist_sgd.run.held_out_accuracy')}, mini-batch "
    f"{page.number('mnist_minibatch.run.held_out_accuracy')}", sm["agrees"], verdicts.minibatch(sm, page.number))
for key, claim in (("lr_most_consistent", "learning rate $10^{-4}$ is the most consistent"),
                   ("lr_least_consistent", "learning rate $10^{-6}$ is the least consistent")):
    row("4.2, Fig. 6", claim, *verdicts.consistency(c[key], key, page.number)[:1], c[key]["agrees"],
        verdicts.consistency(c[key], key, page.number)[1])
ex = c["lr_explode"]
ours, why = verdicts.explode(ex, page.number)
row("4.2", "learning rates $10^{-2}$ and $10^{-1}$ \"exploded\"", ours, ex["agrees"], why)
ours, why = verdicts.best_rate(c["lr_best"], ex["diverged"], page.number)
row("4.2", "learning rate $10^{-3}$ is the best", ours, c["lr_best"]["agrees"], why)
ours, why = verdicts.worst_batch(c["batch_worst"], page.number)
row("4.2, Fig. 7", "batch size 1000 is the worst (largest loss, lowest accuracy)", ours, c["batch_worst"]["agrees"], why)
ours, why = verdicts.lowest_loss_batch(c["batch_lowest_loss"], page.number)
row("4.2, Fig. 7", "batch size 100 has the lowest loss", ours, c["batch_lowest_loss"]["agrees"], why)
fa = c["final_accuracy"]
row("4.2", f"final test accuracy {report.FINAL_ACCURACY_TEXT} (lr $10^{{-3}}$, batch 500, 4 epochs)",
    ci("final_model.report_recipe.test_accuracy"), fa["agrees"], verdicts.final_accuracy(fa, page.number))
row("5.1–5.3", "softmax Jacobian: $y_i(1 - y_i)$ if $i = j$, $-y_i y_j$ otherwise",
    f"SymPy, {K} classes: {holds(jacobian.holds())}", jacobian.holds(),
    "The results are right. The middle lines of 5.1 and 5.2 carry a stray minus sign in front of the quotient "
    "(as written, 5.1's middle line equals $-y_i(1-y_i)$ and 5.2's equals $+y_i y_j$); the last lines correct it.")
row("5.4", "$\\partial l / \\partial z_j = y_j - t_j$",
    f"SymPy, {K} classes: {holds(gradient.holds())}", gradient.holds(),
    "The result is right. Differentiation gives $y_j \\sum_m t_m - t_j$; it is $y_j - t_j$ because the targets "
    "sum to one, a step the report uses without saying so. Its first line, "
    "$\\partial l/\\partial o_j = -\\sum_i \\frac{\\partial l}{\\partial y_i}\\frac{\\partial y_i}{\\partial o_j}$, "
    "carries a stray minus (the chain rule has none there; the minus belongs to $\\partial l/\\partial y_i$), "
    "which the next line silently drops.")
row("5.5", "bonus: $\\partial (-t_i \\ln y_i) / \\partial z_i = t_i y_i - t_i$, so only 5.4 is needed",
    f"SymPy, {K} classes: the single term {holds(bonus.single_term.holds())}; the other terms "
    f"add $y_i \\sum_{{m \\ne i}} t_m$: {holds(bonus.other_terms.holds())}",
    bonus.single_term.holds(),
    "The formula is right, but it is the whole gradient only at the true class; at any other logit the other "
    "loss terms add $y_i$ through the softmax's denominator, which 5.4 includes.")

# %% [markdown]
# ## Summary

# %% tags=["hide-input"]
count = verdicts.tally(v for _, v in verdicts_)
page.md(f"""
Of the {count['total']} claims, {count['yes']} agree with what this site finds, {count['no']} do not, and for
{count['cannot tell']} the data here cannot tell.

**What the report got right.** {"; ".join(name for name, v in verdicts_ if v is True) or "None in this build"}.

**What does not hold here.** {"; ".join(name for name, v in verdicts_ if v is False) or "Nothing"}.

**What the data cannot decide.** {"; ".join(name for name, v in verdicts_ if v is None) or "Nothing"}.
""")

# %% [markdown]
# ## The table

# %% tags=["hide-input"]
page.table(["the report (section: claim)", "here", "agrees? why"], rows)

# %% tags=["hide-input"]
assert c["dry_run"]["agrees"] and backprop_agrees, "the dry run no longer matches the report"
assert jacobian.holds() and gradient.holds() and bonus.holds()
assert acc["below_majority"]
if page.profile() == "full":
    assert acc["agrees"] is False and late is not None
    assert fa["agrees"] is not None

# %% [markdown]
# ## The report's dry run (Table 1)
#
# The report checked its code on one example through a 2-3-2 network with these values
# (Table 1; `mlp.report` holds them). The Learn pages work a different point, the
# [running example](../gradients/#the-running-example), because this one is a poor first
# example: at it the first layer's gradients $dh$, $dk$, $dw$ and $db$ are all exactly
# zero, so the backward pass looks as if it stopped at $h$, and a mistake anywhere in the
# first layer's backward pass (a missing $\sigma'$, a wrong input in $dw$, a wrong sum in
# $dh$) would leave this table unchanged. The section below shows why.

# %% tags=["hide-input"]
import math

import sympy as sp

from mlp import example, plots, scalar


def matrix(rows):
    """A nested list (or one row) as a LaTeX matrix."""
    rows = rows if isinstance(rows[0], list) else [rows]
    body = r" \\ ".join(" & ".join(f"{v:g}" for v in row) for row in rows)
    return rf"$\begin{{bmatrix}} {body} \end{{bmatrix}}$"


w, b, v, c = report.DRY_RUN_PARAMS
t = [int(m == report.DRY_RUN_LABEL) for m in range(len(c))]
page.table(
    ["", "value", "", "value"],
    [["$x$", matrix(report.DRY_RUN_X), "$t$ (report: $\\hat y$)", matrix(t)],
     ["$w$", matrix(w), "$b$", matrix(b)],
     ["$v$", matrix(v), "$c$", matrix(c)]],
)

# %% [markdown]
# The forward pass, by hand: every column of $w$ is $(1, -1)$, so
# $k_j = 1 \cdot 1 + (-1)(-1) + 0 = 2$ and $h_j = \sigma(2)$ for all three hidden units.
# Both columns of $v$ are $(1, -1, -1)$, so $z_1 = z_2 = \sigma(2)(1 - 1 - 1) = -\sigma(2)$:
# equal logits, $y = (\tfrac12, \tfrac12)$, and the loss is $\ln 2$. The code:

# %% tags=["hide-input"]
fwd = scalar.forward(report.DRY_RUN_X, report.DRY_RUN_PARAMS)
page.table(
    ["node", "values"],
    [[f"${name}$", ", ".join(page.number(f"scalar.dry_run.{name}.{i}", "6f", value=value)
                             for i, value in enumerate(values))]
     for name, values in fwd._asdict().items()],
)
sigma_2 = scalar.sigmoid(2.0)
assert fwd.k == [2.0, 2.0, 2.0] and fwd.h == [sigma_2] * 3
assert fwd.z == [-sigma_2] * 2 and fwd.y == [0.5, 0.5]
dry = results["dry_run"]
assert math.isclose(dry["loss"], math.log(2), rel_tol=1e-15)
loss = page.number("dry_run.loss", "plain")
page.md(f"Loss: {loss} $= \\ln 2$.")

# %% [markdown]
# Backwards: $dz = y - t = (-\tfrac12, \tfrac12)$, hence $dc = dz$ and
# $dv_{jm} = \sigma(2)\, dz_m = \mp \sigma(2)/2$. And $dh_j = 0$ for every $j$: the two
# outputs' terms of the sum $\sum_m dz_m v_{jm}$ cancel, because $v_{j1} = v_{j2}$ in
# every row while $dz_1 = -dz_2$. The loop's accumulation, term by term:

# %% tags=["hide-input"]
bwd = scalar.backward(report.DRY_RUN_X, report.DRY_RUN_LABEL,
                      report.DRY_RUN_PARAMS, fwd)
rows = []
for j in range(len(b)):
    terms = [bwd.dz[m] * v[j][m] for m in range(len(c))]
    assert bwd.dh[j] == sum(terms) == 0.0
    rows.append([f"${j + 1}$", *(page.number(f"scalar.dry_run.dz_v.{j}.{m}", "signed4f", value=x)
                                 for m, x in enumerate(terms)),
                 page.number(f"scalar.dry_run.dh.{j}", "signed4f", value=bwd.dh[j])])
header = ["$j$", "$dz_1 v_{j1}$", "$dz_2 v_{j2}$", "`dh[j]`"]
page.table(header, rows)

# %% [markdown]
# With $dh = 0$, $dk = 0$, and so $dw = 0$ and $db = 0$ whatever the sigmoid's
# derivative: this dry run cannot catch a mistake in $\sigma'$ or in the first layer's
# gradients ([gradient checking](../gradcheck/#what-a-wrong-backward-pass-looks-like)
# can). The report's derivatives (section 4.1, to 4 decimals) beside the
# code's (`dry_run` results: the scalar form and the vectorized form on a batch of one):

# %% tags=["hide-input"]
rows = []
for f, name in enumerate(mlp.Params._fields):
    reported, by_scalar, by_vectorized = (
        dry[form][f] for form in ("report", "scalar", "vectorized"))
    for index in np.ndindex(reported.shape):
        subscript = "".join(str(i + 1) for i in index)
        at = ".".join(map(str, index))
        rows.append([f"$d{name}_{{{subscript}}}$", page.number(f"dry_run.report.{name}.{at}", "plain"),
                     page.number(f"dry_run.scalar.{name}.{at}", "6f"),
                     page.number(f"dry_run.vectorized.{name}.{at}", "6f")])
page.table(["derivative", "report", "scalar", "vectorized"], rows)
# the code agrees with the report to the report's 4 decimals
assert report.dry_run_agrees(dry["scalar"])
assert dry["max_difference_between_forms"] <= 1e-15
from_report = page.number("dry_run.max_difference_from_report", "sci")
between_forms = page.number("dry_run.max_difference_between_forms", "sci")
tolerance = page.number("report.dry_run_tolerance", "sci", value=report.DRY_RUN_TOLERANCE)
page.md(
    f"Largest difference from the report: {from_report}, within half a unit "
    f"({tolerance}) of its fourth decimal. Largest difference "
    f"between the two forms: {between_forms}."
)

# %% [markdown]
# The value behind $0.4404$ is $\sigma(2)/2 = \frac{1}{2(1 + e^{-2})}$.
#
# At this point SymPy also gives the gradient exactly, from `network_gradients()` (the
# loss of the 2-3-2 network differentiated by `sympy.diff`, no backpropagation rule used;
# see [Derivatives](../derivatives/#the-whole-network-symbolically)). $w$ and $b$ get exactly zero, $c$ gets
# $(-\tfrac12, \tfrac12)$, and every row of $v$ is $\pm \frac{1}{2(1 + e^{-2})}$,
# that is $\pm \sigma(2)/2$: the report's $\mp 0.4404$ (section 4.1) rounded.

# %% tags=["hide-input"]
def integers(values):
    """Table 1's values as exact integers, for SymPy."""
    return np.asarray(values, dtype=int)


dry_run_point = dict(
    x=integers(report.DRY_RUN_X),
    label=report.DRY_RUN_LABEL,
    params=report.DRY_RUN_PARAMS.map(integers),
)


def show(*lines):
    """Display LaTeX lines, aligned at their '&'."""
    page.md("$$\n\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}\n$$")


network = derivations.network_gradients()
exact = network.exact(**dry_run_point)
half_sigma_2 = 1 / (2 * (1 + sp.exp(-2)))  # sigma(2) / 2
signs = (exact.v / half_sigma_2).applyfunc(sp.cancel)
show(r"dv &= " + sp.latex(exact.v),
     r"&= \frac{1}{2(1 + e^{-2})}" + sp.latex(signs),
     r"dc &= " + sp.latex(exact.c))
assert signs == sp.Matrix([[-1, 1]] * 3)
half = sp.Rational(1, 2)
assert exact.c == sp.Matrix([[-half, half]])
assert exact.w.is_zero_matrix and exact.b.is_zero_matrix
page.md(f"$1 / (2 (1 + e^{{-2}}))$ = {page.number('reproduction.half_sigma_2', '4f', value=float(half_sigma_2))}.")
# the report's -0.4404 is this value to 4 decimals:
reported = report.DRY_RUN_GRADS.v[0][0]
assert abs(-float(half_sigma_2) - reported) < report.DRY_RUN_TOLERANCE

# %% [markdown]
# ### The dry run on the graph
#
# The same dry run drawn as its computational graph, as the
# [scalar network](../scalar/#backpropagation-on-the-graph) page draws the running
# example: forward values in black, gradients in vermillion, targets in blue. Step through
# the player: the forward pass fills in the values from the top down, the backward pass
# the gradients from the bottom up.

# %% tags=["hide-input"]
dry_point = example.dry_run_point()
assert dry_point["backward"] == bwd and dry_point["loss"] == dry["loss"]
page.player(plots.backprop_animation(dry_point),
            "Step-by-step player over the 2-3-2 network's graph at Table 1's point: the forward pass writes "
            "each node's value from the inputs to the loss, then the backward pass writes each gradient "
            "from the loss back to the first layer's weights")

# %% [markdown]
# At this point the first layer's gradients are all zero, so the backward pass looks as if
# it stopped at $h$. It does not: at the running example every gradient is at work.

# %% tags=["hide-input"]
rand_point = example.running_example()
assert example.all_gradients_nonzero(rand_point), "the running example has a zero gradient: choose another seed"
assert not example.all_gradients_nonzero(dry_point)

# %% [markdown]
# Why do the two points differ? With softmax and cross-entropy, $dz = y - t$ sums to
# $\sum_m y_m - \sum_m t_m = 1 - 1 = 0$, so with two outputs $dz_2 = -dz_1$ and
#
# $$
# dh_j = dz_1 v_{j1} + dz_2 v_{j2} = dz_1\, (v_{j1} - v_{j2}) .
# $$
#
# $dh_j$ vanishes exactly when row $j$ of $v$ has two equal entries, whatever the input.
# Measured at both points (`mlp.example.hidden_gradient_terms`):

# %% tags=["hide-input"]
why = {name: example.hidden_gradient_terms(point) for name, point in
       (("Table 1's point", dry_point), ("the running example", rand_point))}
for terms in why.values():
    assert abs(terms["dz_sum"]) <= 1e-15 and terms["max_identity_error"] <= 1e-15
page.table(
    ["", "$\\sum_m dz_m$", "$v_{j1} - v_{j2}$, $j = 1, 2, 3$", "$dh_j$", "$dz_1 (v_{j1} - v_{j2})$"],
    [[name, page.number(f"scalar.{point}.dz_sum", "sci", value=terms["dz_sum"]),
      *(", ".join(page.number(f"scalar.{point}.{field}.{j}", "3g", value=value)
                  for j, value in enumerate(terms[field])) for field in ("row_gaps", "dh", "dz1_times_gap"))]
     for point, (name, terms) in zip(("dry_run", "random_point"), why.items())],
)
dry_gaps, rand_gaps = why["Table 1's point"]["row_gaps"], why["the running example"]["row_gaps"]
largest = max(terms["max_identity_error"] for terms in why.values())
rows_v = ", ".join("(" + ", ".join(f"{value:g}" for value in row) + ")" for row in dry_point["params"].v)
dry_rows = (f"the rows of $v$ are {rows_v}: every gap is zero" if not any(dry_gaps)
            else "a row of $v$ has unequal entries")
rand_rows = "no gap is zero" if all(rand_gaps) else "a gap is zero"
page.md(f"""
At Table 1's point {dry_rows}, so $dh = 0$, hence $dk_j = dh_j h_j (1 - h_j) = 0$, $dw_{{ij}} = x_i dk_j = 0$
and $db = dk = 0$: the two outputs' terms cancel before the sigmoid's derivative is used. At the running
example {rand_rows}, and every gradient of the first layer is non-zero. The identity
$dh_j = dz_1 (v_{{j1}} - v_{{j2}})$ holds at both points to {page.number("scalar.max_identity_error", "sci", value=largest)}. A check of the first layer's
backward pass needs a point like the second one, which is what [gradient checking](../gradcheck/) uses.
""")

# %% [markdown]
# ## Corrections to the report's appendix
#
# The appendix's results (eq. 5.1–5.4) are right, and [Derivatives](../derivatives/)
# derives and checks them; a few of its intermediate lines are not:
#
# - **Eq. 5.1 and 5.2.** The middle lines carry a stray minus sign in front of the
#   quotient: as written, 5.1's middle line equals $-y_m(1 - y_m)$ and 5.2's equals
#   $+y_m y_n$. The last lines correct it.
# - **Eq. 5.4.** Its first line,
#   $\partial l/\partial o_j = -\sum_i \frac{\partial l}{\partial y_i}\frac{\partial y_i}{\partial o_j}$,
#   carries a stray minus: the chain rule has none there, and the minus belongs to
#   $\partial l/\partial y_i = -\hat y_i / y_i$; the next line drops it again. Its middle
#   lines swap the indices $i$ and $j$ here and there, and its last line means
#   $y_j - \hat y_j$.
# - **Eq. 5.5**, the bonus case, below.

# %% tags=["hide-input"]
slip_51, slip_52 = derivations.sign_slips()
assert slip_51 and slip_52
page.md(f"SymPy, on the middle lines of eq. 5.1 and 5.2 as the report writes them (two classes): \"the first "
        f"is minus the result\" {holds(slip_51)}; \"the second is $+y_1 y_2$\" {holds(slip_52)}.")

# %% [markdown]
# ### The report's bonus case (eq. 5.5)
#
# The report's bonus differentiates only the term of the loss that holds $y_n$,
# $-t_n \ln y_n$, by its own logit $z_n$:
#
# $$
# \frac{\partial (-t_n \ln y_n)}{\partial z_n}
# = -\frac{t_n}{y_n}\, y_n (1 - y_n) = t_n y_n - t_n .
# $$
#
# That derivative is right, but it is not $\partial l / \partial z_n$. The other terms
# $-t_m \ln y_m$, $m \ne n$, depend on $z_n$ too, through the softmax's denominator:
#
# $$
# \frac{\partial}{\partial z_n} \Bigl(-\sum_{m \ne n} t_m \ln y_m\Bigr)
# = -\sum_{m \ne n} \frac{t_m}{y_m} (-y_m y_n) = y_n \sum_{m \ne n} t_m .
# $$
#
# The full gradient is the single term plus the other terms:
# $t_n y_n - t_n + y_n \sum_{m \ne n} t_m = y_n \sum_m t_m - t_n = y_n - t_n$, eq. 5.4
# again. So eq. 5.5 is right, and it is a part of eq. 5.4, as the report remarks; it is
# not the gradient. For a one-hot target it equals the gradient only at the true
# class's logit ($t_n = 1$, the other $t_m = 0$: both give $y_n - 1$). At every other
# logit it gives $0$ where the gradient is $y_n$: a backward pass built on eq. 5.5 alone
# would leave the other classes' weights $v_{jm}$ and biases $c_m$ untouched.
#
# **Check.** `bonus_single_term(K)` derives both parts, for each logit $z_n$
# (one row per $n$). For $K = 2$:

# %% tags=["hide-input"]
def show_derivation(d, lhs=None, relation="="):
    """SymPy's derivative, then the claimed form on a new line."""
    show(f"{lhs or d.lhs} &= {sp.latex(d.derived)}", f"&{relation} {sp.latex(d.claimed)}")


bonus = derivations.bonus_single_term(2)
single = r"(-t_n \ln y_n)"
others = r"(-\textstyle\sum_{m \ne n} t_m \ln y_m)"
for part, term in [(bonus.single_term, single),
                   (bonus.other_terms, others)]:
    lhs = rf"\frac{{\partial {term}}}{{\partial z_n}}"
    show_derivation(part, lhs=rf"\Bigl({lhs}\Bigr)_n")
for n_classes in (2, 3, 10):
    bonus = derivations.bonus_single_term(n_classes)
    full = derivations.cross_entropy_gradient(n_classes)
    assert bonus.holds(), n_classes
    total = bonus.single_term.derived + bonus.other_terms.derived
    assert all(sp.cancel(d) == 0 for d in total - full.derived), n_classes
page.md("For $K$ = 2, 3 and 10 classes: eq. 5.5 holds, and the single term plus the other terms is the full "
        "gradient.")

# %% [markdown]
# What eq. 5.5 does not show: taken as the gradient, it fails the check of eq. 5.4. For a
# one-hot target with true class 1 of $K = 3$, the single term and the full gradient
# ($y - t$) differ at the other two logits:

# %% tags=["hide-input"]
K = 3
bonus = derivations.bonus_single_term(K)
full = derivations.cross_entropy_gradient(K)
as_gradient = full._replace(derived=bonus.single_term.derived)
assert not as_gradient.holds()
page.md(f"The single term taken as the gradient: {holds(as_gradient.holds())}.")
_, y, t, _, _ = derivations.cross_entropy_definition(K)
true_class_1 = {t_m: int(m == 0) for m, t_m in enumerate(t)}
single = bonus.single_term.claimed.subs(true_class_1)
gradient = full.claimed.subs(true_class_1)
show(r"\text{single term} &= " + sp.latex(single),
     r"\text{gradient } y - t &= " + sp.latex(gradient))
