/* Taking an exam: autosave (debounced, retried, kept on the device until the server has
   it), the countdown to the server's deadline, and the confirmation before submitting.
   Answers travel in SHOWN option positions; the server maps them back. */
(function () {
  "use strict";

  // On the result page: the attempt is over, so nothing kept for it is needed any more.
  var result = document.getElementById("result");
  if (result && result.dataset.attempt) {
    try { localStorage.removeItem("exam-attempt-" + result.dataset.attempt); } catch (e) { /* private mode */ }
    return;
  }
  var form = document.getElementById("attempt-form");
  var configEl = document.getElementById("take-config");
  if (!form || !configEl) return;

  var cfg = JSON.parse(configEl.textContent);
  var text = cfg.text;
  var storeKey = "exam-attempt-" + cfg.attemptId;
  var statusEl = document.getElementById("save-status");
  var clockEl = document.getElementById("countdown");
  var countEl = document.getElementById("answered-count");
  var questions = Array.prototype.slice.call(form.querySelectorAll(".question"));
  var byId = {};
  questions.forEach(function (q) { byId[q.dataset.item] = q; });

  var pending = readStore();   // {item id: answer} not yet confirmed by the server
  var timer = null, inflight = null, backoff = 2, closed = false, loggedOut = false;
  var deadlineAt = Date.now() + cfg.secondsLeft * 1000;

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }

  function readStore() {
    try { return JSON.parse(localStorage.getItem(storeKey)) || {}; } catch (e) { return {}; }
  }

  function writeStore() {
    try {
      if (Object.keys(pending).length) localStorage.setItem(storeKey, JSON.stringify(pending));
      else localStorage.removeItem(storeKey);
    } catch (e) { /* storage full or off: the server copy is all we have */ }
  }

  function show(message, kind, link) {
    statusEl.className = "take-status small text-truncate" + (kind ? " " + kind : "");
    statusEl.textContent = message;
    if (link) {
      var a = document.createElement("a");
      a.href = link.href; a.textContent = link.label; a.className = "ms-1";
      statusEl.appendChild(a);
    }
  }

  // --- reading and writing the inputs of one question ------------------------------------
  function inputs(q) { return q.querySelectorAll("input[name='a-" + q.dataset.item + "']"); }

  function valueOf(q) {
    var kind = q.dataset.kind, list = Array.prototype.slice.call(inputs(q));
    if (kind === "fill") {
      var typed = list[0].value;
      return typed.trim() === "" ? null : typed;
    }
    var checked = list.filter(function (i) { return i.checked; });
    if (kind === "multiple") {
      return checked.map(function (i) { return parseInt(i.value, 10); }).sort(function (a, b) { return a - b; });
    }
    if (!checked.length) return null;
    return kind === "truefalse" ? checked[0].value === "true" : parseInt(checked[0].value, 10);
  }

  function apply(q, value) {
    var kind = q.dataset.kind;
    Array.prototype.forEach.call(inputs(q), function (input) {
      if (kind === "fill") input.value = value === null ? "" : value;
      else if (kind === "multiple") input.checked = Array.isArray(value) && value.indexOf(parseInt(input.value, 10)) >= 0;
      else if (kind === "truefalse") input.checked = value !== null && String(value) === input.value;
      else input.checked = value !== null && String(value) === input.value;
    });
  }

  function isAnswered(value) { return value !== null && !(Array.isArray(value) && !value.length); }

  function refreshCount() {
    var n = 0;
    questions.forEach(function (q) {
      var done = isAnswered(valueOf(q));
      q.classList.toggle("answered", done);
      if (done) n += 1;
    });
    countEl.textContent = n;
    return questions.length - n;
  }

  // --- saving --------------------------------------------------------------------------------
  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(save, delay);
  }

  function changed(event) {
    var q = event.target.closest(".question");
    if (!q || closed) return;
    pending[q.dataset.item] = valueOf(q);
    writeStore();
    refreshCount();
    q.classList.remove("is-invalid");
    if (!loggedOut) show(text.unsaved);
    schedule(event.type === "input" ? 1000 : 600);
  }

  function send(batch) {
    return fetch(cfg.saveUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": cfg.csrf},
      body: JSON.stringify({answers: batch})
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        return {status: response.status, body: body};
      });
    });
  }

  // Saves what is pending (or just asks for the time left when nothing is); resolves true
  // once the server holds every answer sent.
  function save() {
    clearTimeout(timer);
    if (closed) return Promise.resolve(false);
    if (inflight) return inflight.then(save);
    var batch = {};
    Object.keys(pending).forEach(function (k) { batch[k] = pending[k]; });
    var sending = Object.keys(batch).length > 0;
    if (sending) show(text.saving);
    inflight = send(batch).then(function (res) {
      inflight = null;
      var body = res.body || {};
      if (res.status === 200 && res.body) {
        Object.keys(batch).forEach(function (k) {
          if (JSON.stringify(pending[k]) === JSON.stringify(batch[k])) delete pending[k];
        });
        writeStore();
        loggedOut = false; backoff = 2;
        deadlineAt = Date.now() + body.seconds_left * 1000;
        if (sending || statusEl.textContent) show(fill(text.saved, {time: body.saved_at}), "ok");
        if (Object.keys(pending).length) schedule(300);
        return !Object.keys(pending).length;
      }
      if (res.status === 401 || body.error === "csrf" || !res.body) {
        // The login ended (or the reply was not ours): keep everything here until it is back.
        loggedOut = true;
        show(text.loggedOut, "error", {href: cfg.loginUrl, label: text.logIn});
        return false;
      }
      if (res.status === 409) {
        // Submitted elsewhere or past the deadline: the server has what it will ever have.
        closed = true; pending = {}; writeStore();
        show(body.message || text.timeUp, "error");
        window.location.assign(cfg.resultUrl);
        return false;
      }
      if (res.status === 422 && body.details) {
        // Answers the server refuses would be refused forever: drop them, mark the questions.
        Object.keys(body.details).forEach(function (field) {
          var id = field.replace(/^answers\./, "");
          delete pending[id];
          if (byId[id]) byId[id].classList.add("is-invalid");
        });
        writeStore();
        show(body.message, "error");
        return false;
      }
      throw new Error("status " + res.status);
    }).catch(function () {
      inflight = null;
      show(navigator.onLine === false ? text.offline : text.retrying, "error");
      schedule(backoff * 1000);
      backoff = Math.min(backoff * 2, 30);
      return false;
    });
    return inflight;
  }

  // --- the countdown -------------------------------------------------------------------------
  function tick() {
    var left = Math.max(0, Math.ceil((deadlineAt - Date.now()) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor(left / 60) % 60, s = left % 60;
    clockEl.textContent = (h ? h + ":" + (m < 10 ? "0" : "") : "") + m + ":" + (s < 10 ? "0" : "") + s;
    clockEl.parentNode.classList.toggle("warning", left <= 60);
    if (left <= 0 && !closed) {
      // The server's deadline: it submits what it holds; the form carries the rest in time or not at all.
      closed = true;
      show(text.timeUp, "error");
      form.submit();
    }
  }

  // --- submitting ------------------------------------------------------------------------------
  var modalEl = document.getElementById("confirm-submit");
  var modal = window.bootstrap && modalEl ? window.bootstrap.Modal.getOrCreateInstance(modalEl) : null;

  function finish() {
    closed = true;
    var done = function () { form.submit(); };
    // Flush what is pending first, but never hold the taker up for long.
    Promise.race([save(), new Promise(function (r) { setTimeout(r, 3000); })]).then(done, done);
  }

  form.addEventListener("submit", function (event) {
    if (closed) return;
    event.preventDefault();
    var missing = refreshCount();
    var question = missing ? fill(text.unanswered, {count: missing}) : text.allAnswered;
    if (modal) {
      document.getElementById("confirm-submit-text").textContent = question;
      modal.show();
    } else if (window.confirm(question)) {
      finish();
    }
  });
  if (modal) {
    document.getElementById("confirm-submit-yes").addEventListener("click", function () {
      this.disabled = true;
      finish();
    });
  }

  // --- start -----------------------------------------------------------------------------------
  form.addEventListener("change", changed);
  form.addEventListener("input", function (event) {
    if (event.target.type === "text") changed(event);
  });
  window.addEventListener("online", function () { schedule(0); });
  document.addEventListener("visibilitychange", function () {
    // Back from another app or a locked screen: resend what waits and resync the clock.
    if (document.visibilityState === "visible") schedule(0);
  });

  var restored = 0;
  Object.keys(pending).forEach(function (id) {
    if (byId[id]) { apply(byId[id], pending[id]); restored += 1; } else { delete pending[id]; }
  });
  writeStore();
  refreshCount();
  if (restored) {
    show(fill(text.restored, {count: restored}));
    schedule(0);
  }
  tick();
  setInterval(tick, 500);
})();
