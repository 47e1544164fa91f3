// The decision form (and the quota form, and every cadre picker: cadres/forms/cadre_picker.py):
// suggestions for the cadre and locality inputs, and "Add a row" without a page reload.
// Without JavaScript the form still works: six empty rows, and codes typed by hand.
(function () {
  "use strict";

  var MIN_LENGTH = 2;
  var DELAY_MS = 250;
  var timers = new WeakMap();
  var lastQuery = new WeakMap();

  function rowOf(input) {
    return input.closest("fieldset") || document;
  }

  function fill(datalist, results) {
    while (datalist.firstChild) {
      datalist.removeChild(datalist.firstChild);
    }
    results.forEach(function (result) {
      var option = document.createElement("option");
      option.value = result.value;
      option.textContent = result.label;
      datalist.appendChild(option);
    });
  }

  function search(input) {
    var text = input.value.trim();
    var datalist = document.getElementById(input.getAttribute("list"));
    if (!datalist || text.length < MIN_LENGTH) {
      return;
    }
    var params = new URLSearchParams({ q: text });
    var start = rowOf(input).querySelector("input[name$='starts_on']");
    if (start && start.value) {
      params.set("day", start.value);
    }
    var query = params.toString();
    if (lastQuery.get(input) === query) {
      return;
    }
    lastQuery.set(input, query);
    fetch(input.dataset.search + "?" + query, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : { results: [] };
      })
      .then(function (data) {
        // Only the answer to what is typed now: a slow earlier answer is dropped.
        if (lastQuery.get(input) === query) {
          fill(datalist, data.results || []);
        }
      })
      .catch(function () {
        // Offline or refused: the input still accepts a code typed by hand.
      });
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.dataset.search) {
      return;
    }
    clearTimeout(timers.get(input));
    timers.set(
      input,
      setTimeout(function () {
        search(input);
      }, DELAY_MS)
    );
  });

  var addButton = document.getElementById("add-row");
  var template = document.getElementById("decision-row-template");
  var rows = document.getElementById("decision-rows");
  var total = document.querySelector("input[name$='-TOTAL_FORMS']");
  var maximum = document.querySelector("input[name$='-MAX_NUM_FORMS']");
  if (!addButton || !template || !rows || !total) {
    return;
  }
  addButton.hidden = false;
  addButton.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    if (maximum && index >= parseInt(maximum.value, 10)) {
      addButton.disabled = true;
      return;
    }
    var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    rows.appendChild(row);
    total.value = String(index + 1);
    var first = row.querySelector("input:not([type='hidden'])");
    if (first) {
      first.focus();
    }
  });
})();
