// Boussole admin, item form: saves the draft as the editor types (after
// a pause), then shows the validator's problems beside their fields and
// the bot's answer in the preview. Without this script the form's Save
// button does the same on a page reload.
"use strict";
(function () {
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch) { return; }
  var status = document.getElementById("item-save-status");
  var preview = document.getElementById("item-preview");
  var timer = null;
  var running = false;
  var again = false;

  function show(list, errors, warnings) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    (errors || []).forEach(function (m) { add(list, "problem", m); });
    (warnings || []).forEach(function (m) { add(list, "warn", m); });
  }
  function add(list, cls, text) {
    var li = document.createElement("li");
    li.className = cls;
    li.textContent = text;
    list.appendChild(li);
  }

  function save() {
    if (running) { again = true; return; }
    running = true;
    var body = new URLSearchParams(new FormData(form));
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": document.body.dataset.csrf || "", "Accept": "application/json" },
      body: body
    }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    }).then(function (reply) {
      var fields = reply.fields || {}, warnings = reply.warnings || {};
      form.querySelectorAll("[data-problems-for]").forEach(function (list) {
        var name = list.dataset.problemsFor;
        if (name === "") { show(list, reply.general, []); return; }
        show(list, fields[name], warnings[name]);
      });
      if (preview && typeof reply.preview === "string") {
        // HTML written by the server's template, every text escaped there.
        preview.innerHTML = reply.preview;
      }
      if (status) { status.textContent = reply.saved || ""; }
    }).catch(function () {
      if (status) { status.textContent = form.dataset.saveFailed || ""; }
    }).finally(function () {
      running = false;
      if (again) { again = false; save(); }
    });
  }

  function later() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 700);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
