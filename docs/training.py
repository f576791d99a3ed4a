# %% [markdown]
# # Training
#
# The [scalar](../scalar/) and the [vectorized](../vectorized/) network compute a loss and
# its gradient: how much the loss changes when each parameter is nudged. Training uses
# that gradient over and over: *move every parameter a little against its gradient*, on
# one batch of examples after another, in passes over the whole training set. This
# page trains the running example, the 2-3-2 network at its seeded random point, on
# 2,000 points of the [synthetic data](../synthetic/), and shows what each choice does.
#
# ## Gradient descent
#
# With **learning rate** $\eta$, one step of gradient descent updates every parameter
# $\theta$ ($w$, $b$, $v$, $c$, entry by entry) by
#
# $$
# \theta \leftarrow \theta - \eta\, \frac{\partial L_\text{batch}}{\partial \theta} ,
# $$
#
# where $L_\text{batch}$ is the loss of a batch of examples. A step is a forward pass, a
# backward pass and this update. Here it is for both forms; it returns the batch's loss,
# computed before the update:

# %% tags=["hide-input"]
import numpy as np

import mlp
from mlp import data, plots, vectorized
from mlp.experiments import mnist
from mlp.experiments.synthetic_inside import random_point
from mlp.site import page
from mlp.train import train

page.snippet("mlp/train.py", "steps")

# %% [markdown]
# These two functions say what a step is. Training runs their fused twins, which do the
# same arithmetic in fewer passes over memory: for the vectorized form
# `mlp.vectorized.step`, written beside the equations it fuses (folded below), for the
# scalar form `mlp.fast.scalar_step`. The tests `test_the_step_that_trains_equals_the_equations`,
# `test_training_runs_the_step_it_shows` and `test_fused_scalar_step_equals_the_plain_one`
# (in `tests/test_fast.py`) check that each twin takes the same steps as the function
# above, to rounding (the vectorized one at batch sizes 1 and many, in float64 and
# float32). [How the trainer works](../trainer/) shows the loop that calls them.

# %% tags=["hide-input"]
page.folded("The vectorized step that trains: the same update, fused", """
    The learning rate is folded into $dz$ (and so into $dh$ and $dk$), and each weight
    update is one matrix product added into the weights, so $dw$ and $dv$ are never stored:
    """, vectorized.step)

# %% [markdown]
# ## Stochastic and mini-batch gradient descent
#
# How many examples go into one step is the **batch size** $B$. An **epoch** is one pass
# over the $N$ training examples, in a fresh random order each time.
#
# - **Stochastic gradient descent** (SGD): $B = 1$, so $N$ updates per epoch. Each update
#   is cheap and follows one example's gradient, a noisy estimate of the whole set's.
# - **Mini-batch gradient descent**: $B$ examples per update, $\lceil N/B \rceil$ updates
#   per epoch (the last batch is shorter when $B$ does not divide $N$). A batch's
#   gradient averages out much of the noise, and the vectorized form computes it for all
#   $B$ examples at once, far faster per example.
#
# In `mlp.train.train` they are one loop: `batch_size=1` is SGD, any larger `batch_size`
# mini-batch gradient descent. Below, the running example trains for 5 epochs three
# ways, from the same starting weights and with the same shuffling seed. Losses are in
# **nats**, the unit of a natural logarithm: the loss $-\ln y_{m^\ast}$ is 0 nats for a
# certain right answer and $\ln 2 \approx 0.69$ nats for a coin toss between two classes.

# %%
(x, labels), val, _ = data.load_synth(num_train=2_000,
                                      num_val=1_000)
# the running example's weights and biases
start = random_point()["params"].asarrays(np.float64)


def run(batch_size, lr, reduction):
    """5 epochs from `start`; the History as a dict."""
    _, history = train(start, (x, labels), val, lr=lr,
                       batch_size=batch_size, epochs=5,
                       reduction=reduction, seed=0,
                       progress=False)
    return history.to_dict()


B, lr = 50, 0.1
choices = [("SGD", 1, "sum"),
           ("mini-batch, mean loss", B, "mean"),
           ("mini-batch, summed loss", B, "sum")]
runs = {}  # label: (batch size, history)
for name, size, reduction in choices:
    label = f"{name}: B = {size}, η = {lr}"
    runs[label] = (size, run(size, lr, reduction))
sgd, mean, summed = (h for _, h in runs.values())

# %% tags=["hide-input"]
noise = {name: float(np.std(np.log(history["step_loss"][-len(history["step_loss"]) // 5:])))
         for name, history in (("sgd", sgd), ("mean", mean))}
assert len(sgd["step_loss"]) == 5 * len(x) and len(mean["step_loss"]) == 5 * -(-len(x) // B)
assert sgd["train_loss"][-1] < mean["train_loss"][-1] and noise["sgd"] > noise["mean"]
page.figure(plots.sgd_and_minibatch(runs, len(x)),
            f"Two panels of mean cross-entropy in nats for the 2-3-2 network trained 5 epochs on "
            f"{len(x):,} synthetic points. Left, the loss of each update's batch against the epoch: SGD's "
            f"{len(sgd['step_loss']):,} one-example losses scatter over orders of magnitude, the mini-batch "
            f"runs' {len(mean['step_loss'])} batch losses form narrow lines. Right, the training-set loss per "
            f"epoch from {sgd['train_loss'][0]:.2f} at epoch 0: SGD ends at {sgd['train_loss'][-1]:.2f}, the "
            f"mean-loss mini-batch at {mean['train_loss'][-1]:.2f}, the summed-loss mini-batch at "
            f"{summed['train_loss'][-1]:.2f}.")
page.md(f"""
Epoch 0 is the untrained network: every curve starts where training starts. SGD makes
{page.number("training.sgd.updates_per_epoch", "int", value=len(x))} updates per epoch, the mini-batch runs
{page.number("training.minibatch.updates_per_epoch", "int", value=-(-len(x) // B))}. With the same learning rate
and the mean loss, the mini-batch run takes {B} times fewer steps of about the same length, and after 5 epochs its
loss, {page.number("training.minibatch_mean.final_loss", "2f", value=mean["train_loss"][-1])} nats, is still far
above SGD's, {page.number("training.sgd.final_loss", "2f", value=sgd["train_loss"][-1])}. Its updates are much
steadier, though (left): the spread of the logarithm of the last epoch's step losses is
{page.number("training.sgd.noise", "2f", value=noise["sgd"])} for SGD and
{page.number("training.minibatch_mean.noise", "2f", value=noise["mean"])} for the mini-batch run. The summed
loss with the same $\\eta$ moves {B} times further per step, which is the next section.
""")

# %% [markdown]
# ## Summed or mean loss
#
# The report's batch loss is the **sum** of its examples' losses, $L_\text{batch} =
# \sum_{r=1}^{B} l_r$, and its eq. 2.4 is that sum's gradient (see
# [Vectorized network](../vectorized/#summed-or-mean-loss)). The alternative is the
# mean, $L_\text{batch}/B$. `train`'s argument `reduction` chooses: `"sum"`, or `"mean"`
# (the default, so that one learning rate suits every batch size; the report's runs pass
# `"sum"`). With the summed loss and learning rate $\eta$ the update is
#
# $$
# \theta \leftarrow \theta - \eta \sum_{r=1}^{B} g_r
# = \theta - (B\eta)\, \frac{1}{B} \sum_{r=1}^{B} g_r ,
# $$
#
# where $g_r$ is example $r$'s gradient: exactly the update of the mean loss with
# learning rate $B\eta$. So
#
# - **a learning rate $\eta$ with the summed loss over batches of $B$ is a learning rate
#   $B\eta$ with the mean loss**. For SGD ($B = 1$) the two coincide.
# - with the summed loss, **changing the batch size changes the step size**; with the
#   mean loss, the learning rate and the batch size are separate knobs.
#
# The build trains the summed run of the figure again with the mean loss and $B\eta$,
# and checks that every recorded loss is the same:

# %%
matched = run(B, B * lr, "mean")
steps = zip(summed["step_loss"], matched["step_loss"])
largest = max(abs(a - b) for a, b in steps)
print(f"summed loss, lr {lr}; mean loss, lr {B * lr:g}:")
print(f"largest difference of a step's loss {largest:.1e}")
assert largest < 1e-9

# %% tags=["hide-input"]
final = mnist.REPORT_RECIPE
page.md(f"""
The report trains with the summed loss, so its learning rates hide this factor: its final recipe,
$\\eta$ = {page.number("training.report.final_lr", "plain", value=final.lr)} over batches of
{page.number("training.report.final_batch", "int", value=final.batch_size)}, is a mean-loss rate of
{page.number("training.report.final_mean_lr", "plain", value=final.lr * final.batch_size)}. Whatever the
reduction, `train` records losses as means per example, so curves of different batch sizes share one scale.
""")
page.quiz("lr_sum")

# %% [markdown]
# ## Learning-rate decay
#
# After every epoch `train` multiplies the learning rate by `lr_decay` $= \gamma$
# (default 1: constant), so epoch $e = 1, 2, \dots$ runs with $\eta\, \gamma^{e-1}$. A
# large rate early moves fast; a smaller one late lets the parameters settle instead of
# bouncing around a minimum.
#
# ## Several seeds: means, intervals and tests
#
# One run depends on its seed, through the initial weights and the order of the examples
# (each epoch draws a fresh permutation from a generator made from `seed`; the same seed
# gives the same run, to the last bit). The experiments therefore train each recipe with
# several seeds and summarize each number over them (`mlp.experiments.stats`):
#
# - the **mean** and the sample **standard deviation** over the seeds: how much one run
#   varies;
# - the $95\%$ **confidence interval** of the mean, $\bar a \pm t_{n-1} \cdot s / \sqrt n$
#   for $n$ seeds with standard deviation $s$, where $t_{n-1}$ is the $97.5\%$ point of
#   Student's $t$ distribution with $n - 1$ degrees of freedom: a range that, over
#   many repetitions of the whole experiment, would contain the true mean $95\%$ of the
#   time. It says how well so few seeds pin the mean down, not how much one run
#   varies, and it narrows as $1/\sqrt n$;
# - to compare two recipes, **Welch's t-test**: the difference of the two means divided by
#   its standard error, $t = (\bar a - \bar b) / \sqrt{s_a^2/n_a + s_b^2/n_b}$, which does
#   not assume the two recipes vary equally. Its $p$-value is the probability of a
#   difference at least this large if the recipes were equally good and only the seeds
#   differed.
#
# ## The rest of the trainer
#
# Argument checking, the buffers that batches are gathered into, the fused steps,
# evaluation, divergence, float32, the progress bar, the command line and sweeps on a
# Dask cluster are engineering, not the lesson: [How the trainer works](../trainer/)
# shows each, with the loop as it is in the package. Where the report's own training
# reasoning goes astray is on the [Reproduction report](../reproduction/#corrections-from-the-vectorized-and-training-pages).
#
# ## Exercises
#
# 1. **Predict.** A run uses the summed loss, batches of $B = 100$ and $\eta = 0.01$.
#    Which learning rate gives the same updates with `reduction="mean"`?
#
# <details class="success"><summary>Solution</summary>
#
# $B \eta = 100 \times 0.01 = 1$. The summed loss's gradient is $B$ times the mean
# loss's, so $\eta$ times the one is $B\eta$ times the other.
#
# </details>
#
# 2. **Count.** With $N = 50{,}000$ training examples and batches of $B = 32$, how many
#    updates does one epoch make, and how many examples are in the last batch?
#
# <details class="success"><summary>Solution</summary>
#
# $\lceil 50{,}000 / 32 \rceil = 1{,}563$ updates: 1,562 full batches hold 49,984
# examples, and the last batch holds the remaining 16.
#
# </details>
#
# 3. **Predict.** With `lr_decay=0.5`, after how many decays is the learning rate below
#    $1\%$ of where it started?
#
# <details class="success"><summary>Solution</summary>
#
# After $e$ decays the rate is $\eta\, 0.5^{e}$; $0.5^6 = 1/64 \approx 1.6\%$ and
# $0.5^7 = 1/128 \approx 0.78\%$, so after 7.
#
# </details>
#
# 4. **Predict, then run.** With the mean loss and $B = 50$, does $\eta = 1$ bring the
#    mini-batch run closer to SGD after 5 epochs than $\eta = 0.1$ did? Check with
#    `run(50, 1.0, "mean")["train_loss"]`.
#
# <details class="success"><summary>Solution</summary>
#
# Closer: each of its updates moves 10 times further than at $\eta = 0.1$.
# It still ends above the summed run of the figure, whose mean-loss rate is
# $B\eta = 5$, and above SGD.
#
# </details>

# %% tags=["hide-input"]
# The build checks the solution of exercise 4.
faster = run(B, 1.0, "mean")["train_loss"][-1]
assert sgd["train_loss"][-1] < summed["train_loss"][-1] < faster < mean["train_loss"][-1], faster
