// Agenda: follow the chair without reloading. Every few seconds (while the page is visible)
// ask which case the meeting is discussing; when it changes, move the highlight to that row
// and say so in the "Now discussing" notice (read out politely by screen readers). Without
// JavaScript the notice keeps its "Refresh" link.
(function () {
  var notice = document.getElementById("now-discussing");
  if (!notice || !window.fetch) { return; }
  var url = notice.getAttribute("data-follow");
  var current = notice.getAttribute("data-case-id") || "";
  var text = notice.querySelector(".now-discussing__text");
  var follow = notice.querySelector(".now-discussing__follow");
  var EVERY_MS = 4000;

  function rowOf(caseId) {
    var number = document.getElementById("case-" + caseId);
    return number ? number.closest("tr") : null;
  }

  function show(caseId) {
    document.querySelectorAll(".now-discussing-row").forEach(function (row) {
      row.classList.remove("now-discussing-row");
    });
    if (!caseId) { notice.hidden = true; return; }
    var row = rowOf(caseId);
    notice.hidden = false;
    if (!row) {  // not among the rows shown (a filter, or a change to the list)
      text.textContent = "The chair has moved on to another patient.";
      follow.hidden = false;
      return;
    }
    row.classList.add("now-discussing-row");
    var number = document.getElementById("case-" + caseId).textContent.trim();
    var link = row.querySelector("td a[href^='/cases/']");
    var ref = row.querySelector(".patient-ref");
    text.textContent = "";
    var label = document.createElement("strong");
    label.textContent = "Now discussing:";
    text.appendChild(label);
    text.appendChild(document.createTextNode(" " + number + " "));
    var copy = document.createElement("a");
    copy.href = link.getAttribute("href");
    copy.textContent = link.textContent;
    text.appendChild(copy);
    if (ref) { text.appendChild(document.createTextNode(" (" + ref.textContent.split(" - ")[0] + ").")); }
    follow.hidden = true;  // the page follows by itself
  }

  function poll() {
    if (document.hidden) { return; }
    fetch(url, {credentials: "same-origin", cache: "no-store",
                headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        var next = state.case_id === null ? "" : String(state.case_id);
        if (next !== current) { current = next; show(next); }
        if (!state.open) { window.clearInterval(timer); }
      })
      .catch(function () {});  // offline for a moment: the next poll tries again
  }

  if (current) { follow.hidden = true; }
  var timer = window.setInterval(poll, EVERY_MS);
  document.addEventListener("visibilitychange", poll);
})();
