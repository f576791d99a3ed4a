"""The report's data sets: the synthetic two-feature set, MNIST and Fashion-MNIST.

Every loader returns ``(xtrain, ytrain), (xval, yval), num_classes`` with ``x`` a
float array of shape (n, features) and ``y`` an int64 array of class indices.

MNIST and Fashion-MNIST are read from their canonical gzip-compressed IDX files,
``<folder>/mnist/train-images-idx3-ubyte.gz`` and so on (``fashion-mnist/`` for the
other set). The folder is, in order of precedence:

1. the ``data_dir`` argument;
2. the environment variable ``MLP_DATA_DIR``;
3. `mlp.files.user_cache_dir`, where missing files are downloaded from public mirrors.

An explicit folder (1 or 2) is used as is: files missing there are an error, not a
download. Each file is checked (gzip stream, IDX header, payload length, SHA-256 of the
decompressed payload) so that a damaged file raises `DataError` instead of
yielding wrong arrays. Parsed files are kept in memory, so repeated loads in one
process read and hash each file once.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.client
import os
import struct
import urllib.request
import zlib
from pathlib import Path

import numpy as np

from mlp.checks import check_choice, check_count, check_flag, check_float_type
from mlp.files import user_cache_dir, write_atomically

__all__ = [
    "SHA256",
    "DataError",
    "DataUnavailable",
    "load_fashion_mnist",
    "load_mnist",
    "load_synth",
]


class DataError(ValueError):
    """A data file is damaged: bad gzip, wrong IDX header or size, checksum mismatch."""


class DataUnavailable(FileNotFoundError):
    """The data files are neither on disk nor downloadable."""


# ----------------------------------------------------------------- synthetic set

SYNTH_Q = np.array([[1.0, -0.05], [1.0, 0.4]])
SYNTH_THRESHOLD = 0.6


def load_synth(num_train: int = 60_000, num_val: int = 10_000, seed: int = 0):
    """The report's synthetic two-class set: 2 Gaussian features, a quadratic boundary.

    Rows of ``x`` are standard normal draws; the label is 1 where the quadratic form
    ``x^T Q x`` with ``Q = [[1, -0.05], [1, 0.4]]`` exceeds 0.6, else 0. The first
    ``num_train`` rows are the training set, the next ``num_val`` the validation set.

    The draws come from ``np.random.RandomState(seed)``, the same stream the original
    recipe gets from ``np.random.seed(seed)`` followed by ``np.random.randn``, so the
    set is reproduced exactly while the global random state is left alone. With the
    defaults, 55.82% of the training and 56.22% of the validation labels are 1.

    Returns ``(xtrain, ytrain), (xval, yval), 2``.
    """
    num_train, num_val = check_count(num_train, "num_train"), check_count(num_val, "num_val")
    if check_count(seed, "seed", minimum=0) >= 2**32:
        raise ValueError(f"seed must be below 2**32 (a RandomState seed), got {seed!r}")
    x = np.random.RandomState(seed).randn(num_train + num_val, 2)
    q = np.einsum("ni,ij,nj->n", x, SYNTH_Q, x)
    y = (q > SYNTH_THRESHOLD).astype(np.int64)
    return (x[:num_train], y[:num_train]), (x[num_train:], y[num_train:]), 2


# ------------------------------------------------------------- file locations

_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)

# SHA-256 of each decompressed file, keyed "<data set>/<file>": the .gz bytes differ
# between mirrors, the payload does not. Results computed from a data set record these.
SHA256 = {
    "mnist/train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "mnist/train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "mnist/t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "mnist/t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    "fashion-mnist/train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "fashion-mnist/train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "fashion-mnist/t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "fashion-mnist/t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}

# Public mirrors, tried in order; each URL is a folder holding the ``.gz`` files.
_MIRRORS = {
    "mnist": (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ),
    "fashion-mnist": (
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ),
}

_DOWNLOAD_TIMEOUT = 60  # seconds per request


def _dataset_dir(name: str, data_dir) -> Path:
    """The folder holding data set ``name``'s four files, downloading them if needed."""
    env = os.environ.get("MLP_DATA_DIR")
    if data_dir is None and not env:
        folder = user_cache_dir() / name
        _download_missing(name, folder)
        return folder
    origin, root = ("data_dir", data_dir) if data_dir is not None else ("MLP_DATA_DIR", env)
    root = Path(root).expanduser()
    if not root.is_dir():
        raise DataUnavailable(f"{origin} {str(root)!r} is not an existing folder")
    folder = root / name
    missing = _missing(folder)
    if missing:
        raise _unavailable(name, folder, missing, f"(the folder given by {origin})")
    return folder


def _missing(folder: Path) -> list[str]:
    """The IDX files (without ``.gz``) absent from ``folder``."""
    return [file for file in _FILES if not (folder / f"{file}.gz").is_file()]


def _unavailable(name: str, folder: Path, missing: list[str], detail: str) -> DataUnavailable:
    """The error for files of ``name`` that are missing from ``folder``."""
    files = ", ".join(f"{file}.gz" for file in missing)
    return DataUnavailable(
        f"{name} files missing from {folder}: {files} {detail}. "
        f"Set MLP_DATA_DIR (or pass data_dir) to a folder holding {name}/ with these files."
    )


def _download_missing(name: str, folder: Path) -> None:
    """Fetch the files of ``name`` missing from ``folder``, each verified before it is kept."""
    missing = _missing(folder)
    for i, file in enumerate(missing):
        errors = []
        for mirror in _MIRRORS[name]:
            url = mirror + file + ".gz"
            try:
                with urllib.request.urlopen(url, timeout=_DOWNLOAD_TIMEOUT) as response:
                    gz = response.read()
                _decode(gz, f"{name}/{file}", url)
                write_atomically(folder / f"{file}.gz", gz)
                break
            except (OSError, ValueError, http.client.HTTPException) as error:
                errors.append(f"{url}: {error}")
        else:
            reasons = "; ".join(errors)
            raise _unavailable(name, folder, missing[i:], f"and could not be downloaded ({reasons})")


# ------------------------------------------------------------------ IDX files

_IMAGE_MAGIC, _LABEL_MAGIC = 2051, 2049


def _decode(gz: bytes, key: str, source: str) -> np.ndarray:
    """Check the gzip-compressed IDX file ``key`` read from ``source``; return its array.

    Images come back as uint8 (n, 28, 28), labels as uint8 (n,). Any damage raises
    `DataError` naming ``source`` and the problem.
    """
    try:
        data = gzip.decompress(gz)
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"{source}: bad gzip data ({error})") from None
    images = "-images-" in key
    magic, ndim = (_IMAGE_MAGIC, 3) if images else (_LABEL_MAGIC, 1)
    header = 4 * (1 + ndim)
    if len(data) < header:
        raise DataError(f"{source}: wrong size, {len(data)} bytes is too short for an IDX header")
    found, *shape = struct.unpack_from(f">{1 + ndim}I", data)
    if found != magic:
        raise DataError(f"{source}: wrong magic number {found}, expected {magic}")
    if images and shape[1:] != [28, 28]:
        raise DataError(f"{source}: wrong image size {shape[1]}x{shape[2]}, expected 28x28")
    expected = header + int(np.prod(shape))
    if len(data) != expected:
        raise DataError(f"{source}: wrong size, {len(data)} bytes where the header says {expected}")
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256[key]:
        raise DataError(f"{source}: checksum mismatch, SHA-256 {digest} expected {SHA256[key]}")
    return np.frombuffer(data, np.uint8, offset=header).reshape(shape)


def _read(folder: Path, key: str) -> np.ndarray:
    """The verified, read-only array of IDX file ``key`` in ``folder``, parsed once per version."""
    path = folder / f"{Path(key).name}.gz"
    stat = path.stat()
    return _read_cached(str(path), stat.st_mtime_ns, stat.st_size, key)


@functools.lru_cache(maxsize=16)
def _read_cached(path: str, mtime_ns: int, size: int, key: str) -> np.ndarray:
    """Parse ``path``; the modification time and size in the key catch a replaced file."""
    return _decode(Path(path).read_bytes(), key, path)  # frombuffer over bytes: read-only


# ------------------------------------------------------------- image data sets

_NUM_VAL = 5_000  # the validation set is the last 5,000 training images


def load_mnist(final: bool = False, data_dir=None, dtype=np.float64, standardize: str = "global"):
    """MNIST digits, flattened to 784 features and standardized.

    With ``final=False`` the 60,000 training images are split into 55,000 for training
    and the last 5,000 for validation; with ``final=True`` the result is the canonical
    60,000 training and 10,000 test images. The data are shifted and scaled by the mean
    and standard deviation of the returned training rows only, so the held-out set is
    transformed exactly as the training set is (report 3.2).

    ``standardize="global"`` uses one mean and one standard deviation over all training
    pixels: the data as a whole get mean 0 and variance 1 and every pixel keeps its
    scale. ``"pixel"`` standardizes each pixel on its own; pixels constant over the
    training rows (std 0) are divided by 1 instead. Per pixel, a border pixel inked in a
    handful of training images is blown up to hundreds of standard deviations (MNIST
    validation values reach about 500), which saturates the sigmoid units it feeds.

    ``data_dir`` is a folder holding ``mnist/`` (see the module docstring for where the
    files are looked for otherwise); ``dtype`` is the float type of the features,
    float64 or float32.
    Returns fresh arrays ``(xtrain, ytrain), (xval_or_test, yval_or_test), 10``.
    """
    return _load_idx_set("mnist", final, data_dir, dtype, standardize)


def load_fashion_mnist(final: bool = False, data_dir=None, dtype=np.float64, standardize: str = "global"):
    """Fashion-MNIST clothing images, split and standardized as `load_mnist` does.

    ``data_dir`` is a folder holding ``fashion-mnist/``.
    """
    return _load_idx_set("fashion-mnist", final, data_dir, dtype, standardize)


def _load_idx_set(name: str, final: bool, data_dir, dtype, standardize: str):
    """Load data set ``name``: verified files, split, flattened and standardized."""
    final, dtype = check_flag(final, "final"), check_float_type(dtype)
    check_choice(standardize, "standardize", ("global", "pixel"))
    if data_dir is not None and not isinstance(data_dir, (str, os.PathLike)):
        raise TypeError(f"data_dir must be a folder (a str or a path), got {data_dir!r}")
    folder = _dataset_dir(name, data_dir)
    sets = []
    for split in ("train", "t10k"):
        images = _read(folder, f"{name}/{split}-images-idx3-ubyte")
        labels = _read(folder, f"{name}/{split}-labels-idx1-ubyte")
        if len(images) != len(labels):
            raise DataError(
                f"{folder}: {split}-images has {len(images)} images "
                f"but {split}-labels has {len(labels)} labels"
            )
        sets.append((images.reshape(len(images), -1), labels))
    (xtrain, ytrain), test = sets
    if final:
        xheld, yheld = test
    else:
        xtrain, xheld = xtrain[:-_NUM_VAL], xtrain[-_NUM_VAL:]
        ytrain, yheld = ytrain[:-_NUM_VAL], ytrain[-_NUM_VAL:]
    xtrain, xheld = _standardize(xtrain, xheld, dtype, axis=0 if standardize == "pixel" else None)
    return (xtrain, ytrain.astype(np.int64)), (xheld, yheld.astype(np.int64)), 10


def _standardize(train: np.ndarray, held: np.ndarray, dtype, axis) -> tuple[np.ndarray, np.ndarray]:
    """Both sets shifted and scaled by the training set's mean and std (per pixel with ``axis=0``).

    A std of 0 (a pixel constant over the training rows) is replaced by 1. The pixels are
    bytes: their sums and sums of squares are exact integers, taken a block of rows at a time,
    and each set is written once, block by block, into an array of ``dtype``. No array of the
    set's size is made but the result: in a virtual machine, where memory is slow to touch
    the first time, a float64 copy of the set cost several times the arithmetic.
    """
    sums, squares = _sums(train, axis)
    count = len(train) if axis == 0 else train.size
    mean = sums / count
    std = np.sqrt(np.maximum(squares / count - mean * mean, 0.0))
    std = np.where(std == 0, 1.0, std)
    return _scaled(train, mean, std, dtype), _scaled(held, mean, std, dtype)


BLOCK_ROWS = 2_000  # rows of a block: a few MB in float64


def _blocks(images: np.ndarray):
    """``(start, block)`` over ``images``: its rows from ``start`` on, `BLOCK_ROWS` at a time,
    copied into one float64 array that each block overwrites."""
    buffer = np.empty((min(BLOCK_ROWS, len(images)), images.shape[1]))
    for start in range(0, len(images), BLOCK_ROWS):
        rows = images[start:start + BLOCK_ROWS]
        block = buffer[:len(rows)]
        np.copyto(block, rows)
        yield start, block


def _sums(images: np.ndarray, axis) -> tuple:
    """Σx and Σx² of the byte-valued ``images``, exactly (in float64, whose integers are exact
    below 2^53), over all entries or per column (``axis=0``)."""
    sums = squares = 0.0
    for _, b in _blocks(images):
        sums = sums + b.sum(axis=axis)
        squares = squares + (np.einsum("ij,ij->j", b, b) if axis == 0 else np.dot(b.ravel(), b.ravel()))
    return sums, squares


def _scaled(images: np.ndarray, mean, std, dtype) -> np.ndarray:
    """``(images - mean) / std`` in float64, a block of rows at a time, rounded into ``dtype``."""
    out = np.empty(images.shape, dtype)
    for start, b in _blocks(images):
        b -= mean
        b /= std
        out[start:start + len(b)] = b
    return out
