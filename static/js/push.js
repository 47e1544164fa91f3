/* The settings page's notifications on this device (templates/notices/notice_settings.html).
 *
 * Turning them on asks the browser's permission, subscribes through the service worker
 * (/sw.js, scope /, which shows the notifications: static/js/sw.js) with the server's
 * VAPID key, and gives the subscription to the server (notices:subscribe). Turning them
 * off unsubscribes and tells the server (notices:unsubscribe). Every sentence comes from
 * the page's data-text-* attributes, translated there.
 */
(function () {
  "use strict";
  var block = document.getElementById("push-block");
  if (!block) {
    return;
  }
  var data = block.dataset;
  var status = document.getElementById("push-status");
  var onButton = document.getElementById("push-on");
  var offButton = document.getElementById("push-off");

  // A failure whose sentence is for the person (the server's own, or one of the page's).
  function Shown(message) {
    this.message = message;
  }

  function say(message, kind) {
    status.textContent = message;
    status.className = "push-status" + (kind ? " " + kind : "");
  }

  function supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  if (!supported()) {
    say(data.textUnsupported, "refused");
    return;
  }

  // The VAPID public key is base64url; the browser takes its bytes.
  function keyBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    base64 += "===".slice(0, (4 - (base64.length % 4)) % 4);
    var raw = window.atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  var key = keyBytes(data.key);

  function sameKey(subscription) {
    var used = subscription.options && subscription.options.applicationServerKey;
    if (!used) {
      return true; // The browser does not say: keep the subscription.
    }
    var bytes = new Uint8Array(used);
    if (bytes.length !== key.length) {
      return false;
    }
    for (var i = 0; i < bytes.length; i += 1) {
      if (bytes[i] !== key[i]) {
        return false;
      }
    }
    return true;
  }

  // The endpoints the server has for this user (the list of devices under the buttons).
  function devices() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-endpoint]"));
  }

  function known(endpoint) {
    return devices().some(function (item) { return item.dataset.endpoint === endpoint; });
  }

  function show(subscription) {
    onButton.hidden = Boolean(subscription);
    offButton.hidden = !subscription;
    devices().forEach(function (item) {
      var mark = item.querySelector(".this-device");
      if (mark) {
        mark.hidden = !subscription || item.dataset.endpoint !== subscription.endpoint;
      }
    });
  }

  var READY_WITHIN_MS = 20000;

  function busy(on) {
    onButton.disabled = on;
    offButton.disabled = on;
  }

  // The worker that is there (cadres' pages register it), or registered now (staff's browsers).
  function registration(register) {
    if (!register) {
      return navigator.serviceWorker.getRegistration("/");
    }
    var ready = navigator.serviceWorker.register(data.swUrl, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    });
    // A worker that never becomes ready (its install stuck) must not leave the page waiting for ever.
    var late = new Promise(function (resolve, reject) {
      window.setTimeout(function () { reject(new Shown(data.textFailed)); }, READY_WITHIN_MS);
    });
    return Promise.race([ready, late]);
  }

  function askPermission() {
    if (Notification.permission === "granted") {
      return Promise.resolve("granted");
    }
    return new Promise(function (resolve) {
      // Older Safari answers through a callback only.
      var answer = Notification.requestPermission(resolve);
      if (answer && answer.then) {
        answer.then(resolve);
      }
    });
  }

  function post(url, body) {
    return window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": data.csrfToken },
      body: JSON.stringify(body),
    }).then(function (response) {
      // The login page (a session that ended) or a CSRF refusal answers in HTML: refused, with the page's words.
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (!response.ok || !answer || answer.ok !== true) {
          throw new Shown((answer && answer.error) || data.textRefused);
        }
        return answer;
      });
    }, function () {
      throw new Shown(data.textOffline);
    });
  }

  function failure(error) {
    if (error instanceof Shown) {
      return error.message;
    }
    // The browser's own error (its push service unreachable, say): the page's sentence, the detail after it.
    var detail = error && (error.message || error.name);
    return data.textFailed + (detail ? " (" + detail + ")" : "");
  }

  function subscription(reg) {
    return reg.pushManager.getSubscription().then(function (existing) {
      if (existing && sameKey(existing)) {
        return existing;
      }
      // One made with another server key (the key was changed) cannot be reused.
      return (existing ? existing.unsubscribe() : Promise.resolve()).then(function () {
        return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      });
    });
  }

  function turnOn() {
    busy(true);
    say(data.textWorking, "");
    askPermission().then(function (permission) {
      if (permission !== "granted") {
        throw new Shown(permission === "denied" ? data.textDenied : data.textDismissed);
      }
      return registration(true);
    }).then(subscription).then(function (made) {
      return post(data.subscribeUrl, made.toJSON()).then(function () { return made; });
    }).then(function (made) {
      show(made);
      say(data.textOn, "ok");
    }, function (error) {
      say(failure(error), "refused");
    }).then(function () { busy(false); });
  }

  function turnOff() {
    busy(true);
    say(data.textWorking, "");
    registration(false).then(function (reg) {
      return reg ? reg.pushManager.getSubscription() : null;
    }).then(function (existing) {
      if (!existing) {
        return null;
      }
      var endpoint = existing.endpoint;
      return existing.unsubscribe().then(function () {
        return post(data.unsubscribeUrl, { endpoint: endpoint });
      }).then(function () { return endpoint; });
    }).then(function (endpoint) {
      devices().forEach(function (item) {
        if (endpoint && item.dataset.endpoint === endpoint) {
          item.remove();
        }
      });
      show(null);
      say(data.textOff, "ok");
    }, function (error) {
      say(failure(error), "refused");
    }).then(function () { busy(false); });
  }

  onButton.addEventListener("click", turnOn);
  offButton.addEventListener("click", turnOff);

  // As things stand: on when this browser has a subscription the server knows of.
  registration(false).then(function (reg) {
    return reg ? reg.pushManager.getSubscription() : null;
  }).then(function (existing) {
    var on = existing && known(existing.endpoint) ? existing : null;
    show(on);
    if (on) {
      say(data.textOn, "ok");
    } else if (Notification.permission === "denied") {
      say(data.textDenied, "refused");
    }
  }, function () {
    show(null);
  });
})();
