# %% [markdown]
# # Gradient checking
#
# The [derivatives](../derivatives/) are proved symbolically; the code that implements
# them, in the [scalar](../scalar/) and [vectorized](../vectorized/) networks, is checked
# here numerically. The loss alone is easy to get right; a difference quotient of the
# loss then approximates each derivative, and the backward pass must agree with it.
#
# ## Central differences
#
# For one parameter entry $\theta$ (all the others held fixed), Taylor's theorem gives
#
# $$
# L(\theta \pm \varepsilon) = L \pm \varepsilon L' + \tfrac{\varepsilon^2}{2} L''
# \pm \tfrac{\varepsilon^3}{6} L''' + O(\varepsilon^4) .
# $$
#
# Subtracting the two, the even powers cancel:
#
# $$
# \frac{L(\theta + \varepsilon) - L(\theta - \varepsilon)}{2 \varepsilon}
# = L'(\theta) + \frac{\varepsilon^2}{6} L'''(\theta) + O(\varepsilon^4) .
# $$
#
# The **truncation error** is $O(\varepsilon^2)$ (a one-sided difference
# $(L(\theta + \varepsilon) - L(\theta)) / \varepsilon$ would only reach $O(\varepsilon)$).
# But each computed $L$ carries a **rounding error** of about $u |L|$, where $u$ is the
# machine epsilon of the floating-point format, and the quotient divides their difference
# by $2\varepsilon$: a rounding error of order $u |L| / \varepsilon$. Shrinking
# $\varepsilon$ lowers the first and raises the second. Their sum
# $\approx \varepsilon^2 |L'''| / 6 + u |L| / \varepsilon$ is smallest near
# $\varepsilon \approx u^{1/3}$ (for $L$ and $L'''$ of order one), and the total error
# there is of order $u^{2/3}$:

# %%
import numpy as np

import mlp
from mlp import gradcheck, vectorized
from mlp.site import page

for dtype in (np.float64, np.float32):
    u = float(np.finfo(dtype).eps)
    print(f"{dtype.__name__}: u = {u:.1e}, "
          f"best eps ~ u^(1/3) = {u ** (1 / 3):.1e}, "
          f"error ~ u^(2/3) = {u ** (2 / 3):.1e}")

# %% [markdown]
# Hence $\varepsilon = 10^{-5}$ in float64, the default of `mlp.gradcheck`. In float32
# the best attainable error is far larger (second line), too coarse to tell a small bug
# from rounding: the checks run in float64. The two regimes show when $\varepsilon$ sweeps across them, here for a small
# random network (errors measured as below):

# %%
def random_network(n_in, n_hid, n_out, seed, scale=1.0):
    """Random weights (std `scale`) and biases, and the generator."""
    rng = np.random.default_rng(seed)
    return mlp.params.random_params(n_in, n_hid, n_out, rng, scale=scale), rng


params, rng = random_network(2, 3, 2, seed=1)
x, labels = rng.normal(size=(4, 2)), rng.integers(0, 2, size=4)
sweep = {}  # p: largest error with eps = 10^-p
for p in range(1, 12):
    check = gradcheck.check_vectorized(x, labels, params, eps=10.0 ** -p)
    sweep[p] = check.max_error

# %% tags=["hide-input"]
page.table(["$\\varepsilon$", "largest relative error"],
           [[f"$10^{{-{p}}}$", page.number(f"gradcheck.eps_sweep.{p}", "sci", value=error)]
            for p, error in sweep.items()])
best = min(sweep, key=sweep.get)
assert best in (4, 5, 6), best
assert sweep[1] > 1e3 * sweep[best] and sweep[11] > 1e3 * sweep[best]
assert sweep[5] < 1e-8

# %% [markdown]
# From $\varepsilon = 10^{-1}$ down, each factor of 10 in $\varepsilon$ divides the error
# by about 100 (truncation, $\varepsilon^2$). Below the best $\varepsilon$ the error grows
# again, about tenfold per factor of 10 (rounding, $1/\varepsilon$).
#
# `numerical_gradients` perturbs each entry in place, evaluates the loss twice, and
# restores the entry. On a large network it can differentiate a random sample of entries
# of each parameter (as many as its argument `entries` says); the others are left as NaN
# and skipped.

# %% tags=["hide-input"]
page.source(gradcheck.numerical_gradients)

# %% [markdown]
# ## Measuring the error
#
# For each parameter ($w$, $b$, $v$, $c$), the analytic gradient $a$ (from the backward
# pass) and the numerical one $n$ are compared as whole arrays, by the relative error of
# their norms:
#
# $$
# \operatorname{err}(a, n) = \frac{\lVert a - n \rVert_2}{\lVert a \rVert_2 + \lVert n \rVert_2}
# \in [0, 1] .
# $$
#
# It does not depend on the scale of the loss (a loss ten times larger gives the same
# error), and with $\varepsilon = 10^{-5}$ a right gradient gives about $10^{-7}$ or far
# less, a wrong one $10^{-2}$ or more. The pages and tests use the threshold $10^{-6}$.
#
# Why not entry by entry, $|a_r - n_r| / (|a_r| + |n_r|)$ for each entry $r$? Because some
# true gradients are tiny. The difference quotient of an entry whose true gradient is
# below the rounding level $u |L| / \varepsilon$ is rounding noise, so its
# entry-wise error is of order one even though the code is right. Such entries are common:
# a saturated sigmoid unit has $h_j (1 - h_j) \approx 0$, and every $dw_{ij}$ into it is
# nearly zero. Below, hidden unit 3 gets the bias $b_3 = 30$:

# %%
params, rng = random_network(2, 3, 2, seed=3)
params = params._replace(b=np.array([0.5, -0.3, 30.0]))
x, labels = rng.normal(size=(4, 2)), rng.integers(0, 2, size=4)


def loss_of(x, labels):
    """The summed loss of a batch, as a function of parameters."""
    return lambda p: vectorized.cross_entropy(
        vectorized.forward(x, p).z, labels)


_, analytic = vectorized.gradients(x, labels, params)
loss = loss_of(x, labels)
numerical = gradcheck.numerical_gradients(loss, params)
a, n = analytic.w, numerical.w
entrywise = np.abs(a - n) / (np.abs(a) + np.abs(n))
normwise = gradcheck.relative_error(a, n)
np.set_printoptions(precision=2)
print("dw, backward pass:\n", a)
print("dw, central differences:\n", n)
print("entry-wise relative error:\n", entrywise)
print(f"norm-wise relative error: {normwise:.1e}")

# %% tags=["hide-input"]
assert entrywise[:, 2].min() > 0.5  # the saturated unit
assert entrywise[:, :2].max() < 1e-6
assert normwise < 1e-6

# %% [markdown]
# The third column's true gradients are far below the rounding level; the difference
# quotient returns exactly $0$ there, and the entry-wise error is its maximum, 1. Norm-wise, those
# entries weigh what they are worth, next to nothing, and the check passes. The function,
# and `compare`, which applies it to each parameter of two gradients:

# %% tags=["hide-input"]
page.source(gradcheck.relative_error)
page.source(gradcheck.compare)

# %% [markdown]
# ## Both backward passes, on random networks
#
# `check_scalar` checks the scalar form on one example, `check_vectorized` the vectorized
# form on a batch (summed loss, as eq. 2.4). Each network has random weights and biases
# and random inputs and labels. The 784-300-10 network (the MNIST network, weights of
# standard deviation $n_\text{in}^{-1/2}$ so that its sigmoids do not saturate) has too
# many entries to try them all: 30 random entries of each parameter are checked
# (all 10 of $c$). The vectorized form is checked on a batch of 4, the scalar form on
# the batch's first example. Each check computes the backward pass's gradient and the
# central differences of the matching loss, and compares them:

# %% tags=["hide-input"]
page.source(gradcheck.check_vectorized)
page.source(gradcheck.check_scalar)

# %%
# name: (sizes, weight scale, entries checked per parameter)
networks = {
    "2-3-2": ((2, 3, 2), 1.0, None),
    "5-4-3": ((5, 4, 3), 1.0, None),
    "784-300-10": ((784, 300, 10), "lecun", 30),
}
checks = {"scalar": {}, "vectorized": {}}
for name, (sizes, scale, entries) in networks.items():
    seed = sum(sizes)
    params, rng = random_network(*sizes, seed=seed, scale=scale)
    x = rng.normal(size=(4, sizes[0]))
    labels = rng.integers(0, sizes[2], size=4)
    checks["scalar"][name] = gradcheck.check_scalar(
        x[0], int(labels[0]), params, entries=entries, rng=rng)
    checks["vectorized"][name] = gradcheck.check_vectorized(
        x, labels, params, entries=entries, rng=rng)

# %% tags=["hide-input"]
for form, by_network in checks.items():
    page.md(f"**{form.capitalize()} form**, relative errors:")
    page.table(["", *by_network],
               [[f"${p}$", *(page.number(f"gradcheck.{form}.{name.replace('-', '_')}.{p}", "sci",
                                         value=check.errors[p])
                             for name, check in by_network.items())]
                for p in mlp.Params._fields])
worst = max(check.max_error for by_network in checks.values()
            for check in by_network.values())
assert worst < 1e-6, worst
page.md(f"Largest relative error: {page.number('gradcheck.largest_error', 'sci', value=worst)}.")

# %% [markdown]
# Every error is far below $10^{-6}$: both backward passes compute the gradient of the
# loss they are paired with.
#
# ## Against SymPy's gradient of the whole network
#
# A second reference, exact rather than numerical: the gradient SymPy finds by
# differentiating the whole 2-3-2 network's loss, written as one expression
# ([derivatives](../derivatives/#the-whole-network-symbolically)), at 20 random points
# (random weights, biases, input and label). Each backward pass is compared with it by the
# same norm-wise relative error, through `compare`:

# %%
from mlp import derivations, scalar

network = derivations.network_gradients()
rng = np.random.default_rng(0)
largest = {"scalar": 0.0, "vectorized": 0.0}
for _ in range(20):
    params = mlp.params.random_params(2, 3, 2, rng)
    x, label = rng.normal(size=2), int(rng.integers(2))
    symbolic = network.evaluate(x, label, params)
    _, by_scalar = scalar.gradients(x, label, params)
    _, by_vectorized = vectorized.gradients([x], [label], params)
    for form, grads in [("scalar", by_scalar),
                        ("vectorized", by_vectorized)]:
        errors = gradcheck.compare(grads, symbolic).errors
        largest[form] = max(largest[form], *errors.values())
print("largest relative difference from SymPy, 20 random points:")
for form, error in largest.items():
    print(f"  {form:<10} {error:.1e}")

# %% tags=["hide-input"]
assert max(largest.values()) < 1e-12, largest

# %% [markdown]
# Both backward passes agree with the symbolic gradient to rounding error.
#
# ## What a wrong backward pass looks like
#
# A common slip: forgetting the sigmoid's derivative, writing $dk_j = dh_j$ instead of
# $dk_j = dh_j\, h_j (1 - h_j)$. Below, the wrong $dw = x^\top dh$ and $db = \sum dh$ are
# built from the intermediates of the right backward pass and checked the same way:

# %%
params, rng = random_network(3, 4, 3, seed=11)
x, labels = rng.normal(size=(4, 3)), rng.integers(0, 3, size=4)
loss = loss_of(x, labels)
numerical = gradcheck.numerical_gradients(loss, params)
_, right = vectorized.gradients(x, labels, params)
fwd = vectorized.forward(x, params)
bwd = vectorized.backward(x, labels, params, fwd)
# dk = dh: the factor h(1 - h) forgotten
wrong = right._replace(w=x.T @ bwd.dh, b=bwd.dh.sum(axis=0))
good = gradcheck.compare(right, numerical).errors
bad = gradcheck.compare(wrong, numerical).errors
page.table(["", "right backward pass", "σ' forgotten"],
           [[f"${p}$", page.number(f"gradcheck.right.{p}", "sci", value=good[p]),
             page.number(f"gradcheck.sigma_prime_forgotten.{p}", "sci", value=bad[p])]
            for p in mlp.Params._fields])
assert max(good.values()) < 1e-6
assert bad["w"] > 1e-2 and bad["b"] > 1e-2
assert bad["v"] < 1e-6 and bad["c"] < 1e-6

# %% [markdown]
# The wrong pass fails by many orders of magnitude, and only in $w$ and $b$: the
# second layer's gradients do not involve $\sigma'$, so the per-parameter errors also
# say where the bug is.

# %% [markdown]
# ## Exercises
#
# 1. **Derive.** With the one-sided difference $(L(\theta + \varepsilon) - L(\theta)) /
#    \varepsilon$, how do the truncation and the rounding error scale, which $\varepsilon$
#    is best in float64, and how small is the error there?
#
# <details class="success"><summary>Solution</summary>
#
# Taylor's theorem leaves $\tfrac{\varepsilon}{2} L''$: truncation $O(\varepsilon)$;
# rounding is still about $u |L| / \varepsilon$. Their sum is smallest near
# $\varepsilon \approx u^{1/2} \approx 1.5 \times 10^{-8}$, and the error there is of order
# $u^{1/2}$, about $10^{-8}$: far worse than the central difference's $u^{2/3}$.
#
# </details>
#
# 2. **Predict.** One backward pass returns twice the right $dc$, another minus the right
#    $dv$. What relative errors $\operatorname{err}(a, n)$ does the check report for $c$ and
#    for $v$?
#
# <details class="success"><summary>Solution</summary>
#
# With $n$ the right gradient: $\operatorname{err}(2n, n) = \lVert n \rVert /
# (2\lVert n \rVert + \lVert n \rVert) = \tfrac13$, and $\operatorname{err}(-n, n) =
# 2\lVert n \rVert / 2\lVert n \rVert = 1$, the largest value the error can take. Both are
# far above $10^{-6}$, whatever the network.
#
# </details>
#
# 3. **Predict.** Why is the scalar form checked on one example but the vectorized form
#    on a batch of 4? What could a batch of one not catch?
#
# <details class="success"><summary>Solution</summary>
#
# The scalar form takes one example. In the vectorized form, a batch of one cannot tell a
# bias gradient summed over the batch from one that is not (`db = dk` has shape $(1, n)$
# and the right values), nor the summed loss from the mean (they differ by a factor
# $B = 1$). With $B = 4$ both mistakes change the numbers.
#
# </details>
