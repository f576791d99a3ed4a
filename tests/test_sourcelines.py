"""The cheat sheet's links: each found line of the package really computes its variable."""

import ast
from pathlib import Path

import pytest

from mlp.site import sourcelines

ROOT = Path(__file__).resolve().parent.parent
VARIABLES = sourcelines.FORWARD + sourcelines.BACKWARD


@pytest.mark.parametrize("form", sourcelines.FORMS)
@pytest.mark.parametrize("name", VARIABLES)
def test_each_found_line_is_in_the_file_and_assigns_the_variable(form, name):
    function = sourcelines.function_of(form, name)
    lines = sourcelines.computing_lines(function, name)
    assert lines, f"no line of mlp.{form} computes {name}"
    file_lines = (ROOT / lines[0].path).read_text().splitlines()
    for line in lines:
        assert line.path == f"mlp/{form}.py"
        assert file_lines[line.number - 1].strip().startswith(line.text.splitlines()[0])
        (statement,) = ast.parse(line.text).body
        target = statement.targets[0] if isinstance(statement, ast.Assign) else statement.target
        while isinstance(target, ast.Subscript):
            target = target.value
        assert isinstance(target, ast.Name) and target.id == name, line
        assert f'id="{line.anchor}"' in sourcelines.listing(function, "title")


def test_initializations_are_not_computing_lines_but_accumulations_are():
    k = sourcelines.computing_lines(sourcelines.scalar.forward, "k")
    assert [line.text for line in k] == ["k[j] += x[i] * w[i][j]", "k[j] += b[j]"]
    dz = sourcelines.computing_lines(sourcelines.vectorized.backward, "dz")
    assert [line.text for line in dz][1] == "dz /= len(x)"  # the mean loss's line


def test_forward_values_come_from_forward_and_gradients_from_backward():
    assert sourcelines.function_of("scalar", "h") is sourcelines.scalar.forward
    assert sourcelines.function_of("vectorized", "dh") is sourcelines.vectorized.backward


@pytest.mark.parametrize("statement,names", [
    ("dw[i][j] = dk[j] * x[i]", {"dw"}), ("k[j] += b[j]", {"k"}), ("_, h, _, y = fwd", {"_", "h", "y"}),
    ("dz = y - t", {"dz"}),
])
def test_assigned_names_are_the_written_variables_not_their_indices(statement, names):
    assert sourcelines.assigned_names(ast.parse(statement).body[0]) == names
