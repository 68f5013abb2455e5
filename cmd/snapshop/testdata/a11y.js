// The accessibility basics, checked in the page by the browser journeys
// (journey_a11y_test.go says what and why). Evaluates to a list of problems,
// each a line a person can act on.
(() => {
  const problems = [];
  const text = (el) => (el.textContent || "").replace(/\s+/g, " ").trim();
  const short = (s) => (s.length > 40 ? s.slice(0, 39) + "…" : s);
  const describe = (el) => {
    let d = el.tagName.toLowerCase();
    if (el.id) d += "#" + el.id;
    else if (el.getAttribute("name")) d += "[name=" + el.getAttribute("name") + "]";
    else if (el.tagName === "IMG") d += "[src=" + el.getAttribute("src") + "]";
    else if (el.classList.length) d += "." + [...el.classList].join(".");
    return d;
  };
  // Rendered: not display: none, visibility: hidden or inside a closed
  // <details> (whose content Chrome hides with content-visibility).
  const rendered = (el) => el.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true });

  // Names for form fields.
  for (const el of document.querySelectorAll("input, select, textarea")) {
    const type = (el.getAttribute("type") || "").toLowerCase();
    if (el.tagName === "INPUT" && ["hidden", "submit", "button", "reset", "image"].includes(type)) continue;
    const byLabel = [...(el.labels || [])].some((l) => text(l) !== "");
    const byAria = (el.getAttribute("aria-label") || "").trim() !== "";
    const byRef = (el.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean)
      .some((id) => { const r = document.getElementById(id); return r && text(r) !== ""; });
    if (!byLabel && !byAria && !byRef) problems.push(`${describe(el)} has no label`);
  }

  // Alternative text.
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push(`${describe(img)} has no alt attribute`);
  }

  // Heading order: what a screen reader's heading list would give.
  let prev = 0;
  let h1s = 0;
  for (const h of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    if (!rendered(h)) continue;
    const level = Number(h.tagName[1]);
    if (level === 1 && ++h1s > 1) problems.push(`a second h1: "${short(text(h))}"`);
    if (level > prev + 1) {
      problems.push(prev === 0
        ? `the first heading is h${level} "${short(text(h))}", not h1`
        : `h${level} "${short(text(h))}" follows h${prev}: a heading level is skipped`);
    }
    prev = level;
  }

  // Contrast.
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const paint = canvas.getContext("2d", { willReadFrequently: true });
  const rgba = (css) => {
    paint.clearRect(0, 0, 1, 1);
    paint.fillStyle = "rgba(0, 0, 0, 0)";
    paint.fillStyle = css;
    paint.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = paint.getImageData(0, 0, 1, 1).data;
    return { r, g, b, a: a / 255 };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const luminance = (c) => {
    const lin = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  };
  const show = (c) => `rgb(${Math.round(c.r)}, ${Math.round(c.g)}, ${Math.round(c.b)})`;
  // Clipped to a pixel or less: there for screen readers, not to be read.
  const clippedAway = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const r = e.getBoundingClientRect();
      if (r.width <= 1 && r.height <= 1 && getComputedStyle(e).overflow !== "visible") return true;
    }
    return false;
  };
  // The colour behind el, or null when a background image is in the way.
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.backgroundImage !== "none") return null;
      const c = rgba(cs.backgroundColor);
      if (c.a > 0) layers.push(c);
      if (c.a >= 1) break;
    }
    return layers.reverse().reduce((bottom, top) => over(top, bottom), { r: 255, g: 255, b: 255, a: 1 });
  };
  const opacity = (el) => {
    let o = 1;
    for (let e = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity);
    return o;
  };
  let reported = 0;
  const judge = (el, what, words, cs) => {
    const o = opacity(el);
    if (o === 0) return;
    const bg = background(el);
    if (!bg) return;
    const fg = rgba(cs.color);
    fg.a *= o;
    if (fg.a === 0) return;
    const l1 = luminance(over(fg, bg));
    const l2 = luminance(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(cs.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
    const need = large ? 3 : 4.5;
    if (ratio < need && reported++ < 20) {
      const alpha = fg.a < 1 ? ` at ${Math.round(fg.a * 100)}%` : "";
      problems.push(`${describe(el)}${what} "${short(words)}" has contrast ${ratio.toFixed(2)}:1 (${show(fg)}${alpha} on ${show(bg)}), below ${need}:1`);
    }
  };
  for (const el of document.body.querySelectorAll("*")) {
    if (el instanceof SVGElement || ["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "OPTION"].includes(el.tagName)) continue;
    if (!rendered(el) || el.closest(":disabled") || clippedAway(el)) continue;
    const own = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join("").trim();
    if (own !== "") judge(el, "", own, getComputedStyle(el));
    // A placeholder is text on the page too, until something is typed.
    const hint = el.getAttribute("placeholder");
    if (hint && el.value === "") judge(el, " placeholder", hint, getComputedStyle(el, "::placeholder"));
  }
  return problems;
})()
