// Upload page: drag-and-drop and a progress bar per file. Each file goes in
// its own request to POST /api/v1/uploads, two at a time, so one bad or slow
// file never holds up the others. Without this script the form still posts.
"use strict";

(() => {
  const form = document.getElementById("upload-form");
  const input = document.getElementById("upload-files");
  const zone = document.getElementById("drop-zone");
  const section = document.getElementById("upload-progress");
  const list = document.getElementById("upload-list");
  const done = document.getElementById("upload-done");
  if (!form || !input || !zone || !list) return;

  const token = document.querySelector('meta[name="csrf-token"]').content;
  const queue = [];
  let running = 0;
  let accepted = 0;

  function addFiles(files) {
    for (const file of files) {
      const item = document.createElement("li");
      item.className = "upload-item";
      const name = document.createElement("span");
      name.className = "upload-name";
      name.textContent = file.name;
      const bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", "Uploading " + file.name);
      const status = document.createElement("span");
      status.className = "upload-status";
      status.setAttribute("role", "status");
      status.textContent = "waiting";
      item.append(name, bar, status);
      list.append(item);
      queue.push({ file, bar, status, item });
    }
    section.hidden = false;
    pump();
  }

  function pump() {
    while (running < 2 && queue.length > 0) {
      send(queue.shift());
    }
  }

  function finish(job, ok, message, link) {
    running--;
    job.item.classList.add(ok ? "upload-ok" : "upload-error");
    job.bar.value = 100;
    job.status.textContent = message;
    if (link) {
      const a = document.createElement("a");
      a.href = link;
      a.textContent = "describe it";
      job.status.append(" — ", a);
    }
    if (ok) {
      accepted++;
      done.hidden = false;
    }
    pump();
  }

  function send(job) {
    running++;
    job.status.textContent = "uploading";
    const data = new FormData();
    data.append("files", job.file, job.file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/uploads");
    xhr.setRequestHeader("X-CSRF-Token", token);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) job.bar.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.addEventListener("load", () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
      if (body && body.images && body.images.length > 0) {
        finish(job, true, "accepted", body.images[0].url);
      } else if (body && body.errors && body.errors.length > 0) {
        finish(job, false, body.errors[0].message);
      } else if (body && body.error) {
        finish(job, false, body.error.message);
      } else {
        finish(job, false, "failed (" + xhr.status + ")");
      }
    });
    xhr.addEventListener("error", () => finish(job, false, "network error — try again"));
    xhr.send(data);
  }

  input.addEventListener("change", () => {
    addFiles(input.files);
    input.value = "";
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    addFiles(input.files);
  });
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (e) => { e.preventDefault(); zone.classList.add("drop-active"); });
  }
  for (const type of ["dragleave", "drop"]) {
    zone.addEventListener(type, () => zone.classList.remove("drop-active"));
  }
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files) addFiles(e.dataTransfer.files);
  });
})();
