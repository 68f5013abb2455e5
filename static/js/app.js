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

// "Save to lightbox" on result cards and image pages. Without script each
// control opens the chooser on /lightboxes. With it, for a signed-in user,
// each gets a menu of their lightboxes (marked ✓ where the image already
// is) and saves or removes in place through the JSON API, with the page's
// CSRF token in X-CSRF-Token. If the API cannot be reached, the form is
// submitted as without script. Cards that arrive after the page (an image
// page's "More like this") announce themselves with a snapshop:cards event.
(() => {
  if (!document.querySelector("[data-lightboxes-nav]")) return; // signed out: the chooser asks to sign in
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const api = async (method, path, body) => {
    const res = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = res.status === 204 ? {} : await res.json().catch(() => ({}));
    if (!res.ok) {
      const err = new Error((data.error && data.error.message) || "That did not work. Please try again.");
      err.status = res.status;
      throw err;
    }
    return data;
  };
  const forms = []; // every enhanced form, refreshed together after a change
  let boxes = [];
  const holds = (box, id) => (box.contains || []).includes(id);

  // merge takes a newer answer of the API: its boxes, and which of the
  // images it was asked about each holds.
  const merge = (fresh, asked) => {
    boxes = fresh.map((b) => {
      const old = boxes.find((o) => o.id === b.id);
      const kept = old ? (old.contains || []).filter((id) => !asked.includes(id)) : [];
      return { ...b, contains: [...kept, ...(b.contains || [])] };
    });
  };

  const fill = (form) => {
    const id = form.dataset.imageId;
    const select = form.querySelector("select[name=lightbox]");
    const current = select.value;
    select.replaceChildren(
      ...boxes.map((b) => new Option((holds(b, id) ? "✓ " : "") + b.name, b.id)),
      new Option("New lightbox…", ""),
    );
    if (current && boxes.some((b) => b.id === current)) select.value = current;
    const box = boxes.find((b) => b.id === select.value);
    const button = form.querySelector("button");
    const title = form.dataset.imageTitle || "this image";
    if (box && holds(box, id)) {
      button.textContent = "Remove";
      button.setAttribute("aria-label", `Remove ${title} from ${box.name}`);
    } else {
      button.textContent = "Save";
      button.setAttribute("aria-label", `Save ${title} to ${box ? box.name : "a new lightbox"}`);
    }
  };

  const enhance = (form) => {
    forms.push(form);
    const select = document.createElement("select");
    select.name = "lightbox";
    select.className = "lightbox-select";
    select.setAttribute("aria-label", "Lightbox");
    form.querySelector("button").before(select);
    select.addEventListener("change", () => fill(form));
    fill(form);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const id = form.dataset.imageId;
      const status = form.querySelector(".lightbox-status");
      const button = form.querySelector("button");
      button.disabled = true;
      try {
        let box = boxes.find((b) => b.id === select.value);
        if (!box) {
          const name = window.prompt("Name the new lightbox", "My lightbox");
          if (!name) return;
          box = { ...(await api("POST", "/api/v1/lightboxes", { name })), contains: [] };
          boxes.unshift(box);
          select.append(new Option(box.name, box.id));
          select.value = box.id;
        }
        if (holds(box, id)) {
          await api("DELETE", `/api/v1/lightboxes/${encodeURIComponent(box.id)}/images/${encodeURIComponent(id)}`);
          box.contains = box.contains.filter((x) => x !== id);
          status.textContent = `Removed from ${box.name}`;
        } else {
          await api("POST", `/api/v1/lightboxes/${encodeURIComponent(box.id)}/images`, { image_id: id });
          box.contains = [...(box.contains || []), id];
          status.textContent = `Saved to ${box.name}`;
        }
        forms.forEach(fill);
      } catch (err) {
        if (err.status === undefined) {
          form.submit(); // the network, not the request: do it without script
          return;
        }
        status.textContent = err.message;
      } finally {
        button.disabled = false;
      }
    });
  };

  const enhanceWithin = (root) => {
    const found = [...root.querySelectorAll("form[data-lightbox-add]")];
    if (!found.length) return;
    const ids = [...new Set(found.map((f) => f.dataset.imageId))].slice(0, 100);
    api("GET", "/api/v1/lightboxes?" + ids.map((id) => "image_id=" + encodeURIComponent(id)).join("&"))
      .then((body) => {
        merge(body.lightboxes, ids);
        found.forEach(enhance);
        forms.forEach(fill);
      })
      .catch(() => { /* leave the plain forms: they still work */ });
  };
  enhanceWithin(document);
  document.addEventListener("snapshop:cards", (event) => enhanceWithin(event.target));
})();

// An image page's "More like this" cards arrive after the page: ranking
// them is most of the page's work, and the photo and its licences matter
// first. Without script, or if they cannot be fetched, the link below the
// slot finds the same photos.
(() => {
  const section = document.querySelector("[data-related]");
  const slot = section?.querySelector("[data-related-cards]");
  if (!slot) return;
  fetch(section.dataset.related, { credentials: "same-origin", headers: { Accept: "text/html" } })
    .then((res) => (res.ok ? res.text() : Promise.reject(new Error(`HTTP ${res.status}`))))
    .then((html) => {
      slot.innerHTML = html; // our own server's escaped template output
      slot.dispatchEvent(new CustomEvent("snapshop:cards", { bubbles: true }));
    })
    .catch(() => { /* the link still works */ })
    .finally(() => section.removeAttribute("aria-busy"));
})();
