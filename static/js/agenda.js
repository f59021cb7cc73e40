/* The agenda editor's progressive enhancement (templates/meetings/agenda.html).

   Without this file every move is a form post ("Flytta upp"/"Flytta ner") and the page
   reloads. With it: the move buttons and drag and drop send the whole new order to the
   reorder endpoint with fetch (CSRF token from the page's forms), the list is updated in
   place, and the new position is announced in the aria-live status. When the agenda
   changed meanwhile (409) the list is redrawn in the server's order and the error shown.
   No external fetches, no inline scripts. */
(function () {
  "use strict";

  function start() {
    var list = document.getElementById("agenda-rows");
    if (!list || !window.fetch) return;
    var url = list.getAttribute("data-reorder-url");
    var status = document.querySelector("[data-agenda-status]");
    var errorBox = document.querySelector("[data-agenda-error]");
    var dragHelp = document.querySelector("[data-drag-help]");
    var busy = false;
    var dragged = null;

    function rows() { return Array.prototype.slice.call(list.querySelectorAll(":scope > li[data-item]")); }
    function order() { return rows().map(function (li) { return parseInt(li.getAttribute("data-item"), 10); }); }
    function csrf() {
      var input = document.querySelector("input[name=csrfmiddlewaretoken]");
      return input ? input.value : "";
    }
    function say(text) {
      if (!status) return;
      // Emptied first so that the same sentence twice is announced twice.
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }
    function showError(text) {
      if (!errorBox) return;
      errorBox.querySelector("p").textContent = text;
      errorBox.hidden = !text;
    }

    // Numbers and the first/last move buttons follow the order shown.
    function renumber() {
      var all = rows();
      all.forEach(function (li, i) {
        var num = li.querySelector("[data-num]");
        if (num) num.textContent = (i + 1) + ".";
        var up = li.querySelector("[data-move-li=up]");
        var down = li.querySelector("[data-move-li=down]");
        if (up) up.hidden = i === 0;
        if (down) down.hidden = i === all.length - 1;
      });
    }

    function applyOrder(ids) {
      var byId = {};
      rows().forEach(function (li) { byId[li.getAttribute("data-item")] = li; });
      ids.forEach(function (id) { if (byId[id]) list.appendChild(byId[id]); });
      renumber();
    }

    // Sends ``ids``; on refusal the list goes back to ``before`` (or the server's order).
    function save(ids, before, movedId, focusAfter) {
      if (busy) return;
      busy = true;
      showError("");
      list.setAttribute("aria-busy", "true");
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "Accept": "application/json",
                  "X-CSRFToken": csrf()},
        body: JSON.stringify({order: ids, moved: movedId})
      }).then(function (response) {
        return response.json().then(function (data) { return {ok: response.ok, data: data}; });
      }).then(function (result) {
        var data = result.data || {};
        if (result.ok && data.ok) {
          say(data.message || "");
        } else {
          if (data.items) applyOrder(data.items.map(function (it) { return it.id; }));
          else applyOrder(before);
          showError(data.message || "");
          say(data.message || "");
        }
      }).catch(function () {
        applyOrder(before);
        var text = list.getAttribute("data-error-network") || "";
        showError(text);
      }).then(function () {
        busy = false;
        list.removeAttribute("aria-busy");
        if (focusAfter) focusAfter();
      });
    }

    // "Flytta upp"/"Flytta ner": the same forms, sent as the whole new order.
    list.addEventListener("submit", function (event) {
      var form = event.target;
      var direction = form.getAttribute("data-move");
      if (!direction) return;
      event.preventDefault();
      var li = form.closest("li[data-item]");
      var before = order();
      var sibling = direction === "up" ? li.previousElementSibling : li.nextElementSibling;
      if (!sibling) return;
      if (direction === "up") list.insertBefore(li, sibling);
      else list.insertBefore(sibling, li);
      renumber();
      var id = parseInt(li.getAttribute("data-item"), 10);
      save(order(), before, id, function () {
        // Keep the keyboard where it was: the same button if still shown, else the other.
        var same = li.querySelector("[data-move-li=" + direction + "]:not([hidden]) button");
        var other = li.querySelector("[data-move-li]:not([hidden]) button");
        var details = li.querySelector("details");
        if (details) details.open = true;
        (same || other || li.querySelector("summary")).focus();
      });
    });

    // Drag and drop with the pointer (keyboard users have the move buttons).
    rows().forEach(function (li) {
      li.setAttribute("draggable", "true");
      li.classList.add("is-draggable");
    });
    if (dragHelp) dragHelp.hidden = false;
    var dragBefore = null;
    list.addEventListener("dragstart", function (event) {
      var li = event.target.closest && event.target.closest("li[data-item]");
      if (!li) return;
      dragged = li;
      dragBefore = order();
      li.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      try { event.dataTransfer.setData("text/plain", li.getAttribute("data-item")); } catch (e) { /* old browsers */ }
    });
    list.addEventListener("dragover", function (event) {
      if (!dragged) return;
      event.preventDefault();
      var over = event.target.closest && event.target.closest("li[data-item]");
      if (!over || over === dragged) return;
      var box = over.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? over.nextElementSibling : over);
      renumber();
    });
    list.addEventListener("drop", function (event) { if (dragged) event.preventDefault(); });
    list.addEventListener("dragend", function () {
      if (!dragged) return;
      var li = dragged;
      dragged = null;
      li.classList.remove("is-dragging");
      var now = order();
      if (now.join(",") === dragBefore.join(",")) return;
      save(now, dragBefore, parseInt(li.getAttribute("data-item"), 10), null);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
