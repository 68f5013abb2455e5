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

// Review queue keyboard: j/k move between items, a approves the current one,
// r opens its reject form (focus on the first reason), x toggles its
// selection for the bulk bar. Keys typed into form fields are left alone.
(() => {
  const queue = document.querySelector("[data-review-queue]");
  if (!queue) return;
  const items = [...queue.querySelectorAll("[data-review-item]")];
  if (!items.length) return;
  let current = 0;
  const focus = (i) => {
    current = Math.max(0, Math.min(items.length - 1, i));
    items.forEach((el, j) => el.classList.toggle("is-current", j === current));
    items[current].focus({ preventScroll: true });
    items[current].scrollIntoView({ block: "start", behavior: "smooth" });
  };
  items.forEach((el, i) => el.addEventListener("focusin", () => { current = i; items.forEach((x, j) => x.classList.toggle("is-current", j === i)); }));
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) && t.type !== "checkbox")) return;
    const item = items[current];
    switch (e.key) {
      case "j": focus(current + 1); break;
      case "k": focus(current - 1); break;
      case "a": {
        const btn = item.querySelector("[data-approve]");
        if (btn) btn.click();
        break;
      }
      case "r": {
        const d = item.querySelector("[data-reject]");
        if (d) {
          d.open = true;
          const first = d.querySelector("input[type=checkbox]");
          if (first) first.focus();
        }
        break;
      }
      case "x": {
        const box = item.querySelector("[data-select]");
        if (box) box.checked = !box.checked;
        break;
      }
      default: return;
    }
    e.preventDefault();
  });
  focus(0);
})();
