# %% [markdown]
# # Derivatives
#
# Backpropagation through this network needs three derivatives: the sigmoid's, the
# softmax's, and the cross-entropy's through the softmax. This page derives each by hand,
# in the site's [notation](../notation/), and then lets SymPy derive it again from the
# definitions while the site is built: if a closed form below were wrong, the build would
# stop. The [scalar network](../scalar/) and the [vectorized network](../vectorized/) use
# these results line by line; [gradient checking](../gradcheck/) confirms the code
# numerically.
#
# The report derives the same things in its appendix (eq. 5.1–5.5) with other names:
# logits $o$ (here $z$), target $\hat y$ (here $t$), output indices $i, j$ (here $m, n$,
# because $i$ and $j$ index the inputs and hidden units).
#
# ## How SymPy checks a claim
#
# Each function of `mlp.derivations` differentiates a definition with `sympy.diff` and
# returns a `Derivation`: the derivative SymPy found (`derived`) beside the closed form
# claimed for it (`claimed`), written in the short symbols of the text ($\sigma(k)$,
# $y_m$, $t_m$). `holds()` replaces the short symbols by their definitions
# ($y_m \to e^{z_m} / \sum_n e^{z_n}$) and asks whether the difference is identically
# zero:

# %% tags=["hide-input"]
from mlp import derivations
from mlp.site import page

page.source(derivations.Derivation.holds)

# %% [markdown]
# The code cells below print through `mlp.site.page`, the site's helpers for its pages
# (`page.md` shows Markdown, `page.table` a table, `page.source` a function's source as
# it is in the package; all in the package's `mlp/site/page.py`), and display
# LaTeX with a small helper, `show`:

# %%
import numpy as np
import sympy as sp

from mlp import derivations, report
from mlp.site import page


def show(*lines):
    """Display LaTeX lines, aligned at their '&'."""
    page.md("$$\n\\begin{aligned}\n" + " \\\\\n".join(lines)
            + "\n\\end{aligned}\n$$")


def show_derivation(d, lhs=None, relation="="):
    """SymPy's derivative, then the claimed form on a new line."""
    show(f"{lhs or d.lhs} &= {sp.latex(d.derived)}",
         f"&{relation} {sp.latex(d.claimed)}")


# %% [markdown]
# ## The sigmoid
#
# $\sigma(k) = 1 / (1 + e^{-k}) = (1 + e^{-k})^{-1}$. The chain rule, with the inner
# derivative $\frac{d}{dk}(1 + e^{-k}) = -e^{-k}$:
#
# $$
# \frac{d\sigma}{dk} = -(1 + e^{-k})^{-2} \cdot (-e^{-k})
# = \frac{e^{-k}}{(1 + e^{-k})^2}
# = \frac{1}{1 + e^{-k}} \cdot \frac{e^{-k}}{1 + e^{-k}} .
# $$
#
# The first factor is $\sigma(k)$. The second is
# $\frac{(1 + e^{-k}) - 1}{1 + e^{-k}} = 1 - \sigma(k)$. So
#
# $$
# \sigma'(k) = \sigma(k)\,\bigl(1 - \sigma(k)\bigr), \qquad
# \frac{\partial h_j}{\partial k_j} = h_j (1 - h_j) .
# $$
#
# The backward pass needs no exponential: it reuses the $h_j$ the forward pass stored.
#
# **Check.** SymPy's derivative of the definition, then the closed form:

# %%
sigmoid = derivations.sigmoid_derivative()
show_derivation(sigmoid)
assert sigmoid.holds()

# %% [markdown]
# The check has teeth. Forget the minus sign of the inner derivative $-e^{-k}$ and the
# claim becomes $-\sigma(k)(1 - \sigma(k))$, which SymPy rejects:

# %%
(sigma_k,) = sigmoid.definitions
wrong = sigmoid._replace(claimed=-sigma_k * (1 - sigma_k))
show_derivation(wrong, relation=r"\ne")
assert not wrong.holds()
print("holds:", wrong.holds())

# %% [markdown]
# ## The softmax Jacobian
#
# $y_m = e^{z_m} / S$ with $S = \sum_n e^{z_n}$. Every $y_m$ depends on every logit
# $z_n$ through $S$, and $\partial S / \partial z_n = e^{z_n}$. The quotient rule gives
#
# $$
# \frac{\partial y_m}{\partial z_n}
# = \frac{\frac{\partial e^{z_m}}{\partial z_n}\, S - e^{z_m} e^{z_n}}{S^2} .
# $$
#
# **Case $m = n$** (report eq. 5.1): $\partial e^{z_m} / \partial z_m = e^{z_m}$, so
#
# $$
# \frac{\partial y_m}{\partial z_m} = \frac{e^{z_m} S - e^{z_m} e^{z_m}}{S^2}
# = \frac{e^{z_m}}{S} - \Bigl(\frac{e^{z_m}}{S}\Bigr)^2 = y_m (1 - y_m) .
# $$
#
# **Case $m \ne n$** (eq. 5.2): $e^{z_m}$ does not depend on $z_n$, so the first term
# vanishes:
#
# $$
# \frac{\partial y_m}{\partial z_n} = \frac{0 - e^{z_m} e^{z_n}}{S^2}
# = -\frac{e^{z_m}}{S} \frac{e^{z_n}}{S} = -y_m y_n .
# $$
#
# **Together** (eq. 5.3), with $\delta_{mn} = 1$ if $m = n$ and $0$ otherwise:
#
# $$
# \frac{\partial y_m}{\partial z_n} =
# \begin{cases} y_m (1 - y_m) & m = n \\ -y_m y_n & m \ne n \end{cases}
# \;=\; y_m (\delta_{mn} - y_n) .
# $$
#
# The report's middle lines of eq. 5.1 and 5.2 carry a stray minus sign in front of the
# quotient; its results, the ones above, are right.
#
# **Check.** For $K = 2$ classes, SymPy's Jacobian (row $m$, column $n$) and eq. 5.3:

# %%
show_derivation(derivations.softmax_jacobian(2))
for K in (2, 3, 10):
    assert derivations.softmax_jacobian(K).holds(), K
print("eq. 5.3 holds for K = 2, 3 and 10 classes")

# %% [markdown]
# With the stray minus sign carried through, the claim would be the negated matrix; the
# check rejects it for every $K$:

# %%
for K in (2, 3, 10):
    right = derivations.softmax_jacobian(K)
    negated = right._replace(claimed=-right.claimed)
    assert not negated.holds(), K
print("holds:", negated.holds())
show(r"\frac{\partial \mathbf{y}}{\partial \mathbf{z}} \ne "
     + sp.latex(-derivations.softmax_jacobian(3).claimed)
     + r" \quad (K = 3)")

# %% [markdown]
# ## Softmax and cross-entropy together
#
# The loss of one example is $l = -\ln y_{m^\ast}$ (report eq. 2.5). With the one-hot
# target $t$ it is $l = -\sum_m t_m \ln y_m$: every term but the true class's is zero.
# By the chain rule through all $K$ outputs, each of which depends on $z_n$:
#
# $$
# \frac{\partial l}{\partial z_n}
# = \sum_m \frac{\partial l}{\partial y_m} \frac{\partial y_m}{\partial z_n}
# = -\sum_m \frac{t_m}{y_m} \frac{\partial y_m}{\partial z_n} .
# $$
#
# Split off the term $m = n$ and use the two cases of the Jacobian:
#
# $$
# \begin{aligned}
# \frac{\partial l}{\partial z_n}
# &= -\frac{t_n}{y_n}\, y_n (1 - y_n) \;-\; \sum_{m \ne n} \frac{t_m}{y_m} (-y_m y_n) \\
# &= -t_n + t_n y_n + y_n \sum_{m \ne n} t_m \\
# &= -t_n + y_n \sum_m t_m .
# \end{aligned}
# $$
#
# Up to here nothing was assumed about $t$. The last step uses that the targets sum to
# one, $\sum_m t_m = 1$ (true for a one-hot target, and for any probability
# distribution):
#
# $$
# \frac{\partial l}{\partial z_n} = y_n - t_n \qquad \text{(report eq. 5.4).}
# $$
#
# This is `dz` in both networks: the predicted probabilities minus the target. (The
# report's eq. 5.4 takes the same steps; its first line,
# $\partial l/\partial o_j = -\sum_i \frac{\partial l}{\partial y_i}\frac{\partial y_i}{\partial o_j}$,
# carries a stray minus, since the chain rule has none there and the minus belongs to
# $\partial l/\partial y_i = -\hat y_i / y_i$; the next line drops it again. Its middle lines
# swap the indices $i$ and $j$ here and there, and its last line means $y_j - \hat y_j$.)
#
# **Check.** `cross_entropy_gradient(K)` differentiates $-\sum_m t_m \ln y_m$ with the
# softmax written out, for symbolic targets $t_1, \dots, t_K$, and imposes
# $\sum_m t_m = 1$ by substituting $t_K = 1 - \sum_{m<K} t_m$ on both sides. So it proves
# the result for every target distribution, not only one-hot ones. For $K = 2$:

# %%
gradient = derivations.cross_entropy_gradient(2)
dl_dz = r"\frac{\partial l}{\partial \mathbf{z}}"  # l: site notation
show_derivation(gradient, lhs=dl_dz)
print("constraint:", gradient.constraints)
for K in (2, 3, 10):
    assert derivations.cross_entropy_gradient(K).holds(), K
print("eq. 5.4 holds for K = 2, 3 and 10 classes")

# %% [markdown]
# Where $\sum_m t_m = 1$ is used shows in the check: without the constraint, $y - t$ is
# rejected, and the form before the last step, $y_n \sum_m t_m - t_n$, holds instead.

# %%
for K in (2, 3, 10):
    gradient = derivations.cross_entropy_gradient(K)
    unconstrained = gradient._replace(constraints={})
    _, y, t, _, _ = derivations.cross_entropy_definition(K)
    before_last_step = sp.ImmutableMatrix(
        [y_n * sum(t) - t_n for y_n, t_n in zip(y, t)])
    assert not unconstrained.holds(), K
    raw = unconstrained._replace(claimed=before_last_step)
    assert raw.holds(), K
print("without the constraint, for K = 2, 3 and 10:")
print("  y - t            fails")
print("  y * sum(t) - t   holds")

# %% [markdown]
# ## The report's bonus case (eq. 5.5)
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

# %%
bonus = derivations.bonus_single_term(2)
single = r"(-t_n \ln y_n)"
others = r"(-\textstyle\sum_{m \ne n} t_m \ln y_m)"
for part, term in [(bonus.single_term, single),
                   (bonus.other_terms, others)]:
    lhs = rf"\frac{{\partial {term}}}{{\partial z_n}}"
    show_derivation(part, lhs=rf"\Bigl({lhs}\Bigr)_n")
for K in (2, 3, 10):
    bonus = derivations.bonus_single_term(K)
    full = derivations.cross_entropy_gradient(K)
    assert bonus.holds(), K
    total = bonus.single_term.derived + bonus.other_terms.derived
    assert all(sp.cancel(d) == 0 for d in total - full.derived), K
print("for K = 2, 3 and 10: eq. 5.5 holds, and")
print("single term + other terms = the full gradient")

# %% [markdown]
# What eq. 5.5 does not show: taken as the gradient, it fails the check of eq. 5.4. For a
# one-hot target with true class 1 of $K = 3$, the single term and the full gradient
# ($y - t$) differ at the other two logits:

# %%
K = 3
bonus = derivations.bonus_single_term(K)
full = derivations.cross_entropy_gradient(K)
as_gradient = full._replace(derived=bonus.single_term.derived)
assert not as_gradient.holds()
print("single term as the gradient, holds:", as_gradient.holds())
_, y, t, _, _ = derivations.cross_entropy_definition(K)
true_class_1 = {t_m: int(m == 0) for m, t_m in enumerate(t)}
single = bonus.single_term.claimed.subs(true_class_1)
gradient = full.claimed.subs(true_class_1)
show(r"\text{single term} &= " + sp.latex(single),
     r"\text{gradient } y - t &= " + sp.latex(gradient))

# %% [markdown]
# ## The whole network, symbolically
#
# The checks above cover the pieces. `network_gradients()` covers their assembly: it
# writes the loss of the report's 2-3-2 network as one SymPy expression of all 16
# parameter symbols (with $x$ and $t$ symbolic too),
# $l = -\sum_m t_m \ln \operatorname{softmax}\bigl(\sigma(x w + b)\, v + c\bigr)_m$,
# and differentiates it by each parameter with `sympy.diff`: no backpropagation rule is
# used. Its gradients, compiled to NumPy, are the reference against which the two
# backward passes of the next pages are checked, once both have been built
# ([gradient checking](../gradcheck/#against-sympys-gradient-of-the-whole-network)).

# %%
network = derivations.network_gradients()
print("parameters differentiated:", sum(len(grad) for grad in network.grads))

# %% [markdown]
# At the dry-run point of the report's Table 1 (on the
# [scalar network](../scalar/#the-reports-dry-run-table-1) page), SymPy also gives the gradient exactly. $w$ and $b$ get exactly zero, $c$ gets
# $(-\tfrac12, \tfrac12)$, and every row of $v$ is $\pm \frac{1}{2(1 + e^{-2})}$,
# that is $\pm \sigma(2)/2$: the report's $\mp 0.4404$ (section 4.1) rounded.

# %%
def integers(values):
    """Table 1's values as exact integers, for SymPy."""
    return np.asarray(values, dtype=int)


dry_run_point = dict(
    x=integers(report.DRY_RUN_X),
    label=report.DRY_RUN_LABEL,
    params=report.DRY_RUN_PARAMS.map(integers),
)
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
print("1 / (2 (1 + e^-2)) =", sp.N(half_sigma_2, 8))
# the report's -0.4404 is this value to 4 decimals:
reported = report.DRY_RUN_GRADS.v[0][0]
assert abs(-float(half_sigma_2) - reported) < report.DRY_RUN_TOLERANCE

# %% [markdown]
# ## Exercises
#
# 1. **Derive** the derivative of $\tanh k = \frac{e^{k} - e^{-k}}{e^{k} + e^{-k}}$, and
#    write it, as $\sigma'$ is written above, in terms of the function's own value.
#
# <details class="success"><summary>Solution</summary>
#
# By the quotient rule, with $u = e^{k} - e^{-k}$ and $s = e^{k} + e^{-k}$ (so $u' = s$ and
# $s' = u$): $\tanh' k = (s \cdot s - u \cdot u)/s^2 = 1 - (u/s)^2 = 1 - \tanh^2 k$. A
# backward pass through $h = \tanh k$ would compute $dk = dh \odot (1 - h \odot h)$, again
# from the stored $h$ and without an exponential.
#
# </details>
#
# 2. **Predict.** Where is $\sigma'(k)$ largest, and how large is it there? What does that
#    say about $dk$ against $dh$?
#
# <details class="success"><summary>Solution</summary>
#
# $\sigma'(k) = \sigma(k)(1 - \sigma(k))$ is a product $p(1 - p)$ with $p \in (0, 1)$,
# largest at $p = \tfrac12$, that is at $k = 0$, where it is $\tfrac14$. So
# $|dk_j| \le \tfrac14 |dh_j|$: a sigmoid layer shrinks the gradient flowing back by at least a
# factor of 4, and by far more where the unit is saturated ($|k_j|$ large).
#
# </details>
#
# 3. **Derive.** A soft target, for instance $t = (0.9, 0.05, 0.05)$ instead of the one-hot
#    $(1, 0, 0)$: what is $\partial l / \partial z$ for $l = -\sum_m t_m \ln y_m$?
#
# <details class="success"><summary>Solution</summary>
#
# Still $y - t$. The derivation of eq. 5.4 above assumed only $\sum_m t_m = 1$, true of any
# probability distribution, and the SymPy check imposes only that constraint. Here
# $dz = (y_1 - 0.9,\; y_2 - 0.05,\; y_3 - 0.05)$.
#
# </details>
#
# 4. **Derive.** The report's bonus case differentiates only $-t_n \ln y_n$. For a one-hot
#    target with true class $m^\ast$, at which logits does it give the right gradient?
#
# <details class="success"><summary>Solution</summary>
#
# Only at $z_{m^\ast}$, where both give $y_{m^\ast} - 1$. At every other logit the single
# term is $t_n y_n - t_n = 0$ while the gradient is $y_n$ (see
# [the bonus case](#the-reports-bonus-case-eq-55)).
#
# </details>
