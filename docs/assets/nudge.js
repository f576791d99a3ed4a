// The "nudge a weight" figure (mlp.site.nudge): at every move of its slider the network is
// recomputed by forward and backward of network.js, then drawn. Nothing here computes
// a value of the network; this script reads, draws and writes.
const NUDGE_SVG = "http://www.w3.org/2000/svg";
const SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉";
const sub = (symbol, ...indices) => symbol + indices.map(i => SUBSCRIPTS[i + 1]).join("");
const fmt = value => Number(value.toPrecision(3)).toString();

function svgElement(parent, name, attributes, text) {
  const element = document.createElementNS(NUDGE_SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (text !== undefined) element.textContent = text;
  parent.appendChild(element);
  return element;
}

function setUpNudge(figure) {
  const start = JSON.parse(figure.dataset.point);
  const label = start.label;
  const which = figure.querySelector("select"), slider = figure.querySelector("input[type=range]");
  const shown = figure.querySelector("output"), readout = figure.querySelector(".mlp-nudge-readout");
  const drawing = figure.querySelector(".mlp-nudge-network"), curve = figure.querySelector(".mlp-nudge-curve");
  let state, steps, startLoss;

  // The chosen quantity, "w.1.0" -> its array and index in the state; its name; its slope.
  const chosen = () => {
    const [key, ...indices] = which.value.split(".").map((part, n) => n ? Number(part) : part);
    const array = indices.length === 2 ? state[key][indices[0]] : state[key];
    return {key, indices, array, index: indices[indices.length - 1],
            name: sub(key, ...indices),
            grad: g => key === "x" ? null : indices.length === 2 ? g["d" + key][indices[0]][indices[1]] : g["d" + key][indices[0]]};
  };
  const evaluate = () => {
    const fwd = forward(state.x, state), bwd = backward(state.x, label, state, fwd);
    return {fwd, bwd, loss: crossEntropy(fwd.z, label)};
  };
  const lossWith = (q, value) => {
    const kept = q.array[q.index];
    q.array[q.index] = value;
    const loss = crossEntropy(forward(state.x, state).z, label);
    q.array[q.index] = kept;
    return loss;
  };

  const recenter = () => {
    const value = chosen().array[chosen().index];
    slider.min = String(value - start.span);
    slider.max = String(value + start.span);
    slider.value = String(value);
  };

  function drawNetwork(q, now) {
    drawing.replaceChildren();
    const column = [40, 200, 340], rows = n => Array.from({length: n}, (_, r) => 125 + (r - (n - 1) / 2) * 80);
    const at = {x: rows(state.x.length), h: rows(state.b.length), y: rows(state.c.length)};
    const edge = (key, i, j, x1, y1, x2, y2) => {
      const picked = q.key === key && q.indices[0] === i && q.indices[1] === j;
      svgElement(drawing, "line", {x1, y1, x2, y2, class: picked ? "mlp-nudge-picked" : "mlp-nudge-edge",
                                   "stroke-width": picked ? 4 : Math.min(0.6 + Math.abs(state[key][i][j]), 3)});
    };
    state.w.forEach((row, i) => row.forEach((_, j) => edge("w", i, j, column[0], at.x[i], column[1], at.h[j])));
    state.v.forEach((row, j) => row.forEach((_, m) => edge("v", j, m, column[1], at.h[j], column[2], at.y[m])));
    svgElement(drawing, "line", {x1: column[2], y1: at.y[label], x2: 414, y2: 125, class: "mlp-nudge-edge"});
    const node = (x, y, name, value, picked) => {
      svgElement(drawing, "circle", {cx: x, cy: y, r: 31, class: picked ? "mlp-nudge-node mlp-nudge-picked" : "mlp-nudge-node"});
      svgElement(drawing, "text", {x, y: y - 5, class: "mlp-nudge-name"}, name);
      svgElement(drawing, "text", {x, y: y + 15}, fmt(value));
    };
    state.x.forEach((x_i, i) => node(column[0], at.x[i], sub("x", i), x_i, q.key === "x" && q.index === i));
    now.fwd.h.forEach((h_j, j) => node(column[1], at.h[j], sub("h", j), h_j, q.key === "b" && q.index === j));
    now.fwd.y.forEach((y_m, m) => node(column[2], at.y[m], sub("y", m), y_m, q.key === "c" && q.index === m));
    node(414, 125, "l", now.loss, false);
  }

  function drawCurve(q, now, slope) {
    curve.replaceChildren();
    const lo = Number(slider.min), hi = Number(slider.max), value = q.array[q.index];
    const xs = Array.from({length: 121}, (_, n) => lo + (hi - lo) * n / 120), ls = xs.map(x => lossWith(q, x));
    const top = Math.max(...ls), bottom = Math.min(...ls), pad = (top - bottom) * 0.08 || 1;
    const px = x => 50 + 235 * (x - lo) / (hi - lo), py = l => 205 - 190 * (l - bottom + pad) / (top - bottom + 2 * pad);
    const clip = svgElement(svgElement(curve, "defs", {}), "clipPath", {id: "mlp-nudge-plot"});
    svgElement(clip, "rect", {x: 50, y: 10, width: 235, height: 195});
    svgElement(curve, "path", {d: "M50 10 V205 H285", class: "mlp-nudge-axis"});
    svgElement(curve, "polyline", {points: xs.map((x, n) => `${px(x)},${py(ls[n])}`).join(" "),
                                   class: "mlp-nudge-loss", "clip-path": "url(#mlp-nudge-plot)"});
    if (slope !== null) {
      const reach = (hi - lo) / 4;
      svgElement(curve, "line", {x1: px(value - reach), y1: py(now.loss - slope * reach), x2: px(value + reach),
                                 y2: py(now.loss + slope * reach), class: "mlp-nudge-tangent", "clip-path": "url(#mlp-nudge-plot)"});
    }
    svgElement(curve, "circle", {cx: px(value), cy: py(now.loss), r: 5, class: "mlp-nudge-point"});
    svgElement(curve, "text", {x: 50, y: 225}, fmt(lo));
    svgElement(curve, "text", {x: 285, y: 225}, fmt(hi));
    svgElement(curve, "text", {x: 167, y: 243, class: "mlp-nudge-name"}, q.name);
    svgElement(curve, "text", {x: 22, y: 110, class: "mlp-nudge-name"}, "l");
    svgElement(curve, "text", {x: 22, y: 22}, fmt(top));
    svgElement(curve, "text", {x: 22, y: 205}, fmt(bottom));
  }

  function show(news) {
    const q = chosen(), now = evaluate(), slope = q.grad(now.bwd);
    shown.value = `${q.name} = ${fmt(q.array[q.index])}`;
    drawNetwork(q, now);
    drawCurve(q, now, slope);
    for (const cell of figure.querySelectorAll("td[data-node]")) {
      const [node, j] = cell.dataset.node.split("."), values = node === "x" ? state.x : now.fwd[node] ?? now.bwd[node];
      cell.textContent = j < values.length ? fmt(values[j]) : "";
    }
    const sloped = slope === null
      ? `backprop here stops at the first layer's weights and does not compute ∂l/∂${q.name}`
      : `slope ∂l/∂${q.name} = ${fmt(slope)} by backprop: l changes by about ${fmt(slope)} times the nudge`;
    readout.textContent = `${news ? news + " " : ""}Loss l = ${fmt(now.loss)} (${fmt(startLoss)} at the start); ${sloped}.`;
  }

  const reset = () => {
    state = {x: structuredClone(start.x), ...structuredClone(start.params)};
    steps = 0;
    startLoss = evaluate().loss;
    recenter();
    show();
  };
  which.addEventListener("change", () => { recenter(); show(); });
  slider.addEventListener("input", () => {
    const q = chosen();
    q.array[q.index] = Number(slider.value);
    show();
  });
  figure.querySelector(".mlp-nudge-step").addEventListener("click", () => {
    const before = evaluate().loss;
    Object.assign(state, step(state, evaluate().bwd, start.lr));
    const after = evaluate().loss;
    steps += 1;
    recenter();
    show(`Gradient step ${steps} (η = ${start.lr}): l ${after < before ? "fell" : "rose"} from ${fmt(before)} to ${fmt(after)}.`);
  });
  figure.querySelector(".mlp-nudge-reset").addEventListener("click", reset);
  reset();
}

function setUpNudges() {
  document.querySelectorAll(".mlp-nudge[data-point]:not([data-ready])").forEach(figure => {
    setUpNudge(figure);
    figure.dataset.ready = "";
  });
}
if (typeof document$ !== "undefined") { document$.subscribe(setUpNudges); }
else { document.addEventListener("DOMContentLoaded", setUpNudges); }
