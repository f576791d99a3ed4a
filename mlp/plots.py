"""The report's figures, drawn anew from the experiments' results.

Each function takes the plain data an experiment returns and gives a Matplotlib
``Figure`` (built without pyplot, so no display is needed). One style throughout:
the Okabe–Ito colour-blind-safe palette, labelled axes with units, shaded ±1 std
bands over seeds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from mlp import report

# Okabe & Ito (2008), "Color Universal Design": distinguishable with any colour vision.
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
TRAIN, VAL = COLORS[0], COLORS[1]
STYLE = {
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
    "font.size": 10, "axes.titlesize": 11, "legend.frameon": False, "figure.dpi": 100,
    "svg.fonttype": "none",
}


# The widest a figure is drawn, in inches: a page's column at a 1280 px window is about 430 pt,
# so a figure this wide shows at its own size and its 10 pt text (7 pt sub- and superscripts)
# stays above 9 CSS px. Text is 10 pt (the house size) or, without sub- or superscripts, 8 pt.
PAGE_WIDTH = 6.0


def figure(n: int, width: float = 3.0, height: float = 2.8, span: str = "last") -> tuple[Figure, list]:
    """A figure of ``n`` panels in the house style: side by side while they fit `PAGE_WIDTH`,
    otherwise in rows of as many as fit; an odd one out spans its row (the ``span`` one, "first"
    or "last")."""
    import matplotlib

    per_row = max(1, min(n, int(PAGE_WIDTH // width)))
    nrows = -(-n // per_row)
    cells = [[k * per_row + i for i in range(per_row)] for k in range(nrows)]
    spare = nrows * per_row - n
    if spare:
        if span == "first":
            cells = [[0] * per_row] + [[c - spare for c in row] for row in cells[1:]]
        else:
            cells[-1] = [min(c, n - 1) for c in cells[-1]]
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(width * per_row, height * nrows), layout="constrained")
        named = fig.subplot_mosaic(cells)
        axes = [named[k] for k in range(n)]
    for ax in axes:
        ax.grid(True, alpha=STYLE["grid.alpha"])
        ax.spines[["top", "right"]].set_visible(False)
    return fig, list(axes)


def save(fig: Figure, path) -> Path:
    """Write ``fig`` as SVG or PNG (200 dpi), by the path's suffix."""
    import matplotlib

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context({"svg.fonttype": STYLE["svg.fonttype"]}):
        fig.savefig(path, dpi=200, metadata={"Date": None} if path.suffix == ".svg" else None)
    return path


def svg(fig: Figure) -> str:
    """``fig`` as an SVG document whose text stays text (``svg.fonttype`` none): searchable,
    and its font sizes readable from the file."""
    import io

    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": STYLE["svg.fonttype"]}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def smooth(values, window: int) -> np.ndarray:
    """Trailing moving average over ``window`` points (over fewer at the start)."""
    cumulative = np.cumsum(np.insert(np.asarray(values, dtype=float), 0, 0.0))
    end = np.arange(1, len(cumulative))
    start = np.maximum(end - window, 0)
    return (cumulative[end] - cumulative[start]) / (end - start)


def _scatter(ax, x, y, title):
    for label, color in ((0, COLORS[0]), (1, COLORS[1])):
        points = x[y == label]
        ax.scatter(points[:, 0], points[:, 1], s=1, alpha=0.35, color=color, label=f"class {label}",
                   rasterized=True, linewidths=0)
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$", aspect="equal")


def synthetic_data(result: dict) -> Figure:
    """Figure 2: the training and validation sets, with the true boundary q(x) = 0.6."""
    fig, axes = figure(2, height=3.3)
    for ax, split, name in zip(axes, ("train", "val"), ("training", "validation")):
        part = result[split]
        _scatter(ax, part["x"], part["y"], f"{name} set ({len(part['y']):,} points)")
        ax.plot(*result["boundary"].T, color="black", lw=1.5, label="true boundary $q(x)=0.6$")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=3, markerscale=8)
    return fig


def _epoch_curves(ax_loss, ax_acc, history, val_name="validation"):
    epochs = np.arange(len(history["train_loss"]))
    for key, color, name in (("train", TRAIN, "training"), ("val", VAL, val_name)):
        if not np.all(np.isnan(history[f"{key}_loss"])):
            ax_loss.plot(epochs, history[f"{key}_loss"], "o-", ms=3, color=color, label=name)
            ax_acc.plot(epochs, 100 * np.asarray(history[f"{key}_accuracy"]), "o-", ms=3, color=color, label=name)
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_loss.set(xlabel="epoch", ylabel="mean cross-entropy (nats)", title="loss per epoch")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy per epoch")
    ax_loss.legend()
    ax_acc.legend()


def scalar_sgd(result: dict) -> Figure:
    """Figure 3: loss and accuracy per epoch, and the learned boundary over the validation set."""
    fig, (ax_loss, ax_acc, ax_map) = figure(3, height=3.0)
    history = result["runs"][0]["history"]
    _epoch_curves(ax_loss, ax_acc, history)
    ax_acc.axhline(100 * result["majority_accuracy"], color="grey", ls="--", lw=1, label="majority class")
    ax_acc.axhline(100 * result["report_accuracy"], color=COLORS[3], ls=":", lw=1.5, label=f"report ({report.SYNTH_ACCURACY_TEXT})")
    ax_acc.legend(fontsize=8)
    ax_loss.legend(fontsize=8)
    grid = result["boundary"]
    ax_map.contourf(grid["axis"], grid["axis"], grid["p1"], levels=[0, 0.5, 1], colors=[COLORS[5], COLORS[4]],
                    alpha=0.25)
    ax_map.contour(grid["axis"], grid["axis"], grid["p1"], levels=[0.5], colors=[COLORS[2]], linewidths=2)
    ax_map.plot([], [], color=COLORS[2], lw=2, label="learned boundary")
    ax_map.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)
    ax_map.set(title="learned boundary (seed 0)", xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    return fig


def synthetic_boundaries(data_result: dict, sgd_result: dict) -> Figure:
    """The learned and the true boundary over the validation points."""
    fig, (ax,) = figure(1, width=5, height=4.6)
    _scatter(ax, data_result["val"]["x"], data_result["val"]["y"], "validation set and boundaries")
    ax.plot(*data_result["boundary"].T, color="black", lw=1.5, label="true: $q(x)=0.6$")
    grid = sgd_result["boundary"]
    ax.contour(grid["axis"], grid["axis"], grid["p1"], levels=[0.5], colors=[COLORS[2]], linewidths=2)
    ax.plot([], [], color=COLORS[2], lw=2, label="learned: $y_1 = 0.5$")
    ax.set(xlim=(grid["axis"][0], grid["axis"][-1]), ylim=(grid["axis"][0], grid["axis"][-1]))
    ax.legend(loc="upper right", markerscale=8)
    return fig


def training_curves(run: dict, smoothing: int = 500) -> Figure:
    """Figures 4 and 5: loss per update (raw faint, smoothed bold), per epoch, accuracy per epoch."""
    fig, (ax_step, ax_loss, ax_acc) = figure(3, span="first")
    steps = np.asarray(run["history"]["step_loss"])
    window = max(1, min(smoothing, len(steps) // 20))
    x = np.arange(1, len(steps) + 1)
    ax_step.plot(x, steps, color=TRAIN, alpha=0.15, lw=0.5, label="per update", rasterized=True)
    ax_step.plot(x, smooth(steps, window), color=TRAIN, lw=1.5, label=f"moving average of {window}")
    batch = run["run"]["batch_size"]
    ax_step.set(xlabel="update" + (" (one example each)" if batch == 1 else f" (batch of {batch})"),
                ylabel="mean cross-entropy (nats)", title="training loss per update", yscale="log")
    # placed, not searched for: matplotlib's "best" spot over hundreds of thousands of points
    # takes seconds, and past one it warns on the page
    ax_step.legend(loc="upper right", fontsize=8)
    _epoch_curves(ax_loss, ax_acc, run["history"])
    return fig


def power_of_ten(value: float) -> str:
    """``1e-3`` as the mathtext $10^{-3}$."""
    return f"$10^{{{round(np.log10(value))}}}$"


def sweep(result: dict, label: str, unit_format=str) -> Figure:
    """Figures 6 and 7: training loss per update and validation accuracy per epoch, mean ± 1 std."""
    fig, (ax_step, ax_acc) = figure(2, width=PAGE_WIDTH, height=2.9)
    for color, (value, bands) in zip(COLORS, result["bands"].items()):
        name = f"{label} = {unit_format(value)}"
        for ax, band, x0 in ((ax_step, bands["step_loss"], 1), (ax_acc, bands["val_accuracy"], 0)):
            scale = 100 if ax is ax_acc else 1
            x = np.arange(x0, x0 + len(band["mean"]))
            mean, std = scale * np.asarray(band["mean"]), scale * np.asarray(band["std"])
            ax.plot(x, mean, color=color, lw=1.2, label=name)
            ax.fill_between(x, mean - std, mean + std, color=color, alpha=0.25, lw=0)
    ax_step.set(xlabel="update", ylabel="mean cross-entropy (nats)", yscale="log",
                title="training loss per update (mean ± 1 std over seeds)")
    ax_acc.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_acc.set(xlabel="epoch", ylabel="validation accuracy (%)", title="validation accuracy (mean ± 1 std)")
    fig.legend(*ax_acc.get_legend_handles_labels(), loc="outside lower center", ncols=2)
    return fig


def final_accuracies(final: dict, fashion: dict) -> Figure:
    """Test accuracy of the report's and the tuned recipe, per seed, with the 95% intervals."""
    fig, (ax,) = figure(1, width=PAGE_WIDTH, height=3.4)
    rows = [("MNIST, report's recipe", final["report_recipe"]), ("MNIST, tuned", final["tuned"]),
            ("Fashion-MNIST, report's recipe", fashion["report_recipe"]), ("Fashion-MNIST, tuned", fashion["tuned"])]
    for i, (name, part) in enumerate(rows):
        s = part["test_accuracy"]
        color = COLORS[i % 2]
        ax.plot(100 * np.asarray(s["values"]), [i] * s["n"], "o", color=color, alpha=0.6, ms=5)
        if s["n"] > 1:
            ax.errorbar(100 * s["mean"], i, xerr=[[100 * (s["mean"] - s["ci_low"])], [100 * (s["ci_high"] - s["mean"])]],
                        fmt="|", color="black", ms=14, capsize=4)
    ax.axvline(100 * final["report_accuracy"], color=COLORS[3], ls=":", lw=1.5, label=f"report: {report.FINAL_ACCURACY_TEXT}")
    ax.set_yticks(range(len(rows)), [name for name, _ in rows])
    ax.invert_yaxis()
    ax.set(xlabel="test accuracy (%)", title="test accuracy per seed, mean and 95% interval")
    ax.legend(loc="lower right", fontsize=8)
    return fig


def run_curves(result: dict) -> Figure:
    """`training_curves` of an experiment of one run (Figures 4 and 5)."""
    return training_curves(result["run"])


def learning_rates(result: dict) -> Figure:
    return sweep(result, "learning rate", power_of_ten)


def batch_sizes(result: dict) -> Figure:
    return sweep(result, "batch size")


def draw_all(results: dict, folder, suffix: str = ".svg") -> list[Path]:
    """Every figure of the experiments (`mlp.experiments.Figure`) whose results are all in ``results``,
    written into ``folder``."""
    from mlp.experiments import EXPERIMENTS

    written = []
    for name, experiment in EXPERIMENTS.items():
        for figure_ in experiment.figures:
            needs = figure_.needs or (name,)
            if all(need in results for need in needs):
                fig = globals()[figure_.draw](*(results[need] for need in needs))
                written.append(save(fig, Path(folder) / f"{figure_.file}{suffix}"))
    return written


def network_diagram(sizes=(2, 3, 2)) -> Figure:
    """The network of the report's Figure 1: inputs, sigmoid hidden units, softmax outputs, loss."""
    from matplotlib.patches import Circle

    fig, (ax,) = figure(1, width=PAGE_WIDTH, height=3.2)
    ax.set_axis_off()
    ax.grid(False)
    gap, radius = 2.4, 0.3
    layers = (("x", "inputs $x_i$", COLORS[0]),
              ("h", "$k_j = \\sum_i x_i w_{ij} + b_j$\n$h_j = \\sigma(k_j)$", COLORS[2]),
              ("y", "$z_m = \\sum_j h_j v_{jm} + c_m$\n$y = \\mathrm{softmax}(z)$", COLORS[1]))
    spots = []
    for column, ((symbol, caption, color), n) in enumerate(zip(layers, sizes)):
        x, ys = column * gap, np.linspace((n - 1) / 2, -(n - 1) / 2, n)
        spots.append([(x, y) for y in ys])
        for i, y in enumerate(ys, start=1):
            ax.add_patch(Circle((x, y), radius, color=color, zorder=2))
            ax.text(x, y, f"${symbol}_{i}$", ha="center", va="center", fontsize=11, color="white", zorder=3)
        ax.text(x, -max(sizes) / 2 - 0.2, caption, ha="center", va="top", fontsize=10)
    for (left, right), name in zip(zip(spots, spots[1:]), ("$w_{ij},\\ b_j$", "$v_{jm},\\ c_m$")):
        for a in left:
            for b in right:
                ax.annotate("", xy=(b[0] - radius, b[1]), xytext=(a[0] + radius, a[1]),
                            arrowprops={"arrowstyle": "->", "color": "grey", "lw": 0.8, "shrinkA": 0, "shrinkB": 0})
        ax.text((left[0][0] + right[0][0]) / 2, max(sizes) / 2 + 0.1, name, ha="center", fontsize=11)
    ax.text(2 * gap + 0.75, 0, "loss\n$l = -\\ln y_m$,\n$m$ the true\nclass", ha="left", va="center", fontsize=10,
            bbox={"boxstyle": "round", "fc": "white", "ec": COLORS[3]})
    ax.set(xlim=(-0.6, 2 * gap + 2.5), ylim=(-max(sizes) / 2 - 1.1, max(sizes) / 2 + 0.5), aspect="equal")
    return fig


def benchmark(rows: list[dict], names: list[str], threads: int) -> Figure:
    """Epoch time relative to the bound, per configuration and implementation, at one thread count.

    ``rows, names`` are the benchmark's results at ``threads`` and the implementations
    to show (:func:`mlp.bench.at_threads` selects them).
    """
    fig, (ax,) = figure(1, width=PAGE_WIDTH, height=3.4)
    width = 0.8 / len(names)
    for k, (name, color) in enumerate(zip(names, COLORS)):
        xs = [i + (k - (len(names) - 1) / 2) * width for i, r in enumerate(rows) if name in r["implementations"]]
        ys = [r["implementations"][name]["median_ratio_to_bound"] for r in rows if name in r["implementations"]]
        ax.bar(xs, ys, width, color=color, label=name)
    ax.axhline(1.0, color="black", lw=1, ls="--", label="bound")
    ax.set_xticks(range(len(rows)), [f"B={r['batch_size']}\n{r['dtype']}" for r in rows], fontsize=8)
    ax.set(yscale="log", ylabel="epoch time / bound",
           title=f"{threads} BLAS thread{'s' * (threads > 1)}: median over rounds")
    ax.legend(fontsize=8, ncols=2)
    return fig


def gradient_descent(curve: dict, paths: dict) -> Figure:
    """Gradient descent on a one-parameter loss: the loss against one weight, and the steps taken.

    ``curve`` is ``{"weights": [...], "losses": [...], "name": "$v_{11}$"}``; ``paths`` maps a
    learning rate to `mlp.example.descend`'s steps, one panel each. Each step is drawn as a
    point on the curve with an arrow to the next.
    """
    fig, axes = figure(len(paths), width=PAGE_WIDTH / len(paths), height=2.9)
    for ax, (lr, path) in zip(axes, paths.items()):
        ax.plot(curve["weights"], curve["losses"], color="black", lw=1.4, label="loss")
        weights = [step["weight"] for step in path]
        losses = [step["loss"] for step in path]
        for a, b in zip(path, path[1:]):
            ax.annotate("", xy=(b["weight"], b["loss"]), xytext=(a["weight"], a["loss"]),
                        arrowprops={"arrowstyle": "->", "color": COLORS[0], "lw": 1.2, "shrinkA": 3, "shrinkB": 3})
        ax.plot(weights, losses, "o", color=COLORS[0], ms=4, label="gradient-descent steps")
        ax.plot(weights[:1], losses[:1], "s", color=COLORS[2], ms=6, label="start")
        ax.set(xlabel=f"weight {curve['name']}", ylabel="loss", title=f"learning rate $\\eta$ = {lr:g}")
    axes[0].legend(fontsize=8, loc="upper center")
    return fig


# --- inside the network -------------------------------------------------------------------

# The steps of one example's forward and backward pass, in the order the code takes them.
GRAPH_STEPS = (
    ("x", "forward: the input $x_i$"),
    ("k", "forward: $k_j = \\sum_i x_i w_{ij} + b_j$"),
    ("h", "forward: $h_j = \\sigma(k_j)$"),
    ("z", "forward: $z_m = \\sum_j h_j v_{jm} + c_m$"),
    ("y", "forward: $y = \\mathrm{softmax}(z)$"),
    ("l", "forward: the loss $l = -\\ln y_m$, $m$ the true class"),
    ("dz", "backward: $dz_m = y_m - t_m$ and $dc_m = dz_m$"),
    ("dv", "backward: $dv_{jm} = h_j\\, dz_m$"),
    ("dh", "backward: $dh_j = \\sum_m dz_m v_{jm}$"),
    ("dk", "backward: $dk_j = dh_j\\, h_j (1 - h_j)$ and $db_j = dk_j$"),
    ("dw", "backward: $dw_{ij} = x_i\\, dk_j$"),
)
GRADIENT = COLORS[1]  # gradients are written in vermillion, forward values in black
TARGET = COLORS[0]  # the targets t in blue: data, not gradients
GRAPH_KEY = "forward values (black), gradients of the loss (vermillion), targets t (blue)"


def step_arithmetic(point: dict, step: str, show=None) -> str:
    """The arithmetic of one of `GRAPH_STEPS` at ``point``, for its first unit, with the numbers filled in.

    For example ``$dk_1 = dh_1 \\cdot h_1 (1 - h_1)$ = 0.213 · 0.594 · 0.406 = 0.0514``. Each
    number is read from ``point``'s forward and backward pass and written by ``show(name, value)``
    (default: `graph_number`, 3 significant digits; a page passes one that tags it), a negative
    factor in parentheses.
    """
    show = show or (lambda name, value: graph_number(value))
    x, label, (w, b, v, c) = point["x"], point["label"], point["params"]
    fwd, bwd = point["forward"], point["backward"]
    n_in, n_hid, n_out = len(x), len(b), len(c)

    def e(name, value):
        return show(name, value)

    def f(name, value):
        return f"({show(name, value)})" if value < 0 else show(name, value)

    if step == "x":
        return "$x$ = (" + ", ".join(e(f"x_{i + 1}", x_i) for i, x_i in enumerate(x)) + f"), true class {label + 1}"
    if step == "k":
        terms = " + ".join(f"{f(f'x_{i + 1}', x[i])}·{f(f'w_{i + 1}1', w[i][0])}" for i in range(n_in))
        return f"$k_1$ = {terms} + {f('b_1', b[0])} = {e('k_1', fwd.k[0])}"
    if step == "h":
        return f"$h_1 = \\sigma(k_1)$ = 1 / (1 + exp({e('minus_k_1', -fwd.k[0])})) = {e('h_1', fwd.h[0])}"
    if step == "z":
        terms = " + ".join(f"{f(f'h_{j + 1}', fwd.h[j])}·{f(f'v_{j + 1}1', v[j][0])}" for j in range(n_hid))
        return f"$z_1$ = {terms} + {f('c_1', c[0])} = {e('z_1', fwd.z[0])}"
    if step == "y":
        total = " + ".join(f"exp({e(f'z_{m + 1}', z)})" for m, z in enumerate(fwd.z))
        return f"$y_1 = \\mathrm{{softmax}}(z)_1$ = exp({e('z_1', fwd.z[0])}) / ({total}) = {e('y_1', fwd.y[0])}"
    if step == "l":
        return f"$l = -\\ln y_{{{label + 1}}}$ = −ln {e(f'y_{label + 1}', fwd.y[label])} = {e('l', point['loss'])}"
    if step == "dz":
        return f"$dz_1 = y_1 - t_1$ = {e('y_1', fwd.y[0])} − {int(label == 0)} = {e('dz_1', bwd.dz[0])}"
    if step == "dv":
        return f"$dv_{{11}} = h_1\\, dz_1$ = {f('h_1', fwd.h[0])} · {f('dz_1', bwd.dz[0])} = {e('dv_11', bwd.dv[0][0])}"
    if step == "dh":
        terms = " + ".join(f"{f(f'dz_{m + 1}', bwd.dz[m])}·{f(f'v_1{m + 1}', v[0][m])}" for m in range(n_out))
        return f"$dh_1 = \\sum_m dz_m v_{{1m}}$ = {terms} = {e('dh_1', bwd.dh[0])}"
    if step == "dk":
        return (f"$dk_1 = dh_1 \\cdot h_1 (1 - h_1)$ = {f('dh_1', bwd.dh[0])} · {f('h_1', fwd.h[0])} · "
                f"{f('one_minus_h_1', 1 - fwd.h[0])} = {e('dk_1', bwd.dk[0])}")
    if step == "dw":
        return f"$dw_{{11}} = x_1\\, dk_1$ = {f('x_1', x[0])} · {f('dk_1', bwd.dk[0])} = {e('dw_11', bwd.dw[0][0])}"
    raise ValueError(f"no step {step!r}: one of {[name for name, _ in GRAPH_STEPS]}")


def graph_number(value: float) -> str:
    """A node's or weight's value as the graph writes it: 3 significant digits."""
    return f"{value + 0.0:.3g}"


# The graph's geometry, in inches (its axes span the figure, one data unit an inch).
GRAPH_FONT = 10  # every number on the graph; subscripts come out at 0.7 of it
GRAPH_LINE = 0.2  # one line of text
GRAPH_PITCH = 2.0  # between the centres of neighbouring nodes of the widest layer
GRAPH_LAYERS = ("x", "k", "h", "z", "y", "l")
GRAPH_SIDE_BY_SIDE = 2.6  # the width that holds a weight's value and gradient on one line


def _graph_layout(sizes) -> dict:
    """Where the graph's parts go, top to bottom: inputs, k, h, z, y, the loss.

    Returns ``{"node": {(layer, i): (x, y)}, "inbox": {(layer, i): (x, y_top, lines)}, "box": (w, h),
    "width": ..., "height": ...}``, the inbox's ``(x, y_top, width, lines)``. A node of k or z
    sits under its *inbox*, the lines that list the weights (and bias) entering it with their
    gradients: one line each where a weight's value and gradient fit side by side, two otherwise.
    """
    n_in, n_hid, n_out = sizes
    counts = dict(zip(GRAPH_LAYERS, (n_in, n_hid, n_hid, n_out, n_out, 1)))
    width = GRAPH_PITCH * max(sizes)
    box = (GRAPH_PITCH - 0.35, 2 * GRAPH_LINE + 0.12)
    fan_in = {"k": n_in, "z": n_hid}
    gaps = {"x": 0.5, "k": 0.3, "h": 0.55, "z": 0.55, "y": 0.35}  # below each layer, for its arrows
    node, inbox, y = {}, {}, -0.82  # below the title and the step's arithmetic
    for layer in GRAPH_LAYERS:
        n = counts[layer]
        pitch = width / n
        if layer in fan_in:
            lines = fan_in[layer] * (1 if pitch - 0.35 >= GRAPH_SIDE_BY_SIDE else 2) + 1  # and the bias
            for i in range(n):
                inbox[(layer, i)] = ((i + 0.5) * pitch, y, pitch - 0.35, lines)
            y -= lines * GRAPH_LINE + 0.08
        height = box[1] if layer != "l" else box[1] - 0.1
        for i in range(n):
            node[(layer, i)] = ((i + 0.5) * pitch, y - height / 2)
        y -= height + gaps.get(layer, 0.1)
    return {"node": node, "inbox": inbox, "box": box, "width": width, "height": -y}


def _draw_graph(ax, point: dict, shown: int, step_by_step: bool = True) -> None:
    """Draw the graph of ``point`` on ``ax`` with the first ``shown`` of `GRAPH_STEPS` filled in.

    Step by step (a player's frame), the last step shown is highlighted, named and its arithmetic
    written; otherwise (a still figure) nothing is highlighted and the caption is the colour key.
    """
    from matplotlib.patches import FancyBboxPatch

    ax.clear()
    ax.set_axis_off()
    x, label, (w, b, v, c) = point["x"], point["label"], point["params"]
    fwd, bwd = point["forward"], point["backward"]
    sizes = (len(x), len(b), len(c))
    layout = _graph_layout(sizes)
    spot, half_w = layout["node"], layout["box"][0] / 2
    done = {name for name, _ in GRAPH_STEPS[:shown]}
    current = GRAPH_STEPS[shown - 1][0] if shown else None
    animated = step_by_step and shown < len(GRAPH_STEPS)  # the last step shows everything, nothing highlighted
    fills = {"x": COLORS[0], "k": COLORS[2], "h": COLORS[2], "z": COLORS[4], "y": COLORS[4], "l": COLORS[3]}

    def text(xy, s, gid, color="#222222", **kw):
        kw = {"ha": "center", "va": "center", **kw}
        ax.text(*xy, s, gid=gid, color=color, fontsize=GRAPH_FONT, zorder=4, **kw)

    def half_h(layer):
        return (layout["box"][1] - (0.1 if layer == "l" else 0)) / 2

    def node(layer, i, name, value, step, gradient=None, grad_name=None, grad_step=None, target=False):
        cx, cy = spot[(layer, i)]
        active = animated and current is not None and current in (step, grad_step)
        ax.add_patch(FancyBboxPatch((cx - half_w, cy - half_h(layer)), 2 * half_w, 2 * half_h(layer),
                                    boxstyle="round,pad=0.02,rounding_size=0.1", zorder=3,
                                    fc=fills[layer] + "26", ec=GRADIENT if active else fills[layer],
                                    lw=2.2 if active else 1))
        two = gradient is not None
        text((cx, cy + (GRAPH_LINE / 2 if two else 0)), f"{name} = {graph_number(value)}" if step in done else name,
             f"{layer}_{i + 1}")
        if two and grad_step in done:
            text((cx, cy - GRAPH_LINE / 2), f"{grad_name} = {graph_number(gradient)}",
                 f"t_{i + 1}" if target else f"d{layer}_{i + 1}", color=TARGET if target else GRADIENT)

    def top(layer, j):
        """Where arrows into node j of ``layer`` end: its inbox's top, or the node's."""
        if (layer, j) in layout["inbox"]:
            return layout["inbox"][(layer, j)][:2]
        cx, cy = spot[(layer, j)]
        return cx, cy + half_h(layer)

    def arrow(a, b, port=(0, 1), step=None, grad_step=None):
        """An arrow from node a's bottom to b's top, at port i of n along b's top."""
        (x0, y0), (x1, y1) = spot[a], top(*b)
        i, n = port
        x1 += (i - (n - 1) / 2) / max(n, 1) * half_w
        active = animated and current is not None and current in (step, grad_step)
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0 - half_h(a[0])), zorder=1,
                    arrowprops={"arrowstyle": "->", "color": "#444444" if active else "#999999",
                                "lw": 1.4 if active else 0.8, "shrinkA": 0, "shrinkB": 0})

    def inbox(layer, j, weights, bias, step, grad_step):
        """The weights into node j of ``layer``, each with its gradient once backward has reached it, and its bias."""
        cx, y_top, width, lines = layout["inbox"][(layer, j)]
        active = animated and current is not None and current in (step, grad_step)
        height = lines * GRAPH_LINE + 0.04
        ax.add_patch(FancyBboxPatch((cx - width / 2, y_top - height), width, height, zorder=2,
                                    boxstyle="round,pad=0.02,rounding_size=0.08", fc="white",
                                    ec=GRADIENT if active else "#bbbbbb", lw=1.2 if active else 0.6))
        row = y_top - GRAPH_LINE / 2 - 0.02
        side_by_side = lines == len(weights) + 1
        for name, value, grad_name, gradient in weights:
            gid = name.strip("$").replace("_{", "_").replace("}", "")
            if side_by_side:
                text((cx - 0.08, row), f"{name} = {graph_number(value)}", gid, ha="right")
                if grad_step in done:
                    text((cx + 0.08, row), f"{grad_name} = {graph_number(gradient)}", "d" + gid, ha="left",
                         color=GRADIENT)
                row -= GRAPH_LINE
            else:
                text((cx, row), f"{name} = {graph_number(value)}", gid)
                if grad_step in done:
                    text((cx, row - GRAPH_LINE), f"{grad_name} = {graph_number(gradient)}", "d" + gid,
                         color=GRADIENT)
                row -= 2 * GRAPH_LINE
        text((cx - 0.08, row) if side_by_side else (cx, row), f"{bias[0]} = {graph_number(bias[1])}",
             bias[0].strip("$"), ha="right" if side_by_side else "center")

    for j in range(sizes[1]):
        for i in range(sizes[0]):
            arrow(("x", i), ("k", j), (i, sizes[0]), "k", "dw")
        inbox("k", j, [(f"$w_{{{i + 1}{j + 1}}}$", w[i][j], f"$dw_{{{i + 1}{j + 1}}}$", bwd.dw[i][j])
                       for i in range(sizes[0])], (f"$b_{j + 1}$", b[j]), "k", "dw")
        arrow(("k", j), ("h", j), step="h", grad_step="dk")
    for m in range(sizes[2]):
        for j in range(sizes[1]):
            arrow(("h", j), ("z", m), (j, sizes[1]), "z", "dv")
        inbox("z", m, [(f"$v_{{{j + 1}{m + 1}}}$", v[j][m], f"$dv_{{{j + 1}{m + 1}}}$", bwd.dv[j][m])
                       for j in range(sizes[1])], (f"$c_{m + 1}$", c[m]), "z", "dv")
        for n in range(sizes[2]):
            arrow(("z", m), ("y", n), (m, sizes[2]), "y", "dz")
    arrow(("y", label), ("l", 0), step="l", grad_step="dz")
    for i in range(sizes[0]):
        node("x", i, f"$x_{i + 1}$", x[i], "x")
    for j in range(sizes[1]):
        node("k", j, f"$k_{j + 1}$", fwd.k[j], "k", bwd.dk[j], f"$dk_{j + 1} = db_{j + 1}$", "dk")
        node("h", j, f"$h_{j + 1}$", fwd.h[j], "h", bwd.dh[j], f"$dh_{j + 1}$", "dh")
    for m in range(sizes[2]):
        node("z", m, f"$z_{m + 1}$", fwd.z[m], "z", bwd.dz[m], f"$dz_{m + 1} = dc_{m + 1}$", "dz")
        node("y", m, f"$y_{m + 1}$", fwd.y[m], "y", float(m == label), f"$t_{m + 1}$", "dz", target=True)
    node("l", 0, "$l$", point["loss"], "l")
    step = GRAPH_STEPS[shown - 1][1] if shown else "the network before the example enters"
    ax.text(layout["width"] / 2, -0.08, f"step {shown} of {len(GRAPH_STEPS)}: {step}" if animated
            else GRAPH_KEY, fontsize=11, ha="center", va="top", color="#222222", gid="caption")
    if current and animated:
        ax.text(layout["width"] / 2, -0.44, step_arithmetic(point, current), fontsize=GRAPH_FONT, ha="center",
                va="top", color="#222222", gid="arithmetic")
    ax.set(xlim=(0, layout["width"]), ylim=(-layout["height"], 0))


def _graph_figure(point: dict):
    """An empty figure the size of ``point``'s graph, and its axes spanning it (one unit an inch)."""
    import matplotlib

    layout = _graph_layout((len(point["x"]), len(point["params"].b), len(point["params"].c)))
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(layout["width"], layout["height"]))
        ax = fig.add_axes((0, 0, 1, 1))
    return fig, ax


def backprop_graph(point: dict, shown: int | None = None, step_by_step: bool = True) -> Figure:
    """The computational graph of one example with each node's value and gradient written on it.

    ``point`` is `mlp.experiments.synthetic_inside.backprop_point`'s dict; ``shown`` the number of
    `GRAPH_STEPS` filled in (all by default). Each number is a text artist whose gid names
    it (``k_1``, ``dk_1``, ``w_12``, ``dw_12``, ``b_1``, ...), so a test can read the figure back.
    Drawn top to bottom, inputs first, loss last, to fit a page's column at a readable size.
    ``step_by_step=False`` draws a still figure of the first ``shown`` steps, nothing highlighted.
    """
    fig, ax = _graph_figure(point)
    _draw_graph(ax, point, len(GRAPH_STEPS) if shown is None else shown, step_by_step)
    return fig


def backprop_animation(point: dict, interval_ms: int = 1500):
    """`backprop_graph` step by step, from the bare network to the last gradient, as an animation."""
    from matplotlib.animation import FuncAnimation

    fig, ax = _graph_figure(point)
    return FuncAnimation(fig, lambda shown: _draw_graph(ax, point, shown), frames=range(len(GRAPH_STEPS) + 1),
                         interval=interval_ms, repeat=False)


HIDDEN_LINES = ((COLORS[3], "--"), (COLORS[4], "-."), (COLORS[5], (0, (1, 1))))


def _hidden_line(ax, w_j, b_j, j: int):
    """The line k_j = w_1j x_1 + w_2j x_2 + b_j = 0, with an arrow toward the side where h_j > 1/2."""
    color, dashes = HIDDEN_LINES[j % len(HIDDEN_LINES)]
    normal = np.asarray(w_j, dtype=float)
    unit = normal / np.linalg.norm(normal)
    foot = -b_j * normal / normal.dot(normal)  # the line's point nearest the origin
    along = np.array([-unit[1], unit[0]])
    ax.axline(foot, foot + along, color=color, lw=1.6, ls=dashes, gid=f"k_{j + 1}=0")
    base = foot + (j - 1) * 1.4 * along  # the units' arrows apart, where lines cross
    tip = base + 0.8 * unit
    ax.annotate("", xy=tip, xytext=base, arrowprops={"arrowstyle": "->", "color": color, "lw": 1.6})
    # Dark text on a white tag edged in the unit's colour: legible over the points and lines.
    ax.text(*(tip + 0.3 * unit), f"$h_{j + 1}$", color="#000000", fontsize=10, ha="center", va="center",
            clip_on=True, bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": color, "linewidth": 1.4})


def hidden_lines(data_result: dict, snapshots: dict) -> Figure:
    """Per kept epoch: the validation points, each hidden unit's line k_j = 0 and the learned boundary.

    ``snapshots`` holds ``epochs``, ``params`` and ``boundaries`` (decision grids) as
    `mlp.experiments.synthetic_inside.synthetic_snapshots` returns them; the last panel is the legend.
    """
    import matplotlib
    from matplotlib.lines import Line2D

    epochs = snapshots["epochs"]
    ncols = 2
    nrows = -(-(len(epochs) + 1) // ncols)
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(PAGE_WIDTH, 2.9 * nrows), layout="constrained")
        axes = list(fig.subplots(nrows, ncols, squeeze=False).ravel())
    val = data_result["val"]
    for ax, epoch, params, grid in zip(axes, epochs, snapshots["params"], snapshots["boundaries"]):
        for label, color in ((0, COLORS[0]), (1, COLORS[1])):
            points = val["x"][val["y"] == label]
            ax.scatter(points[:, 0], points[:, 1], s=1.5, alpha=0.3, color=color, rasterized=True, linewidths=0)
        ax.plot(*data_result["boundary"].T, color="black", lw=1.2)
        ax.contour(grid["axis"], grid["axis"], grid["p1"], levels=[0.5], colors=[COLORS[2]], linewidths=2.2)
        w, b = np.asarray(params.w), np.asarray(params.b)
        for j in range(w.shape[1]):
            _hidden_line(ax, w[:, j], b[j], j)
        extent = (grid["axis"][0], grid["axis"][-1])
        ax.set(xlim=extent, ylim=extent, aspect="equal", xlabel="$x_1$", ylabel="$x_2$",
               title="before training (epoch 0)" if epoch == 0 else f"after epoch {epoch}")
        ax.grid(False)
        ax.spines[["top", "right"]].set_visible(False)
    legend_ax = axes[len(epochs)]
    legend_ax.set_axis_off()
    handles = [Line2D([], [], color=COLORS[0], marker="o", ls="", label="class 0 (validation)"),
               Line2D([], [], color=COLORS[1], marker="o", ls="", label="class 1 (validation)"),
               Line2D([], [], color="black", lw=1.2, label="true boundary $q(x) = 0.6$"),
               Line2D([], [], color=COLORS[2], lw=2.2, label="learned boundary $y_1 = 0.5$"),
               *(Line2D([], [], color=color, lw=1.6, ls=dashes, label=f"$k_{j + 1} = 0$, arrow: $h_{j + 1} > 1/2$")
                 for j, (color, dashes) in enumerate(HIDDEN_LINES))]
    legend_ax.legend(handles=handles, loc="center", frameon=False, handlelength=2.5)
    for ax in axes[len(epochs) + 1:]:
        ax.set_axis_off()
    return fig


# ------------------------------------------------------------ inside the MNIST network


def _image_grid(rows: list[list], titles: list[list[str]], row_labels=(), cmap="gray_r", symmetric=False,
                size: float = 1.0) -> Figure:
    """A grid of 28x28 images (flattened rows of 784 values), one title each.

    ``symmetric`` scales each image to ±its largest absolute value, in a diverging map
    (for weights); otherwise all images share the range of the data (for inputs). Images are
    ``size`` inches, or smaller where a row of them would be wider than `PAGE_WIDTH`. Each
    row's label, if given, heads its row, so the images take the page's whole width.
    """
    import matplotlib

    nrows, ncols = len(rows), max(len(r) for r in rows)
    size = min(size, PAGE_WIDTH / ncols)
    side = int(round(np.sqrt(np.size(rows[0][0]))))
    low, high = min(np.min(im) for r in rows for im in r), max(np.max(im) for r in rows for im in r)
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(size * ncols, (size + 0.35 + (0.3 if row_labels else 0)) * nrows), layout="constrained")
        if row_labels:
            parts = fig.subfigures(nrows, 1, squeeze=False).ravel()
            axes = [part.subplots(1, ncols, squeeze=False)[0] for part in parts]
            for part, label in zip(parts, row_labels):
                part.suptitle(label, x=0.01, ha="left", fontsize=10)
        else:
            axes = fig.subplots(nrows, ncols, squeeze=False)
    for i, row in enumerate(rows):
        for j, ax in enumerate(axes[i]):
            ax.set_axis_off()
            if j >= len(row):
                continue
            image = np.asarray(row[j], dtype=float).reshape(side, side)
            if symmetric:
                bound = float(np.abs(image).max()) or 1.0
                ax.imshow(image, cmap=cmap, vmin=-bound, vmax=bound)
            else:
                ax.imshow(image, cmap=cmap, vmin=low, vmax=high)
            ax.set_title(titles[i][j], fontsize=9)
    return fig


def digit_grid(digits: dict) -> Figure:
    """Training digits, one row per class, as the loader hands them out (standardized)."""
    labels = np.asarray(digits["labels"])
    classes = list(dict.fromkeys(labels.tolist()))
    rows = [[im for im, label in zip(digits["images"], labels) if label == c] for c in classes]
    return _image_grid(rows, [[str(c)] * len(r) for c, r in zip(classes, rows)], size=0.8)


def hidden_weights(inside: dict) -> Figure:
    """First-layer weights of a few hidden units as images, after training and their change
    in training, for the report's and the tuned recipe (each image scaled to its own range)."""
    report, tuned = inside["recipes"]["report"], inside["recipes"]["tuned"]
    rows, labels = [], []
    for name, recipe in (("report's recipe", report), ("tuned recipe", tuned)):
        rows += [list(recipe["weights"]), list(np.asarray(recipe["weights"]) - np.asarray(recipe["initial_weights"]))]
        labels += [f"{name}, after training", f"{name}, change in training"]
    titles = [[f"unit {j}" for j in range(len(r))] for r in rows]
    return _image_grid(rows, titles, labels, cmap="PuOr", symmetric=True)


def saturation(inside: dict) -> Figure:
    """Histograms over the (test image, hidden unit) pairs of k and of σ'(k) = h(1 − h), at
    initialization and after training, for the report's and the tuned recipe."""
    fig, (ax_k, ax_s) = figure(2, width=PAGE_WIDTH, height=2.6)
    curves = [("report", "init", COLORS[1], ":"), ("report", "trained", COLORS[1], "-"),
              ("tuned", "init", COLORS[0], ":"), ("tuned", "trained", COLORS[0], "-")]
    names = {"report": "report's recipe (standard normal)", "tuned": "tuned (LeCun)"}
    for recipe, stage, color, style in curves:
        part = inside["recipes"][recipe][stage]
        for ax, edges, counts in ((ax_k, inside["k_edges"], part["k_counts"]),
                                  (ax_s, inside["slope_edges"], part["slope_counts"])):
            counts = np.asarray(counts, dtype=float)
            ax.stairs(counts / counts.sum(), edges, color=color, ls=style, lw=1.4,
                      label=f"{names[recipe]}, {'at initialization' if stage == 'init' else 'after training'}"
                            f" ({100 * part['saturated']:.0f}% saturated)")
    ax_k.set(xlabel="pre-activation $k_j$ (clipped to the axis)", ylabel="fraction of pairs",
             yscale="log", title="hidden pre-activations $k$")
    ax_s.axvline(inside["saturated_below"], color="black", lw=0.8)
    ax_s.set(xlabel="$\\sigma'(k_j) = h_j(1 - h_j)$", ylabel="fraction of pairs", yscale="log",
             title="slope of the sigmoid: the gradient's gate")
    fig.legend(*ax_s.get_legend_handles_labels(), loc="outside lower center", ncols=1, fontsize=9)
    return fig


def confusion_matrix(inside: dict) -> Figure:
    """The tuned model's test-set confusion matrix, each non-zero count written in its cell."""
    counts = np.asarray(inside["confusion"])
    fig, (ax,) = figure(1, width=5.2, height=4.6)
    ax.grid(False)
    image = ax.imshow(np.log1p(counts), cmap="Blues")
    n = len(counts)
    for i in range(n):
        for j in range(n):
            if counts[i, j]:
                dark = np.log1p(counts[i, j]) > 0.6 * np.log1p(counts.max())
                ax.text(j, i, f"{counts[i, j]}", ha="center", va="center", fontsize=7,
                        color="white" if dark else "black")
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set(xlabel="predicted class", ylabel="true class", title="tuned model on the test set (counts)")
    fig.colorbar(image, ax=ax, label="log(1 + count)", shrink=0.8)
    return fig


def mistakes(inside: dict) -> Figure:
    """The tuned model's most confident mistakes: image, true class, predicted class and its probability."""
    shown = inside["mistakes"]
    rows = [shown[i:i + 5] for i in range(0, len(shown), 5)]  # five to a row, their titles apart
    titles = [[f"true {m['label']}, said {m['predicted']}\n{100 * m['probability']:.0f}%" for m in row] for row in rows]
    return _image_grid([[m["image"] for m in row] for row in rows], titles, size=1.1)


def init_scales(result: dict) -> Figure:
    """The report's recipe's test accuracy against the first layer's initial weight spread,
    mean and 95% interval over seeds, with the report's number."""
    from mlp.experiments.init_scales import describe

    fig, (ax,) = figure(1, width=PAGE_WIDTH, height=3.8)
    for i, scale in enumerate(result["scales"]):
        s, x = scale["test_accuracy"], scale["weight_std"]
        color = COLORS[i % len(COLORS)]
        ax.plot([x] * s["n"], 100 * np.asarray(s["values"]), "o", color=color, alpha=0.5, ms=4)
        if s["n"] > 1:
            ax.errorbar(x, 100 * s["mean"], yerr=[[100 * (s["mean"] - s["ci_low"])], [100 * (s["ci_high"] - s["mean"])]],
                        fmt="_", color=color, ms=14, capsize=4, label=describe(scale["init"]))
        else:
            ax.plot(x, 100 * s["mean"], "_", color=color, ms=14, label=describe(scale["init"]))
    report = result["report_accuracy"]
    ax.axhline(100 * report, color="black", ls=":", lw=1.2, label=f"report: {100 * report:.2f}%")
    ax.set(xscale="log", xlabel="standard deviation of the first layer's initial weights (log scale)",
           ylabel="test accuracy (%)", title="the report's recipe from five initializations:\nmean and 95% interval")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize=9)
    return fig


# --------------------------------------------------------------------- your own sweeps

def setting_label(setting: dict) -> str:
    """``{"lr": 0.1, "init": "lecun"}`` as ``lr=0.1, init=lecun``."""
    return ", ".join(f"{name}={value:g}" if isinstance(value, float) else f"{name}={value}"
                     for name, value in setting.items())


def _sweep_groups(result: dict):
    """The cells grouped for drawing: colour by the last option, position by the others."""
    options = result["varied"]
    colour_by = options[-1] if options else None
    positions = list(dict.fromkeys(_label(c, colour_by, options) for c in result["cells"]))
    colours = list(dict.fromkeys(c["setting"][colour_by] for c in result["cells"])) if colour_by else [None]
    return colour_by, positions, colours


def _label(cell: dict, leave_out, options) -> str:
    """The setting of a cell in the varied ``options``, without ``leave_out``."""
    return setting_label({k: v for k, v in cell["setting"].items() if k in options and k != leave_out})


def sweep_accuracy(result: dict) -> Figure:
    """Held-out accuracy of every cell of a sweep: each seed a dot, the mean with its 95% interval."""
    colour_by, positions, colours = _sweep_groups(result)
    fig, (ax,) = figure(1, width=min(PAGE_WIDTH, max(5.0, 1.1 * len(positions) + 2.5)), height=3.6)
    width = 0.8 / len(colours)
    for k, value in enumerate(colours):
        for cell in result["cells"]:
            if colour_by and cell["setting"][colour_by] != value or cell["accuracy"] is None:
                continue
            x = positions.index(_label(cell, colour_by, result["varied"])) + (k - (len(colours) - 1) / 2) * width
            s, color = cell["accuracy"], COLORS[k % len(COLORS)]
            ax.plot([x] * s["n"], 100 * np.asarray(s["values"]), "o", color=color, alpha=0.45, ms=4)
            ax.plot(x, 100 * s["mean"], "_", color=color, ms=14, mew=2)
            if s["n"] > 1:
                ax.errorbar(x, 100 * s["mean"], yerr=[[100 * (s["mean"] - s["ci_low"])], [100 * (s["ci_high"] - s["mean"])]],
                            fmt="none", ecolor=color, capsize=4, lw=1.2)
        if colour_by:
            ax.plot([], [], "o", color=COLORS[k % len(COLORS)], label=setting_label({colour_by: value}))
    if result["best"] is not None:
        best = result["cells"][result["best"]]
        ax.axhline(100 * best["accuracy"]["mean"], color="grey", ls=":", lw=1,
                   label=f"best mean: {_label(best, None, result['varied']) or 'one cell'}")
    ax.set_xticks(range(len(positions)), [p or "all cells" for p in positions], fontsize=8)
    ax.set_ylim(top=min(ax.get_ylim()[1], 100.5))  # an interval past 100% is cut at the top
    ax.set(ylabel=f"{result['held_out']} accuracy (%)",
           title=f"{result['held_out']} accuracy per setting:\nseeds, mean and 95% interval")
    ax.legend(fontsize=8)
    return fig


def sweep_curves(result: dict) -> Figure:
    """Training loss (mean over seeds) and validation accuracy (mean ± 1 std) per epoch of every cell of a sweep."""
    colour_by, positions, colours = _sweep_groups(result)
    names = [("train_loss", "training loss (mean cross-entropy, nats)", 1)]
    if result["held_out"] == "validation":
        names.append(("val_accuracy", "validation accuracy (%)", 100))
    fig, axes = figure(len(names), width=PAGE_WIDTH, height=2.9)
    styles = ("-", "--", ":", "-.")
    for cell in result["cells"]:
        k = colours.index(cell["setting"][colour_by]) if colour_by else 0
        style = styles[positions.index(_label(cell, colour_by, result["varied"])) % len(styles)]
        for ax, (name, label, scale) in zip(axes, names):
            band = cell["curves"].get(name)
            if band is None:
                continue
            mean, std = scale * np.asarray(band["mean"]), scale * np.asarray(band["std"])
            x = np.arange(len(mean))
            ax.plot(x, mean, style, color=COLORS[k % len(COLORS)], lw=1.3, label=_label(cell, None, result["varied"]) or "one cell")
            if name != "train_loss":  # a loss band reaching below zero has no place on a log axis
                ax.fill_between(x, mean - std, mean + std, color=COLORS[k % len(COLORS)], alpha=0.12, lw=0)
            ax.set(xlabel="epoch", ylabel=label)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[0].set(yscale="log", title="training loss per epoch (mean over seeds)")
    if len(axes) > 1:
        axes[1].set(title="validation accuracy per epoch (mean ± 1 std)")
    fig.legend(*axes[-1].get_legend_handles_labels(), loc="outside lower center", fontsize=8, ncols=2)
    return fig


def draw_sweep(result: dict, folder, suffix: str = ".svg") -> list[Path]:
    """A sweep's two figures, written into ``folder``."""
    folder = Path(folder)
    return [save(sweep_accuracy(result), folder / f"sweep_accuracy{suffix}"),
            save(sweep_curves(result), folder / f"sweep_curves{suffix}")]


def sgd_and_minibatch(runs: dict, n_train: int) -> Figure:
    """The Training page's runs: loss per update against epochs (left), loss per epoch (right).

    ``runs`` maps a label to ``(batch_size, history dict)``; each update of a batch of B is
    drawn at B / ``n_train`` epochs after the one before.
    """
    fig, (ax_step, ax_epoch) = figure(2, height=3.2)
    for (label, (batch, history)), color in zip(runs.items(), COLORS):
        steps = np.asarray(history["step_loss"])
        at = np.arange(1, len(steps) + 1) * batch / n_train
        ax_step.plot(at, steps, color=color, lw=0.5, alpha=0.35 if batch == 1 else 0.9, rasterized=True)
        ax_epoch.plot(np.arange(len(history["train_loss"])), history["train_loss"], "o-", ms=3, color=color,
                      label=label)
    ax_step.set(xlabel="epoch (updates drawn in order)", ylabel="mean cross-entropy (nats)",
                title="loss of each update's batch", yscale="log")
    ax_epoch.set(xlabel="epoch", ylabel="mean cross-entropy (nats)", title="training-set loss per epoch")
    ax_epoch.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.legend(*ax_epoch.get_legend_handles_labels(), loc="outside lower center", ncols=1, fontsize=8)
    return fig


def vectorized_shapes(sizes: dict) -> Figure:
    """The vectorized products as rectangles drawn to their shapes: forward x w and h v, backward
    h^T dz, dz v^T and x^T dk, each (rows, inner) times (inner, columns).

    ``sizes`` gives B, n_in, n_hid and n_out; each side's length is drawn on a square-root
    scale so that a side of 2 and one of 784 both stay visible.
    """
    from matplotlib.patches import Rectangle

    products = [  # (result, left, right, what the product sums over): sizes by symbol
        (("k", "B", "hid"), ("x", "B", "in"), ("w", "in", "hid"), "sums over the inputs $n_{\\mathrm{in}}$"),
        (("z", "B", "out"), ("h", "B", "hid"), ("v", "hid", "out"), "sums over the hidden units"),
        (("dv", "hid", "out"), ("h^T", "hid", "B"), ("dz", "B", "out"), "sums over the batch $B$"),
        (("dh", "B", "hid"), ("dz", "B", "out"), ("v^T", "out", "hid"), "sums over the outputs"),
        (("dw", "in", "hid"), ("x^T", "in", "B"), ("dk", "B", "hid"), "sums over the batch $B$"),
    ]
    colors = {"B": COLORS[1], "in": COLORS[0], "hid": COLORS[2], "out": COLORS[3]}
    fig, (ax,) = figure(1, width=PAGE_WIDTH, height=7.6)
    ax.set_axis_off()
    ax.grid(False)

    def length(symbol):
        return 0.8 * np.sqrt(sizes["B" if symbol == "B" else f"n_{symbol}"] / max(sizes.values()))

    def label(symbol):
        return "$B$" if symbol == "B" else f"$n_{{\\mathrm{{{symbol}}}}}$"

    def matrix(x, y_top, name, rows, cols):
        """A rectangle of (rows, cols), its sides coloured by size; returns where the next item starts."""
        width, height = length(cols), length(rows)
        ax.add_patch(Rectangle((x, y_top - height), width, height, fc="none", ec="#333333", lw=1))
        ax.plot([x, x + width], [y_top + 0.025] * 2, color=colors[cols], lw=3, solid_capstyle="butt")
        ax.plot([x - 0.025] * 2, [y_top, y_top - height], color=colors[rows], lw=3, solid_capstyle="butt")
        slot = max(width, 0.42)
        shown = name.replace("^T", "^\\top")
        ax.text(x + width / 2, y_top - height - 0.03, f"${shown}$\n({label(rows)}, {label(cols)})",
                ha="center", va="top", fontsize=10, linespacing=1.3)
        return x + slot

    y = 0.0
    for n, (result, left, right, sums) in enumerate(products):
        if n in (0, 2):
            y -= 0.05 if n == 0 else 0.1
            ax.text(0, y, "forward" if n == 0 else "backward", fontsize=10, fontweight="bold", va="bottom")
            y -= 0.08
        x = matrix(0.05, y, *result)
        ax.text(x + 0.04, y - 0.06, "=", fontsize=12, va="center")
        x = matrix(x + 0.2, y, *left)
        ax.text(x + 0.03, y - 0.06, "·", fontsize=12, va="center")
        matrix(x + 0.15, y, *right)
        ax.text(2.2, y - 0.06, sums, fontsize=10, va="center", color="#333333")
        y -= max(length(s) for part in (result, left, right) for s in part[1:]) + 0.4
    handles = [Rectangle((0, 0), 1, 1, color=color) for color in colors.values()]
    fig.legend(handles, [f"{label(s)} = {sizes['B' if s == 'B' else f'n_{s}']}" for s in colors],
               loc="outside lower center", ncols=4, fontsize=10, title="side lengths, drawn on a square-root scale",
               title_fontsize=10)
    ax.set(xlim=(-0.03, 3.25), ylim=(y + 0.15, 0.12), aspect="equal")
    return fig


def gradcheck_sweep(eps, errors: dict, predicted: dict) -> Figure:
    """Error of central differences against the step ε, log-log: measured curves (``errors``,
    label -> values) and the predicted slopes (``predicted``, label -> values), dashed."""
    fig, (ax,) = figure(1, width=PAGE_WIDTH * 0.75, height=3.6)
    for (name, values), color in zip(errors.items(), COLORS):
        ax.plot(eps, values, "o-", ms=4, color=color, label=name)
    for (name, values), color in zip(predicted.items(), COLORS[4:]):
        ax.plot(eps, values, "--", lw=1.2, color=color, label=name)
    lowest = min(float(np.min(values)) for values in errors.values())
    ax.set(xscale="log", yscale="log", xlabel="step ε", ylabel="error", title="central differences against ε",
           ylim=(lowest / 30, None))  # the predicted lines run on below what was measured
    ax.legend(fontsize=8)
    return fig
