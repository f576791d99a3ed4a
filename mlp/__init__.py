"""Backpropagation by hand: a two-layer network in scalar and vectorized form.

inputs x -> linear (w, b) -> sigmoid -> linear (v, c) -> softmax -> cross-entropy.
`mlp.scalar` computes one example node by node in plain floats;
`mlp.vectorized` computes a batch with NumPy. Both return gradients as a
`Params` of the same shapes as the parameters.

Every module is reachable from ``import mlp`` (``mlp.train``, ``mlp.data``,
``mlp.experiments``, ...): the ones not imported here are imported when first used, so
``import mlp`` stays quick and loads neither SymPy nor the experiments. A trained network
is used through `predict`, `predict_proba` and `evaluate`, and kept with `save` and `load`.
"""

import importlib
import importlib.util

from mlp import checks, gradcheck, scalar, vectorized
from mlp.params import Params, init_params, load, save
from mlp.vectorized import predict, predict_proba

__all__ = ["Params", "init_params", "predict", "predict_proba", "evaluate", "save", "load",
           "scalar", "vectorized", "gradcheck", "checks"]
__version__ = "0.1.0"


def __getattr__(name: str):
    """``mlp.evaluate`` and the package's modules not imported yet (``mlp.train``, ...), on first use."""
    if name == "evaluate":
        from mlp.train import evaluate

        return evaluate
    if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
