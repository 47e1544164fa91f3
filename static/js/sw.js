/* Đồng hành service worker: the cadre's pages open without network.
 *
 * The /sw.js view writes SHELL_URLS (my mission, the note page, the CSS, JS and
 * icons under their static URLs) and CACHE_VERSION in front of this file.
 * Pages under /me/ are network-first with the cached copy as fallback; static
 * files are served from the cache and refreshed in the background. POSTs are
 * never touched: every cadre write waits in the outbox (outbox_core.js) until
 * the server has answered for it, and Background Sync sends it from here when
 * the browser has it (OUTBOX_CORE is that file's URL).
 * A Web Push message (notices/sending.py) is shown as a notification even
 * with the app closed; a tap on it opens its notice (NOTICE_ICON, NOTICE_BADGE
 * and NOTICES_PAGE come from the /sw.js view too).
 */
/* global SHELL_URLS, CACHE_VERSION, OUTBOX_CORE, NOTICE_ICON, NOTICE_BADGE, NOTICES_PAGE */
"use strict";

var SHELL = typeof SHELL_URLS !== "undefined" ? SHELL_URLS : [];
var CACHE = "donghanh-" + (typeof CACHE_VERSION !== "undefined" ? CACHE_VERSION : "dev");
var CADRE_PAGES = "/me/";
var HOME_PAGE = SHELL.length ? SHELL[0] : "/me/";

if (typeof OUTBOX_CORE !== "undefined") {
  importScripts(OUTBOX_CORE);
}

function keep(cache, url, response) {
  // A redirected answer (e.g. the login page) must not stand in for the page asked for.
  if (response && response.ok && !response.redirected && response.type === "basic") {
    return cache.put(url, response);
  }
  // Not kept (a staff member's browser is refused the cadre's pages): the body is let go, or its connection
  // stays taken and the next fetches of the install wait for it.
  if (response && response.body && !response.bodyUsed) {
    return response.body.cancel().catch(function () { return undefined; });
  }
  return undefined;
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(
        SHELL.map(function (url) {
          return fetch(url, { credentials: "same-origin" })
            .then(function (response) { return keep(cache, url, response); })
            .catch(function () { return undefined; });
        })
      );
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(
        keys.filter(function (key) { return key.indexOf("donghanh-") === 0 && key !== CACHE; })
          .map(function (key) { return caches.delete(key); })
      );
    }).then(function () { return self.clients.claim(); })
  );
});

function offlinePage(request) {
  var url = new URL(request.url);
  return caches.match(request).then(function (hit) {
    if (hit) {
      return hit;
    }
    // /me/notes/new/?day=... falls back to the same page without its query, then to my mission.
    return caches.match(url.pathname).then(function (byPath) {
      return byPath || caches.match(HOME_PAGE);
    });
  }).then(function (response) {
    return response || new Response("Không có mạng: trang này chưa được lưu trên máy. / Offline: this page is not saved on the phone.", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return;
  }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    if (url.pathname.indexOf(CADRE_PAGES) !== 0) {
      return;
    }
    event.respondWith(
      fetch(request).then(function (response) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { return keep(cache, request, copy); });
        return response;
      }).catch(function () { return offlinePage(request); })
    );
    return;
  }
  // Static files from the cache; a cadre page fetched by a script (My mission read again after a send)
  // goes to the network like a navigation, never to the copy kept for offline use.
  var keptPage = url.pathname.indexOf(CADRE_PAGES) === 0;
  if ((SHELL.indexOf(url.pathname) !== -1 && !keptPage) || url.pathname.indexOf("/static/") === 0) {
    event.respondWith(
      caches.open(CACHE).then(function (cache) {
        return cache.match(request).then(function (hit) {
          var fresh = fetch(request).then(function (response) {
            keep(cache, request, response.clone());
            return response;
          });
          if (hit) {
            fresh.catch(function () { return undefined; });
            return hit;
          }
          return fresh;
        });
      })
    );
  }
});

/* Background Sync: the browser wakes the worker when the network returns, even with the app closed.
 * Every user's entries are sent; the server keeps another user's waiting (reports/outbox.py). */
self.addEventListener("sync", function (event) {
  if (event.tag !== "donghanh-outbox" || !self.DonghanhOutbox) {
    return;
  }
  event.waitUntil(
    self.DonghanhOutbox.flush({ user: null, force: true }).then(function (summary) {
      if (summary && summary.waiting) {
        throw new Error("Entries still wait: the browser tries again later.");
      }
    })
  );
});

/* A page asks for the forms it links to to be kept (outbox.js, on My mission): fetched once, if not kept yet. */
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "keep" || !Array.isArray(data.urls)) {
    return;
  }
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(data.urls.slice(0, 12).map(function (href) {
        var url = new URL(href, self.location.origin);
        if (url.origin !== self.location.origin || url.pathname.indexOf(CADRE_PAGES) !== 0) {
          return undefined;
        }
        return cache.match(url.href).then(function (hit) {
          if (hit) {
            return undefined;
          }
          return fetch(url.href, { credentials: "same-origin" })
            .then(function (response) { return keep(cache, url.href, response); })
            .catch(function () { return undefined; });
        });
      }));
    })
  );
});

/* Web Push: the server sends {title, body, url, tag} (notices/sending.py). Whatever arrives, something is
 * shown: Chrome counts a push without a notification against the site. */
var NOTICES = typeof NOTICES_PAGE !== "undefined" ? NOTICES_PAGE : "/notices/";

function sitePath(value) {
  // Only a path of this site: "//host/…", "/\\host" and absolute URLs would lead elsewhere.
  if (typeof value !== "string" || value.charAt(0) !== "/" || value.charAt(1) === "/" || value.charAt(1) === "\\") {
    return NOTICES;
  }
  var url = new URL(value, self.location.origin);
  return url.origin === self.location.origin ? url.pathname + url.search + url.hash : NOTICES;
}

function asText(value) {
  return typeof value === "string" ? value : "";
}

self.addEventListener("push", function (event) {
  var message = null;
  try {
    message = event.data ? event.data.json() : null;
  } catch (error) {
    message = null;
  }
  if (!message || typeof message !== "object" || Array.isArray(message)) {
    message = {};
  }
  var title = asText(message.title);
  var body = asText(message.body);
  if (!title) {
    // Not the server's message: the app's name, and that something waits in it.
    title = "Đồng hành";
    body = body || "Có thông báo mới.";
  }
  var options = {
    body: body,
    data: { url: sitePath(message.url) },
    icon: typeof NOTICE_ICON !== "undefined" ? NOTICE_ICON : undefined,
    badge: typeof NOTICE_BADGE !== "undefined" ? NOTICE_BADGE : undefined,
  };
  if (asText(message.tag)) {
    options.tag = message.tag;
  }
  event.waitUntil(self.registration.showNotification(title, options));
});

/* A tap on the notification: the site's open window goes to the notice (its page marks it read and leads on
 * to what it tells of), or a new window opens there. */
self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = sitePath(event.notification.data && event.notification.data.url);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
      var open = windows.filter(function (client) { return new URL(client.url).origin === self.location.origin; });
      if (!open.length) {
        return self.clients.openWindow(url);
      }
      var client = open.filter(function (each) { return each.focused; })[0] || open[0];
      // Focus first, while the tap still allows it; a window this worker does not control cannot be
      // navigated, and a new one opens instead.
      var focusing = client.focus ? client.focus().catch(function () { return client; }) : Promise.resolve(client);
      return focusing.then(function () { return client.navigate(url); })
        .catch(function () { return self.clients.openWindow(url); });
    })
  );
});
