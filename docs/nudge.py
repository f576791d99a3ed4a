# %% [markdown]
# # Nudge a weight
#
# The gradient of the loss at a weight says how much the loss changes when the weight is
# nudged. This page lets you check that, on the running example: the 2-3-2 network of the
# [scalar network](../scalar/) page at its seeded random point, where no gradient is zero.
# First predict a few of its values by hand; then move any weight and watch every value
# and the loss follow.
#
# ## The running example

# %% tags=["hide-input"]
import copy

from mlp import quiz, scalar, train
from mlp.experiments import synthetic_inside
from mlp.site import nudge, page

point = quiz.running_example()
assert synthetic_inside.all_gradients_nonzero(point), "the running example has a zero gradient"
x, label, (w, b, v, c) = point["x"], point["label"], point["params"]


def numbers(name, values):
    return ", ".join(page.number(f"nudge.{name}.{n}", "3g", value=value) for n, value in enumerate(values))


page.table(["quantity", "values", "in the network"],
           [["$x_1, x_2$", numbers("x", x), "the input"],
            ["true class", str(label + 1), "so $t_{%d} = 1$ and the other $t_m = 0$" % (label + 1)],
            ["$w_{11}, w_{12}, w_{13}$", numbers("w1", w[0]), "from $x_1$ to the hidden units"],
            ["$w_{21}, w_{22}, w_{23}$", numbers("w2", w[1]), "from $x_2$ to the hidden units"],
            ["$b_1, b_2, b_3$", numbers("b", b), "the hidden units' biases"],
            *[[f"$v_{{{j + 1}1}}, v_{{{j + 1}2}}$", numbers(f"v{j + 1}", row), f"from $h_{j + 1}$ to the outputs"]
              for j, row in enumerate(v)],
            ["$c_1, c_2$", numbers("c", c), "the outputs' biases"]])

# %% [markdown]
# ## Predict, then check
#
# Work out each value from the table, with the equations of the
# [scalar network](../scalar/) page and a calculator, in order: each question uses the
# answers before it. Type your answer and press Enter (or *Check*). A wrong answer
# brings a hint, the rule to use; the worked answer comes when you ask for it. The
# figure further down shows every one of these values, so answer first.

# %% tags=["hide-input"]
for name in ("k_1", "h_1", "dz_1", "dh_2", "dk_3", "dw_21"):
    page.quiz(name)

# %% [markdown]
# ## Nudge a weight, watch the loss
#
# Choose a weight, a bias or an input, and move it with the slider (or focus the slider
# and press the arrow keys). The network on the left shows each input $x_i$, hidden unit
# $h_j$ and output $y_m$ with its value, and the loss $l$; the edge of the chosen weight
# is drawn thick. On the right, the loss against the chosen quantity over the slider's
# range, and through the current point a line whose slope is the gradient that the
# backward pass computed there: it touches the curve, because the gradient *is* the
# loss's slope. *Take a gradient step* moves every weight and bias at once,
# $\theta \leftarrow \theta - \eta\, \partial l / \partial \theta$, and the loss falls.

# %% tags=["hide-input"]
page.nudge(point)
stepped = copy.deepcopy(point["params"])
before = train.scalar_step(x, label, stepped, nudge.STEP_LR)
after = scalar.cross_entropy(scalar.forward(x, stepped).z, label)
assert after < before, "a gradient step at the running example does not lower its loss"
page.md(f"""
One step with $\\eta$ = {page.number("nudge.lr", "3g", value=nudge.STEP_LR)} (`train.scalar_step`, the step
of stochastic gradient descent) takes the loss from {page.number("nudge.loss_before", "3g", value=before)} to
{page.number("nudge.loss_after", "3g", value=after)}: the figure's first step shows the same.
For an input $x_i$ the figure draws no slope: the backward pass stops at the first layer's
weights, since training never changes an input.
""")

# %% [markdown]
# ## The same equations in JavaScript
#
# The figure does not call the package: your browser recomputes the network with the
# file below, `network.js`, at every move of the slider. It is a fourth form of the same
# equations, after the formulas, the [scalar](../scalar/) and the
# [vectorized](../vectorized/) network: eq. 2.1 is `forward`, eq. 2.2 is `backward`, one
# line per equation, with the names of `mlp/scalar.py`. What you read here is the file
# the page runs. The site's tests load this page in a browser, evaluate these functions
# at seeded random networks and compare every value and gradient with `scalar.forward`
# and `scalar.backward`, to $10^{-12}$; a slip in any line fails them.

# %% tags=["hide-input"]
page.listing("docs/assets/network.js", "javascript")

# %% [markdown]
# The Python it mirrors, from `mlp/scalar.py`: the loops add into each node in the same
# order as `sum` over `map` does, and `train.scalar_step` is `step`.

# %% tags=["hide-input"]
page.source(scalar.forward)
page.source(scalar.backward)
