"""Summaries over seeds: mean, standard deviation and a confidence interval."""

from __future__ import annotations

import numpy as np


def summary(values, confidence: float = 0.95) -> dict:
    """Mean, sample standard deviation and the Student-t confidence interval of the mean.

    With n seeds the interval is mean ± t(n-1) · std / √n; it says how well the mean over
    seeds is pinned down, not how much one run varies (that is the std).
    """
    from scipy import stats

    values = np.asarray(values, dtype=float)
    n, mean = len(values), float(values.mean())
    std = float(values.std(ddof=1)) if n > 1 else float("nan")
    half = float(stats.t.ppf((1 + confidence) / 2, n - 1) * std / np.sqrt(n)) if n > 1 else float("nan")
    return {"n": n, "mean": mean, "std": std, "ci_low": mean - half, "ci_high": mean + half,
            "confidence": confidence, "values": values.tolist()}


def welch(a, b) -> dict:
    """Welch's t-test of two sets of per-seed numbers: is the difference of means real?"""
    from scipy import stats

    test = stats.ttest_ind(a, b, equal_var=False)
    return {"difference": float(np.mean(a) - np.mean(b)), "t": float(test.statistic), "p": float(test.pvalue)}


def band(curves) -> dict:
    """Per-point mean and std of curves (one per seed), for shaded plots.

    A curve cut short (a run stopped by a divergence) is padded with NaN, so the band
    is NaN from where any seed has no value.
    """
    curves = [np.asarray(curve, dtype=float) for curve in curves]
    longest = max(len(curve) for curve in curves)
    curves = np.array([np.pad(curve, (0, longest - len(curve)), constant_values=np.nan) for curve in curves])
    return {"mean": curves.mean(axis=0), "std": curves.std(axis=0, ddof=1) if len(curves) > 1 else np.zeros(curves.shape[1])}
