# %% [markdown]
# # Vectorized network
#
# The [scalar network](../scalar/) computes one example node by node. The vectorized form
# computes a whole batch of $B$ examples at once, with two matrix products forward and
# three backward. It is the report's section 2.2 (eq. 2.3 and 2.4): the same network and the
# same derivatives, written for matrices whose **rows are examples**. Symbols are those of
# the [notation page](../notation/); $r$ numbers the rows (examples) of a batch.
#
# ## Forward: eq. 2.3
#
# Stack the $B$ inputs as the rows of $x$. Each layer is then one matrix product, and each
# bias, a row vector, is added to every row (NumPy's broadcasting; $\mathbf 1$ below is
# a column of $B$ ones):
#
# $$
# \begin{aligned}
# k &= x w + \mathbf 1 b, & h &= \sigma(k), \\
# z &= h v + \mathbf 1 c, & y &= \operatorname{softmax}(z) \text{ (row by row)}, \\
# L &= \textstyle\sum_{r=1}^{B} l_r = -\sum_{r} \ln y_{r m^\ast_r} .
# \end{aligned}
# $$
#
# Here $m^\ast_r$ is the true class of row $r$, and $L$ is the loss of the batch: the sum of its
# examples' losses, as in the report.
#
# Entry by entry this is the scalar form once per row:
# $k_{rj} = \sum_i x_{ri} w_{ij} + b_j$ and $z_{rm} = \sum_j h_{rj} v_{jm} + c_m$.
# The sigmoid acts on each entry; the softmax normalizes each row on its own.
#
# ## Backward: eq. 2.4
#
# In the site's notation (the report's $\mathbf{z}\nabla$ is `dz`, its $\hat{\mathbf y}$
# is $t$, its $\otimes$ is the element-wise product $\odot$):
#
# $$
# \begin{aligned}
# dz &= y - t, \\
# dv &= h^\top dz, & dc &= \mathbf 1^\top dz, \\
# dh &= dz\, v^\top, \\
# dk &= dh \odot h \odot (1 - h), \\
# dw &= x^\top dk, & db &= \mathbf 1^\top dk .
# \end{aligned}
# $$

# %% tags=["hide-input"]
from mlp.site import page

page.quiz("shape_dw")

# %% [markdown]
# Every gradient has the shape of its variable. The table is computed from the arrays of
# a real forward and backward pass of the MNIST network (784-300-10) on a batch of 100,
# and the build fails if any shape differs from the one written in the first columns.

# %% tags=["hide-input"]
import numpy as np

import mlp
from mlp import compare, cost, vectorized
from mlp.site import page

sizes = {"B": 100, "n_in": 784, "n_hid": 300, "n_out": 10}
rng = np.random.default_rng(0)
params = mlp.init_params(sizes["n_in"], sizes["n_hid"], sizes["n_out"], rng)
x, labels = rng.normal(size=(sizes["B"], sizes["n_in"])), rng.integers(0, sizes["n_out"], size=sizes["B"])
fwd = vectorized.forward(x, params)
bwd = vectorized.backward(x, labels, params, fwd)

SHAPES = [  # (name, formula, symbolic shape)
    ("x", "input rows", ("B", "n_in")),
    ("k", "$x w + \\mathbf 1 b$", ("B", "n_hid")),
    ("h", "$\\sigma(k)$", ("B", "n_hid")),
    ("z", "$h v + \\mathbf 1 c$", ("B", "n_out")),
    ("y", "$\\operatorname{softmax}(z)$", ("B", "n_out")),
    ("dz", "$y - t$", ("B", "n_out")),
    ("dv", "$h^\\top dz$", ("n_hid", "n_out")),
    ("dc", "$\\mathbf 1^\\top dz$ (column sums)", ("n_out",)),
    ("dh", "$dz\\, v^\\top$", ("B", "n_hid")),
    ("dk", "$dh \\odot h \\odot (1 - h)$", ("B", "n_hid")),
    ("dw", "$x^\\top dk$", ("n_in", "n_hid")),
    ("db", "$\\mathbf 1^\\top dk$ (column sums)", ("n_hid",)),
]
arrays = {"x": x, **fwd._asdict(), **bwd._asdict()}
rows = []
for name, formula, symbolic in SHAPES:
    actual = arrays[name].shape
    assert actual == tuple(sizes[s] for s in symbolic), (name, actual)
    pretty = "(" + ", ".join(f"$n_\\text{{{s[2:]}}}$" if s.startswith("n_") else "$B$" for s in symbolic)
    rows.append([f"`{name}`", formula, pretty + (",)" if len(symbolic) == 1 else ")"), f"`{actual}`"])
assert [arrays["d" + f].shape for f in "wbvc"] == [p.shape for p in params]
page.table(["array", "formula", "shape", "shape here (784-300-10, B = 100)"], rows)

# %% [markdown]
# ## Where each transpose comes from
#
# Each line of eq. 2.4 is the scalar rule of eq. 2.2 with the batch index $r$ written
# out, summed where a variable is shared by the rows. For the summed loss $L$:
#
# - **$dz = y - t$.** Row $r$'s logits affect only row $r$'s loss, so each row gets its
#   own scalar gradient $y_{rm} - t_{rm}$ (the softmax and the cross-entropy together,
#   [derived](../derivatives/) from the report's eq. 5.4).
# - **$dv = h^\top dz$ sums over the batch.** The weight $v_{jm}$ is used by every row:
#   $z_{rm} = \sum_j h_{rj} v_{jm} + c_m$. Its gradient therefore collects every row's
#   contribution, $\partial L/\partial v_{jm} = \sum_r h_{rj}\, dz_{rm}$. The index being
#   summed, $r$, is the first index of both $h$ and $dz$; a matrix product sums over the
#   *inner* index, so $h$ is transposed: $(n_\text{hid}, B)(B, n_\text{out})$. For $B = 1$
#   it is the outer product $dv_{jm} = h_j\, dz_m$ of eq. 2.2.
# - **$dc = \mathbf 1^\top dz$.** The bias $c_m$ is added to every row, so its gradient is
#   the column sum of $dz$. The report prints $\mathbf c\nabla = \mathbf z\nabla$ (and
#   $\mathbf b\nabla = \mathbf k\nabla$), which is right for one example but has one row
#   per example for a batch; the code sums the rows (`dz.sum(axis=0)`).
# - **$dh = dz\, v^\top$ does not sum over the batch.** $h_{rj}$ feeds only row $r$'s
#   logits, all of them: $\partial L/\partial h_{rj} = \sum_m dz_{rm} v_{jm}$. The summed
#   index is now the output index $m$, the second index of both $dz$ and $v$, so it is
#   $v$ that is transposed: $(B, n_\text{out})(n_\text{out}, n_\text{hid})$, one row per
#   example.
# - **$dk = dh \odot h \odot (1 - h)$** is element-wise: $h_{rj}$ depends on $k_{rj}$
#   alone, and $\sigma'(k) = \sigma(k)(1 - \sigma(k)) = h(1 - h)$.
# - **$dw = x^\top dk$ sums over the batch**, exactly like $dv$: $w_{ij}$ is shared by
#   every row, $\partial L/\partial w_{ij} = \sum_r x_{ri}\, dk_{rj}$. And $db$ is the
#   column sum of $dk$.
#
# A rule of thumb that the shapes enforce: a parameter's gradient sums over the batch
# (a transpose on the *left* operand, or a column sum); an activation's gradient keeps
# one row per example (a transpose on the *right* operand, a weight matrix).
#
# ## Summed or mean loss
#
# Nothing in eq. 2.4 divides by $B$: as printed it is the gradient of the **summed** loss
# $L = \sum_r l_r$, and `reduction="sum"` (the default) computes exactly that. The report's
# learning rates were chosen for it. With `reduction="mean"` the loss is $L/B$ and every
# gradient is divided by $B$. The code divides $dz$ alone: every later gradient is linear
# in $dz$, so the factor $1/B$ reaches all of them. How this changes the learning rate is
# on the [training page](../training/#summed-or-mean-loss).
#
# ## The code
#
# The forward pass, eq. 2.3, as it is in the package:

# %% tags=["hide-input"]
page.source(vectorized.forward)

# %% [markdown]
# The backward pass, eq. 2.4, one line per gradient. It takes the forward pass's
# intermediates (only $h$ and $y$ are needed) rather than recomputing them:

# %% tags=["hide-input"]
page.source(vectorized.backward)

# %% [markdown]
# `forward` and `backward` assume checked arrays of one dtype; `vectorized.gradients`
# checks its arguments and returns the loss and `Params(dw, db, dv, dc)`, as the scalar
# form does:

# %% tags=["hide-input"]
page.source(vectorized.gradients)

# %% [markdown]
#
# ### Activations that cannot overflow
#
# Written naively, all three functions overflow. $e^{-k}$ exceeds the largest float64 for
# $k < -709$ (float32: $k < -88.7$), and $e^{z}$ for large logits. Each has an
# equivalent form whose exponentials lie in $(0, 1]$:
#
# - **sigmoid**: for $k \ge 0$, $\sigma(k) = 1/(1 + e^{-k})$; for $k < 0$ the same value is
#   $e^{k}/(1 + e^{k})$. Both use only $e^{-|k|} \le 1$.
# - **softmax**: $\operatorname{softmax}(z) = \operatorname{softmax}(z - s)$ for any
#   constant $s$ in a row; with $s = \max_n z_n$ the largest exponent is $0$.
# - **cross-entropy** from the logits, by log-sum-exp:
#   $-\ln y_{m^\ast} = \ln \sum_n e^{z_n} - z_{m^\ast} = s + \ln \sum_n e^{z_n - s} - z_{m^\ast}$.
#   It stays finite when $y_{m^\ast}$ itself rounds to $0$ (a confident wrong answer),
#   where $-\ln y_{m^\ast}$ would be infinite.

# %% tags=["hide-input"]
page.source(vectorized.sigmoid)
page.source(vectorized.softmax)
page.source(vectorized.cross_entropy)

# %% [markdown]
# ## It computes what the scalar form computes
#
# Random networks (weights of standard deviation $\sqrt{1/n_\text{in}}$, the
# **LeCun initialization**, so that the sigmoids are not saturated and no gradient is
# trivially zero, and random biases; Glorot and Bengio's initialization, also called
# Xavier, is the close relative $\sqrt{2/(n_\text{in} + n_\text{out})}$), random inputs and labels. Each example
# goes through `scalar.gradients` and, as a batch of one, through `vectorized.gradients`.
# The table gives the largest difference over the examples, absolute and relative to the
# largest entry of the vectorized value. The 20-16-10 network gets 10 examples; the
# 784-300-10 network, the MNIST one, gets two, as the scalar form takes a noticeable
# fraction of a second per example there.

# %%
def random_case(n_in, n_hid, n_out, examples, seed):
    rng = np.random.default_rng(seed)
    params = mlp.params.random_params(n_in, n_hid, n_out, rng, scale="lecun")
    x = rng.normal(size=(examples, n_in))
    return x, rng.integers(0, n_out, size=examples), params


agreement = {
    "20-16-10": compare.scalar_vs_vectorized(
        *random_case(20, 16, 10, examples=10, seed=1)),
    "784-300-10": compare.scalar_vs_vectorized(
        *random_case(784, 300, 10, examples=2, seed=2)),
}
worst = max(d.relative for found in agreement.values()
            for d in found.values())
assert worst < 1e-12

# %% tags=["hide-input"]
def label(field):
    return "loss $L$" if field == "loss" else f"`d{field}`"


def difference(key, found):
    """An absolute / relative difference (`compare.Difference`), both numbers tagged."""
    return " / ".join(page.number(f"{key}.{part}", "sci", value=getattr(found, part))
                      for part in ("absolute", "relative"))


page.table(
    [""] + [f"{name}: abs. / rel." for name in agreement],
    [[label(field)] + [difference(f"vectorized.agreement.{name.replace('-', '_')}.{field}", found[field])
                       for name, found in agreement.items()] for field in compare.FIELDS],
)
epsilon = page.number("float64.machine_epsilon", "sci", value=np.finfo(np.float64).eps)
page.md(f"The largest relative difference is "
        f"{page.number('vectorized.agreement.largest_relative', 'sci', value=worst)}: a few units of float64's "
        f"rounding (machine epsilon {epsilon}), as the two forms add the same terms "
        "in different orders. The build asserts it is below $10^{-12}$.")

# %% [markdown]
# ## A batch's gradient is the sum of its examples' gradients
#
# With `reduction="sum"` the gradient of a batch is the sum of the gradients of its
# examples, each computed on its own by the scalar form; with `reduction="mean"` it is
# that sum divided by $B$. Checked on a batch of 8 examples of a 20-16-10 network:

# %%
batch = compare.batch_vs_examples(
    *random_case(20, 16, 10, examples=8, seed=3))
assert all(d.relative < 1e-12 for found in batch.values()
           for d in found.values())

# %% tags=["hide-input"]
page.table(
    ["", 'batch, `reduction="sum"`, against the sum over examples',
     'batch, `reduction="mean"`, against the sum / 8'],
    [[label(field)] + [page.number(f"vectorized.batch.{reduction}.{field}.relative", "sci",
                                   value=found[field].relative) for reduction, found in batch.items()]
     for field in compare.FIELDS],
)

# %% [markdown]
# Relative differences, as above. The [gradient-checking page](../gradcheck/) checks both
# forms against finite differences, which is what makes this agreement mean "both are
# right" rather than "both are equally wrong".
#
# ## How much faster
#
# The point of vectorizing is speed. Both forms run the same algorithm, backpropagation,
# and do the same multiply-adds
# ([counted on the scalar page](../scalar/#what-the-reuse-saves)): vectorizing does them
# faster, it does not do fewer of them. Below, one forward and one backward pass of each
# form on the 784-300-10 network, timed with `timeit` **while this page was built, on the
# machine that built it**: the scalar form on one example, the vectorized form on one
# example and on a batch of 100. The forms take turns over several rounds, so that a
# change in the machine's load touches them alike, and the table gives each form's
# median round. NumPy hands its matrix products to a **BLAS** (Basic Linear Algebra
# Subprograms), a compiled library of vector and matrix routines that can use several
# threads; here it is held to one thread, as the scalar form runs on one core.

# %%
network = mlp.init_params(784, 300, 10, rng=0, scale="lecun")
timings = compare.speed(network, batch_sizes=(1, 100), repeat=5)

# %% tags=["hide-input"]
scalar_speed = timings[0].examples_per_second
page.table(
    ["form", "time per example", "examples per second", "speed-up"],
    [[f"{t.form}, {'one example' if t.batch_size == 1 else f'batch of {t.batch_size}'}",
      page.number(f"vectorized.speed.{t.form}_{t.batch_size}.median", "duration", value=t.median),
      page.number(f"vectorized.speed.{t.form}_{t.batch_size}.examples_per_second", "int",
                  value=t.examples_per_second),
      page.number(f"vectorized.speed.{t.form}_{t.batch_size}.speedup", "int",
                  value=t.examples_per_second / scalar_speed) + "×"] for t in timings],
)
assert all(t.examples_per_second > scalar_speed for t in timings[1:])
single_speedup, batch_speedup = (t.examples_per_second / scalar_speed for t in timings[1:])
multiply_adds = cost.count(784, 300, 10).forward + cost.count(784, 300, 10).backward
page.md(f"On a batch of 100 the vectorized form processes about "
        f"**{page.number('vectorized.speed.batch_speedup', 'int', value=batch_speedup)} times** as many "
        f"examples per second as the scalar form. Two factors multiply. On a single example it is "
        f"already {page.number('vectorized.speed.single_speedup', 'int', value=single_speedup)} times faster: "
        f"the scalar form performs its "
        f"{page.number('cost.784_300_10.multiply_adds', 'int', value=multiply_adds)} multiply-adds "
        "($x w$, $x^\\top dk$, $h v$, $h^\\top dz$, "
        "$dz\\, v^\\top$) one interpreted Python operation at a time, the vectorized form in compiled "
        f"loops. Batching gains another factor of "
        f"{page.number('vectorized.speed.batching_gain', 'int', value=batch_speedup / single_speedup)}: each NumPy call "
        "has a fixed cost that a batch shares among its examples, and a matrix-matrix product keeps the "
        "processor far busier than a vector-matrix one. The numbers depend on the machine and on its "
        "load while the site was built.")

# %% [markdown]
# The [training page](../training/) puts both forms into one training loop.

# %% [markdown]
# ## Exercises
#
# 1. **Derive** the gradient of the summed loss with respect to the input, $dx$ (training
#    does not need it; a network stacked on top of another would). What is its shape?
#
# <details class="success"><summary>Solution</summary>
#
# $k_{rj} = \sum_i x_{ri} w_{ij} + b_j$, so $\partial L / \partial x_{ri} = \sum_j dk_{rj}\,
# w_{ij}$: the sum runs over $j$, the second index of both, so $dx = dk\, w^\top$, shape
# $(B, n_\text{in})$, one row per example like every activation's gradient.
#
# </details>
#
# 2. **Predict.** A student writes `dv = dz.T @ h`. Does NumPy raise an error? What does
#    happen?
#
# <details class="success"><summary>Solution</summary>
#
# No error: $(n_\text{out}, B)(B, n_\text{hid})$ is a valid product, of shape
# $(n_\text{out}, n_\text{hid})$, the transpose of the right $dv$. The update
# `v -= lr * dv` then fails to broadcast, unless $n_\text{hid} = n_\text{out}$, where it
# silently trains with the wrong gradient. The shape of each gradient is worth asserting.
#
# </details>
#
# 3. **Predict.** With `reduction="mean"` and $B = 100$, how does each of the seven
#    gradients change?
#
# <details class="success"><summary>Solution</summary>
#
# Each is divided by 100. Only $dz$ is divided in the code; every later line is linear in
# $dz$, so the factor reaches them all.
#
# </details>
#
# 4. **Implement.** Write your own `backward(x, labels, params, fwd, reduction)` and check it
#    with `mlp.exercises.check(backward)`: it runs both reductions on random networks,
#    compares each gradient with `vectorized.backward`'s and with finite differences, and
#    names the wrong gradient and the likely mistake (a transpose, sum against mean, a
#    sign, a bias gradient not summed, $\sigma'$ missing). Below, the package's own backward
#    pass, and one with the stray minus of the [derivatives](../derivatives/#the-sigmoid)
#    page in $\sigma'$:

# %%
from mlp import exercises


def stray_minus(x, labels, params, fwd, reduction="sum"):
    """vectorized.backward with sigma'(k) = -h(1 - h)."""
    right = vectorized.backward(x, labels, params, fwd, reduction)
    dk = right.dh * -fwd.h * (1.0 - fwd.h)
    return right._replace(dk=dk, dw=x.T @ dk, db=dk.sum(axis=0))


for backward in (vectorized.backward, stray_minus):
    verdict = exercises.check(backward)
    print(f"{backward.__name__}:\n{verdict}\n")
assert exercises.check(vectorized.backward).ok
assert "Likely a sign" in str(exercises.check(stray_minus))
