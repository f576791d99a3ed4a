"""Backpropagation by hand: a two-layer network in scalar and vectorized form.

inputs x -> linear (w, b) -> sigmoid -> linear (v, c) -> softmax -> cross-entropy.
`mlp.scalar` computes one example node by node in plain floats;
`mlp.vectorized` computes a batch with NumPy. Both return gradients as a
`Params` of the same shapes as the parameters.
"""

from mlp import checks, gradcheck, scalar, vectorized
from mlp.params import Params, init_params

__all__ = ["Params", "init_params", "scalar", "vectorized", "gradcheck", "checks"]
__version__ = "0.1.0"
