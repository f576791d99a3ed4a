"""What one gradient costs: a backward pass against finite differences, counted from the sizes.

Counts are multiply-adds per example, the work of the matrix products (or of the scalar
form's inner loops); the element-wise work (σ, softmax, h(1 − h)) grows only with
n_hid + n_out and is left out. This is about the algorithm, not the implementation:
the scalar and the vectorized form do the same multiply-adds, the vectorized one faster.
"""

from __future__ import annotations

from typing import NamedTuple

from mlp.checks import check_count


class Cost(NamedTuple):
    """Multiply-adds per example of one forward and one backward pass of an n_in-n_hid-n_out network."""

    forward: int  # k = x w (n_in·n_hid) and z = h v (n_hid·n_out)
    backward: int  # dv = h^T dz and dh = dz v^T (n_hid·n_out each), dw = x^T dk (n_in·n_hid)
    parameters: int  # entries of w, b, v and c

    @property
    def backward_per_forward(self) -> float:
        """A backward pass's multiply-adds in units of a forward pass's: about 1."""
        return self.backward / self.forward

    @property
    def backprop_passes(self) -> float:
        """Every gradient by backpropagation, in forward passes: one forward, one backward."""
        return 1 + self.backward_per_forward

    @property
    def finite_difference_passes(self) -> int:
        """Every gradient by central differences: two forward passes per parameter."""
        return 2 * self.parameters

    @property
    def speedup(self) -> float:
        """How many times fewer multiply-adds backpropagation needs than central differences."""
        return self.finite_difference_passes / self.backprop_passes


def count(n_in: int, n_hid: int, n_out: int) -> Cost:
    """The multiply-adds of the forward and backward pass, and the parameters, of one network."""
    n_in, n_hid, n_out = (check_count(n, name) for n, name in ((n_in, "n_in"), (n_hid, "n_hid"), (n_out, "n_out")))
    first, second = n_in * n_hid, n_hid * n_out
    return Cost(
        forward=first + second,
        backward=first + 2 * second,
        parameters=first + n_hid + second + n_out,
    )
