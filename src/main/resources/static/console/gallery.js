// The Gallery page: the tenant's subjects (PUT, GET, DELETE /v1/subjects…), a subject's faces (enrol, delete),
// a photo verified against a subject (POST /v1/subjects/{id}/verify) or identified (POST /v1/identify).
"use strict";

(() => {
  const { el, api, errorBox, number } = faceoff;
  const $ = (id) => document.getElementById(id);
  const PAGE = 20;
  const path = (id) => "/v1/subjects/" + encodeURIComponent(id);
  const when = (iso) => (iso ? new Date(iso).toLocaleString() : "\u2014");
  let pages = [null];   // the `after` of each page seen so far; the last one is shown
  let opened = null;    // the subject shown below the list

  const note = (text) => el("p", { class: "note", role: "status" }, text);
  const facts = (rows) => el("dl", { class: "facts" },
    rows.filter(([, v]) => v !== null && v !== undefined).flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));

  /** Runs an action of a button: disabled meanwhile, an error shown in `where`. */
  async function busy(button, where, action) {
    button.disabled = true;
    try {
      await action();
    } catch (e) {
      where.replaceChildren(errorBox(e));
    } finally {
      button.disabled = false;
    }
  }

  function photo(input, where) {
    const file = input.files[0];
    if (!file) {
      where.replaceChildren(el("div", { class: "error", role: "alert" }, el("strong", {}, "Missing photo"), "Choose a photo first."));
      return null;
    }
    const form = new FormData();
    form.append("image", file);
    return form;
  }

  // ---- the list

  async function loadPage() {
    const after = pages[pages.length - 1];
    const page = await api(`/v1/subjects?limit=${PAGE}` + (after ? "&after=" + encodeURIComponent(after) : ""));
    const rows = page.subjects.map((s) => el("tr", { "data-subject": s.subject_id },
      el("th", { scope: "row" }, el("button", { type: "button", class: "link", onclick: () => open(s.subject_id) }, s.subject_id)),
      el("td", {}, s.metadata ? JSON.stringify(s.metadata) : "\u2014"),
      el("td", {}, when(s.created_at))));
    $("subjects").replaceChildren(rows.length
      ? el("div", { class: "table-wrap" }, el("table", { id: "subjects-table" },
        el("thead", {}, el("tr", {}, ["subject", "metadata", "created"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, rows)))
      : el("p", { class: "muted" }, pages.length > 1 ? "No more subjects." : "No subjects yet: create one above."));
    $("next-page").hidden = !page.next;
    $("next-page").dataset.after = page.next || "";
    $("first-page").hidden = pages.length === 1;
  }

  function reload(where) {
    return loadPage().catch((e) => where.replaceChildren(errorBox(e)));
  }

  async function create(event) {
    event.preventDefault();
    const id = $("subject-id").value.trim();
    const where = $("subjects-message");
    let body;
    if ($("metadata").value.trim()) {
      try {
        body = JSON.stringify({ metadata: JSON.parse($("metadata").value) });
      } catch (e) {
        where.replaceChildren(el("div", { class: "error", role: "alert" }, el("strong", {}, "Metadata is not JSON"), String(e.message)));
        return;
      }
    }
    await busy($("create"), where, async () => {
      const subject = await api(path(id), { method: "PUT", body, headers: body ? { "Content-Type": "application/json" } : {} });
      where.replaceChildren(note(`Subject ${subject.subject_id} saved.`));
      $("subject-id").value = "";
      $("metadata").value = "";
      await reload(where);
      show(subject);
    });
  }

  // ---- one subject

  async function open(id) {
    try {
      show(await api(path(id)));
    } catch (e) {
      $("subjects-message").replaceChildren(errorBox(e));
    }
  }

  function show(subject) {
    opened = subject.subject_id;
    $("subject").hidden = false;
    $("subject-title").textContent = `Subject ${subject.subject_id}`;
    $("erase-confirm").hidden = true;
    $("erase").hidden = false;
    const faces = subject.faces.length
      ? el("div", { class: "table-wrap" }, el("table", { id: "faces" },
        el("caption", { class: "visually-hidden" }, "Faces"),
        el("thead", {}, el("tr", {}, ["face", "quality", "enrolled", "models", ""].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, subject.faces.map((f) => el("tr", { "data-face": f.face_id },
          el("th", { scope: "row" }, String(f.face_id)), el("td", {}, number(f.quality, 2)), el("td", {}, when(f.created_at)),
          el("td", {}, f.models.join(", ")),
          el("td", {}, el("button", { type: "button", class: "secondary small", "aria-label": `Delete face ${f.face_id}`,
            onclick: (e) => deleteFace(e.target, f.face_id) }, "Delete")))))))
      : el("p", { class: "muted" }, "No faces yet: enrol a photo below.");
    $("subject-details").replaceChildren(
      facts([["metadata", subject.metadata ? JSON.stringify(subject.metadata) : "\u2014"], ["created", when(subject.created_at)],
        ["updated", when(subject.updated_at)], ["models", subject.models.length ? subject.models.join(", ") : "none yet"],
        ["missing", subject.missing.length ? subject.missing.join(", ") + " (a request routed to one gets 409)" : "none"]]),
      faces);
    $("subject").scrollIntoView({ block: "nearest" });
  }

  async function refresh() {
    show(await api(path(opened)));
  }

  async function enrol(event) {
    event.preventDefault();
    const where = $("subject-message");
    const form = photo($("enrol-image"), where);
    if (!form) return;
    await busy($("enrol"), where, async () => {
      const r = await api(path(opened) + "/faces", { method: "POST", body: form });
      await refresh();
      where.replaceChildren(note(`Face ${r.face_id} enrolled (quality ${number(r.quality, 2)}) with ${r.models.join(", ")}.`
        + (r.possible_duplicate_of ? ` It also looks like subject ${r.possible_duplicate_of}: a possible duplicate.` : "")));
      $("enrol-image").value = "";
    });
  }

  async function deleteFace(button, faceId) {
    const where = $("subject-message");
    await busy(button, where, async () => {
      await api(path(opened) + "/faces/" + faceId, { method: "DELETE" });
      await refresh();
      where.replaceChildren(note(`Face ${faceId} deleted.`));
    });
  }

  async function verify(event) {
    event.preventDefault();
    const where = $("verify-result");
    const form = photo($("verify-image"), where);
    if (!form) return;
    await busy($("verify"), where, async () => {
      const r = await api(path(opened) + "/verify", { method: "POST", body: form });
      where.replaceChildren(el("div", { class: "card" },
        el("p", { class: "decision " + (r.match ? "match" : "nomatch"), id: "verify-decision" },
          r.match ? `Yes: ${r.subject_id}` : `Not ${r.subject_id}`),
        facts([["similarity", `${number(r.similarity)} (to the mean of ${r.template_faces} face${r.template_faces === 1 ? "" : "s"})`],
          ["threshold", `${number(r.threshold)} at FAR ${r.far}`], ["model", `${r.model.name} v${r.model.version}`]])));
    });
  }

  function askErase() {
    $("erase-question").textContent = `Erase ${opened}, its faces and every template? This cannot be undone.`;
    $("erase").hidden = true;
    $("erase-confirm").hidden = false;
    $("erase-no").focus();
  }

  function cancelErase() {
    $("erase-confirm").hidden = true;
    $("erase").hidden = false;
  }

  async function erase() {
    const id = opened;
    await busy($("erase-yes"), $("subject-message"), async () => {
      await api(path(id), { method: "DELETE" });
      opened = null;
      $("subject").hidden = true;
      $("verify-result").replaceChildren();
      $("subject-message").replaceChildren();
      $("subjects-message").replaceChildren(note(`Subject ${id} erased.`));
      await reload($("subjects-message"));
    });
  }

  // ---- identify

  async function identify(event) {
    event.preventDefault();
    const where = $("identify-result");
    const form = photo($("identify-image"), where);
    if (!form) return;
    if ($("top-k").value) form.append("top_k", $("top-k").value);
    await busy($("identify"), where, async () => {
      const r = await api("/v1/identify", { method: "POST", body: form });
      const decision = r.match ? `Match: ${r.subject_id}` : (r.candidates.length ? "No match" : "No match: the gallery is empty");
      const candidates = r.candidates.length ? el("div", { class: "table-wrap" }, el("table", { id: "candidates" },
        el("caption", { class: "visually-hidden" }, "Candidates"),
        el("thead", {}, el("tr", {}, ["#", "subject", "similarity", ""].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, r.candidates.map((c, i) => el("tr", {},
          el("td", {}, String(i + 1)),
          el("th", { scope: "row" }, el("button", { type: "button", class: "link", onclick: () => open(c.subject_id) }, c.subject_id)),
          el("td", {}, number(c.similarity)),
          el("td", {}, r.match && i === 0 ? el("span", { class: "badge match" }, "match")
            : el("span", { class: "badge nomatch" }, "below threshold")))))))
        : null;
      where.replaceChildren(el("div", { class: "card" },
        el("p", { class: "decision " + (r.match ? "match" : "nomatch"), id: "identify-decision" }, decision),
        facts([["threshold", r.threshold === null ? "\u2014 (empty gallery)" : number(r.threshold)],
          ["FPIR", `${r.fpir} (a false accept per comparison of ${Number(r.far).toPrecision(2)}${r.beyond_calibration ? ", beyond the model’s calibration" : ""})`],
          ["gallery size", `${r.gallery_size} subject${r.gallery_size === 1 ? "" : "s"}, ${r.templates} template${r.templates === 1 ? "" : "s"}`],
          ["model", `${r.model.name} v${r.model.version}`]]),
        candidates));
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("create-form").addEventListener("submit", create);
    $("identify-form").addEventListener("submit", identify);
    $("enrol-form").addEventListener("submit", enrol);
    $("verify-form").addEventListener("submit", verify);
    $("erase").addEventListener("click", askErase);
    $("erase-no").addEventListener("click", cancelErase);
    $("erase-yes").addEventListener("click", erase);
    $("next-page").addEventListener("click", () => { pages.push($("next-page").dataset.after); reload($("subjects-message")); });
    $("first-page").addEventListener("click", () => { pages = [null]; reload($("subjects-message")); });
    reload($("subjects-message"));
  });
})();
