"""Shared fixtures: real data sets on request, and a private results cache."""

import os

import pytest


@pytest.fixture(scope="session")
def needs_data():
    """Skip unless ``MLP_DATA_DIR`` names a folder holding mnist/ and fashion-mnist/."""
    if not os.environ.get("MLP_DATA_DIR"):
        pytest.skip("MLP_DATA_DIR is unset; point it at a folder holding mnist/ and fashion-mnist/")


@pytest.fixture(autouse=True, scope="session")
def private_results_cache(tmp_path_factory):
    """Keep the tests' results out of the user's cache, and the user's out of the tests."""
    saved = os.environ.get("MLP_RESULTS_DIR")
    os.environ["MLP_RESULTS_DIR"] = str(tmp_path_factory.mktemp("results"))
    yield
    if saved is None:
        del os.environ["MLP_RESULTS_DIR"]
    else:
        os.environ["MLP_RESULTS_DIR"] = saved
