"""How fast an epoch of training is, against its own lower bound and against frameworks.

One epoch of the 784-300-10 network is, per batch, five matrix products (eq. 2.3: x w and
h v; eq. 2.4: dz vᵀ, hᵀ dz and xᵀ dk) plus element-wise passes. The *bound* times those
five products alone, at the same shapes, into preallocated arrays, each through the
fastest BLAS path the process can reach (`mlp.kernels.measure`, measured afresh): no
implementation can beat it. Beside it: ``train``, an epoch of `mlp.train.train` as a user
runs it (shuffling included; the evaluations before and after it excluded, as in
``History.seconds``, and timed apart), ``step``, the bare :class:`mlp.fast.Step` over the
data in order, and the others; and parts of the step and of train(), timed apart
(`PARTS`), for the floors and the split that `goals` and `inside_rows` show. Each trains
the same network on the same data in the same process; rounds are interleaved (A B C A B
C ...) so that a drift in the machine's speed hits all alike, and the median over rounds
is reported, as a ratio to the bound of the same round.
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path
from datetime import datetime, timezone

import numpy as np

from mlp import fast, kernels, train
from mlp.params import Params, init_params
from mlp.text import plain, plain_table
from mlp.timing import interleaved

SIZES = (784, 300, 10)
LR = 1e-3
TINY = 1e-30
BOUND_SCALE = 1e-10  # `gemm_bound`'s inputs, scaled: h ~ 1e-10, weight updates ~ 1e-20, far above float32's 1e-38


def gemm_bound(x: np.ndarray, labels, batch_size: int, params: Params):
    """A function running an epoch of the five GEMMs alone (the lower bound; no labels needed).

    Each product goes through the path that `mlp.kernels.measure` finds fastest at these
    shapes now (per product, unless mixing libraries is slower as a whole; it is with
    more than one BLAS thread); ``bound.plan`` names them. The plan is kept as this
    machine's (`mlp.kernels.store`), so the steps timed beside the bound, and training
    afterwards, run the same paths as it. As in the step, the weight-gradient products are
    subtracted from the weights the forward products read: a second copy of the weights
    would double the memory the products walk through, and at batch size 1 that made the
    bound a quarter slower than the step's own products. Without a sigmoid in between,
    values would then grow out of range; so the products run on the inputs scaled by
    `BOUND_SCALE`, which keeps every value a normal number (their speed is training's) and
    the weights where they are (an epoch moves them by less than 10^(-14) of their size).
    """
    (n_in, n_hid), n_out, dtype = params.w.shape, params.c.shape[0], params.w.dtype
    plan = kernels.measure(batch_size, n_in, n_hid, n_out, dtype)["plan"]
    kernels.store(batch_size, n_in, n_hid, n_out, dtype, plan)
    xw, hv, dzvt, update_v, update_w = (kernels.kernel(path, p in kernels.UPDATES, {"hT dz": params.v.shape,
                                        "xT dk": params.w.shape}.get(p), dtype) for p, path in plan.items())
    w, _, v, _ = params.map(np.copy)
    x = x * dtype.type(BOUND_SCALE)
    h, dh = np.empty((batch_size, n_hid), dtype), np.empty((batch_size, n_hid), dtype)
    z = np.empty((batch_size, n_out), dtype)

    def epoch():
        for i in range(0, len(x) - batch_size + 1, batch_size):
            xb = x[i:i + batch_size]
            xw(h, xb, w)
            hv(z, h, v)
            dzvt(dh, z, v.T)
            update_v(v, h.T, z)
            update_w(w, xb.T, dh)

    epoch.plan, epoch.w, epoch.v, epoch.h = plan, w, v, h
    return epoch


def train_epoch(x, labels, batch_size, params):
    """An epoch of `mlp.train.train` as a user calls it; returns its training seconds (``History.seconds``).

    ``epoch.outside`` collects the rest of each call's time: the evaluations before and
    after the epoch, and the argument checks.
    """
    def epoch():
        start = time.perf_counter()
        _, history = train.train(params, (x, labels), lr=LR, batch_size=batch_size, epochs=1,
                                 reduction="sum", progress=False)
        epoch.outside.append(time.perf_counter() - start - history.seconds[-1])
        return history.seconds[-1]

    epoch.outside = []
    return epoch


def mlp_epoch(x, labels, batch_size, params):
    """An epoch of ``mlp``'s bare training step (:class:`mlp.fast.Step`), over the data in order."""
    epoch = in_order(fast.Step(params.map(np.copy), batch_size), x, labels, batch_size)
    epoch.plan = epoch.step.plan
    return epoch


def in_order(step, x, labels, batch_size):
    """An epoch of ``step`` over the data in order, in whole batches (as `gemm_bound` walks them)."""
    def epoch():
        for i in range(0, len(x) - batch_size + 1, batch_size):
            step(x[i:i + batch_size], labels[i:i + batch_size], LR)

    epoch.step = step
    return epoch


STEP_PRODUCTS = ("xw", "hv", "dzvt", "update_v", "update_w")  # `mlp.fast.Step`'s, in `kernels.PRODUCTS`' order


def products_epoch(x, labels, batch_size, params):
    """`mlp_epoch` with each of the step's five products timed as it runs: ``epoch.inside``
    collects, per epoch, the seconds they took. Split so, the step's time is its products'
    (beside the bound: the same products back to back) and the rest's, between them."""
    bare = mlp_epoch(x, labels, batch_size, params)
    took = [0.0]

    def timed(product):
        def run(c, a, b):
            start = time.perf_counter()
            product(c, a, b)
            took[0] += time.perf_counter() - start
        return run

    for name in STEP_PRODUCTS:
        setattr(bare.step, name, timed(getattr(bare.step, name)))

    def epoch():
        took[0] = 0.0
        bare()
        epoch.inside.append(took[0])

    epoch.step, epoch.inside = bare.step, []
    return epoch


def rest_epoch(x, labels, batch_size, params):
    """An epoch of :class:`mlp.fast.Step` with its five products taken out: what is left is the
    element-wise passes and the Python around them, which NumPy runs on one thread however
    many BLAS has. ``η dh`` is filled with a tiny constant where its product would write it
    (one pass more than the step makes): it does not shrink into subnormal numbers, and
    the biases it moves stay where they are, so that ``k`` never grows to where ``e^(-k)``
    overflows and the passes meet infinities they never meet in training."""
    step = fast.Step(params.map(np.copy), batch_size)
    for name in STEP_PRODUCTS:
        setattr(step, name, lambda c, a, b: None)
    step.dzvt = lambda c, a, b: c.fill(TINY)
    step.h.fill(0)  # what the forward products would have written: 0, not what the memory held
    step.z.fill(0)
    return in_order(step, x, labels, batch_size)


def gather_epoch(x, labels, batch_size, params):
    """What `mlp.train.train` does in an epoch beside its steps, alone: the shuffle and each
    batch's gather (`mlp.train.batches`). Gathering reads every example once more than the
    bare step does, on one thread however many BLAS has; ``params`` is not used."""
    out = np.empty((batch_size, x.shape[1]), x.dtype)
    rng = np.random.default_rng(0)

    def epoch():
        for _ in train.batches(x, labels, train.shuffle(len(x), rng), batch_size, out):
            pass

    return epoch


def loop_epoch(x, labels, batch_size, params):
    """The loop that `gemm_bound`'s and `rest_epoch`'s epochs share, alone: each batch's slice
    of the data, and nothing done with it. Each of the two counts it, so `goals` subtracts it
    once from their sum; it matters at batch size 1, where it runs 60,000 times an epoch."""
    def epoch():
        for i in range(0, len(x) - batch_size + 1, batch_size):
            x[i:i + batch_size]

    return epoch


def plain_epoch(x, labels, batch_size, params):
    """An epoch of the plain step that reads like eq. 2.3/2.4 (:func:`mlp.train.vectorized_step`)."""
    params = params.map(np.copy)

    def epoch():
        for i in range(0, len(x) - batch_size + 1, batch_size):
            train.vectorized_step(x[i:i + batch_size], labels[i:i + batch_size], params, LR, "sum")

    return epoch


def torch_epoch(x, labels, batch_size, params):
    """An epoch of the same network in PyTorch: pre-made tensors, autograd, plain SGD."""
    import torch

    xt, lt = torch.from_numpy(x), torch.from_numpy(labels)
    w, b, v, c = (torch.tensor(p, requires_grad=True) for p in params)
    optimizer = torch.optim.SGD([w, b, v, c], lr=LR)

    def epoch():
        for i in range(0, len(x) - batch_size + 1, batch_size):
            optimizer.zero_grad()
            z = torch.sigmoid(xt[i:i + batch_size] @ w + b) @ v + c
            torch.nn.functional.cross_entropy(z, lt[i:i + batch_size], reduction="sum").backward()
            optimizer.step()

    return epoch


def sklearn_epoch(x, labels, batch_size, params):
    """An epoch of scikit-learn's MLPClassifier with the same network (sgd, logistic)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(hidden_layer_sizes=(params.w.shape[1],), activation="logistic", solver="sgd",
                          batch_size=batch_size, learning_rate_init=LR, momentum=0.0, max_iter=1,
                          shuffle=False, random_state=0)

    def epoch():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x, labels)

    return epoch


BOUND, PRODUCTS, REST, GATHER, LOOP = "bound", "products", "rest", "gather", "loop"
IMPLEMENTATIONS = {BOUND: gemm_bound, "train": train_epoch, "step": mlp_epoch, "plain": plain_epoch,
                   "pytorch": torch_epoch, "scikit-learn": sklearn_epoch, PRODUCTS: products_epoch,
                   REST: rest_epoch, GATHER: gather_epoch, LOOP: loop_epoch}
PARTS = (PRODUCTS, REST, GATHER, LOOP)  # parts of the step and of train(), timed for `goals` and `inside_rows`; not in `rows`


def available(name: str) -> bool:
    """Whether the library an implementation needs is installed (PyTorch and scikit-learn are optional)."""
    module = {"pytorch": "torch", "scikit-learn": "sklearn"}.get(name)
    if module is None:
        return True
    import importlib.util

    return importlib.util.find_spec(module) is not None


def measure(x, labels, batch_size: int, dtype, threads: int, rounds: int = 5,
            names=tuple(IMPLEMENTATIONS)) -> dict:
    """Seconds per epoch of each implementation: interleaved rounds, medians, ratios to the bound."""
    from threadpoolctl import threadpool_limits

    x = np.ascontiguousarray(x, dtype=dtype)
    params = init_params(x.shape[1], SIZES[1], SIZES[2], rng=0, scale="lecun", dtype=dtype)
    # scikit-learn computes in float64 only, and at batch size 1 its per-batch Python overhead
    # makes an epoch take minutes: it is timed where it is a fair comparison.
    names = [n for n in names if available(n)
             and not (n == "scikit-learn" and (dtype != np.float64 or batch_size < 100))]
    with threadpool_limits(threads):
        if "pytorch" in names:
            import torch

            torch.set_num_threads(threads)
        functions = {n: IMPLEMENTATIONS[n](x, labels, batch_size, params) for n in names}
        seconds = interleaved(functions, rounds)
    scale = 1.0 if len(x) >= 60_000 else 60_000 / len(x)  # report seconds per 60,000 examples
    out = {}
    for n in names:
        counted = seconds[n] * scale
        ratio = counted / (seconds[BOUND] * scale) if BOUND in names else counted * np.nan
        out[n] = {"median_seconds": float(np.median(counted)), "min_seconds": float(counted.min()),
                  "max_seconds": float(counted.max()), "median_ratio_to_bound": float(np.median(ratio))}
        if hasattr(functions[n], "plan"):
            out[n]["kernels"] = functions[n].plan
        if hasattr(functions[n], "outside"):
            out[n]["median_seconds_outside_training"] = float(np.median(functions[n].outside[1:]) * scale)
        if hasattr(functions[n], "inside") and BOUND in names:  # per round: its products, the rest
            inside = np.array(functions[n].inside[1:])
            out[n]["median_products_ratio_to_bound"] = float(np.median(inside / seconds[BOUND]))
            out[n]["median_rest_ratio_to_bound"] = float(np.median((seconds[n] - inside) / seconds[BOUND]))
    return out


def saturated_epochs(x, labels, batch_size: int) -> dict:
    """``{(dtype, way): epoch}`` of :class:`mlp.fast.Step` with the report's N(0, 1) weights, where
    many units saturate, in float64 and float32: ``"flushed"`` with gradients below the smallest
    normal number set to 0 (as it trains in float32), ``"kept"`` without (as in float64)."""
    functions = {}
    for dtype in ("float64", "float32"):
        xd = np.ascontiguousarray(x, dtype=dtype)
        params = init_params(xd.shape[1], SIZES[1], SIZES[2], rng=0, scale=1.0, dtype=np.dtype(dtype))
        functions[dtype, "flushed"] = flushed = mlp_epoch(xd, labels, batch_size, params)
        functions[dtype, "kept"] = kept = mlp_epoch(xd, labels, batch_size, params)
        flushed.step.flush, kept.step.flush = fast.flush_subnormals, fast.keep
    return functions


def saturated(x, labels, batch_size: int = 100, rounds: int = 5, examples: int = 20_000) -> dict:
    """Seconds per epoch (of 60,000 examples) of each of `saturated_epochs`, on the first
    ``examples``; one BLAS thread, interleaved rounds, medians."""
    from threadpoolctl import threadpool_limits

    n = min(len(x), examples)
    functions = saturated_epochs(x[:n], labels[:n], batch_size)
    with threadpool_limits(1), np.errstate(over="ignore", under="ignore"):
        seconds = interleaved(functions, rounds)
    return {"batch_size": batch_size, "examples": n, "init": 1.0,
            "median_seconds": {dtype: {way: float(np.median(seconds[dtype, way]) * 60_000 / n)
                                       for way in ("flushed", "kept")} for dtype in ("float64", "float32")}}


def scalar_rates(rounds: int = 5, examples: int = 20_000) -> dict:
    """Examples per second of the scalar SGD steps on the report's 2-3-2 network and synthetic data.

    The plain step (:func:`mlp.train.scalar_step`) and the fused one
    (:func:`mlp.fast.scalar_step`), interleaved over ``rounds`` counted rounds; medians.
    """
    from mlp.data import load_synth

    (x, labels), _, _ = load_synth(num_train=examples, num_val=1)
    x, labels = x.tolist(), labels.tolist()
    params = init_params(2, 3, 2, rng=0).tolist()

    def epoch(step):
        def run():
            for xi, li in zip(x, labels):
                step(xi, li, params, LR)
        return run

    seconds = interleaved({"plain": epoch(train.scalar_step), "mlp": epoch(fast.scalar_step)}, rounds)
    return {"network": [2, 3, 2], "examples": examples,
            "examples_per_second": {name: float(examples / np.median(s)) for name, s in seconds.items()}}


def run(batch_sizes=(500, 100, 1), dtypes=("float64", "float32"), threads=(1, 2), rounds: int = 5,
        examples: dict | None = None, data=None, scalar_examples: int = 20_000) -> dict:
    """The whole benchmark: every batch size, dtype and thread count; plain data, JSON-ready.

    ``examples`` limits the examples per epoch for a batch size (batch size 1 takes a
    minute an epoch): times are scaled to 60,000 examples. ``data`` is ``(x, labels)``,
    MNIST's training set by default. ``scalar_examples``: per round of `scalar_rates`.
    """
    from threadpoolctl import threadpool_info

    if data is None:
        from mlp.data import load_mnist

        (x, labels), _, _ = load_mnist(final=True)
    else:
        x, labels = data
    examples = {1: 6_000} if examples is None else examples
    results = []
    for batch_size in batch_sizes:
        n = min(len(x), examples.get(batch_size, len(x)))
        for dtype in dtypes:
            for t in threads:
                results.append({"batch_size": batch_size, "dtype": dtype, "threads": t, "examples": n,
                                "implementations": measure(x[:n], labels[:n], batch_size, np.dtype(dtype), t,
                                                           rounds)})
    import scipy

    blas = [{**{k: info.get(k) for k in ("internal_api", "version", "architecture", "num_threads")},
             "library": "/".join(Path(info["filepath"]).parts[-2:])}
            for info in threadpool_info() if info["user_api"] == "blas"]
    scalar = scalar_rates(rounds, scalar_examples)
    flushing = saturated(x, labels, rounds=rounds)
    return {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": {"platform": platform.platform(), "processor": kernels.processor(),
                        "python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                        "blas": blas},
            "network": list(SIZES), "rounds": rounds, "results": results, "scalar": scalar, "saturated": flushing}


def at_threads(report: dict, threads: int) -> tuple[list[dict], list[str]]:
    """The results measured at ``threads``, and the implementations in them other than the bound
    (and the `PARTS`, which `goals` shows as floors)."""
    results = [r for r in report["results"] if r["threads"] == threads]
    return results, [n for n in dict.fromkeys(n for r in results for n in r["implementations"])
                     if n not in (BOUND, *PARTS)]


def rows(report: dict, threads: int, show=plain) -> tuple[list[str], list[list[str]]]:
    """Header and rows for one thread count: the bound's median seconds per epoch, the others' ratios to it.

    Each number is written by ``show(key, format, value)`` (the site tags it; see `mlp.text.plain`).
    """
    results, names = at_threads(report, threads)

    def ratio(r, n):
        return show(f"bench.{threads}.{r['batch_size']}.{r['dtype']}.{n}", "2f",
                    r["implementations"][n]["median_ratio_to_bound"]) + "×"

    body = [[f"B={r['batch_size']}, {r['dtype']}",
             show(f"bench.{threads}.{r['batch_size']}.{r['dtype']}.{BOUND}", "2f",
                  r["implementations"][BOUND]["median_seconds"]) + " s",
             *(ratio(r, n) if n in r["implementations"] else "–" for n in names)] for r in results]
    return [f"{threads} thread{'s' * (threads > 1)}", BOUND, *names], body


def table(report: dict) -> str:
    """The benchmark as plain-text tables, one per thread count (see :func:`rows`)."""
    blocks = []
    for threads in sorted({r["threads"] for r in report["results"]}):
        blocks.append(plain_table(*rows(report, threads), align="right"))
    rates = report["scalar"]["examples_per_second"]
    blocks.append("scalar SGD step, 2-3-2: " + ", ".join(f"{n} {r:,.0f} examples/s" for n, r in rates.items()))
    return "\n\n".join(blocks)


GOALS = {500: 1.2, 100: 1.2, 1: 1.5}  # train() / bound, at most, per batch size
TRAINER_OVERHEAD = {500: 1.05, 100: 1.05}  # train() / step, at most


GOALS_HEADER = ["configuration", "train / bound", "floor", "train / step", "1 + gather / step", "train, f32 / f64"]


def goals(report: dict, show=plain) -> list[list[str]]:
    """One row per configuration (columns `GOALS_HEADER`): train() / bound against `GOALS`
    beside its floor, 1 + (rest - loop) / bound; train() / step against `TRAINER_OVERHEAD`
    beside 1 + gather / step; whether float32's train() epoch is no slower than float64's.

    The step's products take about as long as the bound at the least, and its rest
    (`rest_epoch`) runs on one thread, so train() / bound stays above its floor but for
    the spread between epochs (the products inside the step can come out a little under
    the bound: `products_epoch`). The bound and the rest each carry the loop over the
    batches (`loop_epoch`), so the floor counts it once. train() is its steps and its
    shuffling and gathering (`gather_epoch`), so
    1 + gather / step is what train() / step would be if its steps took as long on gathered
    batches as the bare step takes on the data in order (reading a batch from cache, they
    can take less). "—" where the run did not time the part. Each number is written by
    ``show(key, format, value)``, as in `rows`.
    """
    seconds = {(r["batch_size"], r["dtype"], r["threads"]): r["implementations"]["train"]["median_seconds"]
               for r in report["results"]}
    out = []
    for r in report["results"]:
        impl, b, key = r["implementations"], r["batch_size"], f"goals.{r['threads']}.{r['batch_size']}.{r['dtype']}"
        ratio = impl["train"]["median_ratio_to_bound"]
        overhead = impl["train"]["median_seconds"] / impl["step"]["median_seconds"]
        f64 = seconds.get((b, "float64", r["threads"]))
        if r["dtype"] != "float32" or f64 is None:
            f32 = "—"
        else:
            f32 = seconds[b, "float32", r["threads"]] / f64
            f32 = f"{show(key + '.f32', _digits(f32, 1.0), f32)} {'met' if f32 <= 1 else 'missed'}"
        floor = (show(key + ".floor", "2f", 1 + impl[REST]["median_ratio_to_bound"] - impl[LOOP]["median_ratio_to_bound"])
                 if REST in impl and LOOP in impl else "—")
        gathering = (show(key + ".gather", "2f", 1 + impl[GATHER]["median_seconds"] / impl["step"]["median_seconds"])
                     if GATHER in impl else "—")
        out.append([f"B={b}, {r['dtype'].replace('float', 'f')}, {r['threads']} thr.",
                    _against(ratio, GOALS.get(b), show, key + ".bound"), floor,
                    _against(overhead, TRAINER_OVERHEAD.get(b), show, key + ".step"), gathering, f32])
    return out


INSIDE_HEADER = ["configuration", "step, timed / bound", "its products / bound", "its rest / bound", "rest alone / bound"]


def inside_rows(report: dict, show=plain) -> list[list[str]]:
    """One row per configuration above batch size 1 whose run timed the step's products inside it
    (`products_epoch`; columns `INSIDE_HEADER`): that epoch's time, its products' and the
    rest of it, each over the bound of the same round (medians over rounds), and the rest
    timed alone (`rest_epoch`). Numbers written by ``show(key, format, value)``, as in `rows`."""
    out = []
    for r in report["results"]:
        impl, b, key = r["implementations"], r["batch_size"], f"inside.{r['threads']}.{r['batch_size']}.{r['dtype']}"
        if b == 1 or PRODUCTS not in impl:
            continue
        timed = impl[PRODUCTS]
        alone = show(key + ".rest_alone", "2f", impl[REST]["median_ratio_to_bound"]) if REST in impl else "—"
        out.append([f"B={b}, {r['dtype'].replace('float', 'f')}, {r['threads']} thr.",
                    show(key + ".step", "2f", timed["median_ratio_to_bound"]),
                    show(key + ".products", "2f", timed["median_products_ratio_to_bound"]),
                    show(key + ".rest", "2f", timed["median_rest_ratio_to_bound"]), alone])
    return out


SATURATED_HEADER = ["dtype", "flushed", "kept (/ flushed)", "as trained / f64"]


def saturated_rows(report: dict, show=plain) -> list[list[str]]:
    """One row per dtype of `saturated`'s measurement (columns `SATURATED_HEADER`; "as trained"
    is flushed where `mlp.fast.flushes`), numbers written by ``show(key, format, value)`` as in `rows`."""
    seconds = report["saturated"]["median_seconds"]
    trained = {dtype: s["flushed" if fast.flushes(dtype) else "kept"] for dtype, s in seconds.items()}
    out = []
    for dtype, s in seconds.items():
        key = f"bench.saturated.{dtype}"
        out.append([dtype, show(key + ".flushed", "2f", s["flushed"]) + " s",
                    f'{show(key + ".kept", "2f", s["kept"])} s ({show(key + ".kept_over_flushed", "2f", s["kept"] / s["flushed"])}×)',
                    show(key + ".over_float64", "2f", trained[dtype] / trained["float64"]) + "×"])
    return out


def _against(value: float, most: float | None, show=plain, key: str = "") -> str:
    text = show(key, _digits(value, most), value)
    return text if most is None else f"{text} (≤ {show(key + '.goal', 'plain', most)}: {'met' if value <= most else 'missed'})"


def _digits(value: float, most: float | None) -> str:
    """Two decimals, or three where two would round a missed goal onto its limit ("1.50 (≤ 1.5: missed)")."""
    return "3f" if most is not None and value > most and round(value, 2) <= most else "2f"


def write(report: dict, path) -> None:
    with open(path, "w") as out:
        json.dump(report, out, indent=1)
