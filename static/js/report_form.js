/* End-of-mission report: add recommendation rows without a page load. */
(function () {
  "use strict";
  var button = document.getElementById("add-recommendation");
  var rows = document.getElementById("recommendation-rows");
  var template = document.getElementById("recommendation-template");
  var total = document.querySelector("input[name='recommendations-TOTAL_FORMS']");
  if (!button || !rows || !template || !total) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var wrapper = document.createElement("div");
    wrapper.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var row = wrapper.firstElementChild;
    rows.appendChild(row);
    total.value = String(index + 1);
    var text = row.querySelector("textarea");
    if (text) {
      text.focus();
    }
  });
})();
