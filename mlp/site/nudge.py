"""The "nudge a weight" figure: the running example's network in the browser, one weight on a slider.

`render` writes the figure's controls and the point it starts from (``data-point``);
``docs/assets/nudge.js`` draws it and recomputes it with ``docs/assets/network.js``, the
JavaScript form of eq. 2.1 and 2.2 (tested equal to `mlp.scalar`).
"""

from __future__ import annotations

import html
import json

STEP_LR = 0.5  # the learning rate of the figure's "take a gradient step"
SPAN = 3.0  # the slider runs from the quantity's value minus SPAN to plus SPAN


def quantities(point: dict) -> list[tuple[str, str]]:
    """``(path, name)`` of every quantity the reader can nudge: ``("w.1.0", "w_21")``, ..., then the inputs."""
    w, b, v, c = point["params"]
    found = [(f"w.{i}.{j}", f"w_{i + 1}{j + 1}") for i in range(len(w)) for j in range(len(b))]
    found += [(f"b.{j}", f"b_{j + 1}") for j in range(len(b))]
    found += [(f"v.{j}.{m}", f"v_{j + 1}{m + 1}") for j in range(len(b)) for m in range(len(c))]
    found += [(f"c.{m}", f"c_{m + 1}") for m in range(len(c))]
    return found + [(f"x.{i}", f"x_{i + 1}") for i in range(len(w))]


def data(point: dict) -> dict:
    """What the figure starts from: the example, the parameters, the step's learning rate and the slider's span."""
    w, b, v, c = point["params"]
    return {"x": list(point["x"]), "label": point["label"], "params": {"w": w, "b": b, "v": v, "c": c},
            "lr": STEP_LR, "span": SPAN}


def pretty(name: str) -> str:
    """``"w_21"`` as the page writes it, with its indices subscript: ``w₂₁``."""
    symbol, _, index = name.partition("_")
    return symbol + index.translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def render(point: dict, chosen: str = "w.1.0") -> str:
    """The figure's HTML: the controls, an empty drawing and table that the script fills, the readout."""
    options = "".join(f'<option value="{path}"{" selected" if path == chosen else ""}>{pretty(name)}</option>'
                      for path, name in quantities(point))
    n_hid, n_out = len(point["params"].b), len(point["params"].c)
    columns = max(len(point["x"]), n_hid, n_out)
    head = "".join(f"<th scope=\"col\">{j + 1}</th>" for j in range(columns))
    rows = "".join(f'<tr><th scope="row">{name}</th>'
                   + "".join(f'<td data-node="{node}.{j}"></td>' for j in range(columns)) + "</tr>"
                   for node, name in (("x", "x"), ("k", "k"), ("h", "h"), ("z", "z"), ("y", "y"),
                                      ("dz", "dz"), ("dh", "dh"), ("dk", "dk")))
    return (
        f'<figure class="mlp-nudge" data-point="{html.escape(json.dumps(data(point)))}">'
        '<div class="mlp-nudge-controls">'
        f'<label for="mlp-nudge-which">Nudge</label> <select id="mlp-nudge-which">{options}</select> '
        '<label for="mlp-nudge-value">its value</label> '
        '<input id="mlp-nudge-value" type="range" step="0.01"> '
        '<output for="mlp-nudge-value" class="mlp-nudge-shown"></output></div>'
        '<div class="mlp-nudge-controls">'
        '<button type="button" class="md-button md-button--primary mlp-nudge-step">Take a gradient step</button> '
        '<button type="button" class="md-button mlp-nudge-reset">Reset</button></div>'
        '<p class="mlp-nudge-readout" role="status" aria-live="polite"></p>'
        '<div class="mlp-nudge-drawings">'
        '<svg class="mlp-nudge-network" viewBox="0 0 450 250" role="img" aria-label="The 2-3-2 network: inputs, '
        'hidden units and outputs with their current values, the nudged weight\'s edge drawn thick"></svg>'
        '<svg class="mlp-nudge-curve" viewBox="0 0 300 250" role="img" aria-label="The loss against the nudged '
        'quantity over the slider\'s range, the current point marked, and the tangent line whose slope is the '
        'gradient backprop computed"></svg></div>'
        '<table class="mlp-nudge-values"><caption>Every node now: forward values, then the gradient of the loss '
        f'at each node</caption><thead><tr><td></td>{head}</tr></thead><tbody>{rows}</tbody></table>'
        '<figcaption>Move the slider (or focus it and press the arrow keys): every value and the loss are '
        'recomputed by the forward pass in <code>network.js</code>, the slope by its backward pass. '
        'The loss changes by about the slope times the nudge; a gradient step moves every weight and bias '
        'against its gradient at once.</figcaption></figure>'
    )
