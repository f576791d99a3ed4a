// The network on one example in JavaScript: eq. 2.1 and 2.2 once more, line for line as
// mlp/scalar.py computes them (the browser tests compare the two to 1e-12).
// x: inputs; w[i][j], b[j]: first layer; v[j][m], c[m]: second layer; label: true class.
const sum = terms => terms.reduce((total, term) => total + term, 0);

function sigmoid(k) {
  return k >= 0 ? 1 / (1 + Math.exp(-k)) : Math.exp(k) / (1 + Math.exp(k));
}

function softmax(z) {
  const zmax = Math.max(...z), e = z.map(z_m => Math.exp(z_m - zmax)), total = sum(e);
  return e.map(e_m => e_m / total);
}

function crossEntropy(z, label) {  // -ln y_label, by log-sum-exp
  const zmax = Math.max(...z);
  return zmax + Math.log(sum(z.map(z_n => Math.exp(z_n - zmax)))) - z[label];
}

function forward(x, {w, b, v, c}) {  // eq. 2.1
  const k = b.map((b_j, j) => sum(x.map((x_i, i) => x_i * w[i][j])) + b_j);
  const h = k.map(sigmoid);
  const z = c.map((c_m, m) => sum(h.map((h_j, j) => h_j * v[j][m])) + c_m);
  return {k, h, z, y: softmax(z)};
}

function backward(x, label, {v}, {h, y}) {  // eq. 2.2
  const dz = y.map((y_m, m) => y_m - (m === label ? 1 : 0));
  const dv = h.map(h_j => dz.map(dz_m => h_j * dz_m));
  const dh = v.map(v_j => sum(dz.map((dz_m, m) => dz_m * v_j[m])));
  const dk = dh.map((dh_j, j) => dh_j * h[j] * (1 - h[j]));
  const dw = x.map(x_i => dk.map(dk_j => dk_j * x_i));
  return {dz, dv, dc: dz, dh, dk, dw, db: dk};
}

function step({w, b, v, c}, {dw, db, dv, dc}, lr) {  // one gradient-descent update
  const down = (p, g) => Array.isArray(p) ? p.map((p_i, i) => down(p_i, g[i])) : p - lr * g;
  return {w: down(w, dw), b: down(b, db), v: down(v, dv), c: down(c, dc)};
}
