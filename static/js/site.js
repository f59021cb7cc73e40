/* HälSam's small progressive enhancements (docs/design-system.md). Without this file the
   menu is simply shown and the error summary is focused by its autofocus attribute. */
(function () {
  "use strict";

  // The main menu collapses behind the "Meny" button on narrow screens (< 48rem).
  function setUpMenu() {
    var header = document.querySelector("[data-site-header]");
    var button = header && header.querySelector("[data-menu-toggle]");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) return;
    var narrow = window.matchMedia("(max-width: 47.99rem)");
    header.setAttribute("data-menu", "collapsible");

    function show(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) menu.removeAttribute("data-collapsed");
      else menu.setAttribute("data-collapsed", "");
    }
    function sync() { show(!narrow.matches); }

    button.addEventListener("click", function () {
      show(button.getAttribute("aria-expanded") !== "true");
    });
    // Escape closes the open menu and gives the focus back to its button.
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && narrow.matches) { show(false); button.focus(); }
    });
    if (narrow.addEventListener) narrow.addEventListener("change", sync);
    else if (narrow.addListener) narrow.addListener(sync);
    sync();
  }

  // A form with errors: its summary takes the focus, so it is read first. autofocus does
  // this in most browsers; this covers the rest and a summary that is not the first.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary && document.activeElement !== summary) summary.focus();
  }

  function start() { setUpMenu(); focusErrorSummary(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
