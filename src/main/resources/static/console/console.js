// faceoff console: helpers shared by every page. Plain ES2020, no dependencies, no build step.
// Every piece of text from the server is put into the page as text (never as HTML).
"use strict";

const faceoff = (() => {
  const KEY_STORE = "faceoff.apiKey"; // sessionStorage: forgotten when the tab closes

  /** A DOM element: el("p", {class: "x"}, "text", child, ...). Strings become text nodes. */
  function el(tag, attributes, ...children) {
    const svg = ["svg", "rect", "circle", "polyline", "line", "text", "g", "title"].includes(tag);
    const node = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** A readable message for a problem+json body (or anything else the server or the network returned). */
  class ApiError extends Error {
    constructor(status, problem) {
      const detail = problem && (problem.detail || problem.title);
      super(detail || `HTTP ${status}`);
      this.status = status;
      this.code = problem && problem.code;
      this.title = problem && problem.title;
      this.retryAfter = problem && problem.retryAfter;
    }
  }

  const HINTS = {
    no_face: "No face was found. Use a photo where the face is visible and at least about 20 pixels wide.",
    multiple_faces: "More than one face was found and the selection rule needs exactly one.",
    unsupported_image: "This file is not an image faceoff can read: use JPEG, PNG, WebP or BMP.",
    corrupt_image: "The file looks like an image but could not be decoded.",
    image_too_large: "The image is too large for this server (bytes or pixels).",
    payload_too_large: "The upload is too large for this server.",
    low_quality: "The face was found but is below the quality this request asked for.",
    overloaded: "The server is busy. Try again in a moment.",
    rate_limited: "This API key has reached its rate limit. Try again in a moment.",
    unauthorized: "This server needs an API key: enter one under \u201cAPI key\u201d.",
    forbidden: "This API key is not allowed to do that.",
  };

  function message(error) {
    if (!(error instanceof ApiError)) return { title: "The server could not be reached", detail: String(error.message || error) };
    const hint = HINTS[error.code];
    return {
      title: (error.title || `Error ${error.status}`) + (error.code ? ` (${error.code})` : ""),
      detail: error.message + (hint ? " " + hint : "") + (error.retryAfter ? ` Retry after ${error.retryAfter} s.` : ""),
    };
  }

  /** An error box for the page. */
  function errorBox(error) {
    const m = message(error);
    return el("div", { class: "error", role: "alert" }, el("strong", {}, m.title), m.detail);
  }

  function apiKey() {
    try { return sessionStorage.getItem(KEY_STORE) || ""; } catch (e) { return ""; }
  }

  /** fetch() of the API with the console's API key; JSON back, or an ApiError. */
  async function api(path, options = {}) {
    const headers = new Headers(options.headers || {});
    headers.set("Accept", "application/json, application/problem+json");
    const key = apiKey();
    if (key) headers.set("X-API-Key", key);
    const response = await fetch(path, { ...options, headers });
    const type = response.headers.get("Content-Type") || "";
    const body = type.includes("json") ? await response.json().catch(() => null) : null;
    if (!response.ok) {
      const problem = body || { detail: `HTTP ${response.status} ${response.statusText}` };
      problem.retryAfter = response.headers.get("Retry-After");
      throw new ApiError(response.status, problem);
    }
    return body;
  }

  /** The "API key" field of the page header: kept for this tab only. */
  function keyField() {
    const input = el("input", { type: "password", id: "api-key", autocomplete: "off", placeholder: "only if the server needs one" });
    input.value = apiKey();
    input.addEventListener("change", () => {
      try { sessionStorage.setItem(KEY_STORE, input.value.trim()); } catch (e) { /* private mode: not kept */ }
    });
    return el("div", { class: "key" }, el("label", { for: "api-key" }, "API key ", el("span", { class: "hint" }, "(kept in this tab only)")), input);
  }

  function header() {
    const here = location.pathname.replace(/\/index\.html$/, "/");
    const link = (href, text) => el("li", {}, el("a", { href, "aria-current": here === href ? "page" : null }, text));
    const top = el("header", { class: "top" },
      el("a", { class: "skip", href: "#main" }, "Skip to content"),
      el("a", { class: "brand", href: "/" }, "faceoff"),
      el("nav", { "aria-label": "Console" }, el("ul", {},
        link("/", "Verify"), link("/models.html", "Models"), link("/experiments.html", "Experiments"),
        link("/gallery.html", "Gallery"),
        link("/swagger-ui/index.html", "API"))));
    document.body.prepend(top);
    const slot = document.getElementById("key-slot");
    if (slot) slot.append(keyField());
  }

  const percent = (v, digits = 2) => (v === null || v === undefined ? "\u2014" : (100 * v).toFixed(digits) + "%");
  const number = (v, digits = 3) => (v === null || v === undefined ? "\u2014" : Number(v).toFixed(digits));

  /** The embedding models of GET /v1/models, the default first. */
  async function embeddingModels() {
    const list = await api("/v1/models");
    const models = list.models.filter((m) => m.task === "embedding");
    models.sort((a, b) => (b.is_default - a.is_default) || a.name.localeCompare(b.name));
    return { list, models };
  }

  document.addEventListener("DOMContentLoaded", header);
  return { el, api, ApiError, message, errorBox, percent, number, embeddingModels };
})();
