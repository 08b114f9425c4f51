// The Models page: GET /v1/models, one card per model with its thresholds, metrics and ROC.
"use strict";

(() => {
  const { el, api, errorBox, number, percent } = faceoff;

  const METRIC_LABELS = {
    pairs: "pairs", acc10: "10-fold accuracy", sd: "± sd", auc: "AUC", eer: "EER", d_prime: "d′",
    "tar_at_far1e-3": "TAR at FAR 1e-3", pairs_missing_face: "pairs missing a face", test_time_flip: "test-time flip",
    acc10_flip: "accuracy with flip", acc10_no_flip: "accuracy without flip", auc_flip: "AUC with flip", auc_no_flip: "AUC without flip",
  };
  const AS_PERCENT = new Set(["acc10", "sd", "eer", "tar_at_far1e-3", "acc10_flip", "acc10_no_flip", "sd_flip", "sd_no_flip"]);

  function value(key, v) {
    if (typeof v === "number" && AS_PERCENT.has(key)) return percent(v);
    if (typeof v === "number" && !Number.isInteger(v)) return number(v, 4);
    return String(v);
  }

  /** ROC from the evaluation's points: TAR against FAR on a log axis, 1e-6 … 1. */
  function roc(name, dataset, points) {
    const W = 320, H = 220, L = 40, B = 30, T = 10, R = 10;
    const x = (far) => L + ((Math.log10(far) + 6) / 6) * (W - L - R);
    const y = (tar) => T + (1 - tar) * (H - T - B);
    const grid = [];
    for (let e = -6; e <= 0; e++) {
      grid.push(el("line", { class: "grid", x1: x(10 ** e), x2: x(10 ** e), y1: T, y2: H - B }),
        el("text", { x: x(10 ** e), y: H - B + 14, "text-anchor": "middle" }, `1e${e}`));
    }
    for (const t of [0, 0.5, 1]) {
      grid.push(el("line", { class: "grid", x1: L, x2: W - R, y1: y(t), y2: y(t) }),
        el("text", { x: L - 4, y: y(t) + 3, "text-anchor": "end" }, t.toFixed(1)));
    }
    const line = points.far.map((f, i) => `${x(f).toFixed(1)},${y(points.tar[i]).toFixed(1)}`).join(" ");
    return el("svg", { class: "roc", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `ROC of ${name} on ${dataset}` },
      el("title", {}, `ROC of ${name} on ${dataset}: true-accept rate against false-accept rate`),
      grid, el("line", { class: "axis", x1: L, x2: W - R, y1: H - B, y2: H - B }),
      el("line", { class: "axis", x1: L, x2: L, y1: T, y2: H - B }),
      el("polyline", { class: "curve", points: line }),
      el("text", { x: (L + W) / 2, y: H - 2, "text-anchor": "middle" }, "false-accept rate"),
      el("text", { x: 10, y: H / 2, transform: `rotate(-90 10 ${H / 2})`, "text-anchor": "middle" }, "TAR"));
  }

  function metricsSection(m) {
    const datasets = Object.entries(m.metrics || {});
    if (!datasets.length) return el("p", { class: "muted" }, "No evaluation reported in its model card.");
    return datasets.map(([dataset, metrics]) => {
      const rows = Object.entries(metrics).filter(([k, v]) => k !== "roc" && k !== "command" && typeof v !== "object");
      return el("div", { class: "dataset" },
        el("h3", {}, dataset.toUpperCase()),
        el("div", { class: "table-wrap" }, el("table", {}, el("tbody", {},
          rows.map(([k, v]) => el("tr", {}, el("th", { scope: "row" }, METRIC_LABELS[k] || k.replaceAll("_", " ")), el("td", {}, value(k, v))))))),
        metrics.roc && metrics.roc.far && metrics.roc.far.length ? roc(m.name, dataset, metrics.roc)
          : el("p", { class: "hint" }, "No ROC in this card (re-run evaluate --calibrate to add it)."),
        metrics.command ? el("p", { class: "hint" }, "From: ", el("code", {}, metrics.command)) : null);
    });
  }

  function thresholds(m) {
    const rows = Object.entries(m.thresholds || {});
    if (!rows.length) return null;
    return el("div", { class: "table-wrap" }, el("table", {},
      el("thead", {}, el("tr", {}, ["FAR", "threshold (cosine)", "TAR", "calibrated on", "date"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows.map(([far, t]) => el("tr", {}, [far, number(t.cosine, 4), percent(t.tar), `${t.dataset} (${t.pairs} impostor pairs)`, t.calibrated]
        .map((v) => el("td", {}, v)))))));
  }

  function card(m) {
    const params = m.loss_params && Object.keys(m.loss_params).length
      ? Object.entries(m.loss_params).map(([k, v]) => `${k} ${v}`).join(", ") : null;
    const facts = [["task", m.task], ["loss", m.loss ? m.loss + (params ? ` (${params})` : "") : null], ["backbone", m.backbone],
      ["version", m.version], ["embedding size", m.dim], ["test-time flip", m.task === "embedding" ? (m.test_time_flip ? "yes" : "no") : null],
      ["runs on", m.provider], ["source", m.provenance && m.provenance.source], ["licence", m.provenance && m.provenance.license]]
      .filter(([, v]) => v !== null && v !== undefined);
    return el("article", { class: "card model", id: `model-${m.name}` },
      el("h2", {}, m.name, m.is_default ? " " : null, m.is_default ? el("span", { class: "badge best" }, "default") : null),
      el("dl", { class: "facts" }, facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, String(v))])),
      m.task === "embedding" ? [thresholds(m), metricsSection(m)] : null);
  }

  async function load() {
    try {
      const list = await api("/v1/models");
      const order = { embedding: 0, detection: 1, landmarks: 2 };
      const models = [...list.models].sort((a, b) => (b.is_default - a.is_default) || ((order[a.task] ?? 3) - (order[b.task] ?? 3)) || a.name.localeCompare(b.name));
      document.getElementById("summary").textContent =
        `${models.length} models; default embedding ${list.default_embedding}; execution provider requested: ${list.requested_provider}.`;
      document.getElementById("models").replaceChildren(...models.map(card));
    } catch (e) {
      document.getElementById("summary").textContent = "";
      document.getElementById("models").replaceChildren(errorBox(e));
    }
  }

  document.addEventListener("DOMContentLoaded", load);
})();
