"""The benchmark's report (`mlp.bench.measure.run`) as tables, and its goals checked.

Each number is written by ``show(key, format, value)``: `mlp.text.plain` in the terminal;
the site passes one that tags it.
"""

from __future__ import annotations

from mlp.bench.epochs import BOUNDS
from mlp.text import plain, plain_table

GOALS = {500: 1.25, 100: 1.25, 1: 1.5}  # train() / best bound, at most, per batch size


def at_threads(report: dict, threads: int) -> tuple[list[dict], list[str]]:
    """The results measured at ``threads``, and the implementations in them other than the bounds."""
    results = [r for r in report["results"] if r["threads"] == threads]
    return results, [n for n in dict.fromkeys(n for r in results for n in r["implementations"]) if n not in BOUNDS]


def rows(report: dict, threads: int, show=plain) -> tuple[list[str], list[list[str]]]:
    """Header and rows for one thread count: the best bound's median seconds per epoch (SciPy's
    or NumPy's, whichever was faster), the others' ratios to it."""
    results, names = at_threads(report, threads)

    def ratio(r, n):
        return show(f"bench.{threads}.{r['batch_size']}.{r['dtype']}.{n}", "2f",
                    r["implementations"][n]["median_ratio_to_bound"]) + "×"

    body = [[f"B={r['batch_size']}, {r['dtype']}",
             show(f"bench.{threads}.{r['batch_size']}.{r['dtype']}.bound", "2f", best_bound(r)) + " s",
             *(ratio(r, n) if n in r["implementations"] else "–" for n in names)] for r in results]
    return [f"{threads} thread{'s' * (threads > 1)}", "best bound", *names], body


def best_bound(result: dict) -> float:
    """The faster bound's median seconds per epoch."""
    return min(result["implementations"][n]["median_seconds"] for n in BOUNDS if n in result["implementations"])


def faster_library(result: dict) -> str:
    """``"scipy"`` or ``"numpy"``: whose products were the faster (median), SciPy's being the step's."""
    impl = result["implementations"]
    return "numpy" if impl.get("numpy bound", {}).get("median_seconds", float("inf")) < impl["bound"]["median_seconds"] else "scipy"


GOALS_HEADER = ["configuration", "train / best bound", "step / best bound", "train / step", "faster products"]


def goals(report: dict, show=plain) -> list[list[str]]:
    """One row per configuration (columns `GOALS_HEADER`): train() / best bound against `GOALS`;
    the bare step over the same bound (its products and its element-wise passes); train()
    over the step (the shuffle and each batch's gather); and whose products were faster,
    SciPy's (the step's) or NumPy's, with the ratio of their medians."""
    out = []
    for r in report["results"]:
        impl, b, key = r["implementations"], r["batch_size"], f"goals.{r['threads']}.{r['batch_size']}.{r['dtype']}"
        ratio = impl["train"]["median_ratio_to_bound"]
        most = GOALS.get(b)
        verdict = show(key + ".bound", _digits(ratio, most), ratio)
        if most is not None:
            verdict += f" (≤ {show(key + '.goal', 'plain', most)}: {'met' if ratio <= most else 'missed'})"
        library = faster_library(r)
        if "numpy bound" in impl:
            other = impl["numpy bound"]["median_seconds"] / impl["bound"]["median_seconds"]
            library += f" (numpy / scipy {show(key + '.numpy_over_scipy', '2f', other)})"
        out.append([f"B={b}, {r['dtype'].replace('float', 'f')}, {r['threads']} thr.", verdict,
                    show(key + ".step", "2f", impl["step"]["median_ratio_to_bound"]),
                    show(key + ".train_over_step", "2f", impl["train"]["median_seconds"] / impl["step"]["median_seconds"]),
                    library])
    return out


SCALING_HEADER = ["configuration", "best bound", "step", "train", "step − best bound, share of step"]


def scaling_rows(report: dict, show=plain) -> list[list[str]]:
    """How each part speeds up from one thread to more: per configuration measured at one
    thread and at ``t`` > 1, the one-thread median seconds over the ``t``-thread ones of the
    best bound (the products), the bare step and train(), and the share of the step at
    ``t`` threads that is not its products (its element-wise passes run on one thread)."""
    one = {(r["batch_size"], r["dtype"]): r for r in report["results"] if r["threads"] == 1}
    out = []
    for r in report["results"]:
        base = one.get((r["batch_size"], r["dtype"]))
        if r["threads"] == 1 or base is None:
            continue
        key = f"scaling.{r['threads']}.{r['batch_size']}.{r['dtype']}"
        speedup = {n: base["implementations"][n]["median_seconds"] / r["implementations"][n]["median_seconds"]
                   for n in ("step", "train")}
        step = r["implementations"]["step"]["median_seconds"]
        out.append([f"B={r['batch_size']}, {r['dtype'].replace('float', 'f')}, 1 → {r['threads']} thr.",
                    show(key + ".bound", "2f", best_bound(base) / best_bound(r)) + "×",
                    show(key + ".step", "2f", speedup["step"]) + "×", show(key + ".train", "2f", speedup["train"]) + "×",
                    show(key + ".rest", "percent0", max(step - best_bound(r), 0.0) / step)])
    return out


SATURATED_HEADER = ["dtype", "seconds per epoch", "/ float64"]


def saturated_rows(report: dict, show=plain) -> list[list[str]]:
    """One row per dtype of `mlp.bench.measure.saturated` (columns `SATURATED_HEADER`)."""
    seconds = report["saturated"]["median_seconds"]
    return [[dtype, show(f"bench.saturated.{dtype}", "2f", s) + " s",
             show(f"bench.saturated.{dtype}.over_float64", "2f", s / seconds["float64"]) + "×"]
            for dtype, s in seconds.items()]


def table(report: dict) -> str:
    """The benchmark as plain text: per thread count the epoch times (`rows`), then the goals
    (`goals`), the speed-up with threads (`scaling_rows`) and the scalar steps' rates."""
    blocks = [plain_table(*rows(report, threads), align="right")
              for threads in sorted({r["threads"] for r in report["results"]})]
    blocks.append(plain_table(GOALS_HEADER, goals(report)))
    scaling = scaling_rows(report)
    if scaling:
        blocks.append(plain_table(SCALING_HEADER, scaling))
    rates = report["scalar"]["examples_per_second"]
    blocks.append("scalar SGD step, 2-3-2: " + ", ".join(f"{n} {r:,.0f} examples/s" for n, r in rates.items()))
    return "\n\n".join(blocks)


def _digits(value: float, most: float | None) -> str:
    """Two decimals, or three where two would round a missed goal onto its limit ("1.250 (≤ 1.25: missed)")."""
    return "3f" if most is not None and value > most and round(value, 2) <= most else "2f"
