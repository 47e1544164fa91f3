/* On the login page (where logging out leads): the pages the service worker kept
 * for the last cadre are removed, so that nobody else opens them on this phone
 * without network. Notes waiting to be sent stay: they are kept per user by
 * note_form.js and go out when their cadre logs in again.
 */
(function () {
  "use strict";
  if (!("caches" in window)) {
    return;
  }
  window.caches.keys().then(function (keys) {
    return Promise.all(
      keys.filter(function (key) { return key.indexOf("donghanh-") === 0; })
        .map(function (key) { return window.caches.delete(key); })
    );
  }).catch(function () { return undefined; });
})();
