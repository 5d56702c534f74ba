// Chair view: the arrow keys (or N and P) press the "Next patient" / "Previous patient"
// control, unless the person is typing in a form field. Without JavaScript the controls are
// ordinary buttons and links.
document.addEventListener("keydown", function (event) {
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
  var target = event.target;
  if (target && target.closest && target.closest("input, textarea, select, [contenteditable]")) {
    return;
  }
  var key = {ArrowRight: "next", n: "next", N: "next", ArrowLeft: "prev", p: "prev", P: "prev"}[event.key];
  if (!key) { return; }
  var control = document.querySelector('[data-key="' + key + '"]');
  if (control) {
    event.preventDefault();
    control.click();
  }
});
