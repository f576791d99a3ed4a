# %% [markdown]
# # Derivatives
#
# The [scalar network](../scalar/)'s backward pass used two derivatives it did not derive:
# the sigmoid's, $\partial h_j / \partial k_j = h_j (1 - h_j)$, and that of softmax and
# cross-entropy together, $\partial l / \partial z_m = y_m - t_m$. This page derives both
# by hand, the second through the softmax's own derivative, in the site's
# [notation](../notation/). Each result is derived again by SymPy, a library of symbolic
# mathematics, while the site is built: if a closed form below were wrong, the build
# would stop. Those checks are folded under "How we know this is right"; open one to see
# it.
#
# The report derives the same things in its appendix (eq. 5.1–5.5) with other names:
# logits $o$ (here $z$), target $\hat y$ (here $t$), output indices $i, j$ (here $m, n$,
# because $i$ and $j$ index the inputs and hidden units). Its slips are listed in the
# [reproduction report](../reproduction/#corrections-to-the-reports-appendix).

# %% [markdown] tags=["check"]
# **How SymPy checks a claim.** Each function of `mlp.derivations` differentiates a
# definition with `sympy.diff` and returns a `Derivation`: the derivative SymPy found
# (`derived`) beside the closed form claimed for it (`claimed`), written in the short
# symbols of the text ($\sigma(k)$, $y_m$, $t_m$). `holds()` replaces the short symbols by
# their definitions ($y_m \to e^{z_m} / \sum_n e^{z_n}$) and asks whether the difference
# is identically zero:

# %% tags=["hide-input", "check"]
from mlp import derivations
from mlp.site import page

page.source(derivations.Derivation.holds)

# %% [markdown] tags=["check"]
# The cells below display LaTeX with a small helper, `show`:

# %% tags=["check"]
import sympy as sp

from mlp import derivations
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

# %% [markdown] tags=["check"]
# SymPy's derivative of the definition, then the closed form:

# %% tags=["check"]
sigmoid = derivations.sigmoid_derivative()
show_derivation(sigmoid)
assert sigmoid.holds()

# %% [markdown] tags=["check"]
# The check has teeth. Forget the minus sign of the inner derivative $-e^{-k}$ and the
# claim becomes $-\sigma(k)(1 - \sigma(k))$, which SymPy rejects:

# %% tags=["check"]
(sigma_k,) = sigmoid.definitions
wrong = sigmoid._replace(claimed=-sigma_k * (1 - sigma_k))
show_derivation(wrong, relation=r"\ne")
assert not wrong.holds()
print("holds:", wrong.holds())

# %% [markdown]
# ## The softmax's derivatives
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
# This matrix of every output's derivative by every input is the softmax's **Jacobian**.

# %% [markdown] tags=["check"]
# For $K = 2$ classes, SymPy's Jacobian (row $m$, column $n$) and eq. 5.3:

# %% tags=["check"]
show_derivation(derivations.softmax_jacobian(2))
for K in (2, 3, 10):
    assert derivations.softmax_jacobian(K).holds(), K
print("eq. 5.3 holds for K = 2, 3 and 10 classes")

# %% [markdown] tags=["check"]
# With a sign slipped, the claim would be the negated matrix; the check rejects it for
# every $K$:

# %% tags=["check"]
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
# This is `dz` in both networks: the predicted probabilities minus the target.

# %% [markdown] tags=["check"]
# `cross_entropy_gradient(K)` differentiates $-\sum_m t_m \ln y_m$ with the
# softmax written out, for symbolic targets $t_1, \dots, t_K$, and imposes
# $\sum_m t_m = 1$ by substituting $t_K = 1 - \sum_{m<K} t_m$ on both sides. So it proves
# the result for every target distribution, not only one-hot ones. For $K = 2$:

# %% tags=["check"]
gradient = derivations.cross_entropy_gradient(2)
dl_dz = r"\frac{\partial l}{\partial \mathbf{z}}"  # l: site notation
show_derivation(gradient, lhs=dl_dz)
print("constraint:", gradient.constraints)
for K in (2, 3, 10):
    assert derivations.cross_entropy_gradient(K).holds(), K
print("eq. 5.4 holds for K = 2, 3 and 10 classes")

# %% [markdown] tags=["check"]
# Where $\sum_m t_m = 1$ is used shows in the check: without the constraint, $y - t$ is
# rejected, and the form before the last step, $y_n \sum_m t_m - t_n$, holds instead.

# %% tags=["check"]
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
# ## The whole network, symbolically
#
# The checks above cover the pieces. `network_gradients()` covers their assembly: it
# writes the loss of the 2-3-2 network as one SymPy expression,
# $l = -\sum_m t_m \ln \operatorname{softmax}\bigl(\sigma(x w + b)\, v + c\bigr)_m$,
# with every parameter a symbol (and $x$ and $t$ symbolic too), and differentiates it by
# each parameter with `sympy.diff`: no backpropagation rule is used. Its gradients,
# compiled to NumPy, are the reference against which the two backward passes are checked
# ([gradient checking](../gradcheck/#against-sympys-gradient-of-the-whole-network)).

# %% tags=["check"]
import numpy as np

from mlp import cost, example

network = derivations.network_gradients()
n_symbols = sum(len(grad) for grad in network.grads)
assert n_symbols == cost.count(*example.SIZES).parameters
page.md(f"Parameters differentiated: "
        f"{page.number('derivatives.parameters', 'int', value=n_symbols)}, one per weight and bias "
        f"of the 2-3-2 network ($2 \\cdot 3 + 3 + 3 \\cdot 2 + 2$).")
point = example.running_example()
by_sympy = network.evaluate(point["x"], point["label"], point["params"])
largest = max(float(np.abs(a - np.asarray(b)).max()) for a, b in zip(by_sympy, point["backward"].grads))
print(f"at the running example, SymPy against scalar.backward: largest difference {largest:.1e}")
assert largest < 1e-12

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
