// The desk's small enhancements: keyboard shortcuts (switchable, remembered in this browser),
// who else has the ticket open (polled), and a macro's preview in place. Every page works
// without this file.
(function () {
  "use strict";
  var STORE = "supportdesk.desk.shortcuts";

  function shortcutsOn() {
    try { return window.localStorage.getItem(STORE) !== "off"; } catch (e) { return true; }
  }

  function typing(target) {
    var name = target && target.tagName;
    return name === "INPUT" || name === "TEXTAREA" || name === "SELECT" || (target && target.isContentEditable);
  }

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr.ticket-row")); }

  function select(step) {
    var all = rows();
    if (!all.length) { return; }
    var current = all.findIndex(function (row) { return row.classList.contains("selected"); });
    var next = Math.min(all.length - 1, Math.max(0, current + step));
    if (current >= 0) { all[current].classList.remove("selected"); }
    all[next].classList.add("selected");
    var link = all[next].querySelector("a.ticket-link");
    if (link) { link.focus(); }
  }

  function focus(id) {
    var field = document.getElementById(id);
    if (field) { field.focus(); field.scrollIntoView({ block: "center" }); return true; }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (!shortcutsOn() || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var handled = true;
    switch (event.key) {
      case "j": select(1); break;
      case "k": select(-1); break;
      case "r": handled = focus("reply-body"); break;
      case "n": handled = focus("note-body"); break;
      case "/": handled = focus("q"); break;
      case "?":
        var help = document.getElementById("shortcuts-help");
        if (help && help.showModal) { help.showModal(); } else { handled = false; }
        break;
      default: handled = false;
    }
    if (handled) { event.preventDefault(); }
  });

  function setUpToggle() {
    var toggle = document.getElementById("shortcuts-toggle");
    if (!toggle) { return; }
    toggle.checked = shortcutsOn();
    toggle.addEventListener("change", function () {
      try { window.localStorage.setItem(STORE, toggle.checked ? "on" : "off"); } catch (e) { /* private mode */ }
    });
  }

  function pollPresence() {
    var box = document.getElementById("presence");
    if (!box || !window.fetch) { return; }
    var url = box.getAttribute("data-url");
    window.setInterval(function () {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          var parsed = new DOMParser().parseFromString(html, "text/html");
          box.textContent = "";
          Array.prototype.forEach.call(parsed.body.childNodes, function (node) {
            box.appendChild(document.importNode(node, true));
          });
        })
        .catch(function () { /* offline for a moment: try again next time */ });
    }, 5000);
  }

  function macroPreview() {
    var form = document.getElementById("macro-form");
    var target = document.getElementById("macro-preview");
    if (!form || !target || !window.fetch || !window.FormData) { return; }
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || button.value !== "1") { return; }
      event.preventDefault();
      var data = new FormData(form);
      data.set("preview", "1");
      data.set("fragment", "1");
      fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var parsed = new DOMParser().parseFromString(html, "text/html");
          target.textContent = "";
          Array.prototype.forEach.call(parsed.body.childNodes, function (node) {
            target.appendChild(document.importNode(node, true));
          });
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpToggle();
    pollPresence();
    macroPreview();
  });
})();
