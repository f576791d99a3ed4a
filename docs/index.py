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
# results. Where this site and the report disagree, the [reproduction report](reproduction/)
# says so and why.

# %% tags=["hide-input"]
from mlp import plots
from mlp.site import page

page.figure(plots.network_diagram(), "The 2-3-2 network: inputs x, sigmoid hidden units h, softmax outputs y, loss")

# %% [markdown]
# The same network on one example, as its computational graph: each node's forward value in
# black and the gradient of the loss at it in vermillion, each weight with its value and its
# gradient, all computed by the [scalar network](scalar/#backpropagation-on-the-graph)'s
# `forward` and `backward` at a seeded random point. The scalar page steps through it.

# %% tags=["hide-input"]
from mlp.experiments import inside

page.figure(plots.backprop_graph(inside.random_point()),
            "The 2-3-2 network's computational graph at a seeded random point: every node with its forward "
            "value and its gradient, every weight with its value and its gradient")

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
page.md(f"Means over seeds; the [MNIST page](mnist/) gives the spread and the confidence intervals. "
        f"Experiments profile of this build: `{page.profile()}`.")

# %% [markdown]
# ## Run it yourself
#
# The two commands, as the project's README gives them: the first builds and serves this
# site (running every experiment first, which takes minutes on two cores the first time
# and seconds after that), the second runs the tests.

# %% tags=["hide-input"]
page.readme_commands()
