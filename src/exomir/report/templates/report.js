/* exomir report: sortable tables, row filters, and expanders opened for printing.
   Everything works without this script; it only adds convenience. */
(function () {
  "use strict";

  function cellKey(row, index) {
    var cell = row.children[index];
    if (!cell) return { num: NaN, text: "" };
    var raw = cell.getAttribute("data-sort");
    var text = raw !== null ? raw : cell.textContent.trim();
    var num = raw !== null && raw !== "" ? parseFloat(raw) : NaN;
    if (raw === null) {
      var cleaned = text.replace(/[,\s]/g, "");
      if (/^-?\d+(\.\d+)?$/.test(cleaned)) num = parseFloat(cleaned);
    }
    return { num: num, text: text.toLowerCase() };
  }

  function sortTable(table, index, header) {
    var body = table.tBodies[0];
    if (!body) return;
    var descending = header.getAttribute("aria-sort") === "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    var keyed = rows.map(function (row, position) {
      return { row: row, key: cellKey(row, index), position: position };
    });
    keyed.sort(function (a, b) {
      var x = a.key, y = b.key, result;
      var xn = !isNaN(x.num), yn = !isNaN(y.num);
      if (xn && yn) result = x.num - y.num;
      else if (xn !== yn) return xn ? -1 : 1; /* empty cells last in both directions */
      else result = x.text < y.text ? -1 : x.text > y.text ? 1 : 0;
      if (descending) result = -result;
      return result || a.position - b.position;
    });
    keyed.forEach(function (item) { body.appendChild(item.row); });
    Array.prototype.forEach.call(header.parentNode.children, function (th) {
      th.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) return;
    Array.prototype.forEach.call(head.cells, function (th, index) {
      th.tabIndex = 0;
      th.title = th.title || "Sort by this column";
      th.addEventListener("click", function () { sortTable(table, index, th); });
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          sortTable(table, index, th);
        }
      });
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("input.table-filter"), function (input) {
    var table = document.getElementById(input.getAttribute("data-table"));
    if (!table || !table.tBodies[0]) return;
    var count = document.querySelector('.filter-count[data-table="' + table.id + '"]');
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    input.closest(".filter-box").hidden = false;
    input.addEventListener("input", function () {
      var query = input.value.trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (row) {
        var match = !query || row.textContent.toLowerCase().indexOf(query) !== -1;
        row.hidden = !match;
        if (match) shown += 1;
      });
      if (count) count.textContent = query ? shown + " of " + rows.length + " rows" : "";
    });
  });

  /* A link to a closed expander (e.g. a comparison pair) opens it. */
  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (target && target.tagName === "DETAILS") target.open = true;
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();

  /* Print the section-level expanders (comparison pairs, value tables) open; long gene lists
     and the configuration stay as they are. Restore the reader's view afterwards. */
  var closed = [];
  window.addEventListener("beforeprint", function () {
    var all = document.querySelectorAll("details.block:not(.config)");
    closed = Array.prototype.filter.call(all, function (d) {
      return !d.open;
    });
    closed.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closed.forEach(function (d) { d.open = false; });
    closed = [];
  });
})();
