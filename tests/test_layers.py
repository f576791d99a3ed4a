"""The core (math, training, data, results) imports no plotting and no docs machinery."""

import json
import subprocess
import sys

CORE = ("params", "checks", "scalar", "vectorized", "fast", "train", "data", "gradcheck", "derivations",
        "cache", "experiments", "cli", "quiz", "example", "cost")
OUTSIDE = ("matplotlib", "mkdocs", "IPython", "mlp.site", "mlp.plots")


def test_the_core_imports_neither_plotting_nor_the_site_and_import_mlp_no_sympy():
    code = f"""
import json, sys
import mlp
sympy_with_mlp = 'sympy' in sys.modules
for name in {CORE!r}:
    __import__('mlp.' + name)
print(json.dumps({{"sympy_with_mlp": sympy_with_mlp,
                  "loaded": sorted(m for m in {OUTSIDE!r} if m in sys.modules)}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == {"sympy_with_mlp": False, "loaded": []}


def test_every_module_is_reachable_from_import_mlp_and_imported_only_when_used():
    """README's `mlp.experiments.sweep(...)` works after a bare ``import mlp``; the slow modules load on first use."""
    code = """
import json, sys
import mlp
lazy = ("mlp.train", "mlp.data", "mlp.experiments", "mlp.derivations", "mlp.exercises", "sympy")
before = sorted(m for m in lazy if m in sys.modules)
reached = [callable(mlp.train.train), callable(mlp.data.load_synth), callable(mlp.experiments.sweep),
           callable(mlp.derivations.network_gradients), callable(mlp.exercises.check), callable(mlp.evaluate),
           callable(mlp.plots.draw_all)]
try:
    mlp.no_such_module
    missing = "no error"
except AttributeError as error:
    missing = str(error)
print(json.dumps({"before": before, "reached": reached, "missing": missing}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == {"before": [], "reached": [True] * 7,
                               "missing": "module 'mlp' has no attribute 'no_such_module'"}
