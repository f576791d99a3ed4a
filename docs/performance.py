# %% [markdown]
# # Performance
#
# An epoch of training this network is, batch by batch, five matrix products —
# $xw$ and $hv$ forward (eq. 2.3), $dz\,v^\top$, $h^\top dz$ and $x^\top dk$ backward
# (eq. 2.4) — and a few element-wise passes. The time of those five products alone, at
# the same shapes and into arrays made once, is the **bound**: an epoch with nothing else
# in it. A Python process here can reach two BLAS libraries, NumPy's (`np.matmul`) and
# SciPy's (its `gemm` wrappers), each bundling its own OpenBLAS. The training step sends
# all five products through SciPy's (`mlp.kernels.gemm`), so the bound is timed through
# it, and through NumPy's too; the faster of the two in each round is the **best bound**,
# and every ratio below is to it. It is not a floor: timed inside the step, the same
# products can come out a little under it, within the spread between rounds. The two
# weight-gradient products are subtracted from the weights that the forward products
# read, as in the step, on inputs scaled down (`mlp.bench.epochs.BOUND_SCALE`), since
# without an activation between the products their values would grow out of range.
# `python -m mlp bench` measures, in one process and on the same data:
#
# - the two bounds;
# - *train*: an epoch of `mlp.train.train` as a user calls it, shuffling and gathering
#   included; the evaluations before and after it are excluded (as in `History.seconds`);
# - *step*: the bare training step, `mlp.vectorized.step`, over the data in order: the
#   arithmetic of the plain step fused, each weight update one product added into the
#   weights;
# - *plain*: the step that reads like eq. 2.3/2.4 (`mlp.train.vectorized_step`,
#   shown on the [training page](../training/));
# - PyTorch (CPU, pre-made tensors, autograd, plain SGD) and scikit-learn's
#   `MLPClassifier` (sgd, logistic), when installed.
#
# Rounds are interleaved (bound, NumPy's bound, train, step, plain, ... then again), the
# first is a warm-up, and each figure is the median over the counted rounds; ratios are to
# the best bound of the same round, so a change in the machine's speed cancels. With more
# than one thread, each timed epoch starts after a pause (`mlp.bench.measure.PAUSE`): NumPy's, SciPy's and
# PyTorch's BLAS each keep their own threads, which spin for a while after their last call,
# and would take cores from the next implementation timed. Times are wall times. To measure your own machine, run `python -m mlp bench` (`--json FILE` keeps
# the numbers; `--threads 1,2,4,8` chooses the thread counts, by default 1, 2, 4, ... up to
# the cores the process may use, and all of them; `--batch-sizes 100` makes a shorter run).

# %% tags=["hide-input"]
import json
from pathlib import Path

from mlp import plots
from mlp.bench import tables
from mlp.site import page

report = json.loads(Path("docs/performance.json").read_text())
machine, run = report["machine"], report["run"]
blas = "; ".join(f"{b['internal_api']} `{b['version']}` with its {b['architecture']} kernels ({b['library'].split('/')[0].split('.')[0]}'s)"
                 for b in machine["blas"])
command = (f"python -m mlp bench --batch-sizes {' '.join(map(str, run['batch_sizes']))} --dtypes {' '.join(run['dtypes'])} "
           f"--threads {','.join(map(str, run['threads']))} --rounds {run['rounds']}"
           + "".join(f" --sgd-examples {n}" for b, n in run["examples"].items() if b == "1")
           + " --json docs/performance.json")
page.md(f"""
These measurements were made on **{report['date'][:10]}** (UTC) by `{command}`, and the file
is part of the project; the page is drawn from it at build time. It is a reduced run:
{page.number("performance.rounds", "int", run["rounds"])} counted rounds, and at batch size 1
an epoch of {page.number("performance.sgd_examples", "int", run["examples"].get("1", 60_000))}
examples, its time scaled to 60,000. Machine: `{machine['platform']}`, {machine['processor']},
{page.number("performance.cores", "int", machine.get("cores", 0))} cores, shared with other
work while it ran; Python `{machine['python']}`, NumPy `{machine['numpy']}`, SciPy
`{machine['scipy']}`; BLAS: {blas}. Network {'-'.join(map(str, report['network']))}.
""")

# %% [markdown]
# ## Seconds per epoch
#
# The best bound's median seconds per epoch, and each implementation's median epoch time
# as a multiple of it (lower is faster; 1× would be the bound itself).

# %% tags=["hide-input"]
for threads in sorted({r["threads"] for r in report["results"]}):
    page.table(*tables.rows(report, threads, page.number))
    page.figure(plots.benchmark(*tables.at_threads(report, threads), threads),
                f"Epoch time relative to the best bound at {threads} BLAS thread(s), per batch size and float type")

# %% [markdown]
# ## The goals, checked
#
# Each goal is a ratio measured in the same run (`mlp.bench.tables.GOALS`): `train()` over
# the best bound. Beside it, the bare step over the same bound (its products and its
# element-wise passes), `train()` over the bare step (the shuffle and each batch's gather
# into the step's buffer), and whose products were the faster, SciPy's (the step's) or
# NumPy's, with the ratio of their medians.

# %% tags=["hide-input"]
page.md("`train()` / best bound at most " + ", ".join(
    f"{page.number(f'goals.bound.{b}', 'plain', most)} at batch size {b}" for b, most in tables.GOALS.items()) + ".")
page.table(tables.GOALS_HEADER, tables.goals(report, page.number))

# %% [markdown]
# On a machine shared with other work the spread between runs is wide: run the benchmark
# twice and the two-thread ratios move by tenths, and while the machine's other tenants
# are busy the one-thread ones do too. Every ratio here is one run's; the
# per-implementation minimum and maximum over rounds are in `docs/performance.json`.
#
# ## What more threads buy
#
# From one BLAS thread to more, per configuration: how many times faster the best bound
# (the products), the bare step and `train()` ran, and the share of the step's time at
# that thread count that is not its products (the step minus the best bound).

# %% tags=["hide-input"]
scaling = tables.scaling_rows(report, page.number)
if scaling:
    page.table(tables.SCALING_HEADER, scaling)
else:
    page.md("This run measured one thread count only.")

# %% [markdown]
# BLAS splits each product between its threads; the element-wise passes between the
# products ($\sigma$ and its slope, the softmax, the bias sums) and the Python around them
# run on one thread however many BLAS has. So a second thread shortens the products and
# not the rest: the last column grows with the threads, and the step's speed-up stays
# under the bound's. Where the bound itself gains less than the threads, the products do
# not split without a loss at these shapes; two of them, $h^\top dz$ and $dz\,v^\top$,
# have a side of only ten, the number of classes.
#
# Two ways to put the element-wise passes on both cores were tried. Handing the next
# batch's gather to a second Python thread, to run beside the step, slowed the step beside
# BLAS's own two threads by more than it saved. Splitting each batch between two Python
# threads, each with one BLAS thread and half of the weights: SciPy's `gemm` wrappers
# hold Python's interpreter lock while they compute, so the two threads took turns, and
# through NumPy's products, which release it, the five products took longer than on
# BLAS's own two threads. NumExpr, which evaluates element-wise expressions on several
# threads, computed $\sigma$ more slowly than NumPy's vectorized `exp` does on one.

# %% [markdown]
# ## On sixteen cores
#
# `docs/performance-16.json` holds measurements made once on a machine with sixteen cores,
# kept with the project like the file above: the benchmark's calls at thread counts from one
# to sixteen, the full experiments from an empty results folder with no option given,
# and the first `train()` calls of a fresh process on new sizes. That machine had no site
# generator installed, so it built no site; its experiments are the build's longest part.

# %% tags=["hide-input"]
from mlp.experiments import build_times

many = json.loads(Path("docs/performance-16.json").read_text())
bench16 = {"results": many["bench"]["results"]}


def show16(key, fmt, value):
    """A number of the sixteen-core file, tagged apart from the two-core run's."""
    return page.number("cores16." + key, fmt, value)


record16 = many["experiments"]["record"]
longest16 = record16["longest"]
critical16 = sum(longest16[part] for part in build_times.SECONDS)
page.md(f"""
Machine: {many['machine']['processor']}, {show16("cores", "int", many["machine"]["cores"])} cores; Python
`{many['machine']['python']}`, NumPy `{many['machine']['numpy']}`, SciPy `{many['machine']['scipy']}`,
PyTorch `{many['machine']['torch']}`; measured on {many['date']}.

**The experiments** (`{many['experiments']['command']}`, {many['experiments']['results']}) ran
{show16("experiments.runs", "int", record16["runs"])} runs in {show16("experiments.wall", "seconds", record16["wall_seconds"])}
on {show16("experiments.jobs", "int", record16["jobs"])} processes, the default there, for
{show16("experiments.cpu", "seconds", sum(record16[part] for part in build_times.SECONDS))} of training,
evaluating and loading summed over runs. The wall time is the critical path: the longest run,
`{longest16['run']}`, took {show16("experiments.longest", "seconds", critical16)} by itself, where the
summed seconds shared out evenly would have been {show16("experiments.shared", "seconds", sum(record16[part] for part in build_times.SECONDS) / record16["jobs"])}
a process. That run is one scalar SGD run of 6 million steps in Python, one after the other,
which no number of cores shortens.

**The first `train()` calls** of a fresh process, one epoch on
{show16("first.examples", "int", many["first_call"]["examples"])} examples for each new configuration, spent
at most {show16("first.rest", "duration", max(c["wall_seconds"] - c["train_seconds"] for c in many["first_call"]["calls"]))}
outside their training (`History.seconds`): the evaluations before and after the epoch among it,
on sixteen BLAS threads. The same configuration called a second time spent about as much, so none of it is set-up.
""")

# %% tags=["hide-input"]
page.md(f"""
**The benchmark** at {", ".join(show16(f"bench.threads.{t}", "int", t) for t in sorted({r["threads"] for r in bench16["results"]}))} BLAS threads: each call timed an epoch of
{show16("bench.examples", "int", many["bench"]["examples"])} examples (scaled to 60,000) in
{show16("bench.rounds", "int", many["bench"]["rounds"])} interleaved rounds after a warm-up, pausing before each timed
epoch so that the idle threads of the library timed before had stopped spinning: `{many["bench"]["call"]}`.
""")
page.table(tables.GOALS_HEADER, tables.goals(bench16, show16))
page.table(tables.SCALING_HEADER, tables.scaling_rows(bench16, show16))

# %% [markdown]
# Where `train()` misses its goal, the second table says why: the share of the step that is
# not its products (the last column) grows with the threads. The element-wise passes and
# the Python around them run on one thread at any thread count, while the products (the
# bound) speed up several times. The ways tried here to put those passes on more threads
# are above; none gained.

# %% [markdown]
# ## One BLAS for every product, by rule
#
# The step computes all five products through SciPy's `gemm`, on every machine, with no
# measurement. The weight updates need it: $w \leftarrow w - x^\top \eta\,dk$ is one GEMM
# call ($C \leftarrow \alpha AB + \beta C$ with $\beta = 1$) that reads and writes $w$
# once, where NumPy's products can only write $x^\top \eta\,dk$ out, to be subtracted
# after. And the forward products go the same way because NumPy and SciPy each run their
# own BLAS threads: with more than one thread, a step that alternates between the two
# libraries waits at every call for the other library's idle threads to stop spinning.
# SciPy's `ger`, BLAS's own routine for the rank-1 updates of batch size 1, was measured
# against `gemm` in the same process: at one thread it saved less than the spread between
# rounds, at two it made the step many times slower, so it is not used.
#
# Whether the rule suits another processor, the benchmark says: its *faster products*
# column compares SciPy's bound with NumPy's. Training measures nothing and keeps nothing
# on disk, so its first call on new sizes starts at once, and what it computes depends on
# no timing: two runs on one machine agree to the bit. Results on one processor can differ
# at rounding level from those of another, as OpenBLAS's kernels for different processors
# do.

# %% tags=["hide-input"]
from mlp.kernels import gemm

page.source(gemm)

# %% [markdown]
# ## Where the time went
#
# The plain step allocates every intermediate and every gradient afresh at each update,
# then subtracts `lr * g` through another temporary the size of $w$. The fused step
# (`mlp.vectorized.step`, shown on the [training page](../training/)) folds the learning
# rate into $dz$ (and so into $dh$ and $dk$), computes the activation's slope into the
# memory of $k$, and never stores the weight gradient. At batch size 1 the fused update is
# most of the gain: $w$ is 784×300, and the fused update reads and writes it once, where
# writing $dw$ out and subtracting it sends both through the caches twice per example.
# `train()` gathers each batch into one buffer just before its step, which then reads it
# from cache (`mlp.train.gather`).
#
# float32 halves the memory the products walk through. With the report's $N(0, 1)$
# initialization (the benchmark's is LeCun's, $\sqrt{1/n_\text{in}}$), many hidden units of 784 standardized inputs saturate, and float32's
# smallest normal number is about $10^{-38}$ (float64's, $10^{-308}$), so the gradients
# $\eta\, dk$ through saturated units fall into subnormal numbers, which the processor
# handles far more slowly: a few of them among the operands of $x^\top \eta\, dk$ made that
# product several times slower. The step sets them to 0 before the product
# (`mlp.kernels.flush_subnormals`): each moved its weight by far less than the weight's
# rounding. Measured in the same run as the tables above, with the report's initialization,
# one BLAS thread, an epoch of the bare step in each dtype:

# %% tags=["hide-input"]
page.table(tables.SATURATED_HEADER, tables.saturated_rows(report, page.number))
page.md(f"""Batch size {report["saturated"]["batch_size"]}; seconds per epoch of 60,000 examples. So the
experiments train in float32; the MNIST page checks, seed by seed, that float64 gives them the same results.""")

# %% [markdown]
# ## The scalar form
#
# The scalar network computes every node in a Python loop over floats, so its speed is
# the interpreter's. The plain step (`mlp.train.scalar_step`) runs the forward and the
# backward pass of `mlp.scalar`, which build every gradient as nested lists, then
# subtracts them; the fused step that trains, `mlp.fast.scalar_step`, does the same
# arithmetic in one pass, moving each weight as soon as its gradient is known. Both are
# still explicit loops over plain floats, and they are tested to take the same steps.
# Measured in the same run as the tables above, on the report's 2-3-2 network and
# synthetic data:

# %% tags=["hide-input"]
rates = report["scalar"]["examples_per_second"]
page.table(["scalar SGD step", "examples per second", "µs per example"],
           [[name, page.number(f"bench.scalar.{name}.rate", "int", rate),
             page.number(f"bench.scalar.{name}.microseconds", "1f", 1e6 / rate)]
            for name, rate in rates.items()])
page.md(f"""
The synthetic experiment's 100 epochs of 60,000 examples are 6 million such steps per
seed: at the fused step's rate, {page.number("bench.scalar.synthetic_seconds", "seconds", 6e6 / rates['step'])} of training.
""")

# %% tags=["hide-input"]
from mlp.fast import scalar_step

page.source(scalar_step)

# %% [markdown]
# ## Time to the tuned accuracy on MNIST
#
# The tuned recipe of the [MNIST page](../mnist/) trains for 10 epochs; its training time
# per run is measured by this build (one BLAS thread, while other processes train other
# runs), and its test accuracy is taken once, at the end.

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
# runs (a run shared by two experiments counts in both): the sum is the CPU time. As many
# processes train at once as the cores this build may use and the memory allow
# (`mlp.jobs`), each taking the longest run left, so the wall time is about the sum shared
# out among them, or the longest run's time where that is longer: the critical path, shown
# on its own row. The site's hooks add the seconds each executed page
# took to run as a notebook, its kernel's start among them, and the wall time of all the
# pages (as many run at once). This page runs after the others, so their times are this
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
