/* Đồng hành: nothing typed in the daily note is lost.
 *
 * - Draft: every input is saved to localStorage under "<data-draft-prefix><day>"
 *   (e.g. "donghanh:draft:12:2021-08-20"), restored when the page opens, and
 *   removed once the server has confirmed the note.
 * - Submission: sent with fetch (Accept: application/json). When the phone is
 *   offline or the request fails for lack of network, it is queued in
 *   localStorage under "donghanh:queue:<user id>" (the photo in IndexedDB
 *   "donghanh", store "photos", keyed by the submission's client_key) and the
 *   element #note-queue-status shows "waiting to send (N)".
 * - The queue is sent on the "online" event and on every page that loads this
 *   file, with the same client_key, so the server stores exactly one note.
 */
(function () {
  "use strict";

  var DB_NAME = "donghanh";
  var PHOTO_STORE = "photos";
  var INLINE_PHOTO_LIMIT = 1500000; // bytes of data URL kept in localStorage when IndexedDB is missing

  var form = document.getElementById("note-form");
  var queueStatus = document.getElementById("note-queue-status");
  var formStatus = document.getElementById("note-form-status");
  var queueKey = (form && form.dataset.queueKey) || (queueStatus && queueStatus.dataset.queueKey);
  if (!queueKey) {
    return;
  }
  var flushing = false;

  function uuid4() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function localToday() {
    var now = new Date();
    var month = String(now.getMonth() + 1).padStart(2, "0");
    var day = String(now.getDate()).padStart(2, "0");
    return now.getFullYear() + "-" + month + "-" + day;
  }

  function readJSON(key, fallback) {
    try {
      var value = window.localStorage.getItem(key);
      return value ? JSON.parse(value) : fallback;
    } catch (error) {
      return fallback;
    }
  }

  function writeJSON(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
      return true;
    } catch (error) {
      return false;
    }
  }

  function readQueue() {
    return readJSON(queueKey, []);
  }

  /* Photos wait in IndexedDB: localStorage holds a few megabytes at most. */
  function withStore(mode, action) {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) {
        reject(new Error("no IndexedDB"));
        return;
      }
      var opening = window.indexedDB.open(DB_NAME, 1);
      opening.onupgradeneeded = function () {
        opening.result.createObjectStore(PHOTO_STORE);
      };
      opening.onerror = function () { reject(opening.error); };
      opening.onsuccess = function () {
        var db = opening.result;
        var tx = db.transaction(PHOTO_STORE, mode);
        var request = action(tx.objectStore(PHOTO_STORE));
        tx.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      };
    });
  }

  function keepPhoto(key, file) {
    return withStore("readwrite", function (store) {
      return store.put({ blob: file, name: file.name, type: file.type }, key);
    });
  }

  function loadPhoto(item) {
    if (item.photo === "idb") {
      return withStore("readonly", function (store) { return store.get(item.id); }).then(function (stored) {
        return stored ? new File([stored.blob], stored.name || "photo.jpg", { type: stored.type }) : null;
      });
    }
    if (item.photo === "dataurl" && item.photoData) {
      // Decoded by hand: the Content-Security-Policy does not allow fetching data: URLs.
      var parts = item.photoData.split(",");
      var type = (parts[0].match(/^data:([^;]+)/) || [])[1] || "image/jpeg";
      var binary = window.atob(parts[1] || "");
      var bytes = new Uint8Array(binary.length);
      for (var i = 0; i < binary.length; i += 1) {
        bytes[i] = binary.charCodeAt(i);
      }
      return Promise.resolve(new File([bytes], item.photoName || "photo.jpg", { type: type }));
    }
    return Promise.resolve(null);
  }

  function dropPhoto(item) {
    if (item.photo === "idb") {
      withStore("readwrite", function (store) { return store.delete(item.id); }).catch(function () {});
    }
  }

  function asDataUrl(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(file);
    });
  }

  function csrfToken(fallback) {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : fallback;
  }

  /* One POST. Resolves to {ok, note} | {errors} | {retry, login?}: never rejects. */
  function send(item, photo) {
    var body = new FormData();
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    if (photo) {
      body.append("photo", photo, photo.name || "photo.jpg");
    }
    var headers = { Accept: "application/json" };
    var token = csrfToken(item.csrf);
    if (token) {
      headers["X-CSRFToken"] = token;
    }
    return fetch(item.url, { method: "POST", body: body, headers: headers, credentials: "same-origin" }).then(
      function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") !== -1) {
          return response.json().then(function (data) {
            if (data.ok) {
              return { ok: true, note: data.note };
            }
            if (response.status === 400 && data.errors) {
              return { errors: data.errors };
            }
            return { retry: true };
          });
        }
        // An HTML answer: the login page after the session ended, or a refused CSRF token.
        var login = response.redirected && response.url.indexOf("/accounts/login/") !== -1;
        return { retry: true, login: login || response.status === 403 };
      },
      function () {
        return { retry: true, network: true };
      }
    );
  }

  function renderQueue(message) {
    if (!queueStatus) {
      return;
    }
    var count = readQueue().length;
    if (message) {
      queueStatus.textContent = message;
      queueStatus.hidden = false;
    } else if (count) {
      queueStatus.textContent = queueStatus.dataset.msgWaiting.replace("%(count)s", count);
      queueStatus.hidden = false;
    } else {
      queueStatus.textContent = "";
      queueStatus.hidden = true;
    }
    queueStatus.dataset.count = String(count);
  }

  function forgetDraft(item) {
    var draft = readJSON(item.draftKey, null);
    // Typing after the note was queued belongs to a later submission: keep it.
    if (draft && draft.savedAt <= item.queuedAt) {
      window.localStorage.removeItem(item.draftKey);
    }
  }

  function removeFromQueue(id) {
    writeJSON(queueKey, readQueue().filter(function (item) { return item.id !== id; }));
  }

  /* Send what waits, oldest first; stop at the first failure of the network. */
  function flushQueue() {
    if (flushing || !navigator.onLine || !readQueue().length) {
      renderQueue();
      return Promise.resolve();
    }
    flushing = true;
    var sentAny = false;
    var stopMessage = "";
    function next(items) {
      if (!items.length) {
        return Promise.resolve();
      }
      var item = items[0];
      return loadPhoto(item)
        .catch(function () { return null; })
        .then(function (photo) { return send(item, photo); })
        .then(function (result) {
          if (result.ok) {
            removeFromQueue(item.id);
            dropPhoto(item);
            forgetDraft(item);
            sentAny = true;
            return next(items.slice(1));
          }
          if (result.errors) {
            // Refused by the server (e.g. the day already has a note): the draft stays on the phone.
            removeFromQueue(item.id);
            dropPhoto(item);
            return next(items.slice(1));
          }
          if (result.login && queueStatus) {
            stopMessage = queueStatus.dataset.msgLogin;
          }
          return undefined;
        });
    }
    return next(readQueue()).then(function () {
      flushing = false;
      if (stopMessage) {
        renderQueue(stopMessage);
      } else if (sentAny && !readQueue().length && queueStatus) {
        renderQueue(queueStatus.dataset.msgSent);
      } else {
        renderQueue();
      }
      document.dispatchEvent(new CustomEvent("donghanh:queue-flushed", { detail: { remaining: readQueue().length } }));
    });
  }

  window.addEventListener("online", flushQueue);
  flushQueue();

  if (!form) {
    return;
  }

  /* ---- The note form itself ---- */
  var submitButton = document.getElementById("note-submit");
  var dayInput = form.querySelector("input[name='day']");
  var keyInput = form.querySelector("input[name='client_key']");
  var photoInput = form.querySelector("input[type='file'][name='photo']");
  var sending = false;

  // A page opened from the offline cache may have been rendered on an earlier day.
  if (form.dataset.mode === "create" && dayInput && dayInput.value === form.dataset.today) {
    var phoneToday = localToday();
    if (phoneToday > form.dataset.today) {
      dayInput.value = phoneToday;
      dayInput.max = phoneToday;
    }
  }
  var draftKey = form.dataset.draftPrefix + ((dayInput && dayInput.value) || form.dataset.day);
  // A fresh key per page: a cached page must never reuse the key of another submission.
  if (keyInput) {
    keyInput.value = uuid4();
  }

  function showStatus(message) {
    if (!formStatus) {
      return;
    }
    formStatus.textContent = message || "";
    formStatus.hidden = !message;
  }

  function collectFields() {
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.disabled || element.type === "file" || element.name === "csrfmiddlewaretoken") {
        return;
      }
      if ((element.type === "checkbox" || element.type === "radio") && !element.checked) {
        return;
      }
      if (element.tagName === "BUTTON") {
        return;
      }
      fields.push([element.name, element.value]);
    });
    return fields;
  }

  function saveDraft() {
    var fields = collectFields().filter(function (pair) { return pair[0] !== "client_key"; });
    writeJSON(draftKey, { fields: fields, savedAt: Date.now() });
  }

  function restoreDraft() {
    var draft = readJSON(draftKey, null);
    if (!draft || !draft.fields) {
      return;
    }
    var values = {};
    draft.fields.forEach(function (pair) {
      (values[pair[0]] = values[pair[0]] || []).push(pair[1]);
    });
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.disabled || element.type === "file" || element.type === "hidden") {
        return;
      }
      if (element.name === "csrfmiddlewaretoken" || element.tagName === "BUTTON") {
        return;
      }
      var stored = values[element.name];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = !!stored && stored.indexOf(element.value) !== -1;
      } else if (stored) {
        element.value = stored[0];
      }
    });
    showStatus(form.dataset.msgDraftRestored);
  }

  function clearErrors() {
    Array.prototype.forEach.call(form.querySelectorAll("[data-errors-for]"), function (box) {
      box.textContent = "";
      if (box.dataset.errorsFor === "__all__") {
        box.hidden = true;
      }
    });
    Array.prototype.forEach.call(form.querySelectorAll(".has-error"), function (field) {
      field.classList.remove("has-error");
    });
  }

  function showErrors(errors) {
    clearErrors();
    Object.keys(errors).forEach(function (name) {
      var box = form.querySelector("[data-errors-for='" + name + "']") || form.querySelector("[data-errors-for='__all__']");
      box.hidden = false;
      if (box.parentElement && box.parentElement.classList.contains("field")) {
        box.parentElement.classList.add("has-error");
      }
      errors[name].forEach(function (error) {
        var line = document.createElement("p");
        line.className = "error";
        line.setAttribute("role", "alert");
        line.textContent = typeof error === "string" ? error : error.message;
        box.appendChild(line);
      });
    });
    showStatus(form.dataset.msgErrors);
  }

  function queueSubmission(item, photo) {
    var kept = Promise.resolve();
    if (photo) {
      kept = keepPhoto(item.id, photo).then(
        function () { item.photo = "idb"; },
        function () {
          if (photo.size * 1.4 > INLINE_PHOTO_LIMIT) {
            showStatus(form.dataset.msgPhotoDropped);
            return undefined;
          }
          return asDataUrl(photo).then(function (dataUrl) {
            item.photo = "dataurl";
            item.photoData = dataUrl;
            item.photoName = photo.name;
          });
        }
      );
    }
    return kept.then(function () {
      var queue = readQueue().filter(function (queued) { return queued.id !== item.id; });
      queue.push(item);
      if (!writeJSON(queueKey, queue) && item.photoData) {
        // localStorage is full: keep the words, drop the inline photo.
        delete item.photoData;
        item.photo = null;
        queue[queue.length - 1] = item;
        writeJSON(queueKey, queue);
        showStatus(form.dataset.msgPhotoDropped);
      } else {
        showStatus(form.dataset.msgQueued);
      }
      // The next tap of "save" is a new submission.
      if (keyInput) {
        keyInput.value = uuid4();
      }
      renderQueue();
      document.dispatchEvent(new CustomEvent("donghanh:queued", { detail: { id: item.id } }));
    });
  }

  function finish() {
    sending = false;
    if (submitButton) {
      submitButton.disabled = false;
    }
  }

  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) {
      return; // a double tap sends once
    }
    sending = true;
    if (submitButton) {
      submitButton.disabled = true;
    }
    saveDraft();
    var csrfInput = form.querySelector("input[name='csrfmiddlewaretoken']");
    var item = {
      id: keyInput ? keyInput.value : uuid4(),
      url: form.action,
      fields: collectFields(),
      csrf: csrfInput ? csrfInput.value : "",
      draftKey: draftKey,
      day: dayInput ? dayInput.value : form.dataset.day,
      queuedAt: Date.now(),
      photo: null
    };
    var photo = photoInput && photoInput.files && photoInput.files[0] ? photoInput.files[0] : null;
    if (!navigator.onLine) {
      queueSubmission(item, photo).then(finish, finish);
      return;
    }
    showStatus(form.dataset.msgSending);
    send(item, photo).then(function (result) {
      if (result.ok) {
        window.localStorage.removeItem(draftKey);
        window.location.assign(result.note);
        return;
      }
      if (result.errors) {
        showErrors(result.errors);
        finish();
        return;
      }
      queueSubmission(item, photo).then(finish, finish);
    });
  });

  restoreDraft();
})();
