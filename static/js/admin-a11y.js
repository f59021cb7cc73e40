/*
 * Accessible names for the admin's autocomplete fields (Django's select2 widgets).
 *
 * select2 replaces each <select class="admin-autocomplete"> with a span of role
 * "combobox" labelled only by the selected value, and that value's span (role "textbox")
 * has no name at all: an empty field is announced without saying what it is (WCAG 2.1
 * 4.1.2, axe rule aria-input-field-name). This names both after the field's <label>:
 * the combobox reads "<label> <value>", the value's span "<label>".
 *
 * select2 is set up by Django's autocomplete.js when the page is ready and for every
 * inline row added later, so the widgets are named as they appear (MutationObserver).
 */
(function () {
    'use strict';

    function labelOf(select) {
        if (!select.id) { return null; }
        var label = document.querySelector('label[for="' + select.id + '"]');
        if (!label) { return null; }
        if (!label.id) { label.id = select.id + '-label'; }
        return label;
    }

    function nameWidget(select) {
        var container = select.nextElementSibling;
        if (!container || !container.classList.contains('select2')) { return; }
        var label = labelOf(select);
        var combo = container.querySelector('.select2-selection[role="combobox"]');
        var rendered = container.querySelector('.select2-selection__rendered');
        if (!label) { return; }
        // A multiple choice (e.g. "joint body of") types into an inline search field,
        // which select2 re-creates whenever the selection changes (see the observer).
        var search = container.querySelector('.select2-search__field');
        if (search) { search.setAttribute('aria-labelledby', label.id); }
        if (!combo || !rendered || !rendered.id) { return; }
        rendered.setAttribute('aria-labelledby', label.id);
        combo.setAttribute('aria-labelledby', label.id + ' ' + rendered.id);
    }

    function nameAll(root) {
        var selects = (root.querySelectorAll ? root : document)
            .querySelectorAll('select.admin-autocomplete');
        Array.prototype.forEach.call(selects, nameWidget);
    }

    function start() {
        nameAll(document);
        new MutationObserver(function (records) {
            records.forEach(function (record) {
                Array.prototype.forEach.call(record.addedNodes, function (node) {
                    if (node.nodeType !== 1) { return; }
                    var container = node.closest ? node.closest('.select2') : null;
                    if (container && container.previousElementSibling) {
                        nameWidget(container.previousElementSibling);
                    } else if (node.querySelector('.select2')) {
                        nameAll(node);
                    }
                });
            });
        }).observe(document.body, {childList: true, subtree: true});
    }

    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', start);
    } else {
        start();
    }
}());
