// 协作联动统计 charts (Apache ECharts, vendored). Data comes from the JSON block #linkage-data;
// no inline script (CSP). Tooltips render as rich text so no inline styles are injected.
(function () {
  "use strict";
  function data() {
    var el = document.getElementById("linkage-data");
    return el ? JSON.parse(el.textContent) : null;
  }
  function percentAxis() {
    return { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } };
  }
  var builders = {
    workflows: function (d) {
      return {
        tooltip: { trigger: "axis", renderMode: "richText" },
        legend: { data: ["按时办结率"] },
        grid: { left: 110 },
        yAxis: { type: "category", data: d.workflows, inverse: true },
        xAxis: percentAxis(),
        series: [{ name: "按时办结率", type: "bar", data: d.workflow_rate }]
      };
    },
    counts: function (d) {
      var names = ["进行中", "已超期", "已完成", "已免除"];
      var colours = ["#2e5aac", "#d92d20", "#12b76a", "#98a2b3"];
      var values = [d.workflow_open, d.workflow_overdue, d.workflow_met, d.workflow_waived];
      return {
        tooltip: { trigger: "axis", renderMode: "richText" },
        legend: { data: names },
        grid: { left: 110 },
        yAxis: { type: "category", data: d.workflows, inverse: true },
        xAxis: { type: "value", minInterval: 1 },
        series: names.map(function (name, i) {
          return { name: name, type: "bar", stack: "n", data: values[i], itemStyle: { color: colours[i] } };
        })
      };
    },
    monthly: function (d) {
      // showSymbol: a month range with one judged month still shows its point.
      var series = [{ name: "全部", type: "line", data: d.monthly_rate, connectNulls: true, showSymbol: true, symbolSize: 8 }];
      d.workflow_months.forEach(function (w) {
        series.push({ name: w.name, type: "line", data: w.data, connectNulls: true, showSymbol: true });
      });
      return {
        tooltip: { trigger: "axis", renderMode: "richText" },
        legend: { type: "scroll", data: series.map(function (s) { return s.name; }) },
        xAxis: { type: "category", data: d.months },
        yAxis: percentAxis(),
        series: series
      };
    }
  };
  function draw() {
    var d = data();
    if (!d || typeof window.echarts === "undefined") {
      return;
    }
    var charts = [];
    document.querySelectorAll("[data-linkage-chart]").forEach(function (el) {
      var build = builders[el.getAttribute("data-linkage-chart")];
      if (!build) {
        return;
      }
      var chart = window.echarts.init(el);
      chart.setOption(build(d));
      el.setAttribute("data-rendered", "1");
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
