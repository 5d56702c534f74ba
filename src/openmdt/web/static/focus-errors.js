// After a form is refused, bring its error summary into view and give it the focus, so a
// keyboard or screen-reader user starts there. Without JavaScript the form's action ends in
// #error-summary, so the browser scrolls to it all the same.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.scrollIntoView({block: "start"});
    summary.focus();
  }
});
