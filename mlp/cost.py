"""What one gradient costs, counted from the sizes: backpropagation against two alternatives.

- `count`: a forward and a backward pass, and the forward passes central differences
  need (two per parameter): the cost of one reverse sweep for a scalar loss of many
  parameters, against numerical differentiation.
- `reuse`: every gradient as a fresh sum over chain-rule paths, against one backward
  sweep that names the shared factors and computes each once: what backprop's reuse saves.

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


def backward_with_dx(n_in: int, n_hid: int, n_out: int) -> int:
    """A backward pass's multiply-adds if it also computed dx = dk wᵀ (n_in·n_hid more), as a
    layer inside a deeper network must for the layer below: twice the forward pass's."""
    return count(n_in, n_hid, n_out).backward + n_in * n_hid


class Reuse(NamedTuple):
    """Multiplications per example for every parameter's gradient, two ways.

    The local derivatives (y_m − t_m, v_jm, h_j(1 − h_j), x_i) are taken as computed;
    what is counted is how they are multiplied together.
    """

    paths: int  # each parameter's gradient as its own sum over paths, each path's factors multiplied
    sweep: int  # backprop: dv = h dz, dh = Σ_m dz v, dk = dh h(1 − h), dw = x dk, each factor once

    @property
    def saving(self) -> float:
        """How many times fewer multiplications the sweep does."""
        return self.paths / self.sweep


def reuse(n_in: int, n_hid: int, n_out: int) -> Reuse:
    """Every gradient of an n_in-n_hid-n_out network by summing paths, and by one backward sweep.

    Paths: w_ij reaches the loss by n_out paths w_ij → k_j → h_j → z_m → l, each a product
    of 4 factors (3 multiplications); b_j by n_out paths of 3 factors (2); v_jm by one path
    of 2 factors (1); c_m by one path of 1 factor (0). The sweep: dv and dh n_hid·n_out
    each, dk n_hid, dw n_in·n_hid; dc = dz and db = dk are copies.
    """
    count(n_in, n_hid, n_out)  # checks the sizes
    paths = 3 * n_in * n_hid * n_out + 2 * n_hid * n_out + n_hid * n_out
    sweep = 2 * n_hid * n_out + n_hid + n_in * n_hid
    return Reuse(paths=paths, sweep=sweep)
