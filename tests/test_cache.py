"""The results cache: reuse what nothing changed, recompute what did, never trust damage."""

import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from mlp import cache
from mlp.experiments import runs
from mlp.params import Params

ROOT = Path(cache.__file__).parent.parent


@pytest.fixture
def counted():
    calls = []

    def compute():
        calls.append(1)
        return {"accuracy": 0.9, "curve": list(range(5))}

    return compute, calls


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """An empty results folder of the test's own."""
    monkeypatch.setenv("MLP_RESULTS_DIR", str(tmp_path / "results"))
    return tmp_path / "results"


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
    monkeypatch.setattr(cache, "source_hash", lambda package=None: "edited")
    cache.cached("test", {"lr": 0.3}, compute)
    assert len(calls) == 4


def test_the_key_follows_the_code_that_computes_the_result():
    """A result of other modules' code is another result: ``code`` joins the key."""
    assert cache.key("test", {}) == cache.key("test", {}, code=(cache.RUN,))
    assert cache.key("test", {}, code=("mlp.experiments.mnist_inside",)) != cache.key("test", {})


def test_the_key_follows_the_imported_package(tmp_path):
    """``cache.key`` reads the package it was imported from, and sees an edit within one process."""
    package = Path(shutil.copytree(ROOT / "mlp", tmp_path / "copy" / "mlp", ignore=shutil.ignore_patterns("__pycache__")))
    script = textwrap.dedent("""
        import sys
        from pathlib import Path
        from mlp import cache
        before = cache.key("run", {})
        path = Path(cache.__file__).parent / "experiments" / "runs.py"
        assert path.parent.parent == Path(sys.argv[1]), path
        path.write_text(path.read_text() + "\\n_edited = 1\\n")  # a different size: seen within one mtime tick
        print(before, cache.key("run", {}))
    """)
    env = {**os.environ, "PYTHONPATH": str(package.parent)}
    out = subprocess.run([sys.executable, "-c", script, str(package)], env=env, cwd=tmp_path,
                         capture_output=True, text=True, check=True).stdout.split()
    assert out[0] != out[1]
    assert out[0] == cache.key("run", {})  # the copy, unedited, has the package's key


# ------------------------------------------------------------ entries on disk

@pytest.mark.parametrize("damage", [
    lambda blob: blob[: len(blob) // 2],  # a partial write
    lambda blob: blob.replace("0.9".encode("utf-32-le"), "0.8".encode("utf-32-le")),  # a flipped bit in a value
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


def test_an_entry_whose_content_does_not_match_its_checksum_is_not_used(folder):
    path = folder / "entry.npz"
    cache.store(path, {"curve": np.arange(4.0)})
    with np.load(path, allow_pickle=False) as entry:
        members = {name: entry[name] for name in entry.files}
    members["a0"] = members["a0"] + 1  # a valid file, the wrong numbers: only the SHA-256 can tell
    np.savez(path, **members)
    with pytest.warns(RuntimeWarning, match="corrupted cache entry"):
        assert cache.load(path) is None


def _same(a, b):
    """``a`` and ``b`` equal, of the same types all the way down (NaN equal to NaN)."""
    assert type(a) is type(b), (a, b)
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b or (a != a and b != b)


def test_a_result_comes_back_as_it_was_stored(folder):
    value = {
        "run": {"lr": 1e-3, "init": "lecun", "limit": None, "final": False, "epochs": 5},
        "history": {"loss": np.array([0.7, np.nan, np.inf]), "steps": np.arange(3, dtype=np.int32),
                    "empty": np.zeros((0, 2), np.float32)},
        "params": Params(np.ones((2, 3)), np.zeros(3), np.ones((3, 2), np.float32), np.zeros(2)),
        "runs": [{"accuracy": 0.5}, {"accuracy": float("nan")}],
        "pair": (1, "two"),
        "diverged": True,
        "loss": -0.0,
    }
    path = folder / "entry.npz"
    fresh = cache.store(path, value)
    _same(cache.load(path), value)
    _same(fresh, value)
    numpy_scalars = cache.store(path, {"mean": np.float64(0.25), "n": np.int64(3), "ok": np.bool_(True)})
    _same(cache.load(path), {"mean": 0.25, "n": 3, "ok": True})
    _same(numpy_scalars, cache.load(path))  # a fresh result reads as a stored one


@pytest.mark.parametrize("value", [{1: "not a string key"}, {"x": {1, 2}}, {"x": np.array([object()])},
                                   {"__array__": "a0"}])
def test_what_cannot_be_stored_as_data_is_refused(folder, value):
    with pytest.raises(TypeError):
        cache.store(folder / "entry.npz", value)
    assert not (folder / "entry.npz").exists()


def test_a_run_leaves_no_pickle_in_the_results_folder(folder):
    run = runs.Run(dataset="synth", form="scalar", n_hid=3, batch_size=1, epochs=1, limit=50, keep_params=True)
    fresh = runs.result(run)
    stored = runs.result(run)
    _same(stored, fresh)
    assert isinstance(stored["params"], Params) and isinstance(stored["history"]["train_loss"], np.ndarray)
    assert isinstance(stored["held_out_accuracy"], float) and isinstance(stored["run"]["limit"], int)
    entries = [path for path in folder.iterdir() if not path.name.endswith(".lock")]
    assert [path.suffix for path in entries] == [".npz"]
    for path in entries:
        with np.load(path, allow_pickle=False) as entry:  # raises on any pickled member
            assert str(entry["format"][()]) == cache.FORMAT
            json.loads(str(entry["tree"][()]))
            assert all(entry[name].dtype != object for name in entry.files)


class _Planted:
    """Unpickling this touches a marker file: a stand-in for code a pickle could run."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return Path.touch, (Path(self.marker),)


def test_an_entry_of_the_old_pickle_format_is_ignored_unread(folder, counted, tmp_path):
    compute, calls = counted
    marker = tmp_path / "pickle-ran"
    planted = cache.path_for("test", {"lr": 0.7}).with_suffix(".pkl")  # where the old format kept it
    planted.parent.mkdir(parents=True)
    payload = pickle.dumps({"accuracy": _Planted(marker)})
    planted.write_bytes(b"mlp-result-1\n" + payload)
    pickle.loads(payload)  # the plant is live: unpickled, it runs
    assert marker.exists()
    marker.unlink()
    assert cache.cached("test", {"lr": 0.7}, compute)["accuracy"] == 0.9
    assert len(calls) == 1
    fingerprint = cache.fingerprint()
    assert re.fullmatch(f"{re.escape(str(folder))} holds results in an old format \\(1 .*can be deleted",
                        cache.old_format_notice())
    assert cache.old_format_notice() is None  # said once
    planted.unlink()
    assert cache.fingerprint() == fingerprint  # not covered: it is no result
    assert not marker.exists()


def test_results_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("MLP_RESULTS_DIR", str(tmp_path))
    assert cache.results_dir() == tmp_path
    assert cache.path_for("run", {}).parent == tmp_path


def test_fingerprint_follows_every_stored_result(folder, counted):
    compute, _ = counted
    empty = cache.fingerprint()
    cache.cached("test", {"lr": 0.5}, compute)
    one = cache.fingerprint()
    assert one != empty
    cache.store(cache.path_for("test", {"lr": 0.5}), {"accuracy": 0.8})  # rewritten with a new value
    rewritten = cache.fingerprint()
    assert rewritten != one
    cache.cached("test", {"lr": 0.6}, compute)  # a new result changes it too
    assert len({empty, one, rewritten, cache.fingerprint()}) == 4
    (folder / "notes.txt").write_text("not a result")
    (folder / ".test-x.npz.lock").write_text("")
    assert cache.fingerprint() == cache.fingerprint()


# ------------------------------------------------------------ two processes, one folder

_CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import numpy as np
    from mlp import cache

    folder, me, others = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
    (folder / f"ready-{me}").touch()
    while not all((folder / f"ready-{other}").exists() for other in others):  # start together
        time.sleep(0.01)

    def compute():
        with open(folder / "computed", "a") as log:
            log.write(me + "\\n")
        (folder / "computing").touch()
        time.sleep(1.5)  # long enough for the other process to ask meanwhile
        return {"value": np.arange(5.0) * 2, "by": me}

    print(cache.cached("test", {"shared": True}, compute)["by"])
""")


def _child(folder, me, *others):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MLP_RESULTS_DIR": str(folder / "results")}
    return subprocess.Popen([sys.executable, "-c", _CHILD, str(folder), me, *others], env=env,
                            stdout=subprocess.PIPE, text=True)


def test_two_processes_asking_for_one_result_compute_it_once(tmp_path):
    children = [_child(tmp_path, "a", "b"), _child(tmp_path, "b", "a")]
    answers = [child.communicate(timeout=120)[0].strip() for child in children]
    assert all(child.returncode == 0 for child in children)
    assert (tmp_path / "computed").read_text().split() == [answers[0]]
    assert answers[0] == answers[1]  # the second loaded what the first stored


def test_a_process_killed_while_computing_leaves_no_entry_and_no_lock(tmp_path, monkeypatch):
    child = _child(tmp_path, "killed")
    deadline = time.monotonic() + 60
    while not (tmp_path / "computing").exists():
        assert child.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()
    monkeypatch.setenv("MLP_RESULTS_DIR", str(tmp_path / "results"))
    assert list((tmp_path / "results").glob("*.npz")) == []
    after = _child(tmp_path, "next")  # in a process of its own: a stale lock would hang it, not the tests
    assert after.communicate(timeout=120)[0].strip() == "next"
    assert (tmp_path / "computed").read_text().split() == ["killed", "next"]
    assert cache.load(cache.path_for("test", {"shared": True}))["by"] == "next"
