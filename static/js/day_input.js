// Day inputs (data-day-input): typing 02092021 gives 02/09/2021. Only digits typed at the
// end are grouped; the user's own "/", deletions and other forms are left as they are.
(function () {
  "use strict";

  var DIGITS = /^(\d\d)\/?(\d\d)?\/?(\d{0,4})$/;

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-day-input")) {
      return;
    }
    if (/^delete/.test(event.inputType || "") || input.selectionEnd !== input.value.length) {
      return;
    }
    var match = DIGITS.exec(input.value);
    if (!match) {
      return;
    }
    var parts = [match[1]];
    if (match[2]) {
      parts.push(match[2]);
    }
    if (match[3]) {
      parts.push(match[3]);
    }
    var value = parts.join("/");
    // Slashes are only ever added, so the caret stays at the end.
    if (value.length > input.value.length) {
      input.value = value;
    }
  });
})();
