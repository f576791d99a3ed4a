# %% [markdown]
# # Cheat sheet
#
# Every equation of the forward and backward pass on one page: in index form (one
# example, as `mlp.scalar` computes it), in matrix form (a batch of $B$ rows, as
# `mlp.vectorized` computes it), with the shape of each array, and the line of each
# module that computes it. The lines are found in the package's source while the site is
# built (`mlp.site.sourcelines`), so they are the code as it is; each links to its place
# in the [listings](#the-code-line-by-line) at the end of the page. Indices: $i$ inputs, $j$ hidden units, $m$
# outputs, $r$ the rows of a batch; $t$ is the one-hot target, $\odot$ the element-wise
# product, $\mathbf 1$ a column of $B$ ones.

# %% tags=["hide-input"]
import html

import numpy as np
from IPython.display import HTML, display

import mlp
from mlp import vectorized
from mlp.site import page, sourcelines

# name: (index form, one example; matrix form, a batch; shape as symbols)
EQUATIONS = {
    "k": (r"$k_j = \sum_i x_i w_{ij} + b_j$", r"$k = x w + \mathbf 1 b$", ("B", "n_hid")),
    "h": (r"$h_j = \sigma(k_j)$", r"$h = \sigma(k)$", ("B", "n_hid")),
    "z": (r"$z_m = \sum_j h_j v_{jm} + c_m$", r"$z = h v + \mathbf 1 c$", ("B", "n_out")),
    "y": (r"$y_m = e^{z_m} / \sum_n e^{z_n}$", r"$y = \operatorname{softmax}(z)$, row by row", ("B", "n_out")),
    "dz": (r"$dz_m = y_m - t_m$", r"$dz = y - t$", ("B", "n_out")),
    "dv": (r"$dv_{jm} = h_j\, dz_m$", r"$dv = h^\top dz$", ("n_hid", "n_out")),
    "dc": (r"$dc_m = dz_m$", r"$dc = \mathbf 1^\top dz$", ("n_out",)),
    "dh": (r"$dh_j = \sum_m dz_m v_{jm}$", r"$dh = dz\, v^\top$", ("B", "n_hid")),
    "dk": (r"$dk_j = dh_j\, h_j (1 - h_j)$", r"$dk = dh \odot h \odot (1 - h)$", ("B", "n_hid")),
    "dw": (r"$dw_{ij} = x_i\, dk_j$", r"$dw = x^\top dk$", ("n_in", "n_hid")),
    "db": (r"$db_j = dk_j$", r"$db = \mathbf 1^\top dk$", ("n_hid",)),
}
assert tuple(EQUATIONS) == sourcelines.FORWARD + sourcelines.BACKWARD

# The shapes are those of a real forward and backward pass (sizes all different).
sizes = {"B": 6, "n_in": 4, "n_hid": 5, "n_out": 3}
rng = np.random.default_rng(0)
params = mlp.init_params(sizes["n_in"], sizes["n_hid"], sizes["n_out"], rng)
x, labels = rng.normal(size=(sizes["B"], sizes["n_in"])), rng.integers(0, sizes["n_out"], size=sizes["B"])
fwd = vectorized.forward(x, params)
arrays = {**fwd._asdict(), **vectorized.backward(x, labels, params, fwd)._asdict()}
for name, (_, _, shape) in EQUATIONS.items():
    assert arrays[name].shape == tuple(sizes[s] for s in shape), name


def shape(symbols):
    names = [f"n_\\text{{{s[2:]}}}" if s.startswith("n_") else s for s in symbols]
    return "$(" + ", ".join(names) + (",)$" if len(names) == 1 else ")$")


def code(form, name):
    """The lines of mlp.<form> that compute `name`, each linked to its listing below."""
    lines = sourcelines.computing_lines(sourcelines.function_of(form, name), name)
    assert lines, (form, name)
    return "<br>".join(f'<a href="#{line.anchor}">{form}.py:{line.number}</a>&nbsp;'
                       f"<code>{html.escape(line.text)}</code>" for line in lines)


def cheat_table(names):
    """Each variable's equations, and under them the lines of the package that compute it."""
    head = ("<tr><th></th><th>index form (one example)<br><code>mlp.scalar</code></th>"
            "<th>matrix form (batch)<br><code>mlp.vectorized</code></th><th>shape (batch)</th></tr>")
    body = []
    for name in names:
        index, matrix, symbols = EQUATIONS[name]
        body.append(f'<tr class="mlp-math"><th rowspan="2"><code>{name}</code></th><td>{index}</td>'
                    f"<td>{matrix}</td><td>{shape(symbols)}</td></tr>")
        body.append(f'<tr class="mlp-code"><td>{code("scalar", name)}</td>'
                    f'<td>{code("vectorized", name)}</td><td></td></tr>')
    display(HTML(f'<table class="mlp-cheatsheet"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'))


# %% [markdown]
# ## Forward pass
#
# The loss of one example is $l = -\ln y_{m^\ast}$, $m^\ast$ its true class (report eq.
# 2.5); of a batch, $L = \sum_r l_r$.

# %% tags=["hide-input"]
cheat_table(sourcelines.FORWARD)

# %% [markdown]
# ## Backward pass
#
# Each gradient is that of the loss with respect to the variable, and has its shape. For a
# batch, a parameter's gradient sums over the rows ($dv_{jm} = \sum_r h_{rj}\, dz_{rm}$,
# $dc_m = \sum_r dz_{rm}$, and likewise $dw$, $db$); an activation's gradient keeps one row
# per example.

# %% tags=["hide-input"]
cheat_table(sourcelines.BACKWARD)

# %% [markdown]
# ## Summed or mean loss
#
# | | summed loss (`reduction="sum"`, the default, eq. 2.4) | mean loss (`reduction="mean"`) |
# |---|---|---|
# | loss of a batch | $L = \sum_r l_r$ | $L / B$ |
# | first gradient | $dz = y - t$ | $dz = (y - t) / B$ |
# | every other line | as above | as above: each is linear in $dz$, so each is divided by $B$ |
# | the same update | learning rate $\eta$ | learning rate $B \eta$ |
#
# The report's learning rates assume the summed loss. The code divides $dz$ alone:

# %% tags=["hide-input"]
(_, mean_line) = sourcelines.computing_lines(vectorized.backward, "dz")
assert mean_line.text == "dz /= len(x)"
page.md(f'<a href="#{mean_line.anchor}">{mean_line.path}, line {mean_line.number}</a>: '
        f"<code>{html.escape(mean_line.text)}</code>, under `if reduction == \"mean\":`. Why the "
        "learning rates then differ by $B$ is on the [training page](../training/#summed-or-mean-loss).")

# %% [markdown]
# ## The code, line by line
#
# The four functions the table links into, as they are in the package, with their line
# numbers in the source files.

# %% tags=["hide-input"]
for form in sourcelines.FORMS:
    for function in ("forward", "backward"):
        display(HTML(sourcelines.listing(getattr(sourcelines.FORMS[form], function),
                                         f"mlp/{form}.py: {function}")))
