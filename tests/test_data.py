"""Tests of mlp.data: the synthetic set, IDX parsing and checks, file lookup, downloads.

Real-data tests read the folder in ``MLP_DATA_DIR`` and are skipped when it is unset;
everything else runs on tiny fake IDX files and a local HTTP server as the mirror.
"""

import functools
import gzip
import hashlib
import http.server
import os
import struct
import threading
from pathlib import Path

import numpy as np
import pytest

from mlp import data, files
from mlp.data import DataError, DataUnavailable, load_fashion_mnist, load_mnist, load_synth

FILES = data._FILES
NAMES = ("mnist", "fashion-mnist")
LOADERS = {"mnist": load_mnist, "fashion-mnist": load_fashion_mnist}

# ------------------------------------------------------------------ synthetic set


def test_synth_seed0_has_report_label_fractions():
    (_, ytrain), (_, yval), _ = load_synth()
    assert ytrain.sum() == 33_494
    assert round(100 * ytrain.mean(), 2) == 55.82
    assert round(100 * yval.mean(), 2) == 56.22


def test_synth_returns_float_features_int_labels_and_two_classes():
    (xtrain, ytrain), (xval, yval), num_classes = load_synth(num_train=7, num_val=3)
    assert num_classes == 2
    assert xtrain.shape == (7, 2) and xval.shape == (3, 2)
    assert xtrain.dtype == xval.dtype == np.float64
    assert ytrain.shape == (7,) and yval.shape == (3,)
    assert ytrain.dtype == yval.dtype == np.int64


def test_synth_equals_global_seed_recipe_with_row_vector_quadratic_form():
    saved = np.random.get_state()
    try:
        np.random.seed(0)
        x = np.random.randn(1_000 + 500, 2)
    finally:
        np.random.set_state(saved)
    quad = np.array([[1, -0.05], [1, 0.4]])
    y = np.array([row @ quad @ row > 0.6 for row in x])  # x Q x^T, one row at a time
    (xtrain, ytrain), (xval, yval), _ = load_synth(num_train=1_000, num_val=500)
    np.testing.assert_array_equal(np.concatenate([xtrain, xval]), x)
    np.testing.assert_array_equal(np.concatenate([ytrain, yval]), y)


def test_synth_leaves_global_rng_untouched():
    before = np.random.get_state()
    load_synth(num_train=100, num_val=10, seed=3)
    after = np.random.get_state()
    assert before[0] == after[0]
    np.testing.assert_array_equal(before[1], after[1])
    assert before[2:] == after[2:]


def test_synth_same_seed_repeats_and_other_seed_differs():
    first, second, other = (load_synth(50, 5, seed)[0][0] for seed in (1, 1, 2))
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, other)


@pytest.mark.parametrize("name", ["num_train", "num_val"])
@pytest.mark.parametrize("value,error", [(0, ValueError), (-5, ValueError), (2.0, TypeError), ("10", TypeError),
                                         (True, TypeError), (None, TypeError)])
def test_synth_rejects_non_positive_or_non_int_sizes(name, value, error):
    with pytest.raises(error, match=name):
        load_synth(**{name: value})


# ------------------------------------------------------------- fake IDX files


def idx(array, magic):
    """The IDX payload of a uint8 ``array``."""
    return struct.pack(f">{1 + array.ndim}I", magic, *array.shape) + array.tobytes()


def fake_payloads(n_train=12, n_test=4, seed=0):
    """Payloads of the four files for tiny random images; pixel 0 is constant."""
    rng = np.random.default_rng(seed)
    payloads = {}
    for split, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        images[:, 0, 0] = 7
        payloads[f"{split}-images-idx3-ubyte"] = idx(images, 2051)
        payloads[f"{split}-labels-idx1-ubyte"] = idx(rng.integers(0, 10, n, dtype=np.uint8), 2049)
    return payloads


def write_set(folder, payloads):
    """Gzip each payload into ``folder``; return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for file, payload in payloads.items():
        (folder / f"{file}.gz").write_bytes(gzip.compress(payload))
    return folder


def trust(monkeypatch, name, payloads):
    """Make the checksum table accept ``payloads`` as data set ``name``."""
    for file, payload in payloads.items():
        monkeypatch.setitem(data.SHA256, f"{name}/{file}", hashlib.sha256(payload).hexdigest())


def decoded(payload):
    """The array an IDX payload holds, parsed independently of mlp.data."""
    ndim = struct.unpack_from(">I", payload)[0] - 2048
    shape = struct.unpack_from(f">{ndim}I", payload, 4)
    return np.frombuffer(payload, np.uint8, offset=4 + 4 * ndim).reshape(shape)


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """A data folder with trusted fake MNIST files; MLP_DATA_DIR unset."""
    monkeypatch.delenv("MLP_DATA_DIR", raising=False)
    payloads = fake_payloads()
    trust(monkeypatch, "mnist", payloads)
    write_set(tmp_path / "data" / "mnist", payloads)
    return tmp_path / "data", payloads


@pytest.fixture
def no_network(monkeypatch):
    """Fail the test if anything tries to download."""

    def refuse(*args, **kwargs):
        raise AssertionError("unexpected download attempt")

    monkeypatch.setattr(data.urllib.request, "urlopen", refuse)


def test_fake_set_loads_with_training_statistics_only(fake):
    root, payloads = fake
    train = decoded(payloads["train-images-idx3-ubyte"]).reshape(12, -1).astype(float)
    test = decoded(payloads["t10k-images-idx3-ubyte"]).reshape(4, -1).astype(float)
    (xtrain, _), (xtest, _), _ = load_mnist(final=True, data_dir=root)
    np.testing.assert_allclose(xtrain, (train - train.mean()) / train.std(), atol=1e-12)
    np.testing.assert_allclose(xtest, (test - train.mean()) / train.std(), atol=1e-12)
    (xtrain, ytrain), (xtest, ytest), num_classes = load_mnist(final=True, data_dir=root, standardize="pixel")
    mean, std = train.mean(axis=0), train.std(axis=0)
    std[0] = 1.0  # the constant pixel is divided by 1
    np.testing.assert_allclose(xtrain, (train - mean) / std, atol=1e-12)
    np.testing.assert_allclose(xtest, (test - mean) / std, atol=1e-12)
    assert np.all(xtrain[:, 0] == 0) and np.all(np.isfinite(xtest))
    np.testing.assert_array_equal(ytrain, decoded(payloads["train-labels-idx1-ubyte"]))
    np.testing.assert_array_equal(ytest, decoded(payloads["t10k-labels-idx1-ubyte"]))
    assert ytrain.dtype == np.int64 and xtrain.dtype == np.float64 and num_classes == 10


def test_dtype_option_gives_float32_features(fake):
    root, _ = fake
    (xtrain, _), (xtest, _), _ = load_mnist(final=True, data_dir=root, dtype=np.float32)
    assert xtrain.dtype == xtest.dtype == np.float32


@pytest.mark.parametrize("dtype", [np.int32, np.float16, "float128"])
def test_a_float_type_the_package_does_not_compute_in_is_rejected(fake, dtype):
    with pytest.raises(TypeError, match="dtype must be float64 or float32"):
        load_mnist(final=True, data_dir=fake[0], dtype=dtype)


def test_repeated_loads_parse_each_file_once_and_return_fresh_arrays(fake):
    root, _ = fake
    data._read_cached.cache_clear()
    first = load_mnist(final=True, data_dir=root)
    first[0][0][:] = 123.0
    first[0][1][:] = 9
    second = load_mnist(final=True, data_dir=root)
    assert data._read_cached.cache_info()[:2] == (4, 4)  # hits, misses
    assert not np.any(second[0][0] == 123.0) and not np.all(second[0][1] == 9)
    assert not data._read(root / "mnist", "mnist/train-images-idx3-ubyte").flags.writeable


def test_replaced_file_is_read_again(fake):
    root, _ = fake
    load_mnist(final=True, data_dir=root)
    (root / "mnist" / "t10k-labels-idx1-ubyte.gz").write_bytes(b"not gzip, and a new size")
    with pytest.raises(DataError, match="bad gzip"):
        load_mnist(final=True, data_dir=root)


def flip_last(payload):
    return payload[:-1] + bytes([payload[-1] ^ 0xFF])


# (file, new payload or None, transform of the .gz bytes, expected phrase)
CORRUPTIONS = {
    "not gzip": ("train-images-idx3-ubyte", None, lambda gz: b"<html>Not Found</html>", "bad gzip"),
    "truncated gzip": ("train-images-idx3-ubyte", None, lambda gz: gz[: len(gz) // 2], "bad gzip"),
    "image magic": (
        "train-images-idx3-ubyte",
        lambda p: struct.pack(">I", 2049) + p[4:],
        None,
        "wrong magic number 2049, expected 2051",
    ),
    "label magic": (
        "t10k-labels-idx1-ubyte",
        lambda p: struct.pack(">I", 2051) + p[4:],
        None,
        "wrong magic number 2051, expected 2049",
    ),
    "short header": ("t10k-labels-idx1-ubyte", lambda p: p[:6], None, "wrong size"),
    "truncated payload": ("train-images-idx3-ubyte", lambda p: p[:-1], None, "wrong size"),
    "extra bytes": ("train-labels-idx1-ubyte", lambda p: p + b"\0", None, "wrong size"),
    "image size": (
        "t10k-images-idx3-ubyte",
        lambda p: idx(np.zeros((4, 28, 27), np.uint8), 2051),
        None,
        "wrong image size 28x27",
    ),
    "flipped pixel": ("train-images-idx3-ubyte", flip_last, None, "checksum mismatch"),
}


@pytest.mark.parametrize("case", CORRUPTIONS, ids=list(CORRUPTIONS))
def test_corrupt_file_raises_error_naming_file_and_problem(fake, case):
    root, payloads = fake
    file, edit_payload, edit_gz, phrase = CORRUPTIONS[case]
    path = root / "mnist" / f"{file}.gz"
    if edit_payload:
        path.write_bytes(gzip.compress(edit_payload(payloads[file])))
    else:
        path.write_bytes(edit_gz(path.read_bytes()))
    with pytest.raises(DataError, match=phrase) as error:
        load_mnist(final=True, data_dir=root)
    assert str(path) in str(error.value)
    assert isinstance(error.value, ValueError)


def test_image_and_label_counts_must_match(fake, monkeypatch):
    root, payloads = fake
    short = {"t10k-labels-idx1-ubyte": idx(np.zeros(3, np.uint8), 2049)}
    trust(monkeypatch, "mnist", short)
    write_set(root / "mnist", short)
    with pytest.raises(DataError, match="4 images but t10k-labels has 3 labels"):
        load_mnist(final=True, data_dir=root)


# ------------------------------------------------------------------ file lookup


def test_data_dir_argument_takes_precedence_over_env(fake, tmp_path, monkeypatch, no_network):
    root, _ = fake
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("MLP_DATA_DIR", str(tmp_path / "empty"))
    assert load_mnist(final=True, data_dir=root)[0][0].shape == (12, 784)


def test_env_var_is_used_without_data_dir(fake, monkeypatch, no_network):
    root, _ = fake
    monkeypatch.setenv("MLP_DATA_DIR", str(root))
    assert load_mnist(final=True)[1][0].shape == (4, 784)


def test_missing_data_dir_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("MLP_DATA_DIR", raising=False)
    with pytest.raises(DataUnavailable, match="data_dir .*nowhere.* is not an existing folder"):
        load_mnist(data_dir=tmp_path / "nowhere")
    monkeypatch.setenv("MLP_DATA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(DataUnavailable, match="MLP_DATA_DIR .*nowhere.* is not an existing folder"):
        load_fashion_mnist()


def test_folder_without_files_names_them_and_does_not_download(tmp_path, monkeypatch, no_network):
    monkeypatch.setenv("MLP_DATA_DIR", str(tmp_path))
    write_set(tmp_path / "fashion-mnist", {"t10k-labels-idx1-ubyte": b""})
    with pytest.raises(DataUnavailable) as error:
        load_fashion_mnist()
    message = str(error.value)
    assert all(f"{file}.gz" in message for file in FILES[:3])
    assert "t10k-labels" not in message and "MLP_DATA_DIR" in message


# -------------------------------------------------------------------- downloads


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A local HTTP server over ``tmp_path/www``; downloads go to ``tmp_path/cache``.

    Returns the server's base URL and its folder.
    """
    monkeypatch.delenv("MLP_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    www = tmp_path / "www"
    www.mkdir()
    handler = functools.partial(QuietHandler, directory=str(www))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", www
    server.shutdown()
    server.server_close()


def use_mirrors(monkeypatch, name, *urls):
    monkeypatch.setitem(data._MIRRORS, name, urls)


def cached_files(name):
    folder = files.user_cache_dir() / name
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("name", NAMES)
def test_download_falls_back_to_next_mirror_and_fills_cache(mirror, monkeypatch, name):
    base, www = mirror
    payloads = fake_payloads()
    trust(monkeypatch, name, payloads)
    write_set(www / "good", payloads)
    use_mirrors(monkeypatch, name, base + "missing/", base + "good/")
    (xtrain, _), (xtest, _), _ = LOADERS[name](final=True)
    assert xtrain.shape == (12, 784) and xtest.shape == (4, 784)
    assert cached_files(name) == sorted(f"{file}.gz" for file in FILES)
    use_mirrors(monkeypatch, name, base + "missing/")  # now served from the cache alone
    np.testing.assert_array_equal(LOADERS[name](final=True)[0][0], xtrain)


def test_only_files_missing_from_cache_are_downloaded(mirror, monkeypatch):
    base, www = mirror
    payloads = fake_payloads()
    trust(monkeypatch, "mnist", payloads)
    train = [f for f in FILES if f.startswith("train")]
    write_set(files.user_cache_dir() / "mnist", {f: payloads[f] for f in train})
    write_set(www, {f: p for f, p in payloads.items() if f not in train})
    use_mirrors(monkeypatch, "mnist", base)
    assert load_mnist(final=True)[0][0].shape == (12, 784)


def test_all_mirrors_failing_raises_one_error_naming_missing_files(mirror, monkeypatch):
    base, _ = mirror
    use_mirrors(monkeypatch, "mnist", base + "a/", base + "b/")
    with pytest.raises(DataUnavailable) as error:
        load_mnist()
    message = str(error.value)
    assert all(f"{file}.gz" in message for file in FILES)
    assert "MLP_DATA_DIR" in message and "404" in message
    assert isinstance(error.value, FileNotFoundError)
    assert cached_files("mnist") == []


def test_unreachable_mirror_is_reported_not_raised_raw(mirror, monkeypatch):
    use_mirrors(monkeypatch, "fashion-mnist", "http://127.0.0.1:9/", "no-scheme/")
    with pytest.raises(DataUnavailable, match="MLP_DATA_DIR"):
        load_fashion_mnist()


def test_download_with_wrong_checksum_is_rejected_and_not_cached(mirror, monkeypatch):
    base, www = mirror
    payloads = fake_payloads()
    trust(monkeypatch, "mnist", payloads)
    monkeypatch.setitem(data.SHA256, "mnist/train-labels-idx1-ubyte", "0" * 64)
    write_set(www, payloads)
    use_mirrors(monkeypatch, "mnist", base)
    with pytest.raises(DataUnavailable, match="checksum mismatch") as error:
        load_mnist()
    assert "train-labels-idx1-ubyte.gz" in str(error.value)
    assert cached_files("mnist") == ["train-images-idx3-ubyte.gz"]  # no partial or .part file


# -------------------------------------------------------------------- real data

DATA_DIR = os.environ.get("MLP_DATA_DIR")
real_data = pytest.mark.usefixtures("needs_data")


def raw(name, file):
    """A real IDX file's array, parsed independently of mlp.data."""
    return decoded(gzip.decompress((Path(DATA_DIR) / name / f"{file}.gz").read_bytes()))


@pytest.fixture(scope="module")
def mnist_split():
    return load_mnist()


@pytest.fixture(scope="module")
def mnist_final():
    return load_mnist(final=True)


@real_data
def test_mnist_split_is_55000_train_5000_validation(mnist_split):
    (xtrain, ytrain), (xval, yval), num_classes = mnist_split
    assert xtrain.shape == (55_000, 784) and xval.shape == (5_000, 784)
    assert ytrain.shape == (55_000,) and yval.shape == (5_000,)
    assert xtrain.dtype == np.float64 and ytrain.dtype == np.int64 and num_classes == 10
    assert set(np.unique(ytrain)) == set(np.unique(yval)) == set(range(10))


@real_data
def test_mnist_validation_is_last_5000_training_images(mnist_split):
    (_, ytrain), (_, yval), _ = mnist_split
    labels = raw("mnist", "train-labels-idx1-ubyte")
    np.testing.assert_array_equal(ytrain, labels[:55_000])
    np.testing.assert_array_equal(yval, labels[55_000:])


@real_data
def test_mnist_is_standardized_globally_by_default(mnist_split):
    (xtrain, _), (xval, _), _ = mnist_split
    assert abs(xtrain.mean()) < 1e-9 and abs(xtrain.std() - 1) < 1e-9
    assert abs(xval.mean()) > 1e-4  # not standardized with its own stats
    images = raw("mnist", "train-images-idx3-ubyte").reshape(60_000, 784).astype(float)
    mean, std = images[:55_000].mean(), images[:55_000].std()
    np.testing.assert_allclose(xval, (images[55_000:] - mean) / std, atol=1e-9)
    assert np.abs(xval).max() < 3  # every pixel keeps its scale: (255 - mean) / std


def test_unknown_standardization_is_rejected(fake):
    with pytest.raises(ValueError, match="standardize"):
        load_mnist(data_dir=fake[0], standardize="row")


@real_data
def test_mnist_pixels_are_standardized_one_by_one_on_request():
    (xtrain, _), (xval, _), _ = load_mnist(standardize="pixel")
    mean, std = xtrain.mean(axis=0), xtrain.std(axis=0)
    constant = std == 0
    assert 0 < constant.sum() < 784  # MNIST has blank border pixels
    np.testing.assert_allclose(mean, 0, atol=1e-6)
    np.testing.assert_allclose(std[~constant], 1, atol=1e-6)
    assert np.all(xtrain[:, constant] == 0)
    assert np.abs(xval.mean(axis=0)).max() > 0.01  # not standardized with its own stats


@real_data
def test_mnist_final_is_canonical_60000_train_10000_test(mnist_final):
    (xtrain, ytrain), (xtest, ytest), _ = mnist_final
    assert xtrain.shape == (60_000, 784) and xtest.shape == (10_000, 784)
    np.testing.assert_array_equal(ytest, raw("mnist", "t10k-labels-idx1-ubyte"))
    assert np.bincount(ytrain).tolist()[:2] == [5_923, 6_742]
    assert np.bincount(ytest).tolist()[:2] == [980, 1_135]
    assert abs(xtrain.mean()) < 1e-9 and abs(xtrain.std() - 1) < 1e-9
    assert np.all(np.isfinite(xtest))
    assert abs(xtest.mean()) > 1e-4


@real_data
def test_fashion_mnist_final_is_balanced_and_standardized():
    (xtrain, ytrain), (xtest, ytest), num_classes = load_fashion_mnist(final=True)
    assert xtrain.shape == (60_000, 784) and xtest.shape == (10_000, 784) and num_classes == 10
    assert np.bincount(ytrain).tolist() == [6_000] * 10
    assert np.bincount(ytest).tolist() == [1_000] * 10
    assert abs(xtrain.mean()) < 1e-9 and abs(xtrain.std() - 1) < 1e-9
    assert abs(xtest.mean()) > 1e-4


@real_data
@pytest.mark.parametrize(
    "edit, phrase",
    [
        (lambda gz: gz[:-100], "bad gzip"),
        (lambda gz: gzip.compress(flip_last(gzip.decompress(gz))), "checksum mismatch"),
    ],
    ids=["truncated", "relabelled"],
)
def test_damaged_real_file_is_rejected(tmp_path, edit, phrase):
    folder = tmp_path / "mnist"
    folder.mkdir()
    for file in FILES:
        (folder / f"{file}.gz").symlink_to(Path(DATA_DIR) / "mnist" / f"{file}.gz")
    damaged = folder / "t10k-labels-idx1-ubyte.gz"
    damaged.unlink()
    damaged.write_bytes(edit((Path(DATA_DIR) / "mnist" / damaged.name).read_bytes()))
    with pytest.raises(DataError, match=phrase) as error:
        load_mnist(final=True, data_dir=tmp_path)
    assert str(damaged) in str(error.value)
