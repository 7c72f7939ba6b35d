// The desk's keyboard shortcuts (switchable, remembered in this browser). Presence polling and
// the macro preview are htmx attributes in the pages; every page works without scripts.
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

  document.addEventListener("DOMContentLoaded", function () {
    setUpToggle();
  });
})();
