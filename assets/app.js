// tietopankki: small enhancements; the page works without this file.
(function () {
  "use strict";
  // Show the "updated" time in the reader's own time zone.
  document.querySelectorAll("time[data-local]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when.getTime())) { return; }
    var lang = el.getAttribute("data-local") || document.documentElement.lang;
    var now = new Date();
    var time = when.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
    el.textContent = when.toDateString() === now.toDateString()
      ? time
      : when.toLocaleDateString(lang) + " " + time;
  });
  // "/" focuses the search box (unless typing somewhere already).
  var box = document.getElementById("q");
  document.addEventListener("keydown", function (event) {
    if (!box || event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var tag = (document.activeElement && document.activeElement.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") { return; }
    event.preventDefault();
    box.focus();
    box.select();
  });
})();
