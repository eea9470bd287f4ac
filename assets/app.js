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
// Completions from the bank's own words and titles (/api/suggest) in a
// <datalist> on the search box: the browser shows them and they are chosen
// with the arrow keys and Enter, or ignored; without this file nothing is lost.
(function () {
  "use strict";
  var box = document.getElementById("q");
  if (!box || !window.fetch) { return; }
  var list = document.createElement("datalist");
  list.id = "q-suggestions";
  box.parentNode.appendChild(list);
  box.setAttribute("list", list.id);
  var timer = null;
  var asked = "";
  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var typed = box.value;
      if (typed === asked) { return; }
      asked = typed;
      var words = typed.trim().split(/\s+/);
      if (!words.length || words[words.length - 1].length < 2) { list.textContent = ""; return; }
      fetch("/api/suggest?q=" + encodeURIComponent(typed))
        .then(function (res) { return res.ok ? res.json() : { suggestions: [] }; })
        .then(function (body) {
          if (box.value !== typed) { return; }
          list.textContent = "";
          body.suggestions.forEach(function (s) {
            var option = document.createElement("option");
            option.value = s.text;
            list.appendChild(option);
          });
        })
        .catch(function () { list.textContent = ""; });
    }, 150);
  });
})();
