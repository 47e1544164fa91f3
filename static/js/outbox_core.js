/* Đồng hành: the phone's outbox, shared by the pages (outbox.js) and the service worker (sw.js).
 *
 * Every cadre write (daily note, escalation, end-of-mission report) is first an entry
 * in IndexedDB "donghanh", store "outbox", and leaves it only when the server has
 * answered for it (reports/outbox.py says how it answers):
 *   - stored (200, ok): the entry is removed;
 *   - refused (400/409 with errors): the entry stays, state "refused", with the message;
 *   - anything else (no network, the login page, a server error): the entry waits,
 *     state "waiting", and is tried again after a growing pause.
 * An entry is {id (the submission key made on the phone), user, kind, intent, url,
 * page, label, day, fields: [[name, value]], files: [{name, blob, filename}], csrf,
 * createdAt, updatedAt, rev, attempts, nextAt, state, reason, message, errors}.
 * Entries with the same user and intent are one: saving again replaces the waiting one.
 * `rev` grows with each save, so that a send that answers after a newer save never
 * removes the newer text.
 */
(function (root) {
  "use strict";

  var DB_NAME = "donghanh";
  var DB_VERSION = 2;
  var STORE = "outbox";
  var LEGACY_PHOTOS = "photos"; // photos of the queue kept by earlier versions (note_form.js)
  var LOCK = "donghanh-outbox";
  var MIN_PAUSE = 5000;
  var MAX_PAUSE = 10 * 60 * 1000;
  var dbPromise = null;
  var listeners = [];
  var channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("donghanh-outbox") : null;
  var flushing = null;

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        if (!root.indexedDB) {
          reject(new Error("no IndexedDB"));
          return;
        }
        var opening = root.indexedDB.open(DB_NAME, DB_VERSION);
        opening.onupgradeneeded = function () {
          var db = opening.result;
          if (!db.objectStoreNames.contains(LEGACY_PHOTOS)) {
            db.createObjectStore(LEGACY_PHOTOS);
          }
          if (!db.objectStoreNames.contains(STORE)) {
            db.createObjectStore(STORE, { keyPath: "id" });
          }
        };
        opening.onerror = function () { reject(opening.error); };
        opening.onblocked = function () { reject(new Error("IndexedDB blocked")); };
        opening.onsuccess = function () {
          var db = opening.result;
          // Another tab opening a newer version: let it, and open again next time.
          db.onversionchange = function () { db.close(); dbPromise = null; };
          resolve(db);
        };
      });
      dbPromise.catch(function () { dbPromise = null; });
    }
    return dbPromise;
  }

  function withStore(name, mode, action) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode);
        var request = action(tx.objectStore(name));
        tx.oncomplete = function () { resolve(request ? request.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error || new Error("aborted")); };
      });
    });
  }

  function all() {
    return withStore(STORE, "readonly", function (store) { return store.getAll(); }).then(function (entries) {
      return (entries || []).sort(function (a, b) { return a.createdAt - b.createdAt; });
    });
  }

  function get(id) {
    return withStore(STORE, "readonly", function (store) { return store.get(id); });
  }

  function put(entry) {
    return withStore(STORE, "readwrite", function (store) { return store.put(entry); }).then(function () {
      notify({ type: "changed", id: entry.id });
      return entry;
    });
  }

  function remove(id) {
    return withStore(STORE, "readwrite", function (store) { return store.delete(id); }).then(function () {
      notify({ type: "changed", id: id });
    });
  }

  /* Read the entry and change it in one transaction, so that a save made meanwhile is never undone:
   * change(current) returns "delete", an entry to put, or nothing. Resolves to the entry as it was. */
  function settle(id, change) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, "readwrite");
        var store = tx.objectStore(STORE);
        var seen;
        store.get(id).onsuccess = function (event) {
          seen = event.target.result;
          var outcome = seen ? change(seen) : null;
          if (outcome === "delete") {
            store.delete(id);
          } else if (outcome) {
            store.put(outcome);
          }
        };
        tx.oncomplete = function () {
          notify({ type: "changed", id: id });
          resolve(seen);
        };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error || new Error("aborted")); };
      });
    });
  }

  function forUser(user) {
    return all().then(function (entries) {
      return entries.filter(function (entry) { return String(entry.user) === String(user); });
    });
  }

  function findByIntent(user, intent) {
    return forUser(user).then(function (entries) {
      return entries.filter(function (entry) { return entry.intent === intent; })[0] || null;
    });
  }

  /* What happened reaches this page's listeners and, through the channel, the other tabs and the worker. */
  function notify(message) {
    listeners.forEach(function (listener) { listener(message); });
    if (channel) {
      channel.postMessage(message);
    }
  }

  function subscribe(listener) {
    listeners.push(listener);
  }

  if (channel) {
    channel.onmessage = function (event) {
      listeners.forEach(function (listener) { listener(event.data); });
    };
  }

  function csrfToken(entry) {
    if (root.document) {
      var match = root.document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
      return Promise.resolve(match ? decodeURIComponent(match[1]) : entry.csrf);
    }
    if (root.cookieStore) {
      return root.cookieStore.get("csrftoken").then(
        function (cookie) { return cookie ? cookie.value : entry.csrf; },
        function () { return entry.csrf; }
      );
    }
    return Promise.resolve(entry.csrf);
  }

  /* One POST. Resolves to {ok, url} | {refused, errors, message} | {retry, reason}: never rejects. */
  function send(entry) {
    return csrfToken(entry).then(function (token) {
      var body = new FormData();
      entry.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
      (entry.files || []).forEach(function (file) { body.append(file.name, file.blob, file.filename || "photo.jpg"); });
      var headers = { Accept: "application/json", "X-Outbox-User": String(entry.user) };
      if (token) {
        headers["X-CSRFToken"] = token;
      }
      // A send that stalls on a bad network gives up, so that it does not hold the outbox for minutes:
      // 30 s, and 1 s more for every 10 kB of photo (400 kbit/s carries 50 kB a second).
      var size = (entry.files || []).reduce(function (total, file) { return total + (file.blob.size || 0); }, 0);
      var options = { method: "POST", body: body, headers: headers, credentials: "same-origin" };
      if (typeof AbortController === "function") {
        var controller = new AbortController();
        setTimeout(function () { controller.abort(); }, 30000 + size / 10);
        options.signal = controller.signal;
      }
      return fetch(entry.url, options);
    }).then(
      function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.status === 413 && type.indexOf("application/json") === -1) {
          // Too large for the server or a proxy in front of it: sending it again will never pass.
          return { refused: true, errors: {}, message: "", reason: "too_large" };
        }
        if (response.status === 404) {
          // What it was written for is gone (a note deleted by the office): sending it again will never pass.
          return { refused: true, errors: {}, message: "", reason: "gone" };
        }
        if (type.indexOf("application/json") === -1) {
          // An HTML answer: the login page after the session ended, a refused CSRF token, a server error page.
          var login = (response.redirected && response.url.indexOf("/accounts/login/") !== -1) || response.status === 403;
          return { retry: true, reason: login ? "login" : "server" };
        }
        return response.json().then(function (data) {
          if (data.ok) {
            return { ok: true, url: data.url, message: data.message };
          }
          if (data.retry) {
            return { retry: true, reason: data.code || "server" };
          }
          if ((response.status === 400 || response.status === 409 || response.status === 413) && data.errors) {
            return { refused: true, errors: data.errors, message: data.message || "", reason: "refused" };
          }
          return { retry: true, reason: "server" };
        }, function () {
          return { retry: true, reason: "server" };
        });
      },
      function () {
        return { retry: true, reason: "network" };
      }
    );
  }

  function pauseAfter(attempts) {
    return Math.min(MIN_PAUSE * Math.pow(2, Math.max(attempts - 1, 0)), MAX_PAUSE);
  }

  /* Send one entry and record the answer on it; resolves to the result. */
  function deliver(entry) {
    var rev = entry.rev;
    return send(entry).then(function (result) {
      return settle(entry.id, function (current) {
        if (result.ok) {
          if (current.rev === rev) {
            return "delete";
          }
          // Saved again meanwhile: the newer text goes next, as a change of what was just stored.
          current.attempts = 0;
          current.nextAt = 0;
          return current;
        }
        if (current.rev !== rev) {
          return null; // the answer is about a text that is no longer the one waiting
        }
        if (result.refused) {
          current.state = "refused";
          current.errors = result.errors;
          current.message = result.message;
          current.reason = result.reason;
        } else {
          current.state = "waiting";
          current.reason = result.reason;
          current.attempts = (current.attempts || 0) + 1;
          current.nextAt = Date.now() + pauseAfter(current.attempts);
        }
        current.triedAt = Date.now();
        return current;
      }).then(function (seen) {
        var type = result.ok ? "sent" : result.refused ? "refused" : "waiting";
        // pending: a newer text of the same entry still waits.
        var pending = !!seen && seen.rev !== rev;
        notify({ type: type, id: entry.id, intent: entry.intent, user: entry.user, url: result.url, kind: entry.kind, reason: result.reason, pending: pending });
        result.pending = pending;
        return result;
      });
    });
  }

  function withLock(wait, work) {
    if (root.navigator && root.navigator.locks) {
      return root.navigator.locks.request(LOCK, wait ? {} : { ifAvailable: true }, function (lock) {
        return lock ? work() : { busy: true };
      });
    }
    if (flushing) {
      return wait ? flushing.then(work) : Promise.resolve({ busy: true });
    }
    flushing = work().then(function (value) { flushing = null; return value; }, function (error) { flushing = null; throw error; });
    return flushing;
  }

  /* Send what waits, oldest first. options: user (null for every user: the worker), force (even before
   * the pause is over), only (an entry id). Stops at the first network failure. One tab at a time. */
  function flush(options) {
    options = options || {};
    return withLock(!!options.force, function () {
      var summary = { sent: 0, refused: 0, waiting: 0, results: {} };
      return all().then(function (entries) {
        var due = entries.filter(function (entry) {
          if (options.user !== null && options.user !== undefined && String(entry.user) !== String(options.user)) {
            return false;
          }
          if (options.only) {
            return entry.id === options.only; // "send now", a refused entry included
          }
          return entry.state !== "refused" && (options.force || options.only || !entry.nextAt || entry.nextAt <= Date.now());
        });
        function next(index) {
          if (index >= due.length) {
            return summary;
          }
          return deliver(due[index]).then(function (result) {
            summary.results[due[index].id] = result;
            if (result.ok) {
              summary.sent += 1;
            } else if (result.refused) {
              summary.refused += 1;
            } else {
              summary.waiting += 1;
              if (result.reason === "network") {
                summary.waiting += due.length - index - 1;
                return summary;
              }
            }
            return next(index + 1);
          });
        }
        return next(0);
      });
    });
  }

  root.DonghanhOutbox = {
    openDb: openDb,
    all: all,
    get: get,
    put: put,
    remove: remove,
    forUser: forUser,
    findByIntent: findByIntent,
    flush: flush,
    subscribe: subscribe,
    notify: notify,
    legacyPhoto: function (id) {
      return withStore(LEGACY_PHOTOS, "readonly", function (store) { return store.get(id); });
    },
    dropLegacyPhoto: function (id) {
      return withStore(LEGACY_PHOTOS, "readwrite", function (store) { return store.delete(id); });
    }
  };
})(self);
