// The Verify page: two photos (POST /v1/verify) or one probe against candidates (POST /v1/compare).
"use strict";

(() => {
  const { el, api, errorBox, number, percent, embeddingModels } = faceoff;
  const $ = (id) => document.getElementById(id);
  let models = [];

  const mode = () => document.querySelector('input[name="mode"]:checked').value;

  function showMode() {
    const compare = mode() === "compare";
    $("pair-inputs").hidden = compare;
    $("compare-inputs").hidden = !compare;
    $("submit").textContent = compare ? "Compare with candidates" : "Compare faces";
  }

  function showNames(input) {
    if (!input.multiple) return;   // the browser names a single file itself
    $(input.id + "-name").textContent = [...input.files].map((f) => f.name).join(", ");
  }

  /** Drop zones: a file dropped on a box goes into its input. */
  function wireDrops() {
    for (const zone of document.querySelectorAll(".drop")) {
      const input = $(zone.dataset.input);
      input.addEventListener("change", () => showNames(input));
      zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
      zone.addEventListener("dragleave", () => zone.classList.remove("over"));
      zone.addEventListener("drop", (e) => {
        e.preventDefault();
        zone.classList.remove("over");
        if (!e.dataTransfer.files.length) return;
        const files = new DataTransfer();
        for (const f of input.multiple ? e.dataTransfer.files : [e.dataTransfer.files[0]]) files.items.add(f);
        input.files = files.files;
        showNames(input);
      });
    }
  }

  /** The FAR picker lists the calibrated FARs of the chosen model (or of the default model). */
  function fillFars() {
    const chosen = models.find((m) => m.name === $("model").value) || models.find((m) => m.is_default) || models[0];
    const select = $("far");
    const keep = select.value;
    select.replaceChildren(el("option", { value: "" }, "Server’s default"));
    if (!chosen) return;
    const fars = Object.entries(chosen.thresholds || {}).sort((a, b) => Number(b[0]) - Number(a[0]));
    for (const [far, t] of fars) {
      select.append(el("option", { value: String(Number(far)) },
        `${far} — threshold ${number(t.cosine)}, TAR ${percent(t.tar, 1)} on ${t.dataset || "?"}`));
    }
    if ([...select.options].some((o) => o.value === keep)) select.value = keep;
  }

  async function loadModels() {
    try {
      ({ models } = await embeddingModels());
      for (const m of models) {
        $("model").append(el("option", { value: m.name }, `${m.name} (${m.loss}${m.is_default ? ", default" : ""})`));
      }
    } catch (e) {
      $("result").replaceChildren(errorBox(e));
    }
    fillFars();
  }

  /** The photo with the found face's box and five landmarks drawn over it (in the image's own pixels). */
  function figure(file, face, caption, extraClass) {
    const url = URL.createObjectURL(file);
    const img = el("img", { src: url, alt: `${file.name}${face ? ", with the face found marked" : ""}` });
    img.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
    const frame = el("div", { class: "frame" }, img);
    if (face) {
      const w = face.image.width, h = face.image.height;
      const svg = el("svg", { viewBox: `0 0 ${w} ${h}`, preserveAspectRatio: "none", "aria-hidden": "true" },
        el("rect", { class: "face-box", x: face.box.x, y: face.box.y, width: face.box.width, height: face.box.height }),
        face.landmarks.map(([x, y]) => el("circle", { class: "landmark", cx: x, cy: y, r: Math.max(2, w / 160) })));
      frame.append(svg);
    }
    return el("figure", { class: extraClass || null }, frame, el("figcaption", {}, caption));
  }

  function faceCaption(face) {
    const q = face.quality;
    return [
      `${face.faces_found} face${face.faces_found === 1 ? "" : "s"} found`,
      `detector ${number(face.score, 2)}`,
      q ? `quality ${number(q.score, 2)}${q.weakest && q.weakest !== "none" ? ` (weakest: ${q.weakest})` : ""}` : null,
    ].filter(Boolean).join(" · ");
  }

  /** Similarity against the threshold, as a bar from 0 to 1 with the threshold marked. */
  function gauge(similarity, threshold, match) {
    const at = (v) => Math.max(0, Math.min(1, v)) * 100 + "%";
    const fill = el("div", { class: "fill" });
    fill.style.width = at(similarity);
    const tick = el("div", { class: "tick" }, el("span", {}, `threshold ${number(threshold)}`));
    tick.style.left = at(threshold);
    return el("div", {
      class: "gauge" + (match ? " match" : ""), role: "meter", "aria-label": "Similarity",
      "aria-valuemin": "0", "aria-valuemax": "1", "aria-valuenow": number(similarity),
      "aria-valuetext": `similarity ${number(similarity)}, threshold ${number(threshold)}`,
    }, fill, tick);
  }

  function facts(result, elapsed) {
    const routing = result.routing;
    const rows = [
      ["Similarity", number(result.similarity)],
      ["Threshold", `${number(result.threshold)} at FAR ${result.far}`],
      ["Model", `${result.model.name} v${result.model.version}`],
      ["Loss", result.model.loss],
      ["Variant", routing && routing.experiment && routing.experiment !== "none"
        ? `${routing.experiment} / ${routing.variant} (${routing.assignment})`
        : `— (no experiment: ${routing && routing.assignment === "override" ? "model chosen in the request" : "the default model"})`],
      ["Answered in", `${Math.round(elapsed)} ms`],
    ];
    return el("dl", { class: "facts" }, rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  }

  function qualityTable(rows) {
    const head = ["", "quality", "detector", "yaw°", "roll°", "eye distance px", "sharpness", "brightness", "weakest"];
    return el("div", { class: "table-wrap" }, el("table", {},
      el("caption", { class: "visually-hidden" }, "Face quality"),
      el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows.map(([name, q]) => el("tr", {}, el("th", { scope: "row" }, name),
        q ? [number(q.score, 2), number(q.detector_score, 2), number(q.yaw_deg, 0), number(q.roll_deg, 0),
          number(q.inter_eye_px, 0), number(q.sharpness, 0), number(q.brightness, 0), q.weakest].map((v) => el("td", {}, v))
          : el("td", { colspan: 8 }, "—"))))));
  }

  function showVerification(result, files, elapsed) {
    const decision = el("p", { class: "decision " + (result.match ? "match" : "nomatch"), id: "decision" },
      result.match ? "Same person" : "Different people");
    const faces = el("div", { class: "faces" }, files.map((f, i) => figure(f, result.faces[i], `Photo ${i + 1}: ${faceCaption(result.faces[i])}`)));
    const card = el("div", { class: "card", "data-elapsed-ms": Math.round(elapsed) },
      decision, gauge(result.similarity, result.threshold, result.match), facts(result, elapsed), faces,
      el("h2", {}, "Faces"), qualityTable(result.faces.map((f, i) => [`Photo ${i + 1}`, f.quality])),
      el("p", { class: "hint" }, `Verification id ${result.verification_id} (for POST /v1/feedback).`));
    $("result").replaceChildren(card);
  }

  function showComparison(result, probe, candidates, elapsed) {
    const best = result.best_match;
    const headline = best === null || best === undefined
      ? el("p", { class: "decision nomatch", id: "decision" }, "No candidate matches")
      : el("p", { class: "decision match", id: "decision" }, `Best match: candidate ${best + 1} (${candidates[best].name})`);
    const figures = [figure(probe, result.probe, `Probe: ${faceCaption(result.probe)}`)];
    for (const c of result.candidates) {
      const file = candidates[c.index];
      if (c.error) {
        figures.push(el("figure", { class: "candidate", "data-index": c.index },
          el("div", { class: "error", role: "note" }, el("strong", {}, `Candidate ${c.index + 1}: ${c.error.code}`), c.error.detail),
          el("figcaption", {}, file.name)));
        continue;
      }
      const badges = [el("span", { class: "badge " + (c.match ? "match" : "nomatch") }, c.match ? "match" : "no match"),
        c.index === best ? el("span", { class: "badge best" }, "best match") : null];
      const fig = figure(file, c.face, [`Candidate ${c.index + 1}: similarity ${number(c.similarity)} `, ...badges],
        "candidate" + (c.index === best ? " best" : ""));
      fig.dataset.index = c.index;
      figures.push(fig);
    }
    const summary = {
      similarity: best === null || best === undefined ? Math.max(...result.candidates.filter((c) => !c.error).map((c) => c.similarity), 0)
        : result.candidates[best].similarity,
      threshold: result.threshold, far: result.far, model: result.model, routing: result.routing,
    };
    const card = el("div", { class: "card", "data-elapsed-ms": Math.round(elapsed) }, headline,
      gauge(summary.similarity, result.threshold, best !== null && best !== undefined),
      facts(summary, elapsed), el("div", { class: "faces" }, figures),
      el("h2", {}, "Faces"), qualityTable([["Probe", result.probe.quality],
        ...result.candidates.map((c) => [`Candidate ${c.index + 1}`, c.face ? c.face.quality : null])]));
    $("result").replaceChildren(card);
  }

  function options(form) {
    if ($("model").value) form.append("model", $("model").value);
    if ($("far").value) form.append("far", $("far").value);
  }

  async function submit(event) {
    event.preventDefault();
    const form = new FormData();
    let files;
    const compare = mode() === "compare";
    if (compare) {
      const probe = $("probe").files[0];
      const candidates = [...$("candidates").files];
      if (!probe || !candidates.length) return need("Choose a probe photo and at least one candidate.");
      form.append("probe", probe);
      for (const c of candidates) form.append("candidates", c);
      files = { probe, candidates };
    } else {
      const a = $("image1").files[0], b = $("image2").files[0];
      if (!a || !b) return need("Choose two photos.");
      form.append("image1", a);
      form.append("image2", b);
      files = [a, b];
    }
    options(form);
    $("submit").disabled = true;
    $("busy").textContent = "Comparing…";
    const started = performance.now();
    try {
      const result = await api(compare ? "/v1/compare" : "/v1/verify", { method: "POST", body: form });
      const elapsed = performance.now() - started;
      if (compare) showComparison(result, files.probe, files.candidates, elapsed);
      else showVerification(result, files, elapsed);
    } catch (e) {
      $("result").replaceChildren(errorBox(e));
    } finally {
      $("submit").disabled = false;
      $("busy").textContent = "";
    }
  }

  function need(text) {
    $("result").replaceChildren(el("div", { class: "error", role: "alert" }, el("strong", {}, "Missing photo"), text));
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const r of document.querySelectorAll('input[name="mode"]')) r.addEventListener("change", showMode);
    $("model").addEventListener("change", fillFars);
    $("verify-form").addEventListener("submit", submit);
    wireDrops();
    showMode();
    loadModels();
  });
})();
