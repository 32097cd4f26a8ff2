/* Logging a visit on a phone, offline too.

   Every visit gets an id made here (client_id) and the phone's time when it is saved; it
   goes into a queue on the device (IndexedDB) first and is sent from there, so a visit is
   never lost to a dropped connection and a retry is always the same visit (the portal
   stores one per id). Sending happens one entry at a time: right after saving, when the
   connection comes back, and on a timer while anything waits. A refusal (4xx) for a
   queued entry sets it aside with its message for the person to fix or discard; a network
   error or a busy server (5xx) keeps it waiting. Which parts of the effective-visit rule
   hold is asked from the portal while online and judged here from the rule the page
   carries while offline. */
(function () {
  "use strict";

  var configEl = document.getElementById("visit-config");
  var form = document.getElementById("visit-form");
  if (!configEl || !form) return;
  var cfg = JSON.parse(configEl.textContent);
  var text = cfg.text;
  var RETRY_MS = 15000;

  function $(id) { return document.getElementById(id); }
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function number(n) { return Math.round(n).toLocaleString(); }

  // --- ids, times, dates ---------------------------------------------------------------
  function newId() {
    if (window.crypto && crypto.randomUUID) {
      try { return crypto.randomUUID(); } catch (e) { /* not a secure context */ }
    }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  // The phone's time with its offset, e.g. 2026-03-03T10:00:00+08:00.
  function isoNow() {
    var d = new Date(), offset = -d.getTimezoneOffset(), abs = Math.abs(offset);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) +
      (offset >= 0 ? "+" : "-") + pad(Math.floor(abs / 60)) + ":" + pad(abs % 60);
  }

  function dayFromToday(days) {
    var d = new Date();
    d.setDate(d.getDate() + days);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  // --- the queue on the device -----------------------------------------------------------
  var store = (function () {
    var memory = {}, opening = null;
    function open() {
      if (opening) return opening;
      opening = new Promise(function (resolve) {
        var request;
        try { request = window.indexedDB && indexedDB.open("habits-visits", 1); } catch (e) { request = null; }
        if (!request) { resolve(null); return; }
        request.onupgradeneeded = function () {
          request.result.createObjectStore("entries", {keyPath: "client_id"});
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { resolve(null); };
      });
      return opening.then(function (db) {
        if (!db) $("save-result").dataset.noStore = "1";
        return db;
      });
    }
    function run(mode, work) {
      return open().then(function (db) {
        if (!db) return work(null);
        return new Promise(function (resolve, reject) {
          var tx = db.transaction("entries", mode), request = work(tx.objectStore("entries")), result;
          if (request) request.onsuccess = function () { result = request.result; };
          tx.oncomplete = function () { resolve(result); };
          tx.onerror = tx.onabort = function () { reject(tx.error); };
        });
      });
    }
    // What IndexedDB cannot take (none there, or it fails) is kept in memory instead.
    return {
      put: function (entry) {
        return run("readwrite", function (os) {
          if (!os) throw new Error("no IndexedDB");
          return os.put(entry);
        }).then(function () { delete memory[entry.client_id]; },
                function () { memory[entry.client_id] = entry; });
      },
      remove: function (id) {
        delete memory[id];
        return run("readwrite", function (os) { return os ? os.delete(id) : null; })
          .catch(function () { return null; });
      },
      // This person's entries only, oldest first: another login on the phone keeps its own.
      all: function () {
        return run("readonly", function (os) { return os ? os.getAll() : null; })
          .catch(function () { return null; })
          .then(function (found) {
            var list = (found || []).filter(function (e) { return !memory[e.client_id]; })
              .concat(Object.keys(memory).map(function (k) { return memory[k]; }));
            return list.filter(function (e) { return e.user === cfg.user; })
              .sort(function (a, b) { return a.created - b.created; });
          });
      }
    };
  })();

  // One sender at a time, so an entry is never in flight twice from this page.
  var laneTail = Promise.resolve();
  function lane(task) {
    var run = laneTail.then(task, task);
    laneTail = run.catch(function () { return null; });
    return run;
  }

  // --- talking to the portal ----------------------------------------------------------------
  function answer(response) {
    return response.json().catch(function () { return null; }).then(function (body) {
      return {status: response.status, body: body};
    });
  }

  function postJSON(url, values) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": cfg.csrf},
      body: JSON.stringify(values)
    }).then(answer);
  }

  function send(entry) {
    if (!entry.photo) return postJSON(cfg.urls.save, entry.values);
    var data = new FormData();
    Object.keys(entry.values).forEach(function (key) {
      var value = entry.values[key];
      if (value === null || value === undefined) return;
      data.append(key, typeof value === "boolean" ? (value ? "true" : "false") : String(value));
    });
    data.append("photo", entry.photo, entry.photoName || "photo.jpg");
    return fetch(cfg.urls.save, {
      method: "POST", credentials: "same-origin",
      headers: {"Accept": "application/json", "X-CSRFToken": cfg.csrf}, body: data
    }).then(answer);
  }

  // done: stored (now or before); refused: the portal will not take it as it is;
  // auth / stale: the login or the page must be renewed first; retry: try again later.
  function classify(res) {
    var body = res.body;
    if ((res.status === 200 || res.status === 201) && body && body.id) return "done";
    if (res.status === 401) return "auth";
    if (res.status === 400 && !(body && body.field)) return "stale";  // the CSRF token
    if (res.status >= 400 && res.status < 500 && [404, 408, 429].indexOf(res.status) < 0) return "refused";
    return "retry";
  }

  function deliver(entry) {
    return send(entry).then(function (res) {
      var kind = classify(res);
      if (kind === "done") {
        learn(entry);
        return store.remove(entry.client_id).then(function () { return {kind: kind, body: res.body}; });
      }
      return {kind: kind, body: res.body || {}};
    }, function () { return {kind: "retry", body: {}}; });
  }

  // Everything waiting, oldest first; stops at the first entry that cannot go now.
  function flush() {
    return lane(function () {
      if (!navigator.onLine) return null;
      return store.all().then(function (entries) {
        var waiting = entries.filter(function (e) { return e.state === "waiting"; });
        var outcome = {sent: 0, refused: 0, stuck: false};
        function next(i) {
          if (i >= waiting.length) return outcome;
          var entry = waiting[i];
          if (i === 0) setNet(text.sending);
          return deliver(entry).then(function (result) {
            if (result.kind === "done") { outcome.sent += 1; return next(i + 1); }
            if (result.kind === "refused") {
              outcome.refused += 1;
              entry.state = "refused";
              entry.field = result.body.field || "";
              entry.message = result.body.message || "";
              return store.put(entry).then(function () { return next(i + 1); });
            }
            outcome.stuck = true;
            trouble(result.kind);
            return outcome;
          });
        }
        return next(0);
      });
    }).then(function (outcome) {
      if (outcome && outcome.refused) {
        notice(fill(text.refusedLater, {num: outcome.refused}), "danger");
      } else if (outcome && outcome.sent) {
        notice(fill(text.sentLater, {num: outcome.sent}), "success");
      }
      renderNet();
      return renderQueue();
    }, function () { renderNet(); return renderQueue(); });
  }

  // --- status: connection, waiting visits, refusals ------------------------------------------
  function setNet(message) { $("visit-net").textContent = message; }

  function renderNet() {
    var online = navigator.onLine;
    setNet(online ? text.online : text.offline);
    $("visit-net").classList.toggle("off", !online);
  }

  function notice(message, kind, link) {
    var box = $("save-result");
    box.className = "alert alert-" + (kind || "info");
    box.textContent = message;
    if (link) {
      var a = document.createElement("a");
      a.href = link.href; a.textContent = link.label; a.className = "alert-link ms-1";
      box.appendChild(a);
    }
  }

  function trouble(kind) {
    if (kind === "auth") notice(text.loggedOut, "warning", {href: cfg.urls.login, label: text.logIn});
    else if (kind === "stale") notice(text.stale, "warning", {href: window.location.pathname, label: "↻"});
  }

  function renderQueue() {
    return store.all().then(function (entries) {
      var waiting = entries.filter(function (e) { return e.state === "waiting"; });
      var refused = entries.filter(function (e) { return e.state === "refused"; });
      $("queue-count").textContent = String(waiting.length);
      $("visit-queue").classList.toggle("has-waiting", waiting.length > 0);
      var list = $("visit-refused-list");
      list.textContent = "";
      refused.forEach(function (entry) { list.appendChild(refusedItem(entry)); });
      $("visit-refused").classList.toggle("d-none", !refused.length);
      return waiting.length;
    }).catch(function () { return 0; });
  }

  function refusedItem(entry) {
    var item = document.createElement("li");
    item.className = "list-group-item";
    item.dataset.clientId = entry.client_id;
    var title = document.createElement("div");
    title.className = "fw-semibold text-break";
    title.textContent = entry.customerName + " · " + entry.values.visited_at.slice(5, 16).replace("T", " ");
    var why = document.createElement("div");
    why.className = "small text-danger refused-message";
    why.textContent = entry.message;
    var buttons = document.createElement("div");
    buttons.className = "d-flex gap-2 mt-2";
    var fix = document.createElement("button");
    fix.type = "button"; fix.className = "btn btn-outline-primary visit-tap flex-fill refused-fix";
    fix.textContent = text.edit;
    fix.addEventListener("click", function () { edit(entry); });
    var drop = document.createElement("button");
    drop.type = "button"; drop.className = "btn btn-outline-danger visit-tap flex-fill refused-discard";
    drop.textContent = text.discard;
    drop.addEventListener("click", function () {
      if (window.confirm(text.discardAsk)) store.remove(entry.client_id).then(renderQueue);
    });
    buttons.appendChild(fix); buttons.appendChild(drop);
    item.appendChild(title); item.appendChild(why); item.appendChild(buttons);
    return item;
  }

  // --- customers -----------------------------------------------------------------------------
  var customers = cfg.customers.slice();
  var byId = {};
  customers.forEach(function (c) { byId[c.id] = c; });
  var state = {customer: null, kindTouched: false, location: null, photo: null,
               clientId: newId(), visitedAt: null};

  function remember(c) {
    if (byId[c.id]) { Object.assign(byId[c.id], c); return byId[c.id]; }
    byId[c.id] = c;
    customers.push(c);
    return c;
  }

  function squash(s) { return (s || "").toLowerCase().replace(/[\s\p{P}\p{S}_]+/gu, ""); }

  function localMatches(q) {
    if (!q) return customers.slice(0, 8);
    var plain = q.toLowerCase(), squashed = squash(q);
    return customers.filter(function (c) {
      var name = c.name.toLowerCase();
      return name.indexOf(plain) >= 0 || (squashed && squash(c.name).indexOf(squashed) >= 0);
    }).slice(0, 20);
  }

  function describe(c) {
    var bits = [];
    if (c.town) bits.push(c.town);
    if (c.mine) bits.push(text.mine);
    if (c.last) bits.push(fill(text.lastVisit, {day: c.last.slice(5, 10)}));
    return bits.join(" · ");
  }

  function showResults(list, q) {
    var box = $("customer-results");
    box.textContent = "";
    $("customer-results-title").textContent = list.length ? (q ? text.found : text.recent)
      : (q ? text.noneFound : text.noneYet);
    list.forEach(function (c) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "list-group-item list-group-item-action customer-option";
      button.dataset.id = c.id;
      var name = document.createElement("div");
      name.className = "fw-semibold text-break";
      name.textContent = c.name;
      var more = document.createElement("div");
      more.className = "small text-muted";
      more.textContent = describe(c);
      button.appendChild(name); button.appendChild(more);
      button.addEventListener("click", function () { choose(c); });
      box.appendChild(button);
    });
  }

  var searchTimer = null, searchSeq = 0;
  $("customer-search").addEventListener("input", function () {
    var q = this.value.trim(), local = localMatches(q);
    showResults(local, q);
    clearTimeout(searchTimer);
    if (!q || !navigator.onLine) return;
    var seq = ++searchSeq;
    searchTimer = setTimeout(function () {
      fetch(cfg.urls.search + "?q=" + encodeURIComponent(q),
            {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (!body || seq !== searchSeq) return;
          var merged = local.slice(), seen = {};
          local.forEach(function (c) { seen[c.id] = true; });
          body.customers.forEach(function (c) {
            var kept = remember(c);
            if (!seen[c.id]) { merged.push(kept); seen[c.id] = true; }
          });
          showResults(merged, q);
        })
        .catch(function () { /* offline after all: the local matches stand */ });
    }, 250);
  });

  function choose(c) {
    state.customer = c;
    $("customer-chosen-name").textContent = c.name;
    $("customer-chosen-town").textContent = describe(c);
    $("customer-chosen").classList.remove("d-none");
    $("customer-picker").classList.add("d-none");
    $("new-customer").classList.add("d-none");
    clearError("customer_id");
    if (!state.kindTouched) setKind(c.visited ? "follow_up" : "first", false);
    renderCheckin();
    changed();
  }

  $("customer-change").addEventListener("click", function () {
    state.customer = null;
    $("customer-chosen").classList.add("d-none");
    $("customer-picker").classList.remove("d-none");
    $("customer-search").value = "";
    showResults(localMatches(""), "");
    $("customer-search").focus();
    changed();
  });

  // A new customer in two fields; look-alikes are offered before adding it.
  $("new-customer-toggle").addEventListener("click", function () {
    $("new-customer").classList.toggle("d-none");
    $("new-customer-error").textContent = navigator.onLine ? "" : text.newNeedsNet;
    var typed = $("customer-search").value.trim();
    if (typed && !$("new-customer-name").value) $("new-customer-name").value = typed;
    if (!$("new-customer").classList.contains("d-none")) $("new-customer-name").focus();
  });

  function addCustomer(confirm) {
    var name = $("new-customer-name").value.trim(), town = $("new-customer-town").value;
    var error = $("new-customer-error");
    if (!name) { error.textContent = text.nameRequired; return; }
    if (!town) { error.textContent = text.townRequired; return; }
    if (!navigator.onLine) { error.textContent = text.newNeedsNet; return; }
    error.textContent = "";
    $("new-customer-add").disabled = true;
    postJSON(cfg.urls.newCustomer, {name: name, town_code: town, confirm_duplicate: !!confirm})
      .then(function (res) {
        var body = res.body || {};
        if (res.status === 201 && body.customer) {
          var c = remember(body.customer);
          customers.splice(customers.indexOf(c), 1);
          customers.unshift(c);
          $("new-customer-name").value = "";
          hideMatches();
          choose(c);
        } else if (res.status === 409 && body.matches && body.matches.length) {
          showMatches(body);
        } else if (res.status === 401) {
          trouble("auth");
        } else {
          error.textContent = body.message || text.stale;
        }
      }, function () { error.textContent = text.newNeedsNet; })
      .then(function () { $("new-customer-add").disabled = false; });
  }

  function showMatches(body) {
    $("new-customer-matches-text").textContent = body.message;
    var list = $("new-customer-matches-list");
    list.textContent = "";
    body.matches.forEach(function (m) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "list-group-item list-group-item-action customer-match";
      button.textContent = m.name + (m.town ? " · " + m.town : "") + " — " + text.useThis;
      button.addEventListener("click", function () {
        hideMatches();
        choose(byId[m.id] || remember({id: m.id, name: m.name, town: m.town, lat: null, lng: null,
                                       visited: true, mine: false, last: null}));
      });
      list.appendChild(button);
    });
    $("new-customer-matches").classList.remove("d-none");
    $("new-customer-add").classList.add("d-none");  // the choice is now: this one, or another
  }

  function hideMatches() {
    $("new-customer-matches").classList.add("d-none");
    $("new-customer-add").classList.remove("d-none");
  }
  $("new-customer-name").addEventListener("input", hideMatches);
  $("new-customer-town").addEventListener("change", hideMatches);

  $("new-customer-add").addEventListener("click", function () { addCustomer(false); });
  $("new-customer-anyway").addEventListener("click", function () { addCustomer(true); });

  // --- the other fields ----------------------------------------------------------------------
  function checked(name) {
    var input = form.querySelector("input[name='" + name + "']:checked");
    return input ? input.value : null;
  }

  function setKind(kind, touched) {
    var input = $("kind-" + kind);
    if (input) input.checked = true;
    if (touched !== undefined) state.kindTouched = touched;
    var c = state.customer;
    $("kind-hint").textContent = !c || state.kindTouched ? "" :
      (kind === "first" ? text.fromHistoryFirst : text.fromHistoryFollowUp);
  }

  form.querySelectorAll("input[name='kind']").forEach(function (input) {
    input.addEventListener("change", function () { setKind(input.value, true); changed(); });
  });
  form.querySelectorAll("input[name='outcome']").forEach(function (input) {
    input.addEventListener("change", function () { clearError("outcome"); changed(); });
  });
  ["decision-maker", "next-step", "next-step-on", "note"].forEach(function (id) {
    $(id).addEventListener(id === "decision-maker" ? "change" : "input", function () {
      clearError($(id).name);
      if (id === "next-step-on") clearError("next_step");
      changed();
    });
  });
  form.querySelectorAll("[data-days]").forEach(function (button) {
    button.addEventListener("click", function () {
      $("next-step-on").value = dayFromToday(parseInt(button.dataset.days, 10));
      clearError("next_step_on");
      changed();
    });
  });
  $("next-step-on").min = dayFromToday(0);
  $("next-step-on").max = dayFromToday(366);

  // --- check-in: the phone's location, never required ----------------------------------------
  function distanceToCustomer() {
    var c = state.customer, here = state.location;
    if (!c || !here || c.lat === null || c.lat === undefined) return null;
    var rad = Math.PI / 180, p1 = c.lat * rad, p2 = here.lat * rad;
    var dp = p2 - p1, dl = (here.lng - c.lng) * rad;
    var a = Math.pow(Math.sin(dp / 2), 2) + Math.cos(p1) * Math.cos(p2) * Math.pow(Math.sin(dl / 2), 2);
    return 2 * 6371000 * Math.asin(Math.min(1, Math.sqrt(a)));
  }

  function renderCheckin(message) {
    var status = $("checkin-status"), here = state.location;
    $("checkin-clear").classList.toggle("d-none", !here);
    if (message) { status.textContent = message; return; }
    if (!here) { status.textContent = ""; return; }
    var parts = [fill(text.located, {num: number(here.acc)})];
    var d = distanceToCustomer();
    if (d !== null) parts.push(fill(text.fromCustomer, {num: number(d)}));
    else if (state.customer) parts.push(text.customerUnlocated);
    status.textContent = parts.join(" ");
  }

  $("checkin").addEventListener("click", function () {
    if (!navigator.geolocation) { renderCheckin(text.noGeo); return; }
    renderCheckin(text.locating);
    navigator.geolocation.getCurrentPosition(function (position) {
      var acc = position.coords.accuracy;
      if (!(acc > 0) || acc > cfg.limits.maxAccuracy) {
        state.location = null;
        renderCheckin(fill(text.tooVague, {num: number(acc || 0)}));
      } else {
        state.location = {lat: position.coords.latitude, lng: position.coords.longitude,
                          acc: Math.max(0.1, Math.round(acc * 10) / 10)};
        ["latitude", "longitude", "accuracy_m"].forEach(clearError);
        renderCheckin();
      }
      changed();
    }, function (error) {
      renderCheckin(error.code === 1 ? text.denied : text.unavailable);
    }, {enableHighAccuracy: true, timeout: 20000, maximumAge: 0});
  });

  $("checkin-clear").addEventListener("click", function () {
    state.location = null;
    renderCheckin();
    changed();
  });

  // --- photo -----------------------------------------------------------------------------------
  function setPhoto(file) {
    state.photo = file || null;
    $("photo-chosen").classList.toggle("d-none", !file);
    $("photo-preview").removeAttribute("src");
    if (!file) { $("photo").value = ""; return; }
    $("photo-name").textContent = (file.name || "photo.jpg") + " · " + number(file.size / 1024) + " KB";
    var reader = new FileReader();  // a data: URL, which the page's policy allows
    reader.onload = function () { $("photo-preview").src = reader.result; };
    reader.readAsDataURL(file);
  }

  $("photo").addEventListener("change", function () {
    var file = this.files && this.files[0];
    clearError("photo");
    if (file && file.size > cfg.limits.photoMaxBytes) {
      showError("photo", fill(text.photoTooBig, {num: Math.floor(cfg.limits.photoMaxBytes / 1048576)}));
      setPhoto(null);
      return;
    }
    setPhoto(file);
  });
  $("photo-clear").addEventListener("click", function () { setPhoto(null); });

  // --- which parts of the rule hold ----------------------------------------------------------
  function values() {
    var v = {
      // Whose visit: a copy of the page kept from another login is refused, not stored
      // for whoever is logged in now.
      salesperson_id: cfg.user,
      customer_id: state.customer ? state.customer.id : null,
      kind: state.kindTouched ? checked("kind") : null,
      decision_maker: $("decision-maker").checked,
      outcome: checked("outcome"),
      next_step: $("next-step").value.trim(),
      next_step_on: $("next-step-on").value || null,
      note: $("note").value.trim()
    };
    if (state.location) {
      v.latitude = state.location.lat; v.longitude = state.location.lng; v.accuracy_m = state.location.acc;
    }
    return v;
  }

  function ruleNow() {
    var at = Date.now(), found = null;
    cfg.rules.forEach(function (rule) { if (Date.parse(rule.from) <= at) found = rule; });
    return found;
  }

  // The same judgement as the portal's (portal/habits/rules.py judge), for offline.
  function judgeHere() {
    var rule = ruleNow(), v = values(), parts = [];
    if (!rule) return {effective: false, parts: [{part: "rule", ok: false}]};
    if (rule.decision_maker) parts.push({part: "decision_maker", ok: !!v.decision_maker});
    if (rule.next_step) parts.push({part: "next_step", ok: v.next_step !== ""});
    if (rule.next_step_date) parts.push({part: "next_step_date", ok: !!v.next_step_on});
    if (rule.max_distance_m !== null && rule.max_distance_m !== undefined) {
      var d = distanceToCustomer();
      parts.push(d === null ? {part: "distance", ok: null, limit: rule.max_distance_m}
        : {part: "distance", ok: d <= rule.max_distance_m, value: Math.round(d), limit: rule.max_distance_m});
    }
    return {effective: parts.every(function (p) { return p.ok !== false; }), parts: parts};
  }

  function partText(part) {
    if (part.part === "rule") return text.noRule;
    if (part.part === "distance") {
      if (part.ok === null) return text.notMeasured;
      return number(part.value) + " m " + (part.ok ? "≤" : ">") + " " + number(part.limit) + " m";
    }
    return cfg.parts[part.part] || part.part;
  }

  function renderVerdict(verdict, byPortal) {
    var box = $("verdict-parts");
    box.textContent = "";
    verdict.parts.forEach(function (part) {
      var chip = document.createElement("span");
      var state_ = part.ok === true ? "ok" : part.ok === false ? "no" : "na";
      chip.className = "visit-part visit-part-" + state_;
      chip.dataset.part = part.part;
      chip.textContent = partText(part) + " " + (state_ === "ok" ? "✓" : state_ === "no" ? "✗" : "–");
      box.appendChild(chip);
    });
    var result = $("verdict-result");
    result.textContent = verdict.effective ? text.effective : text.notEffective;
    result.className = "visit-verdict-result " + (verdict.effective ? "text-success" : "text-secondary");
    $("verdict").classList.toggle("is-effective", !!verdict.effective);
    $("verdict-source").textContent = byPortal ? text.byPortal : text.onDevice;
  }

  var previewTimer = null, previewSeq = 0;
  function changed() {
    renderVerdict(judgeHere(), false);
    clearTimeout(previewTimer);
    var v = values();
    if (!navigator.onLine || !v.customer_id || !v.outcome) return;
    var seq = ++previewSeq;
    previewTimer = setTimeout(function () {
      v.visited_at = state.visitedAt || isoNow();
      postJSON(cfg.urls.preview, v).then(function (res) {
        if (seq !== previewSeq || res.status !== 200 || !res.body) return;
        renderVerdict(res.body, true);
        if (!state.kindTouched && res.body.kind) setKind(res.body.kind);
      }, function () { /* offline: the judgement made here stands */ });
    }, 350);
  }

  // --- errors under their fields ---------------------------------------------------------------
  function errorBox(field) { return form.querySelector("[data-error-for='" + field + "']"); }
  function showError(field, message) {
    var box = errorBox(field) || errorBox("body");
    box.textContent = message;
    return box;
  }
  function clearError(field) { var box = errorBox(field); if (box) box.textContent = ""; }
  function clearErrors() {
    form.querySelectorAll("[data-error-for]").forEach(function (box) { box.textContent = ""; });
  }

  function checkHere(v) {
    if (!v.customer_id) return ["customer_id", text.chooseCustomer];
    if (!v.outcome) return ["outcome", text.chooseOutcome];
    if (v.next_step_on && !v.next_step) return ["next_step", text.nextStepFirst];
    return null;
  }

  // --- saving ------------------------------------------------------------------------------------
  function learn(entry) {
    var c = byId[entry.values.customer_id];
    if (!c) return;
    c.visited = true;
    c.last = entry.values.visited_at;
    var v = entry.values;
    if ((c.lat === null || c.lat === undefined) && v.latitude !== undefined &&
        v.accuracy_m <= cfg.limits.learnAccuracy) {
      c.lat = v.latitude; c.lng = v.longitude;  // as the portal learns it
    }
    customers.splice(customers.indexOf(c), 1);
    customers.unshift(c);
  }

  function reset() {
    form.reset();
    state = {customer: null, kindTouched: false, location: null, photo: null,
             clientId: newId(), visitedAt: null};
    setPhoto(null);
    $("customer-chosen").classList.add("d-none");
    $("customer-picker").classList.remove("d-none");
    $("kind-hint").textContent = "";
    $("customer-search").value = "";
    showResults(localMatches(""), "");
    renderCheckin();
    clearErrors();
    renderVerdict(judgeHere(), false);
  }

  function savedMessage(body) {
    if (!body.created) return [text.already, "info"];
    if (body.flagged) return [text.savedFlagged, "warning"];
    return body.effective ? [text.savedEffective, "success"] : [text.saved, "success"];
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    var v = values(), problem = checkHere(v);
    if (problem) {
      var box = showError(problem[0], problem[1]);
      box.scrollIntoView({block: "center"});
      return;
    }
    v.client_id = state.clientId;
    v.visited_at = state.visitedAt || isoNow();
    var entry = {client_id: state.clientId, user: cfg.user, created: Date.now(), state: "waiting",
                 values: v, photo: state.photo, photoName: state.photo ? state.photo.name : null,
                 customerName: state.customer.name};
    var button = $("save-visit");
    button.disabled = true;
    store.put(entry).then(function () {
      if (!navigator.onLine) return {kind: "retry", body: {}};
      setNet(text.sending);
      return lane(function () { return deliver(entry); });
    }).then(function (result) {
      if (result.kind === "done") {
        var said = savedMessage(result.body);
        notice(said[0], said[1]);
        reset();
      } else if (result.kind === "refused") {
        // Not stored: the form keeps what was typed (and its id) to be fixed here.
        store.remove(entry.client_id);
        var details = result.body.details || {};
        var fields = Object.keys(details);
        if (!fields.length) fields = [result.body.field || "body"];
        fields.forEach(function (f) { showError(f, details[f] || result.body.message); });
        notice(result.body.message, "danger");
        var first = errorBox(fields[0]) || errorBox("body");
        first.scrollIntoView({block: "center"});
        return;
      } else {
        trouble(result.kind);
        if (result.kind === "retry") notice(text.queued, "warning");
        reset();
      }
      window.scrollTo(0, 0);
    }, function () {
      notice(text.noStore, "danger");
    }).then(function () {
      button.disabled = false;
      renderNet();
      renderQueue();
    });
  });

  // A refused entry back into the form, with its id and time, to be fixed and saved again.
  function edit(entry) {
    var v = entry.values;
    reset();
    var c = byId[v.customer_id] || remember({id: v.customer_id, name: entry.customerName, town: "",
                                            lat: null, lng: null, visited: false, mine: false, last: null});
    if (v.kind) setKind(v.kind, true);
    choose(c);
    $("decision-maker").checked = !!v.decision_maker;
    if (v.outcome && $("outcome-" + v.outcome)) $("outcome-" + v.outcome).checked = true;
    $("next-step").value = v.next_step || "";
    $("next-step-on").value = v.next_step_on || "";
    $("note").value = v.note || "";
    if (v.latitude !== undefined) state.location = {lat: v.latitude, lng: v.longitude, acc: v.accuracy_m};
    if (entry.photo) setPhoto(entry.photo);
    state.clientId = entry.client_id;
    state.visitedAt = v.visited_at;
    renderCheckin();
    store.remove(entry.client_id).then(renderQueue);
    if (entry.field) showError(entry.field, entry.message);
    changed();
    form.scrollIntoView({block: "start"});
  }

  // --- start -------------------------------------------------------------------------------------
  var params = new URLSearchParams(window.location.search);
  showResults(localMatches(""), "");
  var wanted = byId[params.get("customer_id")];
  var wantedKind = params.get("kind");
  if (wantedKind === "first" || wantedKind === "follow_up") setKind(wantedKind, true);
  if (wanted) choose(wanted); else renderVerdict(judgeHere(), false);

  window.addEventListener("online", function () { renderNet(); flush(); });
  window.addEventListener("offline", renderNet);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") flush();
  });
  setInterval(function () {
    if ($("queue-count").textContent !== "0") flush();
  }, RETRY_MS);
  renderNet();
  renderQueue().then(function () {
    if ($("save-result").dataset.noStore) notice(text.noStore, "warning");
    flush();
  });

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(cfg.urls.sw, {scope: cfg.urls.swScope}).catch(function () {
      /* no offline reload then (e.g. plain HTTP off localhost); the queue still works */
    });
  }
})();
