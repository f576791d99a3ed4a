# %% [markdown]
# # Any network: layers
#
# The [vectorized network](../vectorized/) computes the gradients of one fixed network:
# two linear steps, a sigmoid between them, softmax and cross-entropy at the end. Look at
# its backward pass again and it is made of three kinds of step, each of which only ever
# needs two things: what it kept from its own forward step, and the gradient arriving from
# the step after it.
#
# - A **linear step** $\text{out} = a\,W + \mathbf 1 b$ (the report's $k = x w + b$ and
#   $z = h v + c$) receives $d\text{out}$ and returns $da = d\text{out}\, W^\top$ (as
#   $dh = dz\, v^\top$), and its own parameters' gradients $dW = a^\top d\text{out}$ and
#   $db = \mathbf 1^\top d\text{out}$ (as $dv$, $dc$ and $dw$, $db$).
# - An **element-wise step** $h = f(k)$ (the sigmoid, or another activation) receives $dh$
#   and returns $dk = dh \odot f'(k)$ (as $dk = dh \odot h \odot (1 - h)$).
# - The **loss step**, softmax then cross-entropy, starts the backward pass:
#   $dz = y - t$.
#
# So a network of any depth is a list of such steps, a **layer** each: run the list
# forward, each layer keeping what its backward pass will need, then run it backward in
# reverse, each layer passing the gradient of its input to the layer before it. This is
# the idea behind every automatic-differentiation library (micrograd gives each operation
# its own local `_backward`); here it is written for whole layers.
#
# ## The recursion for $L$ layers
#
# Number the linear layers $l = 1, \dots, L$, with $h_0 = x$, $k_l = h_{l-1} W_l + \mathbf 1
# b_l$, $h_l = f(k_l)$ for $l < L$, and the last layer's output the logits $z = k_L$. Write
# $\delta_l$ for the gradient of the loss in $k_l$ (in the two-layer network, $\delta_2 = dz$
# and $\delta_1 = dk$). The two-layer backward pass, read one layer at a time, is the
# whole recursion (in Nielsen's book, equations BP1 to BP4):
#
# $$
# \begin{aligned}
# \delta_L &= y - t, &
# \delta_l &= (\delta_{l+1} W_{l+1}^\top) \odot f'(k_l) \quad (l < L), \\
# dW_l &= h_{l-1}^\top \delta_l, &
# db_l &= \mathbf 1^\top \delta_l .
# \end{aligned}
# $$
#
# The middle step, $\delta_l$ from $\delta_{l+1}$, is the two-layer network's $dh = dz\,
# v^\top$ followed by $dk = dh \odot \sigma'(k)$, repeated once per hidden layer. Nothing
# else changes with depth: a deeper network repeats the middle of the backward pass.

# %% tags=["hide-input"]
import numpy as np

import mlp
from mlp import derivations, exercises, gradcheck, layers, vectorized
from mlp.site import page

recursion = derivations.layer_recursion((2, 2, 2, 2))
assert all(d.holds() for d in recursion), "the layer recursion does not hold"
page.md(f"""
<details class="note"><summary>How we know this is right</summary>

SymPy builds the loss of a three-layer network (2-2-2-2, sigmoids between the layers) from
its definitions, differentiates it by each of its
{page.number("layers.recursion.parameter_arrays", "int", value=len(recursion))} parameter
arrays with `sympy.diff`, which applies no backpropagation rule, and compares each with the
recursion above (`mlp.derivations.layer_recursion`). Every entry of every difference
simplifies to zero; the build fails if one does not, and the tests show that a recursion
with $W$ not transposed, or with $\\sigma'$ left out, is refused.

</details>
""")

# %% [markdown]
# ## The layers in code
#
# Each layer has a `forward` that keeps what its `backward` needs, and a
# `backward(d_out)` that returns `(d_in, d_params)`. A linear layer:

# %% tags=["hide-input"]
page.source(layers.Linear)

# %% [markdown]
# An activation layer takes its function and derivative from `mlp.activations`, where the
# sigmoid, tanh and ReLU are each defined once, beside their derivatives:

# %% tags=["hide-input"]
page.source(layers.Activation)

# %% [markdown]
# The loss layer is softmax and cross-entropy together, because together their backward
# pass is the short $y - t$ ([derived here](../derivatives/)):

# %% tags=["hide-input"]
page.source(layers.SoftmaxCrossEntropy)

# %% [markdown]
# And a network of any depth is a list of layers, run forward, then backward in reverse:

# %% tags=["hide-input"]
page.source(layers.gradients)

# %% [markdown]
# ## The same gradients as the vectorized network
#
# Built from the report's network's parameters, `[Linear(w, b), Sigmoid(), Linear(v, c),
# SoftmaxCrossEntropy()]` computes what `vectorized.gradients` computes, on a random
# 784-300-10 network and a batch of 32:

# %%
rng = np.random.default_rng(0)
params = mlp.params.random_params(784, 300, 10, rng, scale="lecun")
x, labels = rng.normal(size=(32, 784)), rng.integers(10, size=32)
loss, grads = layers.gradients(layers.from_params(params), x, labels)
expected_loss, expected = vectorized.gradients(x, labels, params)
same = max(gradcheck.relative_error(g, e) for g, e in zip([g for pair in grads for g in pair], expected))
assert same < 1e-12

# %% tags=["hide-input"]
page.md(f"The largest relative difference over the four parameter gradients is "
        f"{page.number('layers.same_as_vectorized', 'sci', value=same)}: rounding.")

# %% [markdown]
# Other depths and activations have no second implementation to compare with, so they are
# checked against central differences (the [gradient-checking page](../gradcheck/)
# explains the check): every parameter of each network, in float64.

# %%
NETWORKS = [((2, 8, 8, 3), "sigmoid"), ((2, 8, 8, 3), "tanh"), ((2, 8, 8, 3), "relu"),
            ((4, 6, 5, 4, 3), "tanh")]
checked = []
for sizes, activation in NETWORKS:
    rng = np.random.default_rng(1)
    net = layers.network(sizes, activation, rng)
    x, labels = rng.normal(size=(5, sizes[0])), rng.integers(sizes[-1], size=5)
    _, grads = layers.gradients(net, x, labels)
    numerical = gradcheck.central_differences(lambda: layers.gradients(net, x, labels)[0], layers.parameters(net))
    error = max(gradcheck.relative_error(a, n) for a, n in zip([g for pair in grads for g in pair], numerical))
    assert error < 1e-7, (sizes, activation, error)
    checked.append((sizes, activation, error))

# %% tags=["hide-input"]
page.table(["network", "activation", "largest relative error against central differences"],
           [["-".join(map(str, sizes)), activation,
             page.number(f"layers.gradcheck.{'_'.join(map(str, sizes))}.{activation}", "sci", value=error)]
            for sizes, activation, error in checked])

# %% [markdown]
# ## Exercise: your own activation layer
#
# Write a tanh layer: `forward(k)` returns $\tanh(k)$ and keeps what `backward` needs;
# `backward(d_out)` returns `(d_in, ())`. Check it with
# `print(mlp.exercises.check_layer(MyTanh, "tanh"))`: it compares your `d_in` with
# $d\text{out} \odot (1 - h^2)$ and with central differences, and names the usual
# mistakes: $\tanh'$ written with the input $k$ instead of the output $h$, the square
# missing, the sigmoid's derivative. For a ReLU layer (`"relu"`), it names the mask taken
# after the layer (from the arriving gradient) instead of before it (from $k > 0$).
#
# <details class="success"><summary>Solution</summary>
#
# Keep the output: $\tanh'(k) = 1 - \tanh(k)^2 = 1 - h^2$ needs no second $\tanh$.
#
# ```python
# class MyTanh:
#     params = ()
#
#     def forward(self, k):
#         self.h = np.tanh(k)
#         return self.h
#
#     def backward(self, d_out):
#         return d_out * (1 - self.h ** 2), ()
# ```
#
# </details>

# %% tags=["hide-input"]
class MyTanh:
    params = ()

    def forward(self, k):
        self.h = np.tanh(k)
        return self.h

    def backward(self, d_out):
        return d_out * (1 - self.h ** 2), ()


class WrongTanh(MyTanh):
    def forward(self, k):
        self.k = k
        return super().forward(k)

    def backward(self, d_out):
        return d_out * (1 - self.k ** 2), ()


assert exercises.check_layer(MyTanh, "tanh").ok
wrong = exercises.check_layer(WrongTanh, "tanh")
assert not wrong.ok and wrong.mistake, wrong
page.md(f"The solution passes. A layer that writes $1 - k^2$ instead is told it is wrong, and why: "
        f"*likely {wrong.mistake}*.")

# %% [markdown]
# ## Sigmoid or ReLU: the same network, another activation
#
# The layers make any activation a one-word change, and so does the package's trainer
# (`train(..., activation="relu")`, from the same `mlp.activations`). Trained by one recipe
# on MNIST, five seeds each, the report's sigmoid network and the same network with ReLU
# hidden units ($\max(k, 0)$, whose derivative is 1 where $k > 0$ and 0 elsewhere) reach
# these held-out accuracies (mean over the seeds, and its [confidence interval](../training/#several-seeds-means-intervals-and-tests)):

# %% tags=["hide-input"]
from mlp.experiments import activations as compared  # noqa: E402

found = page.results("activations")
recipe = found["recipe"]
level = page.number("activations.sigmoid.val_accuracy.confidence", "percent0")
page.table(["hidden units", "validation accuracy", f"{level} interval", "training seconds per run"],
           [[name, page.number(f"activations.{name}.val_accuracy.mean"),
             page.interval(f"activations.{name}.val_accuracy"),
             page.number(f"activations.{name}.train_seconds.mean", "seconds")]
            for name in compared.ACTIVATIONS])
page.md(f"""The recipe: mean loss, learning rate {page.number('activations.recipe.lr', 'plain')},
batches of {page.number('activations.recipe.batch_size', 'int')},
{page.number('activations.recipe.epochs', 'int')} epochs, LeCun's initial weights, over
{page.number('activations.seeds', 'int')} seeds; validated on the training images held out
from training.""")
if "relu_minus_sigmoid" in found:
    page.md(f"""ReLU minus sigmoid: {page.number('activations.relu_minus_sigmoid.difference', 'points')}
points ([Welch's test](../training/#several-seeds-means-intervals-and-tests): p = {page.number('activations.relu_minus_sigmoid.p', 'sci')}):
{compared.reading(found)}.""")
