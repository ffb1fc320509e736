/* The query page: field search, column sorting, chart types, filter value pickers; sort and chart in the URL. */
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  if (!form) { return; }
  var MULTI = { "in": true, "not in": true };

  // -- URL state (sort, chart) -------------------------------------------------------------------------
  function setParam(key, value) {
    var url = new URL(window.location.href);
    if (value) { url.searchParams.set(key, value); } else { url.searchParams.delete(key); }
    window.history.replaceState(null, "", url);
    var hidden = document.getElementById(key + "-param");
    if (hidden) { hidden.value = value || ""; }
    var share = document.getElementById("share");
    if (share) { share.href = url.pathname + url.search; }
    var csv = document.getElementById("csv");
    if (csv) {
      var c = new URL(url);
      c.searchParams.set("format", "csv");
      csv.href = c.pathname + c.search;
    }
    return url;
  }

  // -- field tree search ----------------------------------------------------------------------------------
  var search = document.getElementById("field-search");
  function filterTree() {
    var q = (search && search.value || "").trim().toLowerCase();
    var words = q.split(/\s+/).filter(Boolean);
    form.querySelectorAll(".tree .group").forEach(function (group) {
      var any = false;
      group.querySelectorAll("li.field").forEach(function (li) {
        var text = li.dataset.search || "";
        var hit = words.every(function (w) { return text.indexOf(w) >= 0; });
        li.hidden = !hit;
        any = any || hit;
      });
      group.hidden = !any;
      if (words.length && any) { group.open = true; }
    });
  }
  if (search) { search.addEventListener("input", filterTree); }

  // -- sorting by header click ----------------------------------------------------------------------------
  var table = document.getElementById("result-table");
  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    if (cell.dataset.null) { return null; }
    var v = cell.dataset.v;
    return numeric ? parseFloat(v) : v;
  }
  function sortTable(col, desc) {
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var index = heads.findIndex(function (th) { return th.dataset.col === col; });
    if (index < 0) { return; }
    var numeric = heads[index].dataset.kind === "metric";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
      if (x === null || y === null) {
        if (x === y) { return a.dataset.i - b.dataset.i; }
        return x === null ? 1 : -1; // NULLs last, whatever the direction
      }
      var c = numeric ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
      if (c === 0) { return a.dataset.i - b.dataset.i; }
      return desc ? -c : c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    heads.forEach(function (th, i) {
      th.setAttribute("aria-sort", i === index ? (desc ? "descending" : "ascending") : "none");
    });
  }
  if (table) {
    table.tHead.addEventListener("keydown", function (event) {
      if ((event.key === "Enter" || event.key === " ") && event.target.closest("th[data-col]")) {
        event.preventDefault();
        event.target.closest("th[data-col]").click();
      }
    });
    table.tHead.addEventListener("click", function (event) {
      var th = event.target.closest("th[data-col]");
      if (!th) { return; }
      var desc = th.getAttribute("aria-sort") === "ascending";
      var url = setParam("sort", (desc ? "-" : "") + th.dataset.col);
      if (table.dataset.capped === "1") {
        window.location.assign(url.href); // not every row is on the page: the server sorts them all
        return;
      }
      sortTable(th.dataset.col, desc);
    });
  }

  // -- chart types ------------------------------------------------------------------------------------------
  var types = document.getElementById("chart-types");
  if (types) {
    types.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-chart]");
      if (!button) { return; }
      var type = button.dataset.chart;
      types.querySelectorAll("button").forEach(function (b) { b.classList.toggle("on", b === button); });
      var numbers = document.getElementById("numbers");
      if (numbers) { numbers.hidden = type !== "number"; }
      var box = document.getElementById("chart");
      if (box && window.MMChart) { window.MMChart.draw(box, type); }
      setParam("chart", type);
    });
  }

  // -- filters: field from the tree, values from the warehouse ----------------------------------------------
  function dimensionFields() {
    var groups = [];
    var byGroup = {};
    form.querySelectorAll("#dims-box input[name='group_by']").forEach(function (input) {
      var g = input.dataset.group || "";
      if (!byGroup[g]) { byGroup[g] = []; groups.push(g); }
      byGroup[g].push({ name: input.value, label: input.dataset.label || input.value });
    });
    return { groups: groups, byGroup: byGroup };
  }
  function refreshFieldOptions() {
    var fields = dimensionFields();
    form.querySelectorAll(".filter-row .f-field").forEach(function (select) {
      var current = select.value;
      while (select.options.length) { select.remove(0); }
      while (select.firstChild) { select.removeChild(select.firstChild); }
      select.appendChild(new Option("Field…", ""));
      var found = !current;
      fields.groups.forEach(function (g) {
        var group = document.createElement("optgroup");
        group.label = g;
        fields.byGroup[g].forEach(function (f) {
          if (f.name.indexOf("__") < 0) { return; } // entities: ids, no list of values
          var option = new Option(f.label, f.name, false, f.name === current);
          option.title = f.name;
          group.appendChild(option);
          found = found || f.name === current;
        });
        select.appendChild(group);
      });
      if (!found) { select.appendChild(new Option(current, current, true, true)); }
    });
  }

  function chipValues(row) {
    return Array.prototype.map.call(row.querySelectorAll(".f-chips .chip"), function (c) { return c.dataset.value; });
  }
  function addChip(row, value) {
    value = value.trim();
    if (!value || chipValues(row).indexOf(value) >= 0) { return; }
    var chip = document.createElement("span");
    chip.className = "chip on";
    chip.dataset.value = value;
    chip.textContent = value;
    var x = document.createElement("button");
    x.type = "button";
    x.className = "chip-x";
    x.setAttribute("aria-label", "remove");
    x.textContent = "×";
    chip.appendChild(x);
    row.querySelector(".f-chips").appendChild(chip);
  }
  function sync(row) {
    var multi = MULTI[row.querySelector(".f-op").value];
    var text = row.querySelector(".f-text");
    row.querySelector(".f-hidden").value = multi ? chipValues(row).join(",") : text.value.trim();
    text.placeholder = multi ? "add values…" : "value";
  }
  var timers = new WeakMap();
  function loadValues(row, q) {
    var field = row.querySelector(".f-field").value;
    var list = row.querySelector("datalist");
    if (!field || field.indexOf("__") < 0) { while (list.firstChild) { list.removeChild(list.firstChild); } return; }
    var key = field + "\u0000" + (q || "");
    if (row.dataset.loaded === key) { return; }
    row.dataset.loaded = key;
    var url = "/api/dimensions/" + encodeURIComponent(field) + "/values?limit=200&q=" + encodeURIComponent(q || "");
    fetch(url, { headers: { accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { values: [] }; })
      .then(function (data) {
        if (row.dataset.loaded !== key) { return; }
        while (list.firstChild) { list.removeChild(list.firstChild); }
        (data.values || []).forEach(function (v) { list.appendChild(new Option(v, v)); });
        row.dataset.more = data.more ? "1" : "";
        row.dataset.values = String((data.values || []).length);
      });
  }
  function wireRow(row) {
    var field = row.querySelector(".f-field"), op = row.querySelector(".f-op"), text = row.querySelector(".f-text");
    field.addEventListener("change", function () {
      row.querySelector(".f-chips").textContent = "";
      text.value = "";
      sync(row);
      loadValues(row, "");
    });
    op.addEventListener("change", function () {
      if (MULTI[op.value]) {
        if (text.value.trim()) { addChip(row, text.value); text.value = ""; }
      } else {
        var first = chipValues(row)[0];
        row.querySelector(".f-chips").textContent = "";
        if (first && !text.value) { text.value = first; }
      }
      sync(row);
    });
    text.addEventListener("focus", function () { loadValues(row, ""); });
    text.addEventListener("input", function () {
      if (row.dataset.more) { // a long list: ask the server for the values matching what is typed
        clearTimeout(timers.get(row));
        timers.set(row, setTimeout(function () { loadValues(row, text.value.trim()); }, 150));
      }
      if (!MULTI[op.value]) { sync(row); }
    });
    text.addEventListener("change", function () {
      if (MULTI[op.value]) { addChip(row, text.value); text.value = ""; }
      sync(row);
    });
    text.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && MULTI[op.value] && text.value.trim()) {
        event.preventDefault();
        addChip(row, text.value);
        text.value = "";
        sync(row);
      }
    });
    row.addEventListener("click", function (event) {
      var x = event.target.closest(".chip-x");
      if (x) { x.parentNode.remove(); sync(row); return; }
      if (event.target.closest(".f-remove")) {
        if (form.querySelectorAll(".filter-row").length > 1) { row.remove(); }
        else { field.value = ""; text.value = ""; row.querySelector(".f-chips").textContent = ""; sync(row); }
      }
    });
    if (field.value) { loadValues(row, ""); }
  }
  var counter = form.querySelectorAll(".filter-row").length;
  form.querySelectorAll(".filter-row").forEach(wireRow);
  var add = document.getElementById("add-filter");
  var template = document.getElementById("filter-template");
  function addRow() {
    var html = template.innerHTML.split('"vals-N"').join('"vals-' + counter + '"');
    counter += 1;
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    add.parentNode.insertBefore(row, add);
    refreshFieldOptions();
    wireRow(row);
    return row;
  }
  if (add && template) { add.addEventListener("click", addRow); }
  // ⊕ next to a dimension in the tree: filter by it (the first empty filter row, else a new one)
  form.addEventListener("click", function (event) {
    var button = event.target.closest(".filter-by");
    if (!button || !template) { return; }
    var rows = Array.prototype.slice.call(form.querySelectorAll(".filter-row"));
    var row = rows.filter(function (r) { return !r.querySelector(".f-field").value; })[0] || addRow();
    var select = row.querySelector(".f-field");
    select.value = button.dataset.field;
    select.dispatchEvent(new Event("change"));
    row.querySelector(".f-text").focus();
  });

  // -- submit: the URL carries only what was set --------------------------------------------------------------
  form.addEventListener("submit", function () {
    form.querySelectorAll(".filter-row").forEach(function (row) {
      sync(row);
      var empty = !row.querySelector(".f-field").value;
      row.querySelectorAll("[name]").forEach(function (el) { el.disabled = empty; });
    });
    ["start", "end", "limit", "sort", "chart"].forEach(function (name) {
      var el = form.querySelector("[name='" + name + "']");
      if (el && !el.value) { el.disabled = true; }
    });
  });
  // back/forward cache: a page restored after submit must have its fields enabled again
  window.addEventListener("pageshow", function () {
    form.querySelectorAll("[disabled]").forEach(function (el) { el.disabled = false; });
  });

  document.body.addEventListener("htmx:afterSwap", function () { filterTree(); refreshFieldOptions(); });
})();
