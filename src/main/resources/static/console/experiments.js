// The Experiments page: every experiment's per-variant report (GET /v1/experiments/{name}), refreshing.
"use strict";

(() => {
  const { el, api, errorBox, number, percent } = faceoff;
  let timer = null;

  const q = (d, key, digits) => (d && d[key] !== null && d[key] !== undefined ? number(d[key], digits) : "—");
  const rate = (r) => (r && r.value !== null && r.value !== undefined
    ? `${percent(r.value)} [${percent(r.low)}, ${percent(r.high)}] of ${r.n}` : r ? `— of ${r.n}` : "—");

  function variants(report) {
    const head = ["variant", "model (loss)", "weight", "share", "verified", "match rate", "latency p50 / p99 ms",
      "similarity p50", "FAR (95% CI)", "FRR (95% CI)", "shadow agreement"];
    return el("div", { class: "table-wrap" }, el("table", {},
      el("caption", { class: "visually-hidden" }, `Variants of ${report.name}`),
      el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, report.variants.map((v) => el("tr", {},
        el("th", { scope: "row" }, v.name),
        [`${v.model} (${v.loss})`, number(v.weight, 0), percent(v.traffic.share, 1), v.traffic.verified,
          percent(v.traffic.match_rate, 1), `${q(v.traffic.latency_ms, "p50", 1)} / ${q(v.traffic.latency_ms, "p99", 1)}`,
          q(v.traffic.similarity, "p50", 3), rate(v.feedback.far), rate(v.feedback.frr),
          v.shadow && v.shadow.length ? v.shadow.map((s) => `${s.model}: ${percent(s.agreement, 1)} of ${s.comparisons}`).join("; ") : "—",
        ].map((x) => el("td", {}, x)))))));
  }

  function comparisons(report) {
    if (!report.comparisons || !report.comparisons.length) return null;
    const test = (t) => (t.difference === null || t.difference === undefined ? "no data yet"
      : `${t.difference > 0 ? "+" : ""}${percent(t.difference)} (p = ${number(t.p_value, 3)})${t.significant ? ", significant" : ""}`
        + (t.more_labelled_pairs_needed ? `; ${t.more_labelled_pairs_needed} more labelled pairs needed` : ""));
    return el("ul", {}, report.comparisons.map((c) => el("li", {}, `${c.variant} against ${c.baseline}: FAR ${test(c.far)}; FRR ${test(c.frr)}`)));
  }

  function section(report) {
    return el("article", { class: "card experiment", id: `experiment-${report.name}` },
      el("h2", {}, report.name, " ", el("span", { class: "badge " + (report.active ? "match" : "") }, report.active ? "active" : "inactive"),
        report.is_default ? el("span", { class: "badge best" }, "default") : null),
      el("p", { class: "hint" }, `${report.requests} requests on this instance; sticky key ${report.sticky_key || "none"}; `
        + `weights ${report.weights_scope}, traffic ${report.traffic_scope}, feedback ${report.feedback_scope}.`),
      variants(report), comparisons(report));
  }

  async function load() {
    const host = document.getElementById("experiments");
    try {
      const list = await api("/v1/experiments");
      if (!list.experiments.length) {
        host.replaceChildren(el("p", { class: "card" }, "No experiments are configured (faceoff.experiments.definitions)."));
      } else {
        const reports = await Promise.all(list.experiments.map((e) => api(`/v1/experiments/${encodeURIComponent(e.name)}`)));
        host.replaceChildren(...reports.map(section));
      }
      document.getElementById("updated").textContent = `Updated ${new Date().toLocaleTimeString()}.`;
    } catch (e) {
      host.replaceChildren(errorBox(e));
    }
  }

  function schedule() {
    clearInterval(timer);
    if (document.getElementById("refresh").checked) timer = setInterval(load, 5000);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("refresh").addEventListener("change", schedule);
    load();
    schedule();
  });
})();
