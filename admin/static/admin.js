// Boussole admin: the page works without this script; it only sends the
// CSRF token on script requests. Each part of the admin adds its own
// behaviour below, keyed on data- attributes.
"use strict";
function boussoleCSRF() { return document.body.dataset.csrf || ""; }

// Drafts save as you type: a form with data-autosave posts itself (the
// same request as its Save button) a moment after the last keystroke and
// shows the problems the server found, at their node and choice.
(function () {
  function post(form) {
    return fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { "Accept": "application/json", "X-CSRF-Token": boussoleCSRF() },
      credentials: "same-origin"
    }).then(function (res) {
      if (!res.ok) { throw new Error(String(res.status)); }
      return res.json();
    });
  }
  function item(text) {
    var li = document.createElement("li");
    li.textContent = text;
    return li;
  }
  function showProblems(form, problems) {
    var box = document.getElementById("problems");
    var status = document.getElementById("draft-status");
    var node = form.dataset.node || "";
    if (box) {
      box.replaceChildren();
      var p = document.createElement(problems.length ? "div" : "p");
      p.className = problems.length ? "problem" : "ok";
      if (problems.length) {
        var head = document.createElement("p");
        head.textContent = (box.dataset.many || "").replace("{n}", problems.length);
        var ul = document.createElement("ul");
        problems.forEach(function (pr) {
          ul.appendChild(item((pr.Node ? pr.Node + (pr.Choice >= 0 ? " · " + (pr.Choice + 1) : "") + " : " : "") + pr.Msg));
        });
        p.append(head, ul);
      } else {
        p.textContent = box.dataset.none || "";
      }
      box.appendChild(p);
    }
    form.querySelectorAll("[data-choice]").forEach(function (fs) {
      var slot = fs.querySelector(".choice-problems");
      if (!slot) { return; }
      slot.replaceChildren();
      problems.forEach(function (pr) {
        if (pr.Node === node && String(pr.Choice) === fs.dataset.choice) {
          var el = document.createElement("p");
          el.className = "problem";
          el.textContent = pr.Msg;
          slot.appendChild(el);
        }
      });
    });
    if (status && status.dataset.saved) { status.textContent = status.dataset.saved; }
  }
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var timer = null;
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        post(form).then(function (r) { showProblems(form, r.problems || []); }).catch(function () {
          var status = document.getElementById("draft-status");
          if (status && status.dataset.failed) { status.textContent = status.dataset.failed; }
        });
      }, 700);
    });
  });
})();

// The preview chat answers in place: a message or a button click is
// posted with fetch and the bot's replies are added to the log.
(function () {
  var log = document.getElementById("chat-log");
  if (!log) { return; }
  var text = document.getElementById("chat-text");
  function line(l) {
    if (l.Restarted) {
      var p = document.createElement("p");
      p.className = "hint restarted";
      p.textContent = l.Text;
      log.insertBefore(p, document.getElementById("chat-end"));
      return;
    }
    var div = document.createElement("div");
    div.className = "msg " + (l.Bot ? "bot" : "me");
    if (!l.Bot && log.dataset.you) {
      var you = document.createElement("span");
      you.className = "visually-hidden";
      you.textContent = log.dataset.you + " ";
      div.appendChild(you);
    }
    if (l.Note) {
      var note = document.createElement("p");
      note.className = "hint";
      note.textContent = l.Note;
      div.appendChild(note);
    }
    div.appendChild(document.createTextNode(l.Text));
    if (l.Choices && l.Choices.length) {
      var row = document.createElement("div");
      row.className = "buttons";
      l.Choices.forEach(function (c) {
        var f = document.createElement("form");
        f.method = "post";
        f.action = log.dataset.action;
        f.className = "inline";
        f.dataset.chat = "";
        [["csrf", boussoleCSRF()], ["payload", c.payload], ["label", c.label]].forEach(function (kv) {
          var i = document.createElement("input");
          i.type = "hidden"; i.name = kv[0]; i.value = kv[1];
          f.appendChild(i);
        });
        var b = document.createElement("button");
        b.type = "submit"; b.className = "secondary"; b.textContent = c.label;
        f.appendChild(b);
        bind(f);
        row.appendChild(f);
      });
      div.appendChild(row);
    }
    log.insertBefore(div, document.getElementById("chat-end"));
  }
  function bind(form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (form.dataset.busy) { return; }
      form.dataset.busy = "1";
      var body = new URLSearchParams(new FormData(form));
      var typed = form.contains(text) ? text.value : null;
      if (typed !== null) { text.value = ""; }
      fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRF-Token": boussoleCSRF() } })
        .then(function (res) { if (!res.ok) { throw new Error(String(res.status)); } return res.json(); })
        .then(function (r) {
          delete form.dataset.busy;
          // reset: the server started the trial again (the draft changed
          // in another tab): its lines replace the page's.
          var end = document.getElementById("chat-end");
          if (r.reset) {
            while (log.firstChild && log.firstChild !== end) { log.removeChild(log.firstChild); }
          }
          var empty = document.getElementById("chat-empty");
          if (empty) { empty.remove(); }
          (r.lines || []).forEach(line);
          log.scrollTop = log.scrollHeight;
          if (text) { text.focus(); }
        })
        .catch(function () {
          // Without an answer, the page's own form does it (and shows an
          // error page if the server failed): the typed text goes too.
          if (typed !== null) { text.value = typed; }
          form.submit();
        });
    });
  }
  document.querySelectorAll("form[data-chat]").forEach(bind);
  log.scrollTop = log.scrollHeight;
})();

// Tree editor (trees.go): the item search of a node's page answers in
// place, so the form being written stays on screen, and each item found
// gets a button per choice that adds its id to that choice's answer
// (the choice then shows items; the form saves itself as usual).
(function () {
  var search = document.querySelector("form[data-itemsearch]");
  var box = document.getElementById("found");
  var status = document.getElementById("pick-status");
  var form = document.querySelector("form[data-autosave][data-node]");
  if (!search || !box) { return; }
  function fill(s, id, n) { return s.replace("{id}", id).replace("{n}", n); }
  function pick(id, n) {
    var field = form && form.querySelector("[name='c" + n + "_answer']");
    var radio = form && form.querySelector("[name='c" + n + "_action'][value='answer']");
    if (!field || !radio) { return; }
    var ids = field.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
    if (ids.indexOf(id) < 0) { ids.push(id); }
    field.value = ids.join(", ");
    radio.checked = true;
    field.dispatchEvent(new Event("input", { bubbles: true }));
    if (status) { status.textContent = fill(box.dataset.added || "", id, n + 1); }
  }
  function buttons(li) {
    if (!form || !box.hasAttribute("data-edit")) { return; }
    var id = li.dataset.item;
    var span = document.createElement("span");
    span.className = "pick";
    for (var n = 0; n < Number(box.dataset.choices || 0); n++) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "secondary small";
      b.textContent = fill(box.dataset.button || "", id, n + 1);
      b.setAttribute("aria-label", fill(box.dataset.pick || "", id, n + 1));
      b.addEventListener("click", pick.bind(null, id, n));
      span.appendChild(b);
    }
    li.appendChild(span);
  }
  function show(found) {
    box.replaceChildren();
    var ul = document.createElement("ul");
    ul.className = "found";
    if (!found.length) {
      var none = document.createElement("li");
      none.textContent = box.dataset.none || "";
      ul.appendChild(none);
    } else {
      var hint = document.createElement("p");
      hint.className = "hint";
      hint.textContent = box.dataset.hint || "";
      box.appendChild(hint);
    }
    found.forEach(function (it) {
      var li = document.createElement("li");
      li.dataset.item = it.ID;
      var code = document.createElement("code");
      code.textContent = it.ID;
      li.append(code, " — " + it.Title + (it.Jurisdiction ? " (" + it.Jurisdiction + ")" : ""));
      buttons(li);
      ul.appendChild(li);
    });
    box.appendChild(ul);
  }
  box.querySelectorAll("li[data-item]").forEach(buttons);
  search.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = new URLSearchParams(new FormData(search));
    fetch(search.action + "?" + q.toString(), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (res) { if (!res.ok) { throw new Error(String(res.status)); } return res.json(); })
      .then(function (r) { show(r.found || []); })
      .catch(function () { search.submit(); });
  });
})();
