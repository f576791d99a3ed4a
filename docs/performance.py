# %% [markdown]
# # Performance
#
# An epoch of training this network is, batch by batch, five matrix products (GEMMs) —
# $xw$ and $hv$ forward (eq. 2.3), $dz\,v^\top$, $h^\top dz$ and $x^\top dk$ backward
# (eq. 2.4) — and a few element-wise passes. So the time of those five products alone,
# at the same shapes, is a floor no implementation can go below: the **bound**. A Python
# process here can reach two BLAS libraries, NumPy's (`np.matmul`, `np.dot`) and SciPy's
# (its `gemm` wrappers), each bundling its own OpenBLAS; the bound times every product
# through each, and takes the fastest (`mlp.kernels.measure`). The two weight-gradient
# products are timed as the step computes them, subtracted from the weights that the
# forward products read, so that the bound, like the step, walks through one copy of the
# weights; on inputs scaled down (`mlp.bench.BOUND_SCALE`), since without a sigmoid
# between the products their values would grow out of range. An earlier bound subtracted
# them from a second copy instead: at batch size 1, where the weights are most of the
# memory an example touches, that made the bound slower than the step's own products,
# and the step looked faster than its floor.
# `python -m mlp bench` measures, in one process and on the same data:
#
# - the bound;
# - *train*: an epoch of `mlp.train.train` as a user calls it, shuffling and gathering
#   included; the evaluations before and after it are excluded (as in `History.seconds`)
#   and timed apart;
# - *step*: the bare training step of `mlp.fast`, over the data in order, which does the
#   arithmetic of the plain step with every array allocated once and each weight update
#   as one GEMM;
# - *plain*: the step that reads like eq. 2.3/2.4 (`mlp.train.vectorized_step`,
#   shown on the [training page](../training/)), as a straightforward NumPy version;
# - PyTorch (CPU, pre-made tensors, autograd, plain SGD) and scikit-learn's
#   `MLPClassifier` (sgd, logistic), when installed.
#
# Rounds are interleaved (bound, train, step, plain, PyTorch, ... then again), the first
# is a warm-up, and each figure is the median over the counted rounds; ratios are to the
# bound of the same round, so a change in the machine's speed cancels. Times are wall
# times. Shared machines with two cores are noisy with two BLAS threads, so both one and
# two threads are shown. To measure your own machine, run `python -m mlp bench`
# (`--json FILE` keeps the numbers, `--batch-sizes 100` or `--threads 1` makes a shorter
# run; the README says how long it takes).

# %% tags=["hide-input"]
import json
from pathlib import Path

from mlp import bench, plots
from mlp.bench import at_threads, rows
from mlp.site import page

report = json.loads(Path("docs/performance.json").read_text())
machine = report["machine"]
blas = "; ".join(f"{b['internal_api']} `{b['version']}` with its {b['architecture']} kernels ({b['library'].split('/')[0].split('.')[0]}'s)"
                 for b in machine["blas"])
page.md(f"""
These measurements were made on **{report['date'][:10]}** (UTC) by `python -m mlp bench
--json docs/performance.json`, and the file is part of the project; the page is drawn from
it at build time. Machine: `{machine['platform']}`, {machine['processor']}; Python
`{machine['python']}`, NumPy `{machine['numpy']}`, SciPy `{machine['scipy']}`; BLAS: {blas}. Network
{'-'.join(map(str, report['network']))}; one epoch is 60,000 MNIST examples (at batch size 1
a part of the epoch is timed and scaled); {report['rounds']} counted rounds.
""")

# %% [markdown]
# ## Seconds per epoch
#
# The bound's median seconds per epoch, and each implementation's median epoch time
# as a multiple of it (lower is faster; 1× would be the bound itself).

# %% tags=["hide-input"]
for threads in sorted({r["threads"] for r in report["results"]}):
    page.table(*rows(report, threads, page.number))
    page.figure(plots.benchmark(*at_threads(report, threads), threads),
                f"Epoch time relative to the bound at {threads} BLAS thread(s), per batch size and float type")

# %% [markdown]
# ## The goals, checked
#
# Each goal is a ratio measured in the same run (`mlp.bench.GOALS` and
# `TRAINER_OVERHEAD`); at batch size 1 the bound is the per-example products; float32 is
# never to be slower than float64.

# %% tags=["hide-input"]
from mlp.bench import GOALS, GOALS_HEADER, TRAINER_OVERHEAD, goals

page.md("`train()` / bound at most " + ", ".join(
    f"{page.number(f'goals.bound.{b}', 'plain', most)} at batch size {b}" for b, most in GOALS.items())
    + "; `train()` / its bare step at most " + ", ".join(
    f"{page.number(f'goals.step.{b}', 'plain', most)} at batch size {b}" for b, most in TRAINER_OVERHEAD.items()) + ".")
page.table(GOALS_HEADER, goals(report, page.number))

# %% [markdown]
# The floor, 1 + (rest − loop) / bound, is one for `train()` / bound. The products take
# about as long as the bound at the least, and the rest of the step (the element-wise
# passes: $\sigma$, the softmax, the slopes $h(1-h)$, the bias sums; and the Python around
# them) runs on one thread however many threads BLAS has. The benchmark times that rest as
# the step with its five products taken out (`mlp.bench.rest_epoch`); the bound and the
# rest each carry the loop over the batches, timed alone too (`mlp.bench.loop_epoch`), so
# the floor counts it once. `train()` / bound stays above the floor but for the spread
# between epochs: the rest is timed in epochs of its own, and the products inside the
# step, timed below, can come out a little under the bound.
#
# At batch size 1 each of the step's passes is a NumPy call on a few hundred numbers,
# whose time is the call's more than its arithmetic's, while the five products of one
# example still read all of the weights: there the rest is a large part of the step. Where
# the floor lies above the goal, no choice of BLAS can meet it; only fusing the passes
# into fewer calls could, which NumPy cannot do.
#
# At the larger batch sizes and one thread the rest is a small part of an epoch. With two
# threads the products take less time and the rest does not, so the floor rises, most in float32,
# where the products are shortest; and a second thread shortens the products by less
# than half (compare the bound's seconds in the two tables above). Where a two-thread
# goal is missed, the floor shows how much of the miss no choice of BLAS can remove.
#
# Inside the step, its time splits into its products and the rest between them. The
# benchmark times an epoch of the step with each of its five products timed as it runs
# (`mlp.bench.products_epoch`): that epoch's time, its products' and the rest of it, each
# over the bound of the same round (medians over rounds), beside the rest timed alone:

# %% tags=["hide-input"]
from mlp.bench import INSIDE_HEADER, inside_rows

inside = inside_rows(report, page.number)
if inside:
    page.table(INSIDE_HEADER, inside)
else:
    page.md("This run of the benchmark did not time the step's products inside it at a batch size above 1.")

# %% [markdown]
# Where *its products* is above 1, the five products took that much longer inside the
# step, with element-wise passes between them, than back to back in the bound; *its rest*
# beside *rest alone* says whether those passes took longer between the products than on
# their own.
# Beyond both lies the spread between runs, which on a shared two-core machine is wide:
# run the benchmark twice and the two-thread ratios move by tenths, and while the machine's
# other tenants are busy the one-thread ones do too.
#
# `train()` is its steps and, around them, the shuffle and each batch's gather into the
# step's buffer, which the benchmark times alone too (`mlp.bench.gather_epoch`): 1 + gather
# / step is what `train()` / step would be if its steps took as long on gathered batches as
# the bare step takes on the data in order. They can take less: the gather leaves the batch
# in cache, where the bare step's products read theirs from memory. The gather reads every
# training example once more than the bare step does; it is a copy, as fast as memory
# lets one core go, and like the rest it runs on one thread. So where `train()` / step
# misses its goal with two threads, compare it with that column: a second thread shortens
# the step and not the gather. Handing the next batch's gather to a second Python thread,
# to run beside the step, was tried: beside BLAS's own two threads it slowed the step by
# more than it saved at batch size 100.
#
# So was the other way to put the element-wise passes on both cores: split each batch
# between two Python threads, each running the step on its half with one BLAS thread, and
# each updating half of the weights. SciPy's `gemm` wrappers hold Python's interpreter
# lock while they compute, so two threads calling them take turns; through NumPy's
# products, which release it, the two halves did run at once, but the five products
# took longer than on BLAS's own two threads at batch sizes 100 and 500. NumExpr, which
# evaluates element-wise expressions on several threads, computed $\sigma$ several times
# slower than NumPy's vectorized `exp` does on one.

# %% [markdown]
# ## Which BLAS computes each product
#
# Which library is faster depends on the processor and on the shapes, so `mlp.fast.Step`
# does not assume: for the sizes it trains, it times each product through SciPy's `gemm`,
# `np.matmul` and `np.dot` (and, for the two weight updates at batch size 1, which are
# rank-1 updates, through SciPy's `ger`, BLAS's routine for them), then the fastest per
# product as one whole step against each library alone, with its general path for all
# five products and with its fastest for each, and keeps the fastest step
# (`mlp.kernels`). A path fastest alone need not be fastest in the step: with two threads
# here, `ger` beat `gemm` at the update from one example, and the step with it was the
# slower. The choice is made
# once per machine (processor, libraries, thread count, sizes) and stored, so every run
# there takes the same kernels; `MLP_BLAS=scipy` or `MLP_BLAS=numpy` forces one library.
# With more than one thread, a library's idle threads keep spinning for a while after
# its last call and slow the other library's calls. Timed in turns, each library ran
# beside the other's spinning threads, several times slower than alone, and the choice
# went by luck: once, at batch size 100, float64 and two threads, it put
# every product on NumPy where SciPy's were faster. So with threads each library is timed
# on its own, after the other's threads have stopped. The benchmark also measures the
# choice again for each configuration and keeps it (`mlp.kernels.store`): the step it
# times runs the bound's paths, and so does training afterwards. The paths agree to
# rounding, not to the last bit. The step's choice on the machine that made these
# measurements:

# %% tags=["hide-input"]
from mlp.kernels import PRODUCTS

page.md("`gemm`, `ger`: SciPy's; `matmul`, `dot`: NumPy's.")
page.table(["batch, dtype, threads", *PRODUCTS],
           [[f"{r['batch_size']}, {r['dtype'].replace('float', 'f')}, {r['threads']}",
             *(r["implementations"]["step"]["kernels"][p].split(".")[1] for p in PRODUCTS)] for r in report["results"]])

# %% [markdown]
# The choice differs between processors. On an AMD EPYC without AVX-512, where OpenBLAS
# uses its Haswell kernels, SciPy's bundled OpenBLAS took several times as long as
# NumPy's `np.dot` for the forward product at batch size 1, while its `gemm` with
# $\beta = 1$ was the fast way to the weight update, so the step there mixes the two
# libraries at one thread. With more than one thread, mixing collapses (below), and the
# whole-step timing then picks one library.

# %% [markdown]
# ## Where the time went
#
# The plain step allocates every intermediate and every gradient afresh at each update,
# then subtracts `lr * g` through another temporary the size of $w$. `mlp.fast.Step`
# writes into arrays made once per run, folds the learning rate into $dz$ (and so into
# $dh$ and $dk$), computes $\sigma(k)$ and the softmax in place, and never stores the
# weight gradient: the update $w \leftarrow w - x^\top dk$ is one GEMM call with
# $\beta = 1$, made through SciPy's BLAS wrappers on the weights' memory
# (`mlp.fast.gemm`), where that is the faster path (at batch size 1 it can be SciPy's `ger`
# instead, where that is faster still).
#
# At batch size 1 the fused update is most of the gain. $w$ is 784×300 float64, under two
# megabytes: it fits in one core's second-level cache here, but $w$ and a stored gradient of the same
# size do not, so writing $dw$ out and subtracting it sent both through the slower
# third-level cache twice per example. The fused update reads and writes $w$ once. Its
# equality with the plain step is tested at batch sizes 1, 7 and 32, in float64 and
# float32.
#
# NumPy and SciPy each bundle an OpenBLAS of their own, each with its own threads; a step
# that alternated between them (NumPy for the forward products, SciPy for the updates)
# ran several times slower with two threads than with one, every call waiting for the
# other library's threads to stop spinning. With one library, two threads help as they
# should. That is why the kernel choice times the whole step, not only each product.
#
# `train()` used to gather the whole shuffled training set into a copy once per epoch,
# then slice it: at batch size 500 that copy cost a quarter of the epoch, as it wrote
# 60,000 rows out to memory for the steps to read back. Each batch is now gathered into
# one buffer just before its step, which then reads it from cache (`mlp.train.gather`);
# what that gather still costs is the column 1 + gather / step above.

# %% [markdown]
# float32 halves the memory and roughly doubles the products' speed here, with the
# benchmark's LeCun initialization ($\sqrt{1/n_\text{in}}$). With the report's $N(0, 1)$
# initialization it did not, at first: on 784 standardized inputs many hidden units
# saturate, and float32's smallest normal number is about $10^{-38}$ (float64's,
# $10^{-308}$), so the gradients $\eta\, dk$ through saturated units fell into subnormal
# numbers. The processor handles those far more slowly: a few of them among the
# operands of $x^\top \eta\, dk$ made that product several times slower, and float32
# training slower than float64's. The step now sets them to 0 before the product
# (`mlp.fast.flush_subnormals`): each moved its weight by less than $10^{-38}$, far below
# the weight's rounding. In float64 the step does not flush: its subnormals lie below
# $10^{-308}$, which $\eta\, dk$ reaches only where $e^{-k}$ nears its own overflow, and
# the flush's three passes would cost a few percent of the epoch for nothing. Measured in
# the same run as the tables above, with the report's initialization, one BLAS thread, an
# epoch of the bare step, with the flush and without:

# %% tags=["hide-input"]
if "saturated" in report:
    page.table(bench.SATURATED_HEADER, bench.saturated_rows(report, page.number))
    page.md(f"""Batch size {report["saturated"]["batch_size"]}; seconds per epoch. The last column compares each
dtype as the step trains it, float32 flushed and float64 not, with float64. So the experiments train in float32; the MNIST
page checks, seed by seed, that float64 gives them the same results.""")
else:
    page.md("This run of the benchmark predates the measurement.")

# %% tags=["hide-input"]
from mlp.fast import Step, gemm

page.source(gemm)
page.source(Step.__call__)

# %% [markdown]
# ## The scalar form
#
# The scalar network computes every node in a Python loop over floats, so its speed is
# the interpreter's. The plain step (`mlp.train.scalar_step`) runs the forward and the
# backward pass of `mlp.scalar`, which build every gradient as nested lists, then
# subtracts them; `mlp.fast.scalar_step` does the same arithmetic in one pass, moving each
# weight as soon as its gradient is known. Both are still explicit loops over plain
# floats, and they are tested to take the same steps. Measured in the same run as the
# table above, on the report's 2-3-2 network and synthetic data:

# %% tags=["hide-input"]
rates = report["scalar"]["examples_per_second"]
page.table(["scalar SGD step", "examples per second", "µs per example"],
           [[name, f"{rate:,.0f}", page.number(f"bench.scalar.{name}.microseconds", "1f", 1e6 / rate)]
            for name, rate in rates.items()])
page.md(f"""
The synthetic experiment's 100 epochs of 60,000 examples are 6 million such steps per
seed: at the `mlp` rate, {6e6 / rates['mlp']:.0f} s of training.
""")

# %% tags=["hide-input"]
from mlp.fast import scalar_step

page.source(scalar_step)

# %% [markdown]
# ## Time to the tuned accuracy on MNIST
#
# The tuned recipe of the [MNIST page](../mnist/) trains for 10 epochs; its training time
# per run is measured by this build (one BLAS thread, while the other core trains another
# run), and its test accuracy is taken once, at the end.

# %% tags=["hide-input"]
tuned = page.results("final_model")["tuned"]
target = 0.98  # the accuracy the tuned recipe is asked to reach on every seed
reached = min(tuned["test_accuracy"]["values"]) >= target
page.md(f"""
{page.number("final_model.tuned.test_accuracy.mean")} mean test accuracy (every one of the
{page.number("final_model.tuned.test_accuracy.n", "int")} seeds {"above" if reached else "**not** all above"}
{page.number("performance.target", "percent0", target)}) after {page.number("final_model.tuned.train_seconds.mean", "seconds")} of training per
run, evaluation excluded.
""")

# %% [markdown]
# ## Where a build spends its time
#
# Each build records its own timings: `python -m mlp experiments --record` writes, per
# experiment, its runs, how many this build trained, and the seconds those spent training,
# evaluating (the loss and accuracy recorded after every epoch, and the final held-out
# pass) and loading their data (once per worker process). The seconds are summed over
# runs: two processes train at once, so the wall time is about half the sum; a run shared
# by two experiments counts in both. The site's hooks add the seconds each executed page
# took to run as a notebook, its kernel's start among them, and the wall time of all the
# pages (two run at once). This page runs after the others, so their times are this
# build's (its own it cannot show). A build that found every result stored trains
# nothing, and a page whose executed notebook was stored runs nothing: both show zeros.
#
# The MNIST runs measure their training loss and accuracy on a fixed sample of 10,000
# training images drawn at random once (the held-out sets are measured whole): measuring all
# 55,000 after every epoch took about as long again as a third of the training. The sample
# moves no update, so every held-out number is what it was; the training curves move by
# the sample's error, which the [MNIST page](../mnist/) measures. The learning-rate and
# batch-size sweeps, whose figures show the loss per update and the validation accuracy,
# measure the training sample at their first and last epoch only.

# %% tags=["hide-input"]
from mlp.experiments import build_times


def seconds_table(key, header, rows):
    """A timings table, each number tagged; an empty cell where the record says nothing."""
    page.table(header, [["" if cell is None else page.number(f"{key}.{i}.{j}", "seconds", value=cell)
                         if j and isinstance(cell, float) else cell
                         for j, cell in enumerate(row)] for i, row in enumerate(rows)])


record = build_times.read(build_times.path(page.profile()))
if record is None:
    page.md("This build recorded no timings.")
else:
    seconds_table("timings", *build_times.rows(record))
    seconds_table("page_timings", *build_times.page_rows(record))
