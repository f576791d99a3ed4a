"""Training recipes: what ``mlp train`` and ``mlp sweep`` train when an option is not given.

``DEFAULT`` learns at any batch size (the mean loss, so one learning rate suits every
batch; LeCun's initial scale, so the sigmoids start unsaturated). ``REPORT`` is the
report's final model (section 3.2): standard-normal weights, the summed loss of eq. 2.4,
and its learning rate, batch size and epochs; ``--recipe report`` trains it. The
experiments do not read these: each of their runs names every setting it trains with.
"""

from __future__ import annotations

from mlp import report

DEFAULT = {"n_hid": 300, "lr": 0.1, "batch_size": 32, "epochs": 5, "reduction": "mean", "init": "lecun",
           "lr_decay": 1.0}
REPORT = {"n_hid": 300, "reduction": "sum", "init": 1.0, "lr_decay": 1.0, **report.FINAL_RECIPE}
RECIPES = {"default": DEFAULT, "report": REPORT}
