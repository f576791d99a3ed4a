# %% [markdown]
# # Scalar network
#
# The scalar form computes one example node by node, with loops over plain Python
# floats, exactly as the report's eq. 2.1 (forward) and eq. 2.2 (backward) write each
# node. It is slow, and it is meant to be read. The
# [vectorized network](../vectorized/) computes the same numbers for a batch at once.
# Symbols are those of the [notation](../notation/) page.
#
# ## Forward pass (eq. 2.1)
#
# For one input $x$ with features $x_i$:
#
# $$
# \begin{aligned}
# k_j &= \sum_i x_i w_{ij} + b_j, & h_j &= \sigma(k_j) = \frac{1}{1 + e^{-k_j}}, \\
# z_m &= \sum_j h_j v_{jm} + c_m, & y_m &= \frac{e^{z_m}}{\sum_n e^{z_n}} .
# \end{aligned}
# $$
#
# The report writes $k_j = x_i w_{ij} + b_j$ and $z_k = h_j v_{jk} + c_k$ with the sums
# over the repeated index left implicit, and names the output index $k$; here it is $m$.
# In the code each sum is a loop that adds into a node started at zero: `k[j] += x[i] *
# w[i][j]` runs over every $i$ before the bias $b_j$ is added, and likewise for `z[m]`.

# %% tags=["hide-input"]
import math

import numpy as np

import mlp
from mlp import report, scalar
from mlp.site import page

page.source(scalar.forward)

# %% [markdown]
# ## The activations and the loss
#
# The loss of one example is $l = -\ln y_{m^\ast}$, the negative log-probability of the
# true class $m^\ast$ (report eq. 2.5). Three small functions compute $\sigma$, the softmax
# and $l$. Each returns what its formula says, rearranged so that no `math.exp` can
# overflow (`math.exp` raises `OverflowError` when the result exceeds the largest float).

# %% tags=["hide-input"]
page.source(scalar.sigmoid)
page.source(scalar.softmax)
page.source(scalar.cross_entropy)

# %% [markdown]
# - **`sigmoid`.** For $k \ge 0$ it is $1 / (1 + e^{-k})$ as written. For $k < 0$,
#   $e^{-k}$ could overflow, so numerator and denominator are multiplied by $e^{k}$:
#   $\sigma(k) = e^{k} / (1 + e^{k})$, the same value. Either way the exponent is
#   $-|k| \le 0$.
# - **`softmax`.** Multiplying numerator and denominator by $e^{-M}$, with
#   $M = \max_n z_n$, changes nothing:
#   $y_m = e^{z_m - M} / \sum_n e^{z_n - M}$. Now every exponent is $\le 0$ (no overflow),
#   and the largest term is $e^0 = 1$, so the sum is at least 1 (no division by zero).
# - **`cross_entropy`.** It works from the logits, not from $y$:
#   $-\ln y_{m^\ast} = -\ln \frac{e^{z_{m^\ast}}}{\sum_n e^{z_n}}
#   = \ln \sum_n e^{z_n} - z_{m^\ast}
#   = M + \ln \sum_n e^{z_n - M} - z_{m^\ast}$ (log-sum-exp, shifted by $M$ as above).
#   Taking the logarithm of a computed $y_{m^\ast}$ instead fails when the true class is
#   very unlikely: $y_{m^\ast}$ rounds to $0$ and its logarithm does not exist.

# %%
z, label = [0.0, 800.0], 0  # the true class is far less likely
print("softmax(z)         =", scalar.softmax(z))
print("cross_entropy(z, 0) =", scalar.cross_entropy(z, label))
try:
    math.log(scalar.softmax(z)[label])
except ValueError as error:
    print("log(softmax(z)[0])  -> ValueError:", error)

# %% tags=["hide-input"]
assert scalar.cross_entropy(z, label) == 800.0

# %% [markdown]
# ## The chain rule, path by path
#
# How does the loss change when one first-layer weight $w_{ij}$ changes? The weight
# enters the network in one place, $k_j = \sum_i x_i w_{ij} + b_j$. From there its effect
# travels to $h_j = \sigma(k_j)$, and $h_j$ feeds every logit $z_m$, each of which feeds
# the loss. So there is one path from $w_{ij}$ to the loss for each output $m$:
#
# $$
# w_{ij} \;\to\; k_j \;\to\; h_j \;\to\; z_m \;\to\; l ,
# \qquad m = 1, \dots, n_\text{out} .
# $$
#
# The chain rule multiplies the local derivatives along each path and adds up the paths:
#
# $$
# \frac{\partial l}{\partial w_{ij}}
# = \sum_{m} \frac{\partial l}{\partial z_m}\,
#   \frac{\partial z_m}{\partial h_j}\,
#   \frac{\partial h_j}{\partial k_j}\,
#   \frac{\partial k_j}{\partial w_{ij}}
# = \sum_{m} (y_m - t_m)\; v_{jm}\; h_j (1 - h_j)\; x_i .
# $$
#
# Each factor is the derivative of one line of the forward pass:
# $\partial l / \partial z_m = y_m - t_m$ (softmax and cross-entropy together, from the
# [derivatives](../derivatives/#softmax-and-cross-entropy-together) page, with $t$ the
# one-hot target), $\partial z_m / \partial h_j = v_{jm}$ from
# $z_m = \sum_j h_j v_{jm} + c_m$, $\partial h_j / \partial k_j = h_j (1 - h_j)$
# ([the sigmoid's derivative](../derivatives/#the-sigmoid)), and
# $\partial k_j / \partial w_{ij} = x_i$.
#
# **Check.** `derivations.chain_rule_paths(i, j)` writes this sum for the report's 2-3-2
# network (indices from 0 in the code, from 1 in the symbols) and compares it with
# `sympy.diff` of the network's whole loss, which knows nothing of paths. For $w_{11}$,
# the two paths $m = 1, 2$; then the same sum with the path through $z_2$ left out:

# %%
import sympy as sp

from mlp import derivations

paths = derivations.chain_rule_paths(0, 0)  # w_11
page.md(f"$${paths.lhs} = {sp.latex(paths.claimed)}$$")
print("holds:", paths.holds())
one_path = derivations.chain_rule_paths(0, 0, outputs=[0])
print("the path through z_2 left out, holds:", one_path.holds())

# %% tags=["hide-input"]
assert paths.holds() and not one_path.holds()

# %% [markdown]
# Now a second weight of the same hidden unit, $w_{i'j}$: another input $i'$, the same
# unit $j$. Its paths are $w_{i'j} \to k_j \to h_j \to z_m \to l$, through the same
# $k_j$, $h_j$ and $z_m$:
#
# $$
# \frac{\partial l}{\partial w_{i'j}}
# = \sum_{m} (y_m - t_m)\; v_{jm}\; h_j (1 - h_j)\; x_{i'} .
# $$
#
# Every factor but the last is the same as for $w_{ij}$. Divided by their inputs, the two
# gradients are equal (here $w_{11}$ and $w_{21}$; a weight of another unit, $w_{22}$,
# differs):

# %%
def gradient(i, j):
    """dl/dw_ij as the sum over paths (indices from 0)."""
    return derivations.chain_rule_paths(i, j).claimed


x_1, x_2 = sp.symbols("x_1 x_2")
same_unit = sp.cancel(gradient(0, 0) / x_1 - gradient(1, 0) / x_2)
other_unit = sp.cancel(gradient(0, 0) / x_1 - gradient(1, 1) / x_2)
print("dl/dw_11 / x_1 - dl/dw_21 / x_2 is zero:", same_unit == 0)
print("dl/dw_11 / x_1 - dl/dw_22 / x_2 is zero:", other_unit == 0)

# %% tags=["hide-input"]
assert same_unit == 0 != other_unit

# %% [markdown]
# ### Naming the shared factors
#
# The shared factors have names, the gradient of the loss with respect to each node
# ([notation](../notation/#the-gradients-dz-dh-dk)):
#
# $$
# \begin{aligned}
# dz_m &= \frac{\partial l}{\partial z_m} = y_m - t_m
#   && \text{shared by every path through } z_m, \\
# dh_j &= \frac{\partial l}{\partial h_j} = \sum_m dz_m\, v_{jm}
#   && \text{the sum over the paths, shared by every weight into unit } j, \\
# dk_j &= \frac{\partial l}{\partial k_j} = dh_j\, h_j (1 - h_j) ,
# \end{aligned}
# $$
#
# and then every first-layer weight's gradient is one multiplication,
# $\partial l / \partial w_{ij} = x_i\, dk_j$, for every $i$. The second layer's
# gradients use the same $dz_m$: $\partial l / \partial v_{jm} = h_j\, dz_m$.
#
# Computed from the output back, $dz$ first, then $dh$, then $dk$, each factor is
# computed once and used by every gradient that contains it, and every local derivative
# is made of values the forward pass has already computed and kept: $h_j$, $y_m$, and the
# inputs and weights. So one backward sweep, which reuses the forward pass's values and
# its own earlier factors, gives every gradient, instead of a fresh sum over paths for
# each weight. That reuse is the whole idea of backprop. The backward pass below writes
# the sweep out for every parameter, and its code is exactly this sweep.
#
# ### What the reuse saves
#
# Counted in multiply-adds per example (`mlp.cost`, from the network's sizes), a
# backward pass costs about as much as a forward pass: the forward pass's products
# $x w$ and $h v$, against the backward pass's $h^\top dz$ (for $dv$), $dz\, v^\top$ (for
# $dh$) and $x^\top dk$ (for $dw$). The alternative that needs no derivation at all,
# central differences (the method of [gradient checking](../gradcheck/)), nudges one
# parameter up and down and runs the forward pass twice, for every parameter:

# %%
from mlp import cost

networks = [(2, 3, 2), (784, 300, 10)]
costs = {sizes: cost.count(*sizes) for sizes in networks}

# %% tags=["hide-input"]
page.table(
    ["network", "forward pass", "backward pass", "central differences"],
    [["-".join(map(str, sizes)), *(page.number(f"cost.{'_'.join(map(str, sizes))}.{part}", "int",
                                               value=getattr(c, part)) for part in ("forward", "backward")),
      page.number(f"cost.{'_'.join(map(str, sizes))}.finite_difference_passes", "int",
                  value=c.finite_difference_passes) + " forward passes"] for sizes, c in costs.items()])
mnist_cost = costs[784, 300, 10]
page.md(f"Forward and backward pass: multiply-adds per example; central differences: the "
        f"forward passes for every gradient, two per parameter. For the MNIST network, 784-300-10, central differences need "
        f"**{page.number('cost.784_300_10.finite_difference_passes', 'int', value=mnist_cost.finite_difference_passes)}"
        f" forward passes** for one gradient; backpropagation needs the work of about "
        f"{page.number('cost.784_300_10.backprop_passes', 'int', value=mnist_cost.backprop_passes)} "
        f"(its backward pass costs "
        f"{page.number('cost.784_300_10.backward_per_forward', '2f', value=mnist_cost.backward_per_forward)} "
        f"forward passes), some {page.number('cost.784_300_10.speedup', '2sig', value=mnist_cost.speedup)} "
        f"times less.")

# %% [markdown]
# This is a saving of the algorithm, not of the computer. The scalar code below does only
# these multiply-adds, one Python operation at a time; the
# [vectorized network](../vectorized/) does exactly the same multiply-adds as a few
# matrix products in compiled code, which is much faster per multiply-add. That is
# **vectorization**: a speed-up of the same arithmetic. **Backpropagation** is the
# algorithm that avoids recomputing shared factors, and it saves just as much in the
# slow scalar form as in the fast vectorized one. The two multiply.
#
# ## Backward pass (eq. 2.2)
#
# Going backwards, each gradient is the one after it times a local derivative. The two
# nonlinear ones are derived on the [derivatives](../derivatives/) page:
# [softmax with cross-entropy](../derivatives/#softmax-and-cross-entropy-together) and
# [the sigmoid](../derivatives/#the-sigmoid).
#
# $$
# \begin{aligned}
# dz_m &= y_m - t_m
#   && \text{softmax and cross-entropy together (eq. 5.4)} \\
# dv_{jm} &= h_j\, dz_m, \quad dc_m = dz_m
#   && \text{from } z_m = \textstyle\sum_j h_j v_{jm} + c_m \\
# dh_j &= \textstyle\sum_m dz_m\, v_{jm}
#   && h_j \text{ feeds every } z_m \\
# dk_j &= dh_j\, h_j (1 - h_j)
#   && \sigma'(k_j) = h_j (1 - h_j) \\
# dw_{ij} &= x_i\, dk_j, \quad db_j = dk_j
#   && \text{from } k_j = \textstyle\sum_i x_i w_{ij} + b_j
# \end{aligned}
# $$
#
# where $t$ is the one-hot target ($t_{m^\ast} = 1$). The report's eq. 2.2 writes
# $dw_{ij} = dh_j h_j (1 - h_j) x_i$ and $db_j = dh_j h_j (1 - h_j)$ in one step; the
# code names the shared factor $dk_j$, the gradient at the hidden pre-activation (the
# report's $\mathbf{k}\nabla$ in eq. 2.4).

# %% tags=["hide-input"]
page.source(scalar.backward)

# %% [markdown]
# Line by line:
#
# - `dz` is $y_m - t_m$: the target enters only here, as `1.0 if m == label else 0.0`.
# - In the double loop over $j$ and $m$, `dv[j][m] = h[j] * dz[m]` is
#   $\partial l / \partial v_{jm} = dz_m \cdot \partial z_m / \partial v_{jm}
#   = dz_m\, h_j$.
# - `dh[j] += dz[m] * v[j][m]` is the sum $dh_j = \sum_m dz_m v_{jm}$ of eq. 2.2. The
#   hidden unit $h_j$ feeds every output $z_m$, so its gradient collects one term per
#   output: `dh[j]` starts at `0.0`, and after the inner loop over $m$ it holds the whole
#   sum. (The report's own code does the same, `da1[i] += ...`.)
# - `dk` is where $\sigma'$ enters: $dk_j = dh_j \cdot \sigma'(k_j)$ with
#   $\sigma'(k_j) = \sigma(k_j)(1 - \sigma(k_j)) = h_j (1 - h_j)$, from the stored $h_j$.
# - `dw[i][j] = dk[j] * x[i]` and `db = dk`: the first layer repeats the second's
#   pattern, with $x_i$ in place of $h_j$. Nothing flows back into $x$: it is data.
#
# `scalar.gradients` is what the rest of the site calls: it checks its arguments, runs
# the forward and the backward pass, and returns the loss and the parameter gradients:

# %% tags=["hide-input"]
page.source(scalar.gradients)

# %% [markdown]
# The [gradient checking](../gradcheck/) page tests this function against finite
# differences on random networks.
#
# ## The report's dry run (Table 1)
#
# The report checked its code on one example through a 2-3-2 network with these values
# (Table 1; `mlp.report` holds them):

# %% tags=["hide-input"]
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

# %%
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
dry = page.results("dry_run")
assert math.isclose(dry["loss"], math.log(2), rel_tol=1e-15)
loss = page.number("dry_run.loss", "plain")
page.md(f"Loss: {loss} $= \\ln 2$.")

# %% [markdown]
# Backwards: $dz = y - t = (-\tfrac12, \tfrac12)$, hence $dc = dz$ and
# $dv_{jm} = \sigma(2)\, dz_m = \mp \sigma(2)/2$. And $dh_j = 0$ for every $j$: the two
# outputs' terms of the sum $\sum_m dz_m v_{jm}$ cancel, because $v_{j1} = v_{j2}$ in
# every row while $dz_1 = -dz_2$. The loop's accumulation, term by term:

# %%
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
# The value behind $0.4404$ is $\sigma(2)/2 = \frac{1}{2(1 + e^{-2})}$, which SymPy
# confirms exactly on the
# [derivatives](../derivatives/#the-whole-network-symbolically) page.

# %% [markdown]
# ## Backpropagation on the graph
#
# The same dry run drawn as its computational graph: every node carries its forward value
# (black) and the gradient of the loss at it (vermillion); every weight its value and its
# gradient, written where it enters its node. The numbers are read from
# `scalar.forward` and `scalar.backward` at Table 1's point. Step through the player:
# the forward pass fills in the values from left to right, the backward pass the
# gradients from right to left, in the order the code computes them.

# %% tags=["hide-input"]
from mlp import plots
from mlp.experiments import synthetic_inside

dry_point = synthetic_inside.dry_run_point()
assert dry_point["backward"] == bwd and dry_point["loss"] == dry["loss"]
page.player(plots.backprop_animation(dry_point),
            "Step-by-step player over the 2-3-2 network's graph at Table 1's point: the forward pass writes "
            "each node's value from the inputs to the loss, then the backward pass writes each gradient "
            "from the loss back to the first layer's weights")

# %% [markdown]
# At this point the first layer's gradients are all zero, so the backward pass looks as if
# it stopped at $h$. It does not: the same graph at a seeded random point, with inputs,
# weights and biases drawn from a standard normal, shows every gradient at work.

# %% tags=["hide-input"]
rand_point = synthetic_inside.random_point()
assert synthetic_inside.all_gradients_nonzero(rand_point), "the random point has a zero gradient: choose another seed"
assert not synthetic_inside.all_gradients_nonzero(dry_point)
page.figure(plots.backprop_graph(rand_point),
            "The 2-3-2 network's graph at a seeded random point, every node with its forward value and "
            "gradient and every weight with its value and gradient; none of the gradients is zero")
page.player(plots.backprop_animation(rand_point),
            "Step-by-step player over the same graph at the random point: forward values from the inputs "
            "to the loss, then gradients from the loss back to the first layer's weights")

# %% [markdown]
# Why do the two points differ? With softmax and cross-entropy, $dz = y - t$ sums to
# $\sum_m y_m - \sum_m t_m = 1 - 1 = 0$, so with two outputs $dz_2 = -dz_1$ and
#
# $$
# dh_j = dz_1 v_{j1} + dz_2 v_{j2} = dz_1\, (v_{j1} - v_{j2}) .
# $$
#
# $dh_j$ vanishes exactly when row $j$ of $v$ has two equal entries, whatever the input.
# Measured at both points (`synthetic_inside.hidden_gradient_terms`):

# %% tags=["hide-input"]
why = {name: synthetic_inside.hidden_gradient_terms(point) for name, point in
       (("Table 1's point", dry_point), ("the random point", rand_point))}
for terms in why.values():
    assert abs(terms["dz_sum"]) <= 1e-15 and terms["max_identity_error"] <= 1e-15
page.table(
    ["", "$\\sum_m dz_m$", "$v_{j1} - v_{j2}$, $j = 1, 2, 3$", "$dh_j$", "$dz_1 (v_{j1} - v_{j2})$"],
    [[name, page.number(f"scalar.{point}.dz_sum", "sci", value=terms["dz_sum"]),
      *(", ".join(page.number(f"scalar.{point}.{field}.{j}", "3g", value=value)
                  for j, value in enumerate(terms[field])) for field in ("row_gaps", "dh", "dz1_times_gap"))]
     for point, (name, terms) in zip(("dry_run", "random_point"), why.items())],
)
dry_gaps, rand_gaps = why["Table 1's point"]["row_gaps"], why["the random point"]["row_gaps"]
largest = max(terms["max_identity_error"] for terms in why.values())
rows_v = ", ".join("(" + ", ".join(f"{value:g}" for value in row) + ")" for row in dry_point["params"].v)
dry_rows = (f"the rows of $v$ are {rows_v}: every gap is zero" if not any(dry_gaps)
            else "a row of $v$ has unequal entries")
rand_rows = "no gap is zero" if all(rand_gaps) else "a gap is zero"
page.md(f"""
At Table 1's point {dry_rows}, so $dh = 0$, hence $dk_j = dh_j h_j (1 - h_j) = 0$, $dw_{{ij}} = x_i dk_j = 0$
and $db = dk = 0$: the two outputs' terms cancel before the sigmoid's derivative is used. At the random
point {rand_rows}, and every gradient of the first layer is non-zero. The identity
$dh_j = dz_1 (v_{{j1}} - v_{{j2}})$ holds at both points to {page.number("scalar.max_identity_error", "sci", value=largest)}. A check of the first layer's
backward pass needs a point like the second one, which is what [gradient checking](../gradcheck/) uses.
""")

# %% [markdown]
# ## Exercises
#
# 1. **Derive.** Write $\partial l / \partial w_{ij}$ by the chain rule through $k_j$, $h_j$
#    and every $z_m$. Which factor is the same for every input $i$?
#
# <details class="success"><summary>Solution</summary>
#
# $w_{ij}$ reaches the loss only through $k_j$, $k_j$ only through $h_j$, and $h_j$ through
# every logit $z_m$:
#
# $$
# \frac{\partial l}{\partial w_{ij}}
# = \sum_m \frac{\partial l}{\partial z_m} \frac{\partial z_m}{\partial h_j}
#   \frac{\partial h_j}{\partial k_j} \frac{\partial k_j}{\partial w_{ij}}
# = \Bigl(\sum_m (y_m - t_m)\, v_{jm}\Bigr)\, h_j (1 - h_j)\, x_i .
# $$
#
# Everything but $x_i$ is the same for every $i$: it is $dk_j$, so
# $dw_{ij} = x_i\, dk_j$, and the backward pass computes $dk_j$ once per hidden unit.
#
# </details>
#
# 2. **Predict.** In the report's dry run $dh = 0$. Suppose only that every row of $v$ is
#    constant, $v_{j1} = v_{j2} = \dots = v_{jK}$ for each $j$, for any input and label:
#    what is $dh_j$?
#
# <details class="success"><summary>Solution</summary>
#
# Zero. With $v_{jm} = u_j$ for every $m$,
# $dh_j = \sum_m dz_m v_{jm} = u_j \sum_m (y_m - t_m) = u_j (1 - 1) = 0$, since the
# probabilities and the one-hot target each sum to 1. So $dk$, $dw$ and $db$ are zero too:
# a test point like this one cannot see a mistake in the first layer.
#
# </details>
#
# 3. **Implement.** Write your own `backward(x, label, params, fwd)`, returning
#    `scalar.Backward(dz, dv, dc, dh, dk, dw, db)`, and check it with
#    `mlp.exercises.check(backward, form="scalar")`. It compares every gradient with
#    `scalar.backward`'s and with central finite differences on small random networks,
#    and names the gradient that is wrong and the likely mistake. Below, the package's own
#    backward pass, then one that forgets $\sigma'$ ($dk_j = dh_j$):

# %%
from mlp import exercises


def forgot_sigma_prime(x, label, params, fwd):
    """scalar.backward with dk = dh: the sigmoid's derivative left out."""
    right = scalar.backward(x, label, params, fwd)
    dk = right.dh
    dw = [[x_i * dk_j for dk_j in dk] for x_i in x]
    return right._replace(dk=dk, dw=dw, db=list(dk))


for backward in (scalar.backward, forgot_sigma_prime):
    verdict = exercises.check(backward, form="scalar")
    print(f"{backward.__name__}:\n{verdict}\n")
assert exercises.check(scalar.backward, form="scalar").ok
wrong = exercises.check(forgot_sigma_prime, form="scalar")
assert "σ′ missing" in str(wrong)
