/* reflexgen — the subscribe page's « Copier » buttons. Without this file each address is still
   in a read-only field, to select and copy by hand; the buttons stay hidden. No dependencies,
   no inline script: it runs under a strict Content-Security-Policy. */
(function () {
  "use strict";

  var status = document.querySelector(".subscribe__status");
  if (!navigator.clipboard || !status) {
    return;
  }
  var buttons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      field.select();
      navigator.clipboard.writeText(field.value).then(function () {
        status.textContent = status.getAttribute("data-copied") + " " + field.value;
      }, function () {
        status.textContent = "";  /* refused: the address stays selected, to copy by hand */
      });
    });
  });
}());
