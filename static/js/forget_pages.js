/* On the login page (where logging out leads): the pages the service worker kept
 * for the last cadre are removed, so that nobody else opens them on this phone
 * without network. Notes waiting to be sent stay: they are kept per user by
 * note_form.js and go out when their cadre logs in again.
 * The browser's push subscription is dropped too, so that the last user's
 * notices stop showing on this device (the push service then answers the
 * server "gone", and the server forgets it).
 */
(function () {
  "use strict";
  if ("caches" in window) {
    window.caches.keys().then(function (keys) {
      return Promise.all(
        keys.filter(function (key) { return key.indexOf("donghanh-") === 0; })
          .map(function (key) { return window.caches.delete(key); })
      );
    }).catch(function () { return undefined; });
  }
  if ("serviceWorker" in navigator && "PushManager" in window) {
    navigator.serviceWorker.getRegistration("/").then(function (registration) {
      return registration && registration.pushManager.getSubscription();
    }).then(function (subscription) {
      return subscription && subscription.unsubscribe();
    }).catch(function () { return undefined; });
  }
})();
