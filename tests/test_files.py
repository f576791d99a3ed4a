"""The package's own files: where they live, written whole or not at all, read back as JSON."""

import pytest

from mlp import files


def test_user_cache_dir_follows_xdg_cache_home_else_home_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert files.user_cache_dir() == tmp_path / "xdg" / "mlp"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert files.user_cache_dir() == tmp_path / "home" / ".cache" / "mlp"


def test_json_written_is_read_back_and_anything_else_reads_as_none(tmp_path):
    path = tmp_path / "deep" / "state.json"
    assert files.read_json(path) is None  # missing
    files.write_json(path, {"done": 3, "running": ["a run"]})
    assert files.read_json(path) == {"done": 3, "running": ["a run"]}
    path.write_text('{"done": 3, "runn')  # cut short
    assert files.read_json(path) is None
    assert files.read_json(tmp_path) is None  # a folder


def test_a_failed_write_leaves_the_old_file_and_no_partial_one(tmp_path):
    path = tmp_path / "state.json"
    files.write_json(path, {"done": 1})
    with pytest.raises(TypeError):  # fails in the middle: after the temporary file is opened
        files.write_atomically(path, "text, not bytes")
    assert files.read_json(path) == {"done": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
