// parkflow: the reports' charts, drawn with the vendored Apache ECharts (SVG renderer).
// No inline script (the CSP forbids it): each chart is a <div class="chart" data-chart="…">
// whose JSON the server wrote from the report's View (web/report_view.py): kind (bar, line,
// funnel), categories, series [{name, values, kind}], percent. Loaded on the reports page
// only, and inlined into the standalone report file.
(function () {
  "use strict";

  var PALETTE = ["#1d3557", "#4f7cac", "#c9930a", "#2e7d32", "#b5272d", "#6b4f8a", "#2b6777"];
  var PRINT_WIDTH = 680; // A4 portrait less 15 mm margins: 180 mm at 96 px per inch
  var PRINT_HEIGHT = 300;
  var charts = [];

  function percent(value) {
    return value == null ? "—" : Math.round(value * 1000) / 10 + "%";
  }

  function plain(value) {
    return value == null ? "—" : String(value);
  }

  function funnel(spec) {
    var series = spec.series[0];
    return {
      tooltip: { trigger: "item", valueFormatter: plain },
      series: [{
        type: "funnel", name: series.name, sort: "none", left: 8, width: "55%",
        top: 10, bottom: 10, minSize: "6%", gap: 2,
        label: { show: true, position: "right", color: "#1c2631", formatter: "{b}  {c}" },
        labelLine: { show: true },
        data: spec.categories.map(function (name, i) {
          return { name: name, value: series.values[i] };
        })
      }]
    };
  }

  function axes(spec) {
    var format = spec.percent ? percent : plain;
    return {
      tooltip: { trigger: "axis", valueFormatter: format },
      legend: { show: spec.series.length > 1, bottom: 0 },
      grid: { left: 8, right: 16, top: 16, bottom: spec.series.length > 1 ? 36 : 8,
              containLabel: true },
      // every category is named: none hidden for overlapping, each wrapped within its own
      // band (fitLabels sets the width once the chart knows its size)
      xAxis: { type: "category", data: spec.categories,
               axisLabel: { interval: 0, overflow: "break", lineHeight: 16 } },
      yAxis: { type: "value", minInterval: spec.percent ? 0 : 1,
               max: spec.percent ? 1 : null,
               axisLabel: { formatter: spec.percent ? percent : null } },
      series: spec.series.map(function (s) {
        var kind = spec.kind === "line" ? "line" : s.kind;
        return { type: kind, name: s.name, data: s.values, connectNulls: false,
                 barMaxWidth: 36, symbolSize: kind === "line" ? 7 : undefined,
                 label: { show: kind === "bar", position: "top", formatter: function (p) {
                   return p.value == null ? "" : format(p.value);
                 } } };
      })
    };
  }

  // A category's label wraps within the width of its band on the axis (a long English
  // stage name takes two or three lines rather than hiding its neighbour's), measured
  // after each layout, as the band narrows with the screen.
  function fitLabels(chart, spec) {
    if (spec.kind === "funnel" || !spec.categories.length) return;
    var band = spec.categories.length > 1
      ? chart.convertToPixel({ xAxisIndex: 0 }, 1) - chart.convertToPixel({ xAxisIndex: 0 }, 0)
      : chart.getWidth() / 2;
    chart.setOption({ xAxis: { axisLabel: { width: Math.max(Math.floor(band) - 6, 24) } } });
  }

  function draw(el) {
    var spec = JSON.parse(el.getAttribute("data-chart"));
    var chart = echarts.init(el, null, { renderer: "svg", locale: spec.lang === "en" ? "EN" : "ZH" });
    var option = spec.kind === "funnel" ? funnel(spec) : axes(spec);
    option.color = PALETTE;
    option.animation = false; // what prints is what shows, at once
    chart.setOption(option);
    fitLabels(chart, spec);
    charts.push({ chart: chart, spec: spec });
  }

  function resizeAll(size) {
    charts.forEach(function (drawn) {
      drawn.chart.resize(size);
      fitLabels(drawn.chart, drawn.spec);
    });
  }

  // Printing lays the page out again at paper width: draw the charts at that width, and
  // back at the screen's afterwards (beforeprint for the print dialog, the media query for
  // emulated or scripted print).
  function forPrint(printing) {
    resizeAll(printing ? { width: PRINT_WIDTH, height: PRINT_HEIGHT } : { width: "auto", height: "auto" });
  }

  function init() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll(".chart[data-chart]").forEach(draw);
    window.addEventListener("resize", function () { resizeAll(); });
    window.addEventListener("beforeprint", function () { forPrint(true); });
    window.addEventListener("afterprint", function () { forPrint(false); });
    var media = window.matchMedia("print");
    if (media.addEventListener) media.addEventListener("change", function (e) { forPrint(e.matches); });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
