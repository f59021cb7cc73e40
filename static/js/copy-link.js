/* The "Copy the link" button of a calendar address (templates/meetings/_copy_link.html).
   Progressive enhancement: without this file the address stays in a read-only field that
   can be selected and copied by hand, and the button stays hidden. */
(function () {
  "use strict";

  function selectAll(input) {
    input.focus();
    input.setSelectionRange(0, input.value.length);
  }

  // The Clipboard API where the page is secure; else the older execCommand("copy").
  function copy(input) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(input.value);
    }
    return new Promise(function (resolve, reject) {
      selectAll(input);
      try {
        if (document.execCommand("copy")) resolve(); else reject(new Error("copy refused"));
      } catch (error) {
        reject(error);
      }
    });
  }

  function setUp(box) {
    var input = box.querySelector("[data-copy-source]");
    var button = box.querySelector("[data-copy-button]");
    var status = box.querySelector("[data-copy-status]");
    if (!input || !button || !status) return;
    button.hidden = false;
    input.addEventListener("focus", function () { selectAll(input); });
    button.addEventListener("click", function () {
      status.textContent = "";
      copy(input).then(function () {
        status.textContent = button.getAttribute("data-copied");
      }, function () {
        selectAll(input);
        status.textContent = button.getAttribute("data-failed");
      });
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-copy-link]"), setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
