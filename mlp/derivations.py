"""The report's derivatives, derived again with SymPy and checked against its closed forms.

Each function differentiates a definition with `sympy.diff` and pairs the result
with the closed form the report states. The claimed forms are written in the report's
own symbols (σ(k), y_m, t_m); `Derivation.holds` replaces those symbols by their
definitions and checks that the difference is identically zero.

Symbols are numbered from 1 as in the report: logits z_1..z_K, softmax outputs
y_1..y_K, one-hot targets t_1..t_K (class ``label`` is t_{label+1} = 1).

This is the only module of the package that imports SymPy; ``import mlp`` does not
load it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable, NamedTuple

import numpy as np
import sympy as sp

from mlp.checks import as_float_array, check_count, check_labels
from mlp.params import Params


class Derivation(NamedTuple):
    """A derivative found by `sympy.diff` next to the closed form claimed for it.

    ``derived`` and ``claimed`` are SymPy expressions, or matrices of the same shape.
    ``claimed`` may use symbols that stand for something (y_m for the softmax output);
    ``definitions`` maps each to its definition in the variables ``derived`` is written
    in. ``constraints`` are substitutions assumed on both sides, such as Σ t_m = 1.
    """

    lhs: str  # LaTeX of what is differentiated, e.g. \frac{d\sigma}{dk}
    derived: sp.Basic
    claimed: sp.Basic
    definitions: dict
    constraints: dict = {}

    def residual(self) -> sp.Basic:
        """derived − claimed, with the definitions and constraints substituted."""
        return (self.derived - self.claimed.subs(self.definitions)).subs(self.constraints)

    def holds(self) -> bool:
        """Whether derived − claimed simplifies to zero (in every entry of a matrix).

        Every residual here is a rational function of exponentials, which
        `sympy.cancel` brings to a canonical form: it is 0 exactly when the
        residual is identically zero. (``sympy.simplify`` reaches the same verdicts but
        is far slower on a nonzero residual: about 45 s for a wrong 10-class Jacobian.)
        """
        return all(sp.cancel(entry) == 0 for entry in sp.Matrix([self.residual()]))

    def latex(self) -> str:
        """``lhs = derived = claimed`` in LaTeX."""
        return f"{self.lhs} = {sp.latex(self.derived)} = {sp.latex(self.claimed)}"


class BonusCase(NamedTuple):
    """The report's bonus case (eq. 5.5), and the terms it leaves out.

    The full gradient ∂L/∂z_i is the sum of the two derivatives: ``single_term.derived
    + other_terms.derived``.
    """

    single_term: Derivation  # ∂(−t_i ln y_i)/∂z_i = t_i y_i − t_i
    other_terms: Derivation  # ∂(−Σ_{m≠i} t_m ln y_m)/∂z_i = y_i Σ_{m≠i} t_m

    def holds(self) -> bool:
        """Whether both closed forms hold."""
        return self.single_term.holds() and self.other_terms.holds()

    def latex(self) -> str:
        """Both equations, one per line."""
        return rf"{self.single_term.latex()} \\ {self.other_terms.latex()}"


def sigmoid_derivative() -> Derivation:
    """dσ/dk for σ(k) = 1/(1 + e^−k), against the closed form σ(k)(1 − σ(k))."""
    k = sp.Symbol("k", real=True)
    sigma = sp.Function("sigma")
    definition = 1 / (1 + sp.exp(-k))
    return Derivation(
        lhs=r"\frac{d\sigma}{dk}",
        derived=definition.diff(k),
        claimed=sigma(k) * (1 - sigma(k)),
        definitions={sigma(k): definition},
    )


def softmax_definition(K: int):
    """Logits z_1..z_K, outputs y_1..y_K, and each y_m's definition e^{z_m} / Σ_n e^{z_n}."""
    K = check_count(K, "K (the number of classes)", minimum=2)
    z = sp.symbols(f"z_1:{K + 1}", real=True)
    y = sp.symbols(f"y_1:{K + 1}")
    total = sum(map(sp.exp, z))
    return z, y, {y_m: sp.exp(z_m) / total for y_m, z_m in zip(y, z)}


def softmax_jacobian(K: int) -> Derivation:
    """The K×K Jacobian ∂y_i/∂z_j against eq. 5.3: y_i(1 − y_i) if i = j, −y_i y_j if not."""
    z, y, definitions = softmax_definition(K)
    return Derivation(
        lhs=r"\frac{\partial \mathbf{y}}{\partial \mathbf{z}}",
        derived=sp.ImmutableMatrix(K, K, lambda i, j: definitions[y[i]].diff(z[j])),
        claimed=sp.ImmutableMatrix(
            K, K, lambda i, j: y[i] * (1 - y[i]) if i == j else -y[i] * y[j]
        ),
        definitions=definitions,
    )


def cross_entropy_definition(K: int):
    """Softmax symbols and definitions, targets t_1..t_K, and the loss terms −t_m ln y_m.

    Returns ``(z, y, t, definitions, terms)``; the loss is ``sum(terms)``.
    """
    z, y, definitions = softmax_definition(K)
    t = sp.symbols(f"t_1:{K + 1}")
    return z, y, t, definitions, [-t_m * sp.log(y_m) for t_m, y_m in zip(t, y)]


def cross_entropy_gradient(K: int) -> Derivation:
    """∂L/∂z_j for L = −Σ_m t_m ln y_m, against eq. 5.4: y_j − t_j.

    Differentiating gives y_j Σ_m t_m − t_j for any targets t; it is y_j − t_j only
    because the targets sum to one. The constraint is applied by substituting
    t_K = 1 − Σ_{m<K} t_m on both sides, so the check holds for every target
    distribution, not just the one-hot ones.
    """
    z, y, t, definitions, terms = cross_entropy_definition(K)
    loss = sum(terms).subs(definitions)
    return Derivation(
        lhs=r"\frac{\partial L}{\partial \mathbf{z}}",
        derived=sp.ImmutableMatrix([loss.diff(z_j) for z_j in z]),
        claimed=sp.ImmutableMatrix([y_j - t_j for y_j, t_j in zip(y, t)]),
        definitions=definitions,
        constraints={t[-1]: 1 - sum(t[:-1])},
    )


def bonus_single_term(K: int) -> BonusCase:
    """Eq. 5.5: the single term −t_i ln y_i differentiated by its own logit z_i.

    Its claimed form t_i y_i − t_i holds (for any t), but it is only the diagonal part
    of the gradient: the other terms −t_m ln y_m (m ≠ i) depend on z_i through the
    softmax's denominator and add y_i Σ_{m≠i} t_m. Their sum is y_i Σ_m t_m − t_i, the
    full gradient of eq. 5.4 (y_i − t_i once Σ_m t_m = 1). For a one-hot target the
    single term alone is the gradient only at the label's logit (t_i = 1); at every
    other logit it gives 0 instead of y_i.
    """
    z, y, t, definitions, terms = cross_entropy_definition(K)
    indices = range(K)

    def derivation(lhs, term, claimed):
        """Derivation of ``term(i)`` by z_i, against ``claimed(i)``, for every i."""
        return Derivation(
            lhs=lhs,
            derived=sp.ImmutableMatrix([term(i).subs(definitions).diff(z[i]) for i in indices]),
            claimed=sp.ImmutableMatrix([claimed(i) for i in indices]),
            definitions=definitions,
        )

    return BonusCase(
        single_term=derivation(
            r"\left(\frac{\partial (-t_i \ln y_i)}{\partial z_i}\right)_i",
            lambda i: terms[i],
            lambda i: t[i] * y[i] - t[i],
        ),
        other_terms=derivation(
            r"\left(\frac{\partial (-\sum_{m \ne i} t_m \ln y_m)}{\partial z_i}\right)_i",
            lambda i: sum(terms[m] for m in indices if m != i),
            lambda i: y[i] * sum(t[m] for m in indices if m != i),
        ),
    )


class NetworkGradients(NamedTuple):
    """The 2-3-2 network of the report's Table 1, its loss and gradients as SymPy expressions.

    ``x`` (1×2) and ``t`` (1×2, one-hot target) are row vectors of symbols, ``params`` a
    `mlp.params.Params` of symbol matrices w (2×3), b (1×3), v (3×2), c (1×2);
    ``grads`` holds ∂loss/∂(each symbol), shaped like ``params``. ``function`` is the
    gradients compiled to NumPy by `sympy.lambdify`; call it through `evaluate`.
    """

    x: sp.ImmutableMatrix
    t: sp.ImmutableMatrix
    params: Params
    loss: sp.Expr
    grads: Params
    function: Callable

    def arguments(self, x, label: int, params: Params) -> list:
        """Values for ``[x, t, w, b, v, c]``, each flattened; ``t`` is ``label`` one-hot.

        Each value must have its symbols' shape (or as many entries, for the row vectors),
        and hold finite real numbers; ``label`` is a class index.
        """
        if not isinstance(params, Params):
            raise TypeError(f"params must be an mlp.Params, got {type(params).__name__}")
        if np.ndim(label) != 0:
            raise ValueError(f"label must be a single class index, got shape {np.shape(label)}")
        label = int(check_labels([label], 1, len(self.t), name="label")[0])
        t = [int(m == label) for m in range(len(self.t))]
        values = []
        for name, symbols, value in zip(("x", *Params._fields), (self.x, *self.params), (x, *params)):
            flat = np.ravel(np.asarray(value, dtype=object))
            if flat.size != len(symbols):
                raise ValueError(f"{name} must hold {len(symbols)} values (shape {symbols.shape}), "
                                 f"got shape {np.shape(value)}")
            values.append(flat)
        return [values[0], np.asarray(t), *values[1:]]

    def evaluate(self, x, label: int, params: Params) -> Params:
        """The gradients at a point, in floats, shaped like the fields of ``params``."""
        arguments = self.arguments(x, label, params)
        names = ("x", "t", *Params._fields)
        grads = self.function(*(as_float_array(a.tolist(), name, 1) for name, a in zip(names, arguments)))
        return Params(*(
            np.reshape(np.asarray(grad, dtype=float), np.shape(field))
            for grad, field in zip(grads, params)
        ))

    def exact(self, x, label: int, params: Params) -> Params:
        """The gradients at a point, in exact arithmetic (pass integers or SymPy numbers)."""
        symbols = [self.x, self.t, *self.params]
        point = {
            symbol: sp.sympify(value)
            for matrix, values in zip(symbols, self.arguments(x, label, params))
            for symbol, value in zip(matrix, values)
        }
        return self.grads.map(lambda grad: grad.subs(point).applyfunc(sp.simplify))


def sign_slips() -> tuple[bool, bool]:
    """Whether the middle lines of the report's eq. 5.1 and 5.2, as it writes them for two classes,
    carry a stray minus: 5.1's equals ``-y1 (1 - y1)``, 5.2's ``+y1 y2`` (the results say the opposite)."""
    (z1, z2), (y1, y2), defs = softmax_definition(2)
    total = sp.exp(z1) + sp.exp(z2)
    middle_51 = -(sp.exp(z1) * total - sp.exp(z1) * sp.exp(z1)) / total**2
    middle_52 = -(0 - sp.exp(z1) * sp.exp(z2)) / total**2
    return (sp.cancel(middle_51 + (y1 * (1 - y1)).subs(defs)) == 0,
            sp.cancel(middle_52 - (y1 * y2).subs(defs)) == 0)


BACKPROP_TOLERANCE = 1e-12  # both forms agree with SymPy to rounding


def dry_run_backprop(dry: dict) -> dict:
    """The backward pass at the report's dry-run point against SymPy's gradients of the loss
    (no backpropagation rule): ``error``, the largest |SymPy - scalar form|, and ``agrees`` when
    it and |scalar - vectorized| are below `BACKPROP_TOLERANCE`. ``dry``: the ``dry_run`` result
    (`mlp.experiments.synthetic.dry_run`)."""
    from mlp import report

    symbolic = network_gradients().evaluate(report.DRY_RUN_X, report.DRY_RUN_LABEL, report.DRY_RUN_PARAMS)
    error = max(float(np.abs(np.asarray(s) - np.asarray(g)).max()) for s, g in zip(symbolic, dry["scalar"]))
    return {"error": error,
            "agrees": error < BACKPROP_TOLERANCE and dry["max_difference_between_forms"] < BACKPROP_TOLERANCE}


def network_nodes(x: sp.ImmutableMatrix, params: Params) -> tuple:
    """The forward pass's nodes k, h, z, y (row vectors) as SymPy expressions of x and params."""
    w, b, v, c = params
    k = x * w + b
    h = k.applyfunc(lambda k_j: 1 / (1 + sp.exp(-k_j)))
    z = h * v + c
    y = z.applyfunc(sp.exp) / sum(map(sp.exp, z))
    return k, h, z, y


@lru_cache(maxsize=None)
def network_gradients() -> NetworkGradients:
    """The loss of the 2-3-2 network, built from its definitions and differentiated.

    k = x w + b, h = σ(k), z = h v + c, y = softmax(z), loss = −Σ_m t_m ln y_m, with the
    same names as `mlp.scalar`. Every gradient is `sympy.diff` of the loss
    by one parameter: no backpropagation rule is used. Built once, then cached.
    """

    def matrix(name, rows, cols):
        return sp.ImmutableMatrix(rows, cols, lambda r, s: sp.Symbol(f"{name}_{r + 1}{s + 1}"))

    def row(name, n):
        return sp.ImmutableMatrix([sp.symbols(f"{name}_1:{n + 1}")])

    x, t = row("x", 2), row("t", 2)
    params = Params(matrix("w", 2, 3), row("b", 3), matrix("v", 3, 2), row("c", 2))
    _, h, _, y = network_nodes(x, params)
    loss = -sum(t_m * sp.log(y_m) for t_m, y_m in zip(t, y))
    grads = params.map(lambda symbols: symbols.applyfunc(loss.diff))
    function = sp.lambdify(
        [list(symbols) for symbols in (x, t, *params)],
        [list(grad) for grad in grads],
        modules="numpy",
        cse=True,
    )
    return NetworkGradients(x, t, params, loss, grads, function)


def chain_rule_paths(i: int, j: int, outputs=None) -> Derivation:
    """∂l/∂w_ij of the 2-3-2 network written out by the chain rule, against `sympy.diff`.

    The weight w_ij reaches the loss along one path per output m:
    w_ij → k_j → h_j → z_m → l. The chain rule multiplies the local derivatives along
    each path and adds the paths:

        ∂l/∂w_ij = Σ_m ∂l/∂z_m · ∂z_m/∂h_j · ∂h_j/∂k_j · ∂k_j/∂w_ij
                 = Σ_m (y_m − t_m) · v_jm · h_j(1 − h_j) · x_i .

    ``i`` and ``j`` are 0-based (the symbols are numbered from 1: ``i=0, j=0`` is w_11);
    ``outputs`` lists the outputs m whose paths are summed (default: all of them), so
    that a claim with a path left out can be shown to fail. The claim is written in the
    short symbols y_m and h_j, defined by the network's forward pass; ``derived`` is
    `sympy.diff` of the network's loss, which applies no backpropagation rule. The
    targets are one-hot, so they sum to one (``constraints``).
    """
    network = network_gradients()
    x, t, params = network.x, network.t, network.params
    w, _, v, _ = params
    n_in, n_hid = w.shape
    n_out = v.shape[1]
    if i not in range(n_in) or j not in range(n_hid):
        raise ValueError(f"w_ij needs 0 <= i < {n_in} and 0 <= j < {n_hid}, got i={i!r}, j={j!r}")
    outputs = range(n_out) if outputs is None else outputs
    _, h_nodes, _, y_nodes = network_nodes(x, params)
    h = sp.symbols(f"h_1:{n_hid + 1}")
    y = sp.symbols(f"y_1:{n_out + 1}")
    paths = [(y[m] - t[m]) * v[j, m] * h[j] * (1 - h[j]) * x[i] for m in outputs]
    return Derivation(
        lhs=rf"\frac{{\partial l}}{{\partial w_{{{i + 1}{j + 1}}}}}",
        derived=network.loss.diff(w[i, j]),
        claimed=sp.Add(*paths),
        definitions={**dict(zip(h, h_nodes)), **dict(zip(y, y_nodes))},
        constraints={t[-1]: 1 - sum(t[:-1])},
    )


class sigma(sp.Function):
    """σ as a SymPy function known by its derivative, σ′(k) = σ(k)(1 − σ(k)) (which
    `sigmoid_derivative` derives from σ's definition): a deep network's loss stays a short
    expression in σ(...), where the exponentials nested inside each other cost SymPy a minute."""

    def fdiff(self, argindex=1):
        return self * (1 - self)


def layer_recursion(sizes=(2, 2, 2, 2)) -> list[Derivation]:
    """The backward recursion of a network of any depth, against `sympy.diff`, for ``sizes``.

    The network has a linear layer between each pair of sizes and σ after each but the
    last: k_l = h_(l-1) W_l + b_l, h_l = σ(k_l) (h_0 = x); the last layer's output is the
    logits z, y = softmax(z), and the loss −Σ_m t_m ln y_m. The recursion claimed (Nielsen's
    BP1–BP4 in this site's names), with δ_l the gradient of the loss in k_l:

        δ_L = y − t;   δ_l = (δ_(l+1) W_(l+1)ᵀ) ⊙ h_l ⊙ (1 − h_l);
        ∂l/∂W_l = h_(l-1)ᵀ δ_l;   ∂l/∂b_l = δ_l.

    Returns one `Derivation` per parameter, W_1, b_1, W_2, ..., each a matrix: ``derived``
    is `sympy.diff` of the whole network's loss, ``claimed`` the recursion, written in the
    short symbols h_l and y that the forward pass defines.
    """
    sizes = tuple(check_count(n, "size") for n in sizes)
    if len(sizes) < 3 or sizes[-1] < 2:
        raise ValueError(f"sizes needs an input, a hidden layer or more and at least 2 outputs, got {sizes}")
    L = len(sizes) - 1
    W = [sp.ImmutableMatrix(m, n, lambda r, s, l=l: sp.Symbol(f"W{l}_{r + 1}{s + 1}"))
         for l, (m, n) in enumerate(zip(sizes[:-1], sizes[1:]), start=1)]
    b = [sp.ImmutableMatrix([sp.symbols(f"b{l}_1:{n + 1}")]) for l, n in enumerate(sizes[1:], start=1)]
    x = sp.ImmutableMatrix([sp.symbols(f"x_1:{sizes[0] + 1}")])
    t = sp.ImmutableMatrix([sp.symbols(f"t_1:{sizes[-1] + 1}")])
    # Forward from the definitions: nodes[l] is h_l as an expression of x and the parameters.
    nodes = [x]
    for l in range(L):
        k = nodes[-1] * W[l] + b[l]
        nodes.append(k if l == L - 1 else k.applyfunc(sigma))
    z = nodes[-1]
    y_nodes = z.applyfunc(sp.exp) / sum(map(sp.exp, z))
    loss = -sum(t_m * sp.log(y_m) for t_m, y_m in zip(t, y_nodes))
    # The claim, in short symbols: h_l for the hidden layers' outputs, y for softmax(z).
    h = [x] + [sp.ImmutableMatrix([sp.symbols(f"h{l}_1:{n + 1}")]) for l, n in enumerate(sizes[1:-1], start=1)]
    y = sp.ImmutableMatrix([sp.symbols(f"y_1:{sizes[-1] + 1}")])
    delta = {L: y - t}
    for l in range(L - 1, 0, -1):
        delta[l] = (delta[l + 1] * W[l].T).multiply_elementwise(h[l].applyfunc(lambda h_j: h_j * (1 - h_j)))
    definitions = {symbol: node for l in range(1, L) for symbol, node in zip(h[l], nodes[l])}
    definitions.update(zip(y, y_nodes))
    return [Derivation(lhs=rf"\frac{{\partial l}}{{\partial {name}_{l}}}", derived=symbols.applyfunc(loss.diff),
                       claimed=claimed, definitions=definitions, constraints={t[-1]: 1 - sum(t[:-1])})
            for l in range(1, L + 1)
            for name, symbols, claimed in (("W", W[l - 1], h[l - 1].T * delta[l]), ("b", b[l - 1], delta[l]))]
