"""Timing several functions fairly: in interleaved rounds on the same machine."""

from __future__ import annotations

import time

import numpy as np


def interleaved(functions: dict, rounds: int, pause: float = 0.0) -> dict:
    """Seconds of each call of each function, taking turns (A B C A B C ...) for ``rounds``
    counted rounds after one warm-up round, so that a drift in the machine's speed hits all alike.

    A function that returns a number is taken at its word: those are its seconds (so
    `mlp.train.train` reports its training time, evaluation excluded); else its wall time.
    ``pause``: seconds to wait before each call, untimed, so that the threads a call left
    spinning (a BLAS library's idle threads spin for about 0.1 s) do not slow the next.
    """
    seconds = {name: [] for name in functions}
    for _ in range(rounds + 1):
        for name, function in functions.items():
            time.sleep(pause)
            start = time.perf_counter()
            own = function()
            seconds[name].append(time.perf_counter() - start if own is None else float(own))
    return {name: np.array(s[1:]) for name, s in seconds.items()}


def repeated(function, number: int):
    """``function`` called ``number`` times in a row, as one thing to time."""
    def calls():
        for _ in range(number):
            function()
    return calls
