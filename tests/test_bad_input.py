"""Bad arguments get a clear error naming them, never a wrong answer."""

import numpy as np
import pytest

import mlp
from mlp import scalar, vectorized

PARAMS = mlp.init_params(3, 4, 2, rng=0)
X = np.zeros((5, 3))
LABELS = np.array([0, 1, 0, 1, 1])


@pytest.mark.parametrize("x,labels,error,word", [
    (np.zeros((5, 4)), LABELS, ValueError, "x has 4 features"),
    (np.zeros(3), [0], ValueError, "x must have 2 dimension"),
    (np.full((5, 3), np.nan), LABELS, ValueError, "x contains NaN"),
    (np.array([["a", "b", "c"]]), [0], TypeError, "x must hold real numbers"),
    ([[1, 2, 3], [1, 2]], [0, 1], ValueError, "x must be a rectangular"),
    (X, [0, 1, 0], ValueError, r"labels must have shape \(5,\)"),
    (X, [0, 1, 2, 0, 1], ValueError, r"labels must lie in 0\.\.1"),
    (X, [0, 1, -1, 0, 1], ValueError, "labels must lie"),
    (X, [0.5, 1, 0, 0, 1], TypeError, "labels must be integer"),
])
def test_vectorized_gradients_reject_bad_batches(x, labels, error, word):
    with pytest.raises(error, match=word):
        vectorized.gradients(x, labels, PARAMS)


@pytest.mark.parametrize("params,error,word", [
    ((1, 2, 3, 4), TypeError, "params must be an mlp.Params"),
    (PARAMS._replace(b=np.zeros(5)), ValueError, "params shapes"),
    (PARAMS._replace(c=np.zeros((2, 1))), ValueError, "params.c must have 1"),
    (PARAMS._replace(v=np.full((4, 2), np.inf)), ValueError, "params.v contains NaN or inf"),
])
def test_both_forms_reject_bad_params(params, error, word):
    with pytest.raises(error, match=word):
        vectorized.gradients(X, LABELS, params)
    with pytest.raises(error, match=word):
        scalar.gradients([0.0, 0.0, 0.0], 0, params)


@pytest.mark.parametrize("x,label,error,word", [
    ([0.0, 1.0], 0, ValueError, "x has 2 features"),
    ([0.0, float("nan"), 1.0], 0, ValueError, "x contains NaN"),
    ([0.0, 1.0, 2.0], 2, ValueError, "label must lie"),
    ([0.0, 1.0, 2.0], [0, 1], ValueError, "label must be a single"),
    ([0.0, 1.0, 2.0], "0", TypeError, "label must be integer"),
])
def test_scalar_gradients_reject_bad_examples(x, label, error, word):
    with pytest.raises(error, match=word):
        scalar.gradients(x, label, PARAMS)


def test_predict_rejects_a_batch_with_the_wrong_number_of_features():
    with pytest.raises(ValueError, match="x has 4 features"):
        vectorized.predict(np.zeros((5, 4)), PARAMS)


def test_unknown_reduction_is_rejected():
    with pytest.raises(ValueError, match="reduction"):
        vectorized.gradients(X, LABELS, PARAMS, reduction="average")


def test_import_mlp_loads_neither_matplotlib_nor_sympy_nor_the_docs():
    import subprocess
    import sys

    code = "import sys, mlp; print(sorted(m for m in ('matplotlib', 'sympy', 'IPython', 'mkdocs') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
