// Snapshop's progressive enhancements. Every page works without this file.
"use strict";

// Forms with data-confirm ask before they submit (revoking a token, say).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// Buttons marked data-print print the page (licence certificates).
document.addEventListener("click", (event) => {
  const el = event.target;
  if (el instanceof HTMLElement && el.closest("[data-print]")) {
    window.print();
  }
});

// Selects marked data-autosubmit submit their form when changed (sorting).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el instanceof HTMLSelectElement && el.dataset.autosubmit !== undefined && el.form) {
    el.form.submit();
  }
});

// Autocomplete for the header search box: suggestions from the index's own
// keywords, fetched as the user types (debounced, latest answer wins).
(() => {
  const input = document.getElementById("site-search");
  const list = document.getElementById("search-suggestions");
  if (!input || !list) return;
  let timer = 0;
  let seq = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const prefix = input.value.trim();
    if (prefix.length < 2) {
      list.replaceChildren();
      return;
    }
    timer = setTimeout(async () => {
      const mine = ++seq;
      try {
        const res = await fetch("/api/v1/suggest?q=" + encodeURIComponent(prefix), { headers: { Accept: "application/json" } });
        if (!res.ok || mine !== seq) return;
        const body = await res.json();
        list.replaceChildren(...body.suggestions.map((s) => Object.assign(document.createElement("option"), { value: s })));
      } catch (_) {
        /* suggestions are a convenience: ignore network errors */
      }
    }, 120);
  });
})();
