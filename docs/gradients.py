# %% [markdown]
# # Why gradients
#
# A neural network is a function with knobs. Its knobs are its **weights**: numbers
# that decide what it computes. The small network of this course takes two numbers in
# and says how likely each of two classes is. Training it means finding weights for which
# it is right on the examples we have.
#
# To find them we need a way to say how wrong the network is. That is the **loss**: one
# number, computed from the network's answers and the right answers, small when the
# network is right and large when it is wrong. (Which number exactly comes on the
# [Notation](../notation/) page.) Training is then a search for weights that make the
# loss small.
#
# ## One weight at a time
#
# Hold every weight of the network fixed but one, called $v_{11}$, and compute the loss
# on a few examples for many values of $v_{11}$. The loss becomes a curve over one
# number, and its lowest point is the best value of $v_{11}$ (with the other weights as
# they are): the figure below draws it.

# %% tags=["hide-input"]
import numpy as np

from mlp import cost, example, plots
from mlp.site import page

point = example.running_example()
params, examples = point["params"], example.few_examples()
weight = ("v", (0, 0))  # v_11
start = float(params.v[0][0])
weights = np.linspace(-11.5, 3.5, 151)
curve = {"weights": weights, "losses": example.loss_along(params, examples, *weight, weights), "name": "$v_{11}$"}
rates = (1.0, 8.0)
steps = 6
paths = {lr: example.descend(params, examples, *weight, lr=lr, steps=steps) for lr in rates}
page.md(f"The network has {page.number('gradients.weights', 'int', value=cost.count(*example.SIZES).parameters)} "
        f"weights (its biases counted among them); the curve is its loss summed over "
        f"{page.number('gradients.examples', 'int', value=len(examples))} examples drawn at random.")

# %% [markdown]
# ## The slope tells which way is down
#
# Standing at one value of the weight, we cannot see the whole curve: drawing it took an
# evaluation of the loss at every point of it, for one weight, and a real network has far
# too many weights for that. What we can do is **nudge** the weight by a small amount and
# see what the loss does:

# %% tags=["hide-input"]
nudge = 1e-3
loss_at, slope = example.loss_and_slope(params, examples, *weight, start)
loss_nudged, _ = example.loss_and_slope(params, examples, *weight, start + nudge)
ratio = (loss_nudged - loss_at) / nudge
assert abs(ratio - slope) < 1e-2 * abs(slope), "the nudge's ratio should be the slope"
page.table(["$v_{11}$", "loss"],
           [[page.number("gradients.start", "4f", value=start), page.number("gradients.loss", "4f", value=loss_at)],
            [page.number("gradients.nudged", "4f", value=start + nudge),
             page.number("gradients.loss_nudged", "4f", value=loss_nudged)]])
page.md(f"""
A nudge of {page.number("gradients.nudge", "plain", value=nudge)} raised the loss by
{page.number("gradients.change", "plain", value=loss_nudged - loss_at)}: the loss changes about
{page.number("gradients.ratio", "3f", value=ratio)} times as much as the weight. That ratio, for a nudge
too small to matter, is the **slope** of the curve at this point, its derivative
$\\partial l / \\partial v_{{11}}$ = {page.number("gradients.slope", "3f", value=slope)}.
""")

# %% [markdown]
# **The gradient says how much the loss changes when you nudge a weight**: change the
# weight by a small $\epsilon$ and the loss changes by about $\epsilon$ times the slope.
# Every later page makes this one sentence precise. A positive slope says that a larger
# weight gives a larger loss, so the weight should go down; a negative slope says the
# opposite; a large slope says the loss is sensitive to this weight.
#
# ## Gradient descent
#
# So step against the slope, and repeat:
#
# $$
# v_{11} \;\leftarrow\; v_{11} - \eta \, \frac{\partial l}{\partial v_{11}} ,
# $$
#
# where the **learning rate** $\eta$ sets the size of the steps. This is **gradient
# descent**. Below, the same number of steps from the same start with two learning
# rates:

# %% tags=["hide-input"]
page.figure(plots.gradient_descent(curve, paths),
            f"Two panels, each the loss on {len(examples)} examples against the weight v11, a curve with one "
            f"valley. Left, learning rate {rates[0]:g}: {steps} steps from the start walk down the curve and "
            f"slow near the bottom. Right, learning rate {rates[1]:g}: the steps jump across the valley and "
            f"back, never settling.")
small, large = paths[rates[0]], paths[rates[1]]
assert all(b["loss"] < a["loss"] for a, b in zip(small, small[1:])), "a small step should always go down"
assert any(b["loss"] > a["loss"] for a, b in zip(large, large[1:])), "a large step should overshoot"
page.md(f"""
With $\\eta$ = {page.number("gradients.small_rate", "plain", value=rates[0])} every step goes down, and the
steps shrink by themselves near the bottom, where the slope is small: the loss falls from
{page.number("gradients.small_start", "3f", value=small[0]["loss"])} to
{page.number("gradients.small_end", "3f", value=small[-1]["loss"])}. With
$\\eta$ = {page.number("gradients.large_rate", "plain", value=rates[1])} the steps are too long: they jump
over the valley and back, and the loss goes up at some steps instead of down. Choosing $\\eta$ is part of
[training](../training/).
""")

# %% [markdown]
# ## Every weight at once
#
# The network has more than one weight, and each has its own slope: hold the others
# fixed and nudge it. The list of all these slopes is the **gradient** of the loss, and
# gradient descent takes its step for every weight at once, each against its own slope.

# %% tags=["hide-input"]
mnist = cost.count(784, 300, 10)
page.md(f"""
The network that reads handwritten digits later in this course has
{page.number("gradients.mnist_weights", "int", value=mnist.parameters)} weights. Finding each slope
by nudging would take two evaluations of the loss per weight,
{page.number("gradients.mnist_evaluations", "int", value=mnist.finite_difference_passes)} of them for one
step of gradient descent. **Backpropagation** finds every slope exactly, in one pass back through the
network that costs about as much as computing the loss once more. How it does that is what the
next pages are about.
""")

# %% [markdown]
# ## The running example
#
# One small network carries the whole course: two inputs, three hidden units, two
# outputs (a "2-3-2" network), its weights drawn at random from a fixed seed, with one
# example fed through it. The package names it `mlp.example.running_example()`; the
# weight $v_{11}$ above is one of its weights. The [Scalar network](../scalar/) page works
# its values and slopes number by number. It is chosen so that no slope is zero: every
# part of the calculation shows.
#
# The pages, in order:
#
# 1. [Notation](../notation/): the names of every quantity, and the loss.
# 2. [Scalar network](../scalar/): the chain rule, path by path, then backpropagation
#    node by node, with the running example's numbers.
# 3. [Derivatives](../derivatives/): the derivatives those steps use, derived by hand
#    and checked by SymPy.
# 4. [Vectorized network](../vectorized/): the same computation for many examples at
#    once, with matrices.
# 5. [Any network](../layers/): the same steps as layers, for networks of any depth.
# 6. [Gradient checking](../gradcheck/): testing the slopes against nudges.
# 7. [Training](../training/): gradient descent on real data.
