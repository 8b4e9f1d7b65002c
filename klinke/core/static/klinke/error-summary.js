/* Error summaries (core/_error_summary.html): when a form comes back with errors, move focus
   to its summary so that the errors are announced and seen, also after an htmx swap; a link
   in the summary moves focus to its field (the first control of a group of checkboxes). */
(function () {
  "use strict";

  var CONTROLS = "input:not([type=hidden]), select, textarea, button";

  function focusSummary(root) {
    var summary = root.matches && root.matches("[data-error-summary]")
      ? root
      : root.querySelector && root.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) {
      return;
    }
    var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!target) {
      return;
    }
    var control = target.matches(CONTROLS) ? target : target.querySelector(CONTROLS);
    event.preventDefault();
    (control || target).focus();
  });

  document.addEventListener("DOMContentLoaded", function () {
    focusSummary(document);
  });

  // htmx fires htmx:load on every element it swaps in.
  document.addEventListener("htmx:load", function (event) {
    if (event.target !== document.body) {
      focusSummary(event.target);
    }
  });
})();
