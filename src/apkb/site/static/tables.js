/*
 * Tables as cards on a phone. Each data cell of a plain table (one written in Markdown) gets its column's
 * heading as data-label, and the table is marked data-apkb-cards; the stylesheet then shows each row as a card,
 * each cell under its heading, below 45em. Without this script, tables scroll sideways as before.
 * Plain JavaScript, no markup written: only attributes are set, from the page's own headings.
 */
(function () {
  "use strict";
  function label(table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head || head.cells.length < 3) return;
    var names = Array.prototype.map.call(head.cells, function (cell) { return cell.textContent.trim(); });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        Array.prototype.forEach.call(row.cells, function (cell, index) {
          if (names[index]) cell.setAttribute("data-label", names[index]);
        });
      });
    });
    table.setAttribute("data-apkb-cards", "");
  }
  Array.prototype.forEach.call(document.querySelectorAll(".md-typeset table:not([class])"), label);
})();
