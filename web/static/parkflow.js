// parkflow: the little behaviour htmx does not give us. No inline scripts (the CSP forbids
// them); everything here reads data-* attributes the server rendered.
(function () {
  "use strict";

  // Loaded in <head> without defer: mark the page as scripted before it is drawn, so the
  // phone's folded menu and the board's tabs (phone.css keys them on .js) never flash open.
  document.documentElement.classList.add("js");

  // An error fragment swapped into a form's slot names the fields: mark each one. One
  // problem: focus its input; several (a list): focus the list. Either way the message, at
  // the top of the form, is scrolled into view.
  function markInvalid(slot) {
    var messages = slot.querySelectorAll("[data-error-field]");
    var form = slot.closest("form");
    if (!form) return;
    form.querySelectorAll("[aria-invalid]").forEach(function (el) {
      el.removeAttribute("aria-invalid");
    });
    var first = null;
    messages.forEach(function (message) {
      var field = message.getAttribute("data-error-field");
      if (!field) return;
      var inputs = form.querySelectorAll('[name="' + CSS.escape(field) + '"]');
      inputs.forEach(function (el) { el.setAttribute("aria-invalid", "true"); });
      var fieldset = inputs.length && inputs[0].closest("fieldset");
      if (fieldset) fieldset.setAttribute("aria-invalid", "true");
      if (!first && inputs.length) first = inputs[0];
    });
    var list = slot.querySelector(".form-errors");
    if (list) list.focus({ preventScroll: true });
    else if (first) first.focus({ preventScroll: true });
    if (messages.length) slot.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.classList.contains("form-error-slot")) markInvalid(target);
  });

  // A plain (non-htmx) post that came back with an error: same marking on page load.
  function markFlashed() {
    document.querySelectorAll(".form-error-slot").forEach(function (slot) {
      if (slot.querySelector("[data-error-field]")) markInvalid(slot);
    });
  }

  // The visit form: show the total and the stars the definition's rule gives, as you score.
  function starPreview(preview) {
    var form = preview.closest("form");
    var names = preview.getAttribute("data-scores").split(",");
    var rules = JSON.parse(preview.getAttribute("data-rules"));
    var otherwise = parseInt(preview.getAttribute("data-otherwise"), 10) || 0;
    var label = preview.getAttribute("data-label");
    function update() {
      var total = 0, scored = 0;
      names.forEach(function (name) {
        var checked = form.querySelector('input[name="' + name + '"]:checked');
        if (checked) { total += parseInt(checked.value, 10); scored += 1; }
      });
      if (scored < names.length) return;
      var stars = otherwise;
      for (var i = 0; i < rules.length; i++) {
        if (total >= rules[i][0]) { stars = rules[i][1]; break; }
      }
      preview.textContent = label.replace("%(total)s", String(total)) + "  ";
      var span = document.createElement("span");
      span.className = "stars";
      span.textContent = stars ? "★".repeat(stars) : "☆";
      preview.appendChild(span);
    }
    form.addEventListener("change", update);
    update();
  }

  // The header on a phone: the menu button folds the pages, the search and the person.
  function menu(toggle) {
    var bar = toggle.closest(".topbar");
    function set(open) {
      bar.classList.toggle("menu-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    toggle.addEventListener("click", function () {
      set(!bar.classList.contains("menu-open"));
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && bar.classList.contains("menu-open")) {
        set(false);
        toggle.focus();
      }
    });
  }

  // The board on a phone: one stage at a time, chosen by its tab; the choice stays in the
  // address (#stage=visited) so coming back shows the same stage.
  function boardTabs(tabs) {
    var buttons = tabs.querySelectorAll("[data-tab]");
    function show(state) {
      buttons.forEach(function (button) {
        var on = button.getAttribute("data-tab") === state;
        button.setAttribute("aria-selected", on ? "true" : "false");
        button.tabIndex = on ? 0 : -1;
        var column = document.getElementById(button.getAttribute("aria-controls"));
        if (column) column.classList.toggle("active", on);
      });
    }
    buttons.forEach(function (button, index) {
      button.addEventListener("click", function () {
        var state = button.getAttribute("data-tab");
        show(state);
        history.replaceState(history.state, "", "#stage=" + encodeURIComponent(state));
      });
      button.addEventListener("keydown", function (event) {
        var step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
        if (!step) return;
        var next = buttons[(index + step + buttons.length) % buttons.length];
        next.click();
        next.focus();
      });
    });
    var asked = /^#stage=(.+)$/.exec(location.hash);
    var chosen = asked && tabs.querySelector('[data-tab="' + CSS.escape(decodeURIComponent(asked[1])) + '"]');
    show((chosen || buttons[0]).getAttribute("data-tab"));
  }

  function init() {
    markFlashed();
    document.querySelectorAll(".menu-toggle[aria-controls]").forEach(menu);
    document.querySelectorAll(".board-tabs").forEach(boardTabs);
    document.querySelectorAll(".star-preview[data-rules]").forEach(starPreview);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
