"""The results cache: reuse what nothing changed, recompute what did, never trust damage."""

import pytest

from mlp import cache


@pytest.fixture
def counted():
    calls = []

    def compute():
        calls.append(1)
        return {"accuracy": 0.9, "curve": list(range(5))}

    return compute, calls


def test_unchanged_result_is_computed_once(counted):
    compute, calls = counted
    first = cache.cached("test", {"lr": 0.1}, compute)
    second = cache.cached("test", {"lr": 0.1}, compute)
    assert first == second == {"accuracy": 0.9, "curve": [0, 1, 2, 3, 4]}
    assert len(calls) == 1


def test_changed_config_source_or_data_recomputes(counted, monkeypatch):
    compute, calls = counted
    cache.cached("test", {"lr": 0.2}, compute)
    cache.cached("test", {"lr": 0.3}, compute)
    assert len(calls) == 2
    cache.cached("test", {"lr": 0.3}, compute, datasets=("mnist",))  # the data's checksums join the key
    assert len(calls) == 3
    monkeypatch.setattr(cache, "source_hash", lambda modules=cache.CORE_MODULES: "edited")
    cache.cached("test", {"lr": 0.3}, compute)
    assert len(calls) == 4


def test_source_hash_follows_the_core_modules():
    assert cache.source_hash() == cache.source_hash()
    assert cache.source_hash(("params",)) != cache.source_hash(("params", "train"))


def test_code_changes_count_but_comments_and_docstrings_do_not():
    base = 'def f(x):\n    """Twice x."""\n    return 2 * x\n'
    assert cache.code_only(base) == cache.code_only('def f(x):\n    """Doubles."""\n    # why\n    return 2 * x\n')
    assert cache.code_only(base) == cache.code_only("def f(x):\n    return 2 * x  # the same code\n")
    assert cache.code_only(base) != cache.code_only('def f(x):\n    """Twice x."""\n    return 3 * x\n')
    assert cache.code_only('"""Module."""\n') == cache.code_only("")


@pytest.mark.parametrize("damage", [
    lambda blob: blob[: len(blob) // 2],  # a partial write
    lambda blob: blob[:-1] + bytes([blob[-1] ^ 1]),  # one flipped bit in the payload
    lambda blob: b"not a cache entry",
    lambda blob: b"",
])
def test_damaged_entry_is_detected_and_recomputed(counted, damage):
    compute, calls = counted
    config = {"lr": 0.4, "damage": str(damage)}
    cache.cached("test", config, compute)
    path = cache.path_for("test", config)
    path.write_bytes(damage(path.read_bytes()))
    with pytest.warns(RuntimeWarning, match="corrupted cache entry"):
        assert cache.cached("test", config, compute)["accuracy"] == 0.9
    assert len(calls) == 2
    assert cache.load(path) is not None  # rewritten whole


def test_results_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("MLP_RESULTS_DIR", str(tmp_path))
    assert cache.results_dir() == tmp_path
    assert cache.path_for("run", {}).parent == tmp_path


def test_fingerprint_follows_every_stored_result(counted):
    compute, _ = counted
    cache.cached("test", {"lr": 0.5}, compute)
    before = cache.fingerprint()
    assert cache.fingerprint() == before
    path = cache.path_for("test", {"lr": 0.5})
    cache.store(path, {"accuracy": 0.8})
    assert cache.fingerprint() != before
    cache.cached("test", {"lr": 0.6}, compute)  # a new result changes it too
    assert len({before, cache.fingerprint()}) == 2


def test_source_hash_sees_an_edit_within_one_process(tmp_path, monkeypatch):
    package = tmp_path / "mlp"
    package.mkdir()
    (package / "__init__.py").write_text("")
    module = package / "params.py"
    module.write_text("x = 1\n")
    monkeypatch.setattr(cache.mlp, "__file__", str(package / "__init__.py"))
    before = cache.source_hash(("params",))
    module.write_text("x = 22\n")  # a different size, so a new key even within one mtime tick
    assert cache.source_hash(("params",)) != before
