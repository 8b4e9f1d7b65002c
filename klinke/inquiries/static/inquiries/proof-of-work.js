/* The inquiry form's optional proof of work (inquiries/proof_of_work.py). Loaded as a module
   after the vendored ALTCHA widget, it registers the one algorithm klinke's challenges use,
   with its worker from klinke's own static files (a same-origin script, which the
   Content-Security-Policy allows; no blob: worker), and gives the widget klinke's own words
   in the page's language. Without JavaScript none of this runs and the form works as before. */
const widget = document.querySelector("altcha-widget[data-worker]");
if (widget && globalThis.$altcha) {
  const worker = widget.getAttribute("data-worker");
  globalThis.$altcha.algorithms.set("PBKDF2/SHA-256", () => new Worker(worker));
  const strings = document.getElementById("proof-of-work-strings");
  if (strings) {
    globalThis.$altcha.i18n.set(widget.getAttribute("language"), JSON.parse(strings.textContent));
  }
}
