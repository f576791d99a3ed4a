"""The Learn pages' teaching figures draw what their captions say."""

import numpy as np
from matplotlib.patches import Rectangle

from mlp import plots

SIZES = {"B": 100, "n_in": 784, "n_hid": 300, "n_out": 10}


def matrices(fig):
    """The rectangles of the shapes figure, three per product: result, left factor, right factor."""
    (ax,) = fig.axes
    found = [patch for patch in ax.patches if isinstance(patch, Rectangle)]
    assert len(found) == 15
    return [found[i:i + 3] for i in range(0, 15, 3)]


def test_each_product_in_the_shapes_figure_is_drawn_with_matching_sides():
    for result, left, right in matrices(plots.vectorized_shapes(SIZES)):
        assert np.isclose(left.get_width(), right.get_height())  # the summed, inner index
        assert np.isclose(result.get_height(), left.get_height())
        assert np.isclose(result.get_width(), right.get_width())


def test_the_shapes_figure_draws_each_side_to_its_size_on_a_square_root_scale():
    (k, x, w), (z, h, v), *_ = matrices(plots.vectorized_shapes(SIZES))
    for drawn, size in ((x.get_width(), "n_in"), (w.get_width(), "n_hid"), (v.get_width(), "n_out"),
                        (x.get_height(), "B")):
        assert np.isclose(drawn / x.get_width(), np.sqrt(SIZES[size] / SIZES["n_in"]))
    batch = {**SIZES, "B": 1}  # one example: every activation is a single row
    (k, x, w), *_ = matrices(plots.vectorized_shapes(batch))
    assert k.get_height() < 0.05 * w.get_height()
