/* Registers the service worker that keeps the cadre's pages available offline. */
(function () {
  "use strict";
  var script = document.currentScript;
  var url = (script && script.dataset.swUrl) || "/sw.js";
  if (!("serviceWorker" in navigator)) {
    return;
  }
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(url, { scope: "/" }).catch(function () {
      // Without a service worker the pages still work online; the note queue still works.
    });
  });
})();
