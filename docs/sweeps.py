# %% [markdown]
# # Sweeps: your own experiments
#
# The report's learning-rate and batch-size sweeps are hard-wired in `mlp.experiments`.
# To explore other settings (learning rates, batch sizes, initializations, hidden sizes,
# more seeds, the other data set) run a sweep: every combination of the values you give,
# once per seed, through the same runs, trainer and results cache as the report's
# experiments. A rerun trains nothing; a widened grid trains only its new cells. This page
# runs one small sweep at every build and draws it with the figures `mlp sweep --out`
# writes, so the page and the command cannot drift apart.

# %% tags=["hide-input"]
from mlp import plots
from mlp.experiments import sweeps
from mlp.site import page

result = page.results("sweep_example")
fixed = result["fixed"]
# the confidence level of the cells' intervals, as the summaries give it
confidence = page.number("sweep_example.cells.0.accuracy.confidence", "percent0")

# %% [markdown]
# ## From the command line
#
# Each option takes a comma-separated list; the options you leave out keep the defaults
# of `python -m mlp train`. This command trains the sweep shown below:

# %% tags=["hide-input"]
page.md("```sh\npython -m mlp " + " ".join(sweeps.command(sweeps.SITE_GRID, sweeps.SITE_SEEDS, "synth",
                                                         sweeps.SITE_BASE)) + "\n```")

# %% tags=["hide-input"]
page.md(f"""
It prints a table with one row per cell (held-out accuracy, mean over seeds with its {confidence}
interval; final training loss; training time), marks the best cell, and with
`--out DIR` writes `sweep.json`, `sweep.csv` and the two figures of this page. A
progress bar counts the runs done and estimates the time left. `--final` trains on all
training data and scores on the test set; choose settings on the validation split
first, since a cell chosen by its test score flatters that score. `--jobs N` sets the
number of local training processes; `--scheduler ADDRESS` sends the runs to a Dask
cluster instead (see the README). A grid with an unknown option, an empty list, a value
out of range or a missing data set is refused, with one error, before anything trains.
""")

# %% [markdown]
# ## From Python
#
# `mlp.experiments.sweep` takes the grid as a dict and returns plain data, the same the
# command prints and draws:
#
# ```python
# from mlp.experiments import sweep
# from mlp import plots
#
# result = sweep({"lr": [0.1, 1.0, 10.0], "init": ["lecun", 1.0, 10.0]}, seeds=5, dataset="synth")
# result["cells"][result["best"]]["accuracy"]   # mean, std, ci_low, ci_high, values per seed
# plots.sweep_accuracy(result)                   # a Matplotlib figure
# ```
#
# Pass `client=distributed.Client(...)` to train on a Dask cluster.

# %% [markdown]
# ## The sweep of this build
#
# Learning rate times weight initialization, on the [synthetic data](../synthetic/):

# %% tags=["hide-input"]
page.table(
    ["setting", "value"],
    [["hidden units", page.number("sweep_example.fixed.n_hid", "int")],
     ["examples per update", page.number("sweep_example.fixed.batch_size", "int")],
     ["epochs", page.number("sweep_example.fixed.epochs", "int")],
     ["training examples", page.number("sweep_example.fixed.limit", "int")],
     ["loss over a batch", fixed["reduction"]],
     ["seeds per cell", page.number("sweep_example.cells.0.n", "int")],
     ["runs", page.number("sweep_example.runs", "int")]],
)


# %% tags=["hide-input"]
def value(i, option):
    """A cell's setting of ``option``, tagged if it is a number."""
    setting = result["cells"][i]["setting"][option]
    return setting if isinstance(setting, str) else page.number(f"sweep_example.cells.{i}.setting.{option}", "plain")


page.table(
    [*result["varied"], "validation accuracy", f"{confidence} interval", "final training loss", ""],
    [[*(value(i, option) for option in result["varied"]),
      page.number(f"sweep_example.cells.{i}.accuracy.mean"),
      f'{page.number(f"sweep_example.cells.{i}.accuracy.ci_low")} to '
      f'{page.number(f"sweep_example.cells.{i}.accuracy.ci_high")}',
      page.number(f"sweep_example.cells.{i}.final_loss.mean", "plain"),
      "**best**" if i == result["best"] else ""]
     for i in range(len(result["cells"]))],
)

# %% tags=["hide-input"]
page.md(f"Each dot is one seed; the bar is the mean with its {confidence} interval (Student's t over the "
        "seeds), which says how well the mean is pinned down:")
page.figure(plots.sweep_accuracy(result),
            f"Validation accuracy per learning rate and initialization: one dot per seed, mean and "
            f"{page.FORMATS['percent0'](result['cells'][0]['accuracy']['confidence'])} interval")

# %% [markdown]
# The curves per cell show how each setting gets there: the training loss per epoch, and
# the validation accuracy with a band of one standard deviation over the seeds:

# %% tags=["hide-input"]
page.figure(plots.sweep_curves(result),
            "Training loss and validation accuracy per epoch for every learning rate and initialization")

# %% tags=["hide-input"]
best = result["cells"][result["best"]]
overlapping = [i for i, cell in enumerate(result["cells"])
               if i != result["best"] and cell["accuracy"]["ci_high"] >= best["accuracy"]["ci_low"]]
page.md(f"""
The best mean is {page.number(f"sweep_example.cells.{result['best']}.accuracy.mean")}, at
{", ".join(f"{option} = {value(result['best'], option)}" for option in result["varied"])}.
{f"The intervals of {len(overlapping)} other cells overlap its interval: with "
 f"{page.number('sweep_example.cells.0.n', 'int')} seeds these settings are not told apart, and more seeds "
 "(`--seeds`) would narrow the intervals." if overlapping else
 "Its interval overlaps no other cell's: the sweep tells it apart from the rest."}
""")

# %% [markdown]
# ## Where the runs train
#
# Locally, the runs train in as many processes as the cores this process may use and the
# memory allow (at most `--jobs` or `MLP_JOBS`), the longest first, each with one BLAS
# thread when several run. On a Dask cluster each run goes to a worker with the hash of the
# caller's code; a worker whose `mlp` code differs refuses the run and says so, so a
# result is never stored under a key its code did not make. The worker sends the result
# back and the caller stores it in its own cache, as a local run would; a worker that
# dies mid-run leaves nothing stored, and its run is retried on another worker or
# reported failed while the other runs carry on.
