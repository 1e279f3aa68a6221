// dateline serve — the index page's progressive enhancement: sort by any
// column, filter by text. The server sends the whole table, newest change
// first; without this script it is complete and readable as it is.
'use strict';
(() => {
  const table = document.getElementById('articles');
  if (!table) return;
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  // Read once: filtering a thousand rows then touches no layout.
  const texts = rows.map((row) => row.textContent.toLowerCase());
  const headers = Array.from(table.tHead.rows[0].cells);

  function value(row, column, numeric) {
    const cell = row.cells[column];
    return numeric ? Number(cell.dataset.value || 0) : cell.textContent.toLowerCase();
  }

  function sortBy(column) {
    const header = headers[column];
    const numeric = header.dataset.sort === 'number';
    const ascending = header.getAttribute('aria-sort') !== 'ascending';
    for (const h of headers) h.removeAttribute('aria-sort');
    header.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
    const keyed = rows.map((row, index) => [value(row, column, numeric), index, row]);
    keyed.sort((x, y) => {
      const order = x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0;
      return order ? (ascending ? order : -order) : x[1] - y[1];
    });
    const fragment = document.createDocumentFragment();
    for (const [, , row] of keyed) fragment.appendChild(row);
    body.appendChild(fragment);
  }

  headers.forEach((header, column) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = header.textContent;
    button.title = 'Sort by ' + header.textContent.toLowerCase();
    header.textContent = '';
    header.appendChild(button);
    button.addEventListener('click', () => sortBy(column));
  });

  const filter = document.getElementById('filter');
  const shown = document.getElementById('shown');
  if (!filter) return;
  filter.closest('[hidden]')?.removeAttribute('hidden');
  function apply() {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    let count = 0;
    rows.forEach((row, index) => {
      const match = words.every((word) => texts[index].includes(word));
      row.hidden = !match;
      if (match) count++;
    });
    if (shown) shown.textContent = words.length ? `${count} of ${rows.length} shown` : '';
  }
  filter.addEventListener('input', apply);
  apply();
})();
