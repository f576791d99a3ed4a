# %% [markdown]
# # Data files and checksums
#
# How the MNIST and Fashion-MNIST files are found, read and checked. The
# [MNIST page](../mnist/) uses the arrays; this page is about the files behind them.
#
# ## Where the files are
#
# The loader (`mlp.data`) reads the canonical gzip-compressed files,
# `<folder>/mnist/train-images-idx3-ubyte.gz` and so on (`fashion-mnist/` for the other
# set), from the `data_dir` argument, else the folder named by the environment variable
# `MLP_DATA_DIR`, else a per-user cache folder into which missing files are downloaded
# from public mirrors. A folder given explicitly is used as it is: a file missing there is
# an error, not a download.
#
# ## The IDX format
#
# MNIST comes as four gzip-compressed files in the IDX format: a big-endian header (a
# magic number, 2051 for images and 2049 for labels, then the size of each dimension as
# a 32-bit integer) followed by the raw bytes, one unsigned byte per pixel or label. The
# loader checks every part of that, and the SHA-256 of each decompressed file, before it
# hands out an array; a damaged or different file is an error, never silently wrong
# data.

# %% tags=["hide-input"]
import mlp
from mlp.site import page

page.source(mlp.data._decode)

# %% [markdown]
# ## The checksums
#
# The checksums are of the decompressed files, because the compressed bytes differ from
# one mirror to another while their content does not. Every cached result records them
# ([the results cache](../cache/)), so a result computed from other data is never reused.

# %% tags=["hide-input"]
page.table(["file", "SHA-256 of the decompressed file"],
           [[f"`{name}`", f"`{digest}`"] for name, digest in mlp.data.SHA256.items()])
