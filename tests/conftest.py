"""Shared fixtures: real data sets on request, a private results cache, and the caller's."""

import os

import pytest

# The results cache the caller named, read before ``private_results_cache`` swaps in a
# private one: a built site's numbers are checked against it (tests/test_site.py).
CALLER_RESULTS_DIR = os.environ.get("MLP_RESULTS_DIR")


@pytest.fixture(scope="session")
def needs_data():
    """Skip unless ``MLP_DATA_DIR`` names a folder holding mnist/ and fashion-mnist/."""
    if not os.environ.get("MLP_DATA_DIR"):
        pytest.skip("MLP_DATA_DIR is unset; point it at a folder holding mnist/ and fashion-mnist/")


def _private_folder(variable: str, folder) -> None:
    """Point ``variable`` at ``folder`` for the session, then restore what the caller had."""
    saved = os.environ.get(variable)
    os.environ[variable] = str(folder)
    yield
    if saved is None:
        del os.environ[variable]
    else:
        os.environ[variable] = saved


@pytest.fixture(autouse=True, scope="session")
def private_results_cache(tmp_path_factory):
    """Keep the tests' results out of the user's cache, and the user's out of the tests."""
    yield from _private_folder("MLP_RESULTS_DIR", tmp_path_factory.mktemp("results"))


@pytest.fixture(scope="session")
def caller_results_dir():
    """``MLP_RESULTS_DIR`` as the caller set it (``None`` if unset), not the tests' private cache."""
    return CALLER_RESULTS_DIR
