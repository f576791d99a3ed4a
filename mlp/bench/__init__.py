"""How fast an epoch of training is, against the time of its five products alone (``mlp bench``).

`mlp.bench.epochs` holds what is timed, `mlp.bench.measure` times it (interleaved rounds,
medians, ratios to the best bound of the same round), `mlp.bench.tables` writes the
report and checks it against the goals.
"""

from mlp.bench.measure import run, write
from mlp.bench.tables import table

__all__ = ["run", "table", "write"]
