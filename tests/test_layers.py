"""The core (math, training, data, results) imports no plotting and no docs machinery."""

import json
import subprocess
import sys

CORE = ("params", "checks", "scalar", "vectorized", "fast", "train", "data", "gradcheck", "derivations",
        "cache", "experiments", "cli", "quiz")
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
