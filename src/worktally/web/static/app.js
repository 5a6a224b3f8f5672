// Worktally's own small script (D21). The pages work without it; with it the timer ticks, forms update the
// page in place (the server answers the same HTML either way) and the keyboard shortcuts work.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var tick = null;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function startTimer() {
    if (tick) { clearInterval(tick); tick = null; }
    var el = document.getElementById("timer-elapsed");
    if (!el) { return; }
    var started = Date.parse(el.getAttribute("data-started"));
    // The server's clock decides (D9): measure against it, not against this machine's.
    var skew = Date.parse(el.getAttribute("data-now")) - Date.now();
    function show() {
      var s = Math.max(0, Math.floor((Date.now() + skew - started) / 1000));
      el.textContent = Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
    }
    show();
    tick = setInterval(show, 1000);
  }

  function focusAfterSwap(preferId) {
    var target = (preferId && document.getElementById(preferId)) ||
      document.querySelector("#main [aria-invalid='true']") || document.querySelector("#main [autofocus]");
    if (!target) { target = document.getElementById("main"); }
    if (target) { target.focus({ preventScroll: false }); }
  }

  function swap(html, url, preferId, redirected) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("app");
    if (!fresh) { return false; }
    document.getElementById("app").replaceWith(fresh);
    document.title = doc.title;
    var theme = doc.documentElement.getAttribute("data-theme");
    if (theme) { root.setAttribute("data-theme", theme); }
    // A redirect lands on a page of its own; a form shown again with its errors keeps this page's address.
    if (redirected && url && url !== location.href) { history.pushState({}, "", url); }
    init();
    focusAfterSwap(preferId);
    return true;
  }

  function submitInPlace(form, submitter) {
    var body = new URLSearchParams();
    new FormData(form).forEach(function (value, key) { if (typeof value === "string") { body.append(key, value); } });
    if (submitter && submitter.name) { body.append(submitter.name, submitter.value); }
    var keep = submitter && submitter.getAttribute("data-focus-after");
    form.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "text/html" }
    }).then(function (response) {
      var type = response.headers.get("content-type") || "";
      if (type.indexOf("text/html") !== 0) { throw new Error("not a page"); }
      return response.text().then(function (html) {
        if (!swap(html, response.url, keep, response.redirected)) { throw new Error("no layout"); }
      });
    }).catch(function () {
      form.removeAttribute("aria-busy");
      HTMLFormElement.prototype.submit.call(form);
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post" || form.hasAttribute("data-full")) { return; }
    // Only the member's pages update in place; sign-in, consent and invitation forms navigate as usual.
    if (!document.querySelector("nav[aria-label='Main']")) { return; }
    var submitter = event.submitter || null;
    var question = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); return; }
    event.preventDefault();
    submitInPlace(form, submitter);
  });

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) { el.form.requestSubmit(); }
  });

  window.addEventListener("popstate", function () { location.reload(); });

  function typing(el) {
    if (!el) { return false; }
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function focusTimer() {
    var input = document.getElementById("timer-text");
    if (input) { input.focus(); input.select(); return; }
    location.href = "/#timer";
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) { return; }
    var keys = document.getElementById("keys");
    if (event.key === "Escape" && keys && keys.open) { keys.open = false; return; }
    if (typing(event.target)) { return; }
    var form;
    if (event.key === "n") {
      event.preventDefault(); focusTimer();
    } else if (event.key === "s") {
      form = document.getElementById("timer-stop-form");
      if (form) { event.preventDefault(); form.requestSubmit(); }
    } else if (event.key === "c") {
      form = document.getElementById("continue-last-form");
      if (form) { event.preventDefault(); form.requestSubmit(); }
    } else if (event.key === "?") {
      if (keys) { event.preventDefault(); keys.open = !keys.open; if (keys.open) { keys.querySelector("summary").focus(); } }
    }
  });

  // The leave form: show the day-part choices or the hours, as the chosen policy counts (both without a script).
  function showLeaveUnit() {
    var select = document.getElementById("f-policy_id");
    if (!select || !select.selectedOptions.length) { return; }
    var unit = select.selectedOptions[0].getAttribute("data-unit");
    document.querySelectorAll("[data-for-unit]").forEach(function (el) {
      el.hidden = el.getAttribute("data-for-unit") !== unit;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "f-policy_id") { showLeaveUnit(); }
  });

  function init() {
    startTimer();
    showLeaveUnit();
    if (location.hash === "#timer") {
      var input = document.getElementById("timer-text");
      if (input) { input.focus(); }
    }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
