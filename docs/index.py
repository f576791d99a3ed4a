# %% [markdown]
# # Backpropagation by hand
#
# This site derives, implements, checks and runs backpropagation for one small network,
# the two-layer classifier of a course report on the subject: inputs, a linear layer, a
# sigmoid, a second linear layer, a softmax, and the cross-entropy loss. It does so twice:
#
# - a **scalar** form that computes every node on its own, with loops over plain floats
#   ([Scalar network](scalar/)), and
# - a **vectorized** form that computes a whole batch with a handful of matrix products
#   ([Vectorized network](vectorized/)).
#
# Nothing on these pages is pasted. Every derivative is derived again by SymPy while the
# site is built ([Derivatives](derivatives/)); every listing is read from the `mlp`
# package itself; every figure and number is computed by the build from the experiments'
# results, except the [Performance](performance/) page's timings, which come from a
# benchmark run committed with the source (timings of one machine, not of the build's).
# Where this site and the report disagree, the [reproduction report](reproduction/)
# says so and why.

# %% tags=["hide-input"]
from mlp import plots
from mlp.site import page

page.figure(plots.network_diagram(), "The 2-3-2 network: inputs x, sigmoid hidden units h, softmax outputs y, loss")

# %% [markdown]
# The same network on one example, as its computational graph: each node's forward value in
# black and the gradient of the loss at it in vermillion (the targets in blue), each weight
# with its value and its gradient, all computed by the
# [scalar network](scalar/#backpropagation-on-the-graph)'s `forward` and `backward` at the
# course's running example, a seeded random point. The scalar page steps through it.

# %% tags=["hide-input"]
from mlp import example

page.figure(plots.backprop_graph(example.running_example()),
            "The 2-3-2 network's computational graph at the running example: every node with its forward "
            "value and its gradient, every weight with its value and its gradient")

# %% [markdown]
# ## Who this is for
#
# Readers who know calculus (derivatives, the chain rule, partial derivatives), matrices
# (products and transposes) and a little Python, and who have not yet seen
# backpropagation worked through. No machine-learning library is assumed: the network is
# written in plain Python and in NumPy.
#
# At the end you will be able to derive the gradient of this network's loss with respect
# to every weight by hand, say why backpropagation computes all of them for about the
# cost of one more forward pass, write the backward pass yourself, once with loops and
# once with matrices, check it against finite differences, and train it on MNIST.
#
# ## The path through the pages
#
# **Learn**, in this order:
#
# 1. [Why gradients](gradients/): gradient descent on one weight, and what a gradient
#    says; the running example, the network whose numbers the scalar page works.
# 2. [Notation](notation/): the symbols, their shapes, and what `dz` means.
# 3. [Scalar network](scalar/): the chain rule written out path by path for one weight,
#    and how naming the shared factors turns it into backpropagation; then the code,
#    one node at a time, and why it is cheap.
# 4. [Derivatives](derivatives/): the derivatives the backward pass uses, by hand and
#    checked by SymPy.
# 5. [Vectorized network](vectorized/): the same computation for a batch, as matrix
#    products.
# 6. [Any network](layers/): the same backward pass as layers, for any depth.
# 7. [Gradient checking](gradcheck/): both backward passes tested against finite
#    differences.
# 8. [Training](training/): gradient descent, batches, and how results over several
#    seeds are summarized.
#
# **The report, reproduced**: the course report's [synthetic](synthetic/) and
# [MNIST](mnist/) experiments run again, and a [reproduction report](reproduction/) of
# its claims. **Under the hood**: the [data files](data/), the
# [results cache](cache/), [performance](performance/) and the [API](api/).

# %% [markdown]
# ## Headline results

# %% tags=["hide-input"]
final, synth = page.results("final_model"), page.results("scalar_sgd")
page.table(
    ["", "the report", "this site"],
    [
        ["Synthetic data, validation accuracy (scalar SGD, 100 epochs)",
         page.number("scalar_sgd.report_accuracy"), page.number("scalar_sgd.val_accuracy.mean")],
        ["... majority-class baseline", "", page.number("scalar_sgd.majority_accuracy")],
        ["MNIST test accuracy, the report's recipe",
         page.number("final_model.report_accuracy"), page.number("final_model.report_recipe.test_accuracy.mean")],
        ["MNIST test accuracy, a tuned recipe for the same network", "",
         page.number("final_model.tuned.test_accuracy.mean")],
        ["Fashion-MNIST test accuracy, the tuned recipe", "", page.number("fashion.tuned.test_accuracy.mean")],
    ],
)
page.md(f"Means over seeds; the [MNIST page](mnist/) gives the spread and the "
        f"[confidence intervals](training/#several-seeds-means-intervals-and-tests). "
        f"Experiments profile of this build: `{page.profile()}`.")

# %% [markdown]
# ## Run it yourself
#
# The two commands, as the project's README gives them: the first builds and serves this
# site (running every experiment first, which takes minutes on two cores the first time
# and seconds after that), the second runs the tests.

# %% tags=["hide-input"]
page.readme_commands()
