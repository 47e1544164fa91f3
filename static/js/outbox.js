/* Đồng hành: every cadre form goes through the phone's outbox (outbox_core.js); nothing typed is lost.
 *
 * - A form with data-outbox="<kind>" is never posted by the browser: tapping save writes an
 *   entry to the outbox (replacing the waiting one of the same intent, data-outbox-intent), then
 *   the outbox sends it. Stored: the page goes where the server says. Refused: the errors show on
 *   the form and the entry stays. No network: the entry waits and the form says so, beside the button.
 * - What is typed is kept as a draft (localStorage) until it is saved in the outbox.
 * - The outbox is sent on page load, on "online", when the page comes back into view, every
 *   15 seconds for entries whose pause is over, and by Background Sync through the service worker.
 * - The header shows how many entries wait; /me/outbox/ lists them with "send now", "edit" and "delete".
 * - Elements with data-outbox-watch="<intent>" are marked while such an entry waits, and
 *   [data-outbox-refresh] is read again from the server after a send, so the page shows what is stored.
 */
(function () {
  "use strict";

  var outbox = window.DonghanhOutbox;
  var config = document.getElementById("outbox-text");
  if (!outbox || !config) {
    return;
  }
  var user = config.dataset.user;
  var text = config.dataset;
  var PHOTO_SIDE = 1600;
  var PHOTO_QUALITY = 0.72; // a 12-megapixel photo comes to about 250-350 kB

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

  function pad(number) {
    return (number < 10 ? "0" : "") + number;
  }

  function showDay(iso) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return parts ? parts[3] + "/" + parts[2] + "/" + parts[1] : iso;
  }

  function isoDay(date) {
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate());
  }

  /* The days this phone knows are filed ({day: url}), so that a page kept from before does not invite a second note. */
  var FILED_KEY = "donghanh:filed:" + user;
  function filedDays() {
    return readJSON(FILED_KEY) || {};
  }

  function rememberFiled(day, url) {
    var days = filedDays();
    days[day] = url;
    var recent = Object.keys(days).sort().slice(-10);
    var kept = {};
    recent.forEach(function (key) { kept[key] = days[key]; });
    writeJSON(FILED_KEY, kept);
  }

  function showTime(millis) {
    var at = new Date(millis);
    return pad(at.getDate()) + "/" + pad(at.getMonth() + 1) + "/" + at.getFullYear() + " " + pad(at.getHours()) + ":" + pad(at.getMinutes());
  }

  function readJSON(key) {
    try {
      return JSON.parse(window.localStorage.getItem(key) || "null");
    } catch (error) {
      return null;
    }
  }

  function forget(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (error) {
      // Nothing to do: the draft stays, and is older than what the outbox holds.
    }
  }

  function writeJSON(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch (error) {
      // A full localStorage loses the draft, never the outbox (IndexedDB).
    }
  }

  function reasonText(entry) {
    var byReason = text["reason" + (entry.reason || "").replace(/(^|_)(\w)/g, function (m, s, c) { return c.toUpperCase(); })];
    if (entry.state === "refused") {
      return entry.message || byReason || text.msgRefusedShort;
    }
    return byReason || "";
  }

  /* ---- Sending: on load, online, in view, on a timer, and through the service worker ---- */

  function flush(force) {
    return outbox.flush({ user: user, force: force }).catch(function () { return null; });
  }

  function askBackgroundSync() {
    if (!("serviceWorker" in navigator)) {
      return;
    }
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) {
        return registration.sync.register("donghanh-outbox");
      }
      return undefined;
    }).catch(function () { return undefined; });
  }

  window.addEventListener("online", function () { flush(true); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      flush(false);
    }
  });
  window.setInterval(function () {
    if (navigator.onLine) {
      flush(false);
    }
  }, 15000);

  /* ---- The count in the header and the marks on the page ---- */

  var countBox = document.getElementById("outbox-count");
  var link = document.getElementById("outbox-link");

  function render() {
    return outbox.forUser(user).then(function (entries) {
      if (countBox) {
        countBox.textContent = String(entries.length);
        countBox.dataset.count = String(entries.length);
      }
      if (link) {
        link.classList.toggle("has-entries", entries.length > 0);
        link.classList.toggle("has-refused", entries.some(function (entry) { return entry.state === "refused"; }));
      }
      var intents = {};
      entries.forEach(function (entry) { intents[entry.intent] = entry; });
      Array.prototype.forEach.call(document.querySelectorAll("[data-outbox-watch]"), function (element) {
        var entry = intents[element.dataset.outboxWatch];
        element.classList.toggle("outbox-waiting", !!entry && entry.state !== "refused");
        element.classList.toggle("outbox-refused", !!entry && entry.state === "refused");
      });
      renderList(entries);
      return entries;
    }).catch(function () { return []; });
  }

  var refreshing = false;
  var refreshAgain = false;
  function refreshFromServer() {
    var region = document.querySelector("[data-outbox-refresh]");
    if (!region) {
      return;
    }
    if (refreshing) {
      refreshAgain = true; // another send answered meanwhile: read the page once more after this
      return;
    }
    refreshing = true;
    refreshAgain = false;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } }).then(function (response) {
      return response.ok && !response.redirected ? response.text() : null;
    }).then(function (html) {
      refreshing = false;
      var fresh = html && new DOMParser().parseFromString(html, "text/html").querySelector("[data-outbox-refresh]");
      if (fresh) {
        region.innerHTML = fresh.innerHTML;
        render();
      }
      if (refreshAgain) {
        refreshFromServer();
      }
    }, function () { refreshing = false; });
  }

  /* ---- The outbox page ---- */

  var list = document.getElementById("outbox-list");

  function button(label, action, id, extraClass) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "button" + (extraClass ? " " + extraClass : "");
    element.textContent = label;
    element.dataset.action = action;
    element.dataset.id = id;
    return element;
  }

  var shown = "";
  function renderList(entries) {
    if (!list) {
      return;
    }
    // Drawn again only when something changed, so that a button is never pulled from under a finger.
    var signature = JSON.stringify(entries.map(function (e) { return [e.id, e.state, e.reason, e.triedAt, e.message, e.label]; }));
    if (signature === shown) {
      return;
    }
    shown = signature;
    list.textContent = "";
    var empty = document.getElementById("outbox-empty");
    if (empty) {
      empty.hidden = entries.length > 0;
    }
    entries.forEach(function (entry) {
      var item = document.createElement("li");
      item.className = "note-card outbox-entry " + entry.state;
      item.dataset.id = entry.id;
      item.dataset.state = entry.state;
      var title = document.createElement("strong");
      title.textContent = entry.label;
      var badge = document.createElement("span");
      badge.className = "badge " + (entry.state === "refused" ? "returned" : "open");
      badge.textContent = entry.state === "refused" ? text.stateRefused : text.stateWaiting;
      var since = document.createElement("p");
      since.className = "muted";
      since.textContent = text.since.replace("%(time)s", showTime(entry.createdAt)) +
        (entry.triedAt ? " · " + text.tried.replace("%(time)s", showTime(entry.triedAt)) : "");
      item.appendChild(title);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(badge);
      item.appendChild(since);
      var reason = reasonText(entry);
      if (reason) {
        var why = document.createElement("p");
        why.className = entry.state === "refused" ? "error" : "muted";
        why.textContent = reason;
        item.appendChild(why);
      }
      var actions = document.createElement("div");
      actions.className = "actions";
      actions.appendChild(button(text.sendNow, "send", entry.id, "primary"));
      var edit = document.createElement("a");
      edit.className = "button";
      edit.textContent = text.edit;
      edit.href = entry.page + (entry.page.indexOf("?") === -1 ? "?" : "&") + "entry=" + encodeURIComponent(entry.id);
      actions.appendChild(edit);
      actions.appendChild(button(text.discard, "discard", entry.id, "danger"));
      item.appendChild(actions);
      list.appendChild(item);
    });
    var others = document.getElementById("outbox-others");
    if (others) {
      outbox.all().then(function (everyone) {
        var count = everyone.length - entries.length;
        others.hidden = count === 0;
        others.textContent = text.others.replace("%(count)s", count);
      });
    }
  }

  if (list) {
    list.addEventListener("click", function (event) {
      var target = event.target.closest("button[data-action]");
      if (!target) {
        return;
      }
      var id = target.dataset.id;
      if (target.dataset.action === "send") {
        target.disabled = true;
        outbox.flush({ user: user, only: id, force: true }).then(render, render);
      } else if (target.dataset.action === "discard" && window.confirm(text.confirmDiscard)) {
        outbox.remove(id).then(render);
      }
    });
  }

  /* ---- Forms ---- */

  function shrinkPhoto(file) {
    // A camera photo of several MB is made 1600 px on its longest side (JPEG) before it waits on the phone.
    if (!file || !/^image\/(jpeg|png|webp)$/.test(file.type) || typeof createImageBitmap !== "function") {
      return Promise.resolve(file);
    }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size <= 600000) {
        bitmap.close();
        return file;
      }
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close(); // a 12-megapixel bitmap holds about 48 MB of a cheap phone's memory
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          resolve(blob && blob.size < file.size ? new File([blob], "photo.jpg", { type: "image/jpeg" }) : file);
        }, "image/jpeg", PHOTO_QUALITY);
      });
    }).catch(function () { return file; });
  }

  function bindForm(form) {
    var kind = form.dataset.outbox;
    var keyInput = form.querySelector("input[name='client_key']");
    var fileInput = form.querySelector("input[type='file']");
    // The draft of what this form is for (the day's note, this report…), read when it is needed: the day can change.
    function draftKey() {
      return "donghanh:draft:" + user + ":" + (form.dataset.outboxDraft || intent());
    }
    var entryId = new URLSearchParams(window.location.search).get("entry");
    var current = null; // the entry this page saved or opened
    var savedAt = 0;
    var typedAt = 0;
    var busy = false;
    var status = document.createElement("p");
    status.className = "form-status outbox-status empty";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    status.hidden = false; // kept in the accessibility tree, empty, so that the first message is read out
    // Beside the button that was tapped (the note's stays at the bottom of the screen), never out of view.
    var actions = form.querySelector(".actions");
    if (actions) {
      actions.insertBefore(status, actions.firstChild);
    } else {
      form.appendChild(status);
    }
    if (keyInput && !entryId) {
      keyInput.value = uuid4(); // a cached page must never reuse the key of another submission
    }
    var params = new URLSearchParams(window.location.search);
    // A page opened offline is the copy kept without its query (?note=…): the query still says what it is for.
    (form.dataset.outboxQuery || "").split(" ").filter(Boolean).forEach(function (name) {
      if (params.get(name) && form.action.indexOf("?") === -1) {
        form.action += "?" + name + "=" + encodeURIComponent(params.get(name));
      }
    });
    var daySelect = form.querySelector("select[name='day']:not([disabled])");
    if (daySelect) {
      // The day asked for (?day=), or the phone's today when the page was kept on an earlier day.
      var wanted = params.get("day");
      var phoneToday = isoDay(new Date());
      if (!wanted && form.dataset.today && phoneToday > form.dataset.today) {
        wanted = phoneToday;
      }
      if (/^\d{4}-\d{2}-\d{2}$/.test(wanted || "") && daySelect.value !== wanted) {
        if (!daySelect.querySelector("option[value='" + wanted + "']")) {
          daySelect.add(new Option(showDay(wanted), wanted), 0);
        }
        daySelect.value = wanted;
      }
    }
    var dropFiles = false;
    var fileNote = document.createElement("p");
    fileNote.className = "help outbox-file";
    fileNote.hidden = true;
    if (fileInput) {
      fileInput.parentNode.insertBefore(fileNote, fileInput.nextSibling);
    }

    function say(message, tone, scroll) {
      status.textContent = "";
      status.className = "form-status outbox-status" + (tone ? " " + tone : "") + (message ? "" : " empty");
      if (message) {
        status.appendChild(document.createTextNode(message + " "));
        if (tone === "waiting" || tone === "refused") {
          var to = document.createElement("a");
          to.href = text.url;
          to.textContent = text.openOutbox;
          status.appendChild(to);
        }
        if (scroll) {
          status.scrollIntoView({ block: "nearest" });
        }
      }
    }

    function fill(template) {
      return template.replace(/\{(\w+)\}/g, function (match, name) {
        var field = form.elements[name];
        var value = field ? field.value : "";
        return /^\d{4}-\d{2}-\d{2}$/.test(value) ? showDay(value) : value;
      });
    }

    function intent() {
      return form.dataset.outboxIntent.replace(/\{(\w+)\}/g, function (match, name) {
        var field = form.elements[name];
        return field ? field.value : "";
      });
    }

    function collect(submitter) {
      var fields = [];
      Array.prototype.forEach.call(form.elements, function (element) {
        if (!element.name || element.disabled || element.type === "file" || element.tagName === "BUTTON") {
          return;
        }
        if (element.name === "csrfmiddlewaretoken" || element.name === "written_at") {
          return;
        }
        if ((element.type === "checkbox" || element.type === "radio") && !element.checked) {
          return;
        }
        fields.push([element.name, element.value]);
      });
      if (submitter && submitter.name) {
        fields.push([submitter.name, submitter.value]);
      }
      return fields;
    }

    /* What the page came with from the server, for the fields a restored text would replace. */
    function serverValues() {
      var values = {};
      Array.prototype.forEach.call(form.querySelectorAll("textarea, input[type='text']"), function (element) {
        if (element.name) {
          values[element.name] = element.value;
        }
      });
      return values;
    }

    /* Where the office already holds another text (an edit or a report saved elsewhere), it is shown
     * under the field, with a button to take it: saving is a choice made after seeing both. */
    function showServerVersions(before) {
      if (!form.dataset.outboxStored) {
        return false;
      }
      var differ = false;
      Array.prototype.forEach.call(form.querySelectorAll(".server-version"), function (box) { box.remove(); });
      Object.keys(before).forEach(function (name) {
        var element = form.elements[name];
        if (!element || !before[name].trim() || element.value === before[name]) {
          return;
        }
        differ = true;
        var box = document.createElement("div");
        box.className = "server-version";
        var title = document.createElement("strong");
        title.textContent = text.serverVersion;
        var body = document.createElement("p");
        body.textContent = before[name];
        var take = document.createElement("button");
        take.type = "button";
        take.className = "button";
        take.textContent = text.useServer;
        take.addEventListener("click", function () {
          element.value = before[name];
          box.remove();
          saveDraft();
        });
        box.appendChild(title);
        box.appendChild(body);
        box.appendChild(take);
        element.parentNode.insertBefore(box, element.nextSibling);
      });
      return differ;
    }

    function restore(fields, keepVersion) {
      var values = {};
      fields.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
      var total = form.querySelector("input[name$='-TOTAL_FORMS']");
      var add = document.getElementById("add-recommendation");
      if (total && add && values[total.name]) {
        for (var missing = parseInt(values[total.name][0], 10) - parseInt(total.value, 10); missing > 0; missing -= 1) {
          add.click();
        }
      }
      Array.prototype.forEach.call(form.elements, function (element) {
        if (!element.name || element.disabled || element.type === "file" || element.tagName === "BUTTON") {
          return;
        }
        if (element.name === "csrfmiddlewaretoken" || (keepVersion && element.name === "version") || /TOTAL_FORMS$/.test(element.name)) {
          return;
        }
        if (element.name === "client_key" && !values.client_key) {
          return; // a draft keeps the page's key
        }
        var stored = values[element.name];
        if (element.type === "checkbox" || element.type === "radio") {
          element.checked = !!stored && stored.indexOf(element.value) !== -1;
        } else if (stored) {
          element.value = stored[0];
        }
      });
    }

    function clearErrors() {
      Array.prototype.forEach.call(form.querySelectorAll(".field-errors"), function (box) { box.textContent = ""; });
      Array.prototype.forEach.call(form.querySelectorAll(".has-error"), function (field) { field.classList.remove("has-error"); });
    }

    function showErrors(errors) {
      clearErrors();
      var general = [];
      Object.keys(errors || {}).forEach(function (name) {
        var box = form.querySelector("[data-errors-for='" + name + "']");
        errors[name].forEach(function (error) {
          var message = typeof error === "string" ? error : error.message;
          if (!box) {
            general.push(message);
            return;
          }
          var line = document.createElement("p");
          line.className = "error";
          line.setAttribute("role", "alert");
          line.textContent = message;
          box.appendChild(line);
          if (box.parentElement) {
            box.parentElement.classList.add("has-error");
          }
        });
      });
      return general;
    }

    function showFiles(entry) {
      var count = entry && !dropFiles ? (entry.files || []).length : 0;
      fileNote.hidden = !count;
      fileNote.textContent = "";
      if (count) {
        fileNote.appendChild(document.createTextNode(text.photoWaits + " "));
        var drop = document.createElement("button");
        drop.type = "button";
        drop.className = "link-button";
        drop.textContent = text.dropPhoto;
        drop.addEventListener("click", function () {
          dropFiles = true;
          if (fileInput) {
            fileInput.value = "";
          }
          showFiles(entry);
        });
        fileNote.appendChild(drop);
      }
    }

    function showEntry(entry, scroll) {
      showFiles(entry);
      if (entry.state === "refused") {
        var general = showErrors(entry.errors);
        var first = reasonText(entry);
        var message = general.indexOf(first) === -1 ? [first].concat(general) : general;
        say(text.refused.replace("%(message)s", message.join(" ")), "refused", scroll);
      } else {
        say(entry.reason === "login" ? text.waitingLogin : text.waiting, "waiting", scroll);
      }
    }

    function saveDraft() {
      typedAt = Date.now();
      // Without the submission key: a draft is text, and its key may be spent by the time it is restored.
      var fields = collect(null).filter(function (pair) { return pair[0] !== "client_key"; });
      writeJSON(draftKey(), { fields: fields, savedAt: typedAt });
    }

    function onAnswer(result, entry) {
      busy = false;
      if (!result && sentElsewhere[entry.id]) {
        result = { ok: true, url: sentElsewhere[entry.id] }; // another tab or the worker sent it first
      }
      if (!result) {
        showEntry(entry, true);
        return;
      }
      if (result.ok && result.pending) {
        say(text.sending, "", true); // a newer text of it still waits, and goes next
        flush(true);
      } else if (result.ok) {
        say(text.sent, "sent", true);
        window.location.assign(result.url);
      } else if (result.refused) {
        entry.state = "refused";
        entry.errors = result.errors;
        entry.message = result.message;
        entry.reason = result.reason;
        showEntry(entry, true);
      } else {
        entry.reason = result.reason;
        showEntry(entry, true);
        askBackgroundSync();
      }
    }

    function save(submitter) {
      var fields = collect(submitter);
      var chosen = fileInput && fileInput.files && fileInput.files[0];
      var labelTemplate = (submitter && submitter.dataset.outboxLabel) || form.dataset.outboxLabel;
      var csrf = form.querySelector("input[name='csrfmiddlewaretoken']");
      var theIntent = intent();
      return Promise.all([
        outbox.findByIntent(user, theIntent),
        current ? outbox.get(current.id) : null,
        chosen ? shrinkPhoto(chosen) : null
      ]).then(function (found) {
        // The entry of the same intent is replaced; this page's own waiting entry follows a change of day;
        // once sent, saving again is a change of what was stored (same key); a new intent gets a new key.
        var existing = found[0] || found[1];
        var photo = found[2];
        var id;
        if (existing) {
          id = existing.id;
        } else if (current) {
          id = current.intent === theIntent ? current.id : uuid4();
        } else {
          id = (keyInput && keyInput.value) || uuid4();
        }
        if (keyInput) {
          keyInput.value = id;
          fields = fields.filter(function (pair) { return pair[0] !== "client_key"; }).concat([["client_key", id]]);
        }
        var now = Date.now();
        fields.push(["written_at", String(now)]);
        var page = window.location.pathname + window.location.search.replace(/([?&])entry=[^&]*&?/, "$1").replace(/[?&]$/, "");
        var entry = {
          id: id,
          user: user,
          kind: kind,
          intent: theIntent,
          url: form.action,
          page: page,
          label: fill(labelTemplate),
          fields: fields,
          files: photo ? [{ name: fileInput.name, blob: photo, filename: photo.name || "photo.jpg" }] : (!dropFiles && existing && existing.files) || [],
          csrf: csrf ? csrf.value : "",
          createdAt: existing ? existing.createdAt : now,
          updatedAt: now,
          rev: (existing ? existing.rev : 0) + 1,
          attempts: 0,
          nextAt: 0,
          state: "waiting",
          reason: navigator.onLine ? "" : "network"
        };
        return outbox.put(entry);
      });
    }

    form.addEventListener("input", saveDraft);
    form.addEventListener("change", saveDraft);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) {
        return; // a double tap saves once
      }
      busy = true;
      var submitter = event.submitter;
      say(text.saving, "", true);
      save(submitter).then(function (entry) {
        current = entry;
        dropFiles = false;
        savedAt = Date.now();
        forget(draftKey());
        clearErrors();
        if (!navigator.onLine) {
          onAnswer({ retry: true, reason: "network" }, entry);
          return;
        }
        say(text.sending, "");
        outbox.flush({ user: user, only: entry.id, force: true }).then(function (summary) {
          onAnswer(summary && summary.results ? summary.results[entry.id] : null, entry);
        }, function () { onAnswer(null, entry); });
      }, function () {
        // No IndexedDB on this phone: post the form as a plain form, as without JavaScript.
        busy = false;
        if (submitter && submitter.name) {
          var chosen = document.createElement("input");
          chosen.type = "hidden";
          chosen.name = submitter.name;
          chosen.value = submitter.value;
          form.appendChild(chosen);
        }
        form.submit();
      });
    });

    // Sent, refused or still waiting, by this page's outbox, another tab's or the worker's.
    var sentElsewhere = {};
    outbox.subscribe(function (message) {
      if (message.type === "sent" && !message.pending) {
        sentElsewhere[message.id] = message.url;
      }
      if (!current || message.id !== current.id || busy) {
        return;
      }
      if (message.type === "sent" && message.pending) {
        return;
      }
      if (message.type === "sent") {
        if (typedAt <= savedAt) {
          window.location.assign(message.url);
        } else {
          say(text.sent, "sent");
        }
      } else if (message.type === "refused" || message.type === "waiting") {
        outbox.get(current.id).then(function (entry) {
          if (entry) {
            showEntry(entry);
          }
        });
      }
    });

    // Open with what waits on the phone for this form, else with the draft.
    var opening = entryId ? outbox.get(entryId) : outbox.findByIntent(user, intent());
    opening.catch(function () { return null; }).then(function (entry) {
      var draft = readJSON(draftKey());
      var before = serverValues();
      if (entry && String(entry.user) === user) {
        current = entry;
        savedAt = entry.updatedAt;
        restore(entry.fields, entry.state === "refused");
        if (draft && draft.savedAt > entry.updatedAt) {
          restore(draft.fields, true);
          say(showServerVersions(before) ? text.versionsDiffer : text.draftRestored, "");
          showFiles(entry);
          return;
        }
        showEntry(entry);
        if (showServerVersions(before)) {
          say(text.versionsDiffer, entry.state === "refused" ? "refused" : "waiting");
        }
      } else if (draft && draft.fields) {
        restore(draft.fields, true);
        say(showServerVersions(before) ? text.versionsDiffer : text.draftRestored, "");
      } else if (daySelect && filedDays()[daySelect.value]) {
        say(text.alreadyFiled.replace("%(day)s", showDay(daySelect.value)), "waiting");
      }
    }).catch(function () { return undefined; });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-outbox]"), bindForm);

  /* ---- Notes queued by earlier versions of the app (localStorage) join the outbox ---- */

  /* A photo kept as a data URL in localStorage (no IndexedDB then), decoded by hand: the CSP forbids fetching data: URLs. */
  function legacyDataPhoto(item) {
    var parts = item.photoData.split(",");
    var type = (parts[0].match(/^data:([^;]+)/) || [])[1] || "image/jpeg";
    var binary = window.atob(parts[1] || "");
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) {
      bytes[i] = binary.charCodeAt(i);
    }
    return { blob: new Blob([bytes], { type: type }), name: item.photoName || "photo.jpg" };
  }

  function adoptLegacyQueue() {
    var key = "donghanh:queue:" + user;
    var queue = readJSON(key);
    if (!queue || !queue.length) {
      return Promise.resolve();
    }
    return Promise.all(queue.map(function (item) {
      var photo = Promise.resolve(null);
      if (item.photo === "idb") {
        photo = outbox.legacyPhoto(item.id).catch(function () { return null; });
      } else if (item.photo === "dataurl" && item.photoData) {
        photo = Promise.resolve(legacyDataPhoto(item));
      }
      return photo.then(function (stored) {
        var day = item.day || "";
        return outbox.put({
          id: item.id,
          user: user,
          kind: "note",
          intent: "note:" + day,
          url: item.url,
          page: "/me/notes/new/?day=" + day,
          label: text.legacyLabel.replace("%(day)s", showDay(day)),
          fields: item.fields.concat([["written_at", String(item.queuedAt || Date.now())]]),
          files: stored ? [{ name: "photo", blob: stored.blob, filename: stored.name || "photo.jpg" }] : [],
          csrf: item.csrf || "",
          createdAt: item.queuedAt || Date.now(),
          updatedAt: item.queuedAt || Date.now(),
          rev: 1,
          attempts: 0,
          nextAt: 0,
          state: "waiting",
          reason: ""
        }).then(function () { return item.photo === "idb" ? outbox.dropLegacyPhoto(item.id).catch(function () {}) : null; });
      });
    })).then(function () { forget(key); });
  }

  outbox.subscribe(function (message) {
    render();
    if (message.type === "sent" && String(message.user) === user) {
      if (/^note:\d{4}-\d{2}-\d{2}$/.test(message.intent || "")) {
        rememberFiled(message.intent.slice(5), message.url);
      }
      refreshFromServer();
    }
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-filed-day]"), function (element) {
    rememberFiled(element.dataset.filedDay, element.dataset.filedUrl);
  });

  // The forms My mission links to (today's note, missed days, the report) are kept for offline use.
  if (navigator.onLine && "serviceWorker" in navigator && navigator.serviceWorker.controller) {
    var keep = Array.prototype.map.call(document.querySelectorAll("a[data-keep-offline]"), function (a) { return a.href; });
    if (keep.length) {
      navigator.serviceWorker.controller.postMessage({ type: "keep", urls: keep });
    }
  }

  adoptLegacyQueue().catch(function () { return undefined; }).then(render).then(function () {
    if (navigator.onLine) {
      flush(true);
    }
  });
})();
