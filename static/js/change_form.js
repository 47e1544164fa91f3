// The change of an administrative unit (templates/localities/locality_change.html): only the fields of the
// kind of change chosen show (data-change-kinds, localities/forms.py FIELDS_OF_KIND); the others are hidden
// and disabled, so what is sent is what is seen. A field changed after the preview disables "Confirm and
// record" until the form is previewed again. Without JavaScript every field shows and the server reads
// those of the kind chosen.
(function () {
  "use strict";

  var form = document.getElementById("change-form");
  if (!form) {
    return;
  }

  function chosenKind() {
    var checked = form.querySelector("input[name='kind']:checked");
    return checked ? checked.value : "";
  }

  function showFieldsOf(kind) {
    var seen = [];
    form.querySelectorAll("[data-change-kinds]").forEach(function (control) {
      var field = control.closest(".field");
      if (!field || seen.indexOf(field) !== -1) {
        return;
      }
      seen.push(field);
      var shown = control.getAttribute("data-change-kinds").split(" ").indexOf(kind) !== -1;
      field.hidden = !shown;
      field.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.disabled = !shown;
      });
    });
  }

  function previewIsStale() {
    document.querySelectorAll("button[data-confirm]").forEach(function (button) {
      button.disabled = true;
    });
    var note = document.getElementById("confirm-stale");
    if (note) {
      note.hidden = false;
    }
  }

  showFieldsOf(chosenKind());
  form.addEventListener("change", function (event) {
    if (event.target.name === "kind") {
      showFieldsOf(chosenKind());
    }
    previewIsStale();
  });
  form.addEventListener("input", previewIsStale);
})();
