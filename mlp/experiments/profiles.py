"""Profiles: ``full`` runs the report's sizes, ``quick`` the same code on a sliver of data.

``tiny`` is a smaller sliver still, one epoch: a stand-in for ``full`` where a test must
see the whole preview-then-full cycle of ``mkdocs serve`` in a minute
(``MLP_BACKGROUND_PROFILE``, `mlp.site.preview`). Its numbers mean nothing.
"""

from __future__ import annotations

import os

from mlp.experiments.runs import Run

PROFILES = ("full", "quick", "tiny")
QUICK_LIMIT = 1_000  # training examples in the quick profile (held out: a fifth of that)
QUICK_EPOCHS = 2
TINY_LIMIT, TINY_EPOCHS = 500, 1


def check(profile: str) -> str:
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}, got {profile!r}")
    return profile


def from_environment() -> str:
    """The profile named by ``MLP_PROFILE`` (``full`` if unset): the site build's, and the
    default of ``mlp experiments``; any other value is refused, naming the variable."""
    profile = os.environ.get("MLP_PROFILE") or "full"
    if profile not in PROFILES:
        raise ValueError(f"MLP_PROFILE must be one of {', '.join(PROFILES)}, got {profile!r}")
    return profile


def sized(run: Run, profile: str) -> Run:
    """``run`` as the profile runs it."""
    if check(profile) == "full":
        return run
    if profile == "tiny":
        return run.replace(limit=TINY_LIMIT, epochs=min(run.epochs, TINY_EPOCHS))
    return run.replace(limit=QUICK_LIMIT, epochs=min(run.epochs, QUICK_EPOCHS))


def seeds(profile: str, n: int) -> range:
    """The seeds of a repeated run: ``n`` in the full profile, at most 2 in the others."""
    return range(n if check(profile) == "full" else min(n, 2))
