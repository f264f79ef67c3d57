// On a phone a data table reads as cards (navigator.css): each cell is labelled with its
// column's header, copied here whenever rows appear or change.
(function () {
  function label() {
    document.querySelectorAll("table.data-table").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, i) {
          var text = heads[i] || "";
          if (cell.getAttribute("data-label") !== text) cell.setAttribute("data-label", text);
        });
      });
    });
  }
  var pending = false;
  new MutationObserver(function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      label();
    });
  }).observe(document.documentElement, { childList: true, subtree: true, characterData: true });
})();
