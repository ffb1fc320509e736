/* metricmind charts: draws each .mm-chart element's JSON spec (charts.chart_spec) with Apache ECharts.
 *
 *   <div class="mm-chart" id="chart"><script type="application/json" class="chart-spec">{…}</script>
 *        <div class="mm-canvas" style="height: 320px"></div></div>
 *
 * Types: line, bar, stacked (bars), area, table (no chart). Numbers follow each series' unit (currency,
 * percent = already x100, ratio = a share, count, number) in axis labels and tooltips, like the table
 * (formats.py). Boxes are drawn on load and when htmx swaps content in. MMChart.draw(box, type) redraws.
 */
(function () {
  "use strict";
  var PALETTE = ["#2563eb", "#16a34a", "#db2777", "#ea580c", "#7c3aed", "#0891b2", "#ca8a04", "#475569",
    "#0d9488", "#9333ea", "#dc2626", "#65a30d"];
  var ADDITIVE = { currency: true, count: true, number: true };

  function numberFormat(unit, currency, compact) {
    var scale = unit === "percent" ? 0.01 : 1;
    var cache = {};
    function formatter(digits) {
      var key = String(digits);
      if (!cache[key]) {
        var opts = { maximumFractionDigits: digits, minimumFractionDigits: 0 };
        if (unit === "currency") {
          opts.style = "currency";
          opts.currency = currency || "USD";
          if (!compact) { opts.minimumFractionDigits = digits; }
        } else if (unit === "percent" || unit === "ratio") {
          opts.style = "percent";
        }
        if (compact) { opts.notation = "compact"; }
        cache[key] = new Intl.NumberFormat("en-US", opts);
      }
      return cache[key];
    }
    return function (value) {
      if (value === null || value === undefined || typeof value !== "number" || isNaN(value)) { return "–"; }
      var digits;
      if (unit === "percent" || unit === "ratio") { digits = 1; }
      else if (unit === "currency") { digits = compact ? 1 : (Math.abs(value) >= 100000 ? 0 : 2); }
      else if (unit === "count") { digits = compact ? 1 : (value === Math.round(value) ? 0 : 1); }
      else { digits = compact ? 1 : 2; }
      return formatter(digits).format(value * scale);
    };
  }

  function option(spec, type) {
    var y = spec.y || {};
    var additive = (spec.series || []).every(function (s) { return ADDITIVE[s.unit]; });
    // one value axis per unit (two at most): MRR in dollars and a churn rate in percent side by side
    var units = [];
    spec.series.forEach(function (s) { if (units.indexOf(s.unit) < 0) { units.push(s.unit); } });
    var axes = units.slice(0, 2).map(function (unit, i) {
      var first = spec.series.filter(function (s) { return s.unit === unit; })[0];
      return {
        type: "value",
        position: i ? "right" : "left",
        splitLine: { show: i === 0 },
        axisLabel: { formatter: numberFormat(unit, first.currency, true) }
      };
    });
    var series = spec.series.map(function (s) {
      var isLine = type === "line" || type === "area";
      var out = {
        name: s.name,
        type: isLine ? "line" : "bar",
        data: s.values,
        emphasis: { focus: "series" },
        yAxisIndex: Math.min(units.indexOf(s.unit), axes.length - 1),
        tooltip: { valueFormatter: numberFormat(s.unit, s.currency, false) }
      };
      if (type === "stacked" || (type === "area" && additive)) { out.stack = "total" + out.yAxisIndex; }
      if (type === "area") { out.areaStyle = { opacity: 0.3 }; }
      if (isLine) { out.showSymbol = s.values.length <= 60; out.symbolSize = 5; }
      return out;
    });
    return {
      animation: false,
      color: PALETTE,
      grid: { left: 12, right: 36, top: series.length > 1 ? 36 : 16, bottom: 34, containLabel: true },
      legend: { show: series.length > 1, type: "scroll", top: 0 },
      tooltip: {
        trigger: "axis",
        confine: true,
        axisPointer: { type: type === "line" || type === "area" ? "line" : "shadow" },
        valueFormatter: numberFormat(y.unit, y.currency, false)
      },
      xAxis: {
        type: "category",
        data: spec.x.labels,
        name: spec.x.label,
        nameLocation: "middle",
        nameGap: 30,
        boundaryGap: type !== "line" && type !== "area",
        axisLabel: { hideOverlap: true }
      },
      yAxis: axes,
      series: series
    };
  }

  // A page may hand over its own ECharts option (charts.echarts_spec: heatmaps, waterfalls, …); value axes and
  // tooltips that set no formatter get the unit's.
  function customOption(spec) {
    var option = JSON.parse(JSON.stringify(spec.option));
    if (spec.unit) {
      var full = numberFormat(spec.unit, spec.currency, false), compact = numberFormat(spec.unit, spec.currency, true);
      option.tooltip = option.tooltip || {};
      if (!option.tooltip.valueFormatter && !option.tooltip.formatter) { option.tooltip.valueFormatter = full; }
      [].concat(option.yAxis || [], option.xAxis || []).forEach(function (axis) {
        if (axis.type === "value") {
          axis.axisLabel = axis.axisLabel || {};
          if (!axis.axisLabel.formatter) { axis.axisLabel.formatter = compact; }
        }
      });
    }
    if (option.animation === undefined) { option.animation = false; }
    return option;
  }

  function specOf(box) {
    if (!box._mmSpec) {
      var node = box.querySelector("script.chart-spec");
      box._mmSpec = node ? JSON.parse(node.textContent) : {};
    }
    return box._mmSpec;
  }

  var loading = null;
  function loadECharts(src) {
    // ECharts is fetched only when a chart is drawn: pages showing a table or big numbers never pay for it
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function draw(box, type) {
    var spec = specOf(box);
    type = type || spec.type || "table";
    var canvas = box.querySelector(".mm-canvas");
    var chart = canvas && window.echarts ? window.echarts.getInstanceByDom(canvas) : null;
    box.dataset.kind = type;
    var drawable = spec.option || (spec.series && spec.series.length);
    if (type === "table" || type === "number" || !drawable || !canvas) {
      if (chart) { chart.dispose(); }
      box.hidden = true;
      box.dataset.rendered = type;
      return null;
    }
    box.hidden = false;
    if (!window.echarts) {
      loadECharts(box.dataset.echarts).then(function () { if (box.dataset.kind === type) { draw(box, type); } });
      return null;
    }
    if (!chart) { chart = window.echarts.init(canvas, null, { renderer: "svg" }); }
    chart.setOption(spec.option ? customOption(spec) : option(spec, type), true);
    if (window.performance && performance.mark) { performance.mark("mm-chart-drawn"); }
    box.dataset.rendered = type;
    box.dataset.series = String((spec.series || spec.option.series || []).length);
    return chart;
  }

  function drawAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var boxes = Array.prototype.slice.call(scope.querySelectorAll(".mm-chart"));
    if (scope.classList && scope.classList.contains("mm-chart")) { boxes.push(scope); }
    boxes.forEach(function (box) { if (!box.dataset.rendered) { draw(box); } });
  }

  window.MMChart = { draw: draw, drawAll: drawAll, numberFormat: numberFormat, option: option };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  } else {
    drawAll(document);
  }
  document.addEventListener("htmx:load", function (event) { drawAll(event.target); });
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      document.querySelectorAll(".mm-chart .mm-canvas").forEach(function (canvas) {
        var chart = window.echarts.getInstanceByDom(canvas);
        if (chart) { chart.resize(); }
      });
    }, 100);
  });
})();
