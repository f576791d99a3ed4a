# %% [markdown]
# # Scalar network
#
# This page computes one example through the network node by node, with loops over plain
# Python floats, exactly as the report's eq. 2.1 and eq. 2.2 write each node, and works
# its values and gradients at the [running example](../gradients/#the-running-example),
# number by number. It is slow, and it is meant to be read. Symbols are those of the [notation](../notation/) page.
#
# The code cells print through `mlp.site.page`, the site's helpers for its pages
# (`page.md` shows Markdown, `page.table` a table, `page.figure` a figure, `page.source`
# a function's source as it is in the package; all in `mlp/site/page.py`).
#
# ## Forward pass (eq. 2.1)
#
# For one input $x$ with features $x_i$, the **forward pass** computes every node from
# the input to the loss, in this order:
#
# $$
# \begin{aligned}
# k_j &= \sum_i x_i w_{ij} + b_j, & h_j &= \sigma(k_j) = \frac{1}{1 + e^{-k_j}}, \\
# z_m &= \sum_j h_j v_{jm} + c_m, & y_m &= \frac{e^{z_m}}{\sum_n e^{z_n}} .
# \end{aligned}
# $$
#
# In the code each sum is a loop that adds into a node started at zero: `k[j] += x[i] *
# w[i][j]` runs over every $i$ before the bias $b_j$ is added, and likewise for `z[m]`.

# %% tags=["hide-input"]
from mlp import cost, example, plots, scalar
from mlp.site import page

page.source(scalar.forward)

# %% [markdown]
# ## The computational graph
#
# The forward pass of the running example, drawn as its **computational graph**: one box
# per quantity, with an arrow from each quantity to those computed from it. Inputs are at
# the top, the loss at the bottom; the weights and the bias entering a node are listed
# above it.

# %% tags=["hide-input"]
point = example.running_example()
n_forward = sum(not name.startswith("d") for name, _ in plots.GRAPH_STEPS)
page.figure(plots.backprop_graph(point, n_forward, step_by_step=False),
            "The running example's computational graph after the forward pass: inputs x1 and x2 at the top, "
            "then the weights and biases into k1 to k3, the hidden values h1 to h3, the weights into z1 and z2, "
            "the probabilities y1 and y2 and the loss l at the bottom, each box with its value")
page.md(f"The loss at the running example is {page.number('scalar.example.loss', '3g', value=point['loss'])}, "
        f"with true class $m^\\ast = {point['label'] + 1}$.")

# %% [markdown]
# How does the loss change when one weight is nudged? The graph answers it: a weight's
# effect travels down the arrows to the loss, and the chain rule follows it there.
#
# ## The chain rule, path by path
#
# Take a first-layer weight $w_{ij}$. It enters the network in one place,
# $k_j = \sum_i x_i w_{ij} + b_j$. From there its effect travels to $h_j = \sigma(k_j)$,
# and $h_j$ feeds every logit $z_m$, each of which feeds the loss. So there is one path
# from $w_{ij}$ to the loss for each output $m$:
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
# Each factor is the derivative of one line of the forward pass.
# $\partial k_j / \partial w_{ij} = x_i$ and $\partial z_m / \partial h_j = v_{jm}$ are
# read off the sums. The other two are derived on the next page,
# [Derivatives](../derivatives/): the sigmoid's, $\partial h_j / \partial k_j = h_j (1 -
# h_j)$, and that of softmax and cross-entropy together, $\partial l / \partial z_m =
# y_m - t_m$, with $t$ the one-hot target.
#
# Now a second weight of the same hidden unit, $w_{i'j}$: another input $i'$, the same
# unit $j$. Its paths are $w_{i'j} \to k_j \to h_j \to z_m \to l$, through the same
# $k_j$, $h_j$ and $z_m$:
#
# $$
# \frac{\partial l}{\partial w_{i'j}}
# = \sum_{m} (y_m - t_m)\; v_{jm}\; h_j (1 - h_j)\; x_{i'} .
# $$
#
# Every factor but the last is the same as for $w_{ij}$.

# %% [markdown] tags=["check"]
# `derivations.chain_rule_paths(i, j)` writes the sum over paths for the 2-3-2 network and
# compares it with SymPy's derivative (`sympy.diff`) of the network's whole loss, which
# knows nothing of paths; leave out the path through $z_2$ and the comparison fails. Then
# the two weights of one unit, divided by their inputs, are equal (here $w_{11}$ and
# $w_{21}$), and those of two units are not ($w_{11}$, $w_{22}$):

# %% tags=["check"]
import sympy as sp

from mlp import derivations

paths = derivations.chain_rule_paths(0, 0)  # w_11 (indices from 0 in code)
page.md(f"$${paths.lhs} = {sp.latex(paths.claimed)}$$")
one_path = derivations.chain_rule_paths(0, 0, outputs=[0])
assert paths.holds() and not one_path.holds()
print("the sum over both paths equals sympy.diff:", paths.holds())
print("the path through z_2 left out, it does:   ", one_path.holds())


def gradient(i, j):
    """dl/dw_ij as the sum over paths (indices from 0)."""
    return derivations.chain_rule_paths(i, j).claimed


x_1, x_2 = sp.symbols("x_1 x_2")
same_unit = sp.cancel(gradient(0, 0) / x_1 - gradient(1, 0) / x_2)
other_unit = sp.cancel(gradient(0, 0) / x_1 - gradient(1, 1) / x_2)
assert same_unit == 0 != other_unit
print("dl/dw_11 / x_1 - dl/dw_21 / x_2 is zero:", same_unit == 0)
print("dl/dw_11 / x_1 - dl/dw_22 / x_2 is zero:", other_unit == 0)

# %% [markdown]
# ### Naming the shared factors
#
# The shared factors have names: the gradient of the loss at each node, written with a
# `d` before the node's name ([notation](../notation/#the-gradients-dz-dh-dk)):
#
# $$
# \begin{aligned}
# dz_m &= \frac{\partial l}{\partial z_m} = y_m - t_m , \\
# dh_j &= \frac{\partial l}{\partial h_j} = \sum_m dz_m\, v_{jm} , \\
# dk_j &= \frac{\partial l}{\partial k_j} = dh_j\, h_j (1 - h_j) .
# \end{aligned}
# $$
#
# - $dz_m$ is shared by every path through $z_m$.
# - $dh_j$ is the sum over the paths from $h_j$; it is shared by every weight into
#   unit $j$.
# - $dk_j$ adds the sigmoid's factor, and then every first-layer weight's gradient is one
#   multiplication, $\partial l / \partial w_{ij} = x_i\, dk_j$, for every $i$.
#
# The second layer's gradients use the same $dz_m$: $\partial l / \partial v_{jm} = h_j\,
# dz_m$.
#
# Computed from the output back, $dz$ first, then $dh$, then $dk$, each factor is
# computed once and used by every gradient that contains it, and every local derivative
# is made of values the forward pass has already computed and kept: $h_j$, $y_m$, and the
# inputs and weights. This sweep from the loss back to the weights is the
# **backward pass**, and computing gradients this way is **backpropagation**: one backward pass,
# which reuses the forward pass's values and its own earlier factors, gives every
# gradient, instead of a fresh sum over paths for each weight.
#
# ## Backward pass (eq. 2.2)
#
# Going backwards, each gradient is the one after it times a local derivative:
#
# $$
# \begin{aligned}
# dz_m &= y_m - t_m
#   && \text{softmax and cross-entropy together} \\
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
# The report's eq. 2.2 writes $dw_{ij} = dh_j h_j (1 - h_j) x_i$ and
# $db_j = dh_j h_j (1 - h_j)$ in one step; the code names the shared factor $dk_j$.

# %% tags=["hide-input"]
page.source(scalar.backward)

# %% [markdown]
# Line by line:
#
# - `dz` is $y_m - t_m$: the target enters only here, as `1.0 if m == label else 0.0`.
# - In the double loop over $j$ and $m$, `dv[j][m] = h[j] * dz[m]` is
#   $\partial l / \partial v_{jm} = dz_m \cdot \partial z_m / \partial v_{jm}
#   = dz_m\, h_j$.
# - `dh[j] += dz[m] * v[j][m]` is the sum $dh_j = \sum_m dz_m v_{jm}$. The hidden unit
#   $h_j$ feeds every output $z_m$, so its gradient collects one term per output:
#   `dh[j]` starts at `0.0`, and after the inner loop over $m$ it holds the whole sum.
# - `dk` is where the sigmoid's derivative enters, from the stored $h_j$:
#   $dk_j = dh_j\, h_j (1 - h_j)$.
# - `dw[i][j] = dk[j] * x[i]` and `db = dk`: the first layer repeats the second's
#   pattern, with $x_i$ in place of $h_j$. Nothing flows back into $x$: it is data.
#
# ## Backpropagation on the graph
#
# The backward pass of the running example, step by step. Each step of the player
# highlights the nodes it computes and writes out its arithmetic for the first unit, with
# the numbers of the running example. The forward pass fills in the values from the top
# down, then the backward pass the gradients from the bottom up, in the order the code
# computes them. Forward values are black, gradients vermillion, and the targets $t$
# blue.

# %% tags=["hide-input"]
assert example.all_gradients_nonzero(point), "the running example has a zero gradient: choose another seed"
page.player(plots.backprop_animation(point),
            "Step-by-step player over the running example's graph: the forward pass writes each node's value "
            "from the inputs at the top to the loss at the bottom, then the backward pass writes each gradient "
            "from the loss back up to the first layer's weights; each step shows its arithmetic for the first unit")


def tagged(name, value):
    return page.number(f"scalar.example.{name}", "3g", value=value)


page.md("The backward pass's steps at the running example, for the first unit of each layer:")
page.table(["step", "arithmetic"], [[f"`{name}`", plots.step_arithmetic(point, name, tagged)]
                                    for name, _ in plots.GRAPH_STEPS if name.startswith("d")])

# %% [markdown]
# Every gradient is non-zero, the first layer's too: a mistake anywhere in the backward
# pass would change a number here. (The report's own worked example, its Table 1, is a
# point where the first layer's gradients are all exactly zero; the
# [reproduction report](../reproduction/#the-reports-dry-run-table-1) shows why that
# makes it a poor first example.)
#
# `scalar.gradients` is what the rest of the site calls: it checks its arguments, runs
# the forward and the backward pass, and returns the loss and the parameter gradients:

# %% tags=["hide-input"]
page.source(scalar.gradients)

# %% [markdown]
# The [gradient checking](../gradcheck/) page tests this function against nudges of
# every weight (finite differences) on random networks.
#
# ## Why backprop is cheap
#
# Two different savings hide in "backprop is cheap". Both are counted here from the
# network's sizes (`mlp.cost`), in multiplications per example.
#
# ### What the reuse saves
#
# The first is the reuse above. Without naming the shared factors, each parameter's
# gradient is its own sum over its paths, each path's factors multiplied anew: $n_\text{out}$
# paths of four factors for each $w_{ij}$, of three for each $b_j$, one path of two factors
# for each $v_{jm}$. The backward pass multiplies each shared factor once:

# %% tags=["hide-input"]
networks = [(2, 3, 2), (784, 300, 10)]
reuse = {sizes: cost.reuse(*sizes) for sizes in networks}
for r in reuse.values():
    assert r.sweep < r.paths, "the backward pass should need fewer multiplications than the paths"
assert abs(reuse[784, 300, 10].saving / (3 * 10) - 1) < 0.05, "784-300-10's saving should be near 3 n_out"


def name(sizes):
    return "_".join(map(str, sizes))


page.table(
    ["network", "sum over paths, per parameter", "backward pass", "paths / backward pass"],
    [["-".join(map(str, sizes)), page.number(f"cost.{name(sizes)}.paths", "int", value=r.paths),
      page.number(f"cost.{name(sizes)}.sweep", "int", value=r.sweep),
      page.number(f"cost.{name(sizes)}.saving", "1f", value=r.saving)] for sizes, r in reuse.items()])

# %% [markdown]
# Here each first-layer weight has one path per output, three multiplications each,
# against one multiplication per weight in the backward pass. Where the first layer holds
# most of the weights, as in 784-300-10, the saving comes close to three times the number
# of outputs. In a deeper network the paths from a weight multiply with every layer it
# must cross, and the saving grows with them.
#
# ### One loss, many parameters
#
# The second saving is about what is being differentiated: one number, the loss, by many
# parameters. One backward pass gives the derivative of that one number by every
# parameter at once. Nudging instead, as on the [opening page](../gradients/), needs two
# forward passes per parameter: the loss with the parameter nudged up and down
# (**central differences**, the method of [gradient checking](../gradcheck/)).

# %% tags=["hide-input"]
costs = {sizes: cost.count(*sizes) for sizes in networks}
for c in costs.values():
    assert c.backprop_passes < c.finite_difference_passes
page.table(
    ["network", "forward pass", "backward pass", "every gradient by backprop", "by central differences"],
    [["-".join(map(str, sizes)),
      page.number(f"cost.{name(sizes)}.forward", "int", value=c.forward),
      page.number(f"cost.{name(sizes)}.backward", "int", value=c.backward),
      page.number(f"cost.{name(sizes)}.backprop_passes", "2f", value=c.backprop_passes) + " forward passes",
      page.number(f"cost.{name(sizes)}.finite_difference_passes", "int", value=c.finite_difference_passes)
      + " forward passes"] for sizes, c in costs.items()])
mnist_cost = costs[784, 300, 10]
page.md(f"Forward and backward pass: multiplications per example, the matrix products only (the element-wise "
        f"$dk = dh\\, h (1 - h)$ counted in the table above is left out). For the MNIST network, 784-300-10, "
        f"central differences need "
        f"**{page.number('cost.784_300_10.finite_difference_passes', 'int', value=mnist_cost.finite_difference_passes)}"
        f" forward passes** for one gradient; backpropagation needs the work of "
        f"{page.number('cost.784_300_10.backprop_passes', '2f', value=mnist_cost.backprop_passes)} forward passes, "
        f"some {page.number('cost.784_300_10.speedup', '2sig', value=mnist_cost.speedup)} times less.")

# %% [markdown]
# This saving is that of differentiating in reverse, from the one output back to the many
# inputs. Differentiating forward instead (**forward mode**, which carries the derivative
# by one parameter along with the forward pass) would need one such pass per parameter:
# the right order when a few inputs drive many outputs, the wrong one here.
#
# ### The cost of the backward pass
#
# The table says a backward pass costs about one forward pass more. That holds here only
# because the backward pass never computes $dx$, the gradient at the input: the input is
# data, and nothing is updated from it. A layer inside a deeper network must pass the
# gradient on to the layer below, and then its backward pass needs two products, one for
# its weights' gradient ($dw$) and one for its input's ($dx$), each as large as its forward
# product: about twice its forward pass.

# %% tags=["hide-input"]
with_dx = {sizes: cost.backward_with_dx(*sizes) for sizes in networks}
for sizes, c in costs.items():
    assert with_dx[sizes] == 2 * c.forward
page.md(f"For 784-300-10, the backward pass with $dx$ would take "
        f"{page.number('cost.784_300_10.backward_with_dx', 'int', value=with_dx[784, 300, 10])} multiplications "
        f"against the forward pass's {page.number('cost.784_300_10.forward', 'int', value=mnist_cost.forward)}: "
        f"{page.number('cost.784_300_10.with_dx_per_forward', '2f', value=with_dx[784, 300, 10] / mnist_cost.forward)}"
        f" forward passes instead of "
        f"{page.number('cost.784_300_10.backward_per_forward', '2f', value=mnist_cost.backward_per_forward)}. "
        f"The [vectorized network](../vectorized/#exercises)'s first exercise derives $dx$.")

# %% [markdown]
# These are savings of the algorithm, not of the computer. The scalar code above does
# only these multiplications, one Python operation at a time; the
# [vectorized network](../vectorized/) does exactly the same ones as a few matrix products
# in compiled code, which is much faster per multiplication. That is **vectorization**: a
# speed-up of the same arithmetic. Backpropagation saves just as much in the slow scalar
# form as in the fast vectorized one. The two multiply.

# %% [markdown] tags=["overflow"]
# The three small functions that compute $\sigma$, the softmax and the loss return what
# their formulas say, rearranged so that no `math.exp` can overflow (`math.exp` raises
# `OverflowError` when the result exceeds the largest float):

# %% tags=["hide-input", "overflow"]
import math

page.source(scalar.sigmoid)
page.source(scalar.softmax)
page.source(scalar.cross_entropy)

# %% [markdown] tags=["overflow"]
# - **`sigmoid`.** For $k \ge 0$ it is $1 / (1 + e^{-k})$ as written. For $k < 0$,
#   $e^{-k}$ could overflow, so numerator and denominator are multiplied by $e^{k}$:
#   $\sigma(k) = e^{k} / (1 + e^{k})$, the same value. Either way the exponent is
#   $-|k| \le 0$.
# - **`softmax`.** Multiplying numerator and denominator by $e^{-M}$, with
#   $M = \max_n z_n$, changes nothing:
#   $y_m = e^{z_m - M} / \sum_n e^{z_n - M}$. Now every exponent is $\le 0$ (no overflow),
#   and the largest term is $e^0 = 1$, so the sum is at least 1 (no division by zero).
# - **`cross_entropy`.** It works from the logits, not from $y$:
#   $-\ln y_{m^\ast} = \ln \sum_n e^{z_n} - z_{m^\ast}
#   = M + \ln \sum_n e^{z_n - M} - z_{m^\ast}$, the **log-sum-exp** of the logits shifted by
#   $M$ as above. Taking the logarithm of a computed $y_{m^\ast}$ instead fails when the
#   true class is very unlikely: $y_{m^\ast}$ rounds to $0$ and its logarithm does not
#   exist.

# %% tags=["overflow"]
z, label = [0.0, 800.0], 0  # the true class is far less likely
print("softmax(z)          =", scalar.softmax(z))
print("cross_entropy(z, 0) =", scalar.cross_entropy(z, label))
try:
    math.log(scalar.softmax(z)[label])
except ValueError as error:
    print("log(softmax(z)[0])  -> ValueError:", error)
assert scalar.cross_entropy(z, label) == 800.0

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
# 2. **Predict.** Suppose every row of $v$ is constant, $v_{j1} = v_{j2} = \dots = v_{jK}$
#    for each $j$. For any input and label, what is $dh_j$?
#
# <details class="success"><summary>Solution</summary>
#
# Zero. With $v_{jm} = u_j$ for every $m$,
# $dh_j = \sum_m dz_m v_{jm} = u_j \sum_m (y_m - t_m) = u_j (1 - 1) = 0$, since the
# probabilities and the one-hot target each sum to 1. So $dk$, $dw$ and $db$ are zero too:
# a test point like this one cannot see a mistake in the first layer. The report's
# Table 1 is such a point ([reproduction report](../reproduction/#the-reports-dry-run-table-1)).
#
# </details>
#
# 3. **Implement.** Write your own `backward(x, label, params, fwd)`, returning
#    `scalar.Backward(dz, dv, dc, dh, dk, dw, db)`, and check it with
#    `mlp.exercises.check(backward, form="scalar")`. It compares every gradient with
#    `scalar.backward`'s and with central differences on small random networks, and names
#    the gradient that is wrong and the likely mistake. Below, the package's own backward
#    pass, then one that forgets the sigmoid's derivative ($dk_j = dh_j$):

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
