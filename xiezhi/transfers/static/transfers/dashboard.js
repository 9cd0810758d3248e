// Transfer dashboard charts (Apache ECharts). Data comes from the JSON block #dashboard-data;
// no inline script (CSP). Tooltips render as rich text so no inline styles are injected.
(function () {
  "use strict";
  function data() {
    var el = document.getElementById("dashboard-data");
    return el ? JSON.parse(el.textContent) : null;
  }
  function percentAxis() {
    return { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } };
  }
  var builders = {
    monthly: function (d) {
      return {
        tooltip: { trigger: "axis", renderMode: "richText" },
        legend: { data: ["按时移送率", "按时答复率"] },
        xAxis: { type: "category", data: d.months },
        yAxis: percentAxis(),
        series: [
          { name: "按时移送率", type: "line", data: d.monthly_send, connectNulls: true },
          { name: "按时答复率", type: "line", data: d.monthly_reply, connectNulls: true }
        ]
      };
    },
    units: function (d) {
      return {
        tooltip: { trigger: "axis", renderMode: "richText" },
        legend: { data: ["按时移送率", "按时答复率"] },
        grid: { left: 140 },
        yAxis: { type: "category", data: d.units },
        xAxis: percentAxis(),
        series: [
          { name: "按时移送率", type: "bar", data: d.unit_send },
          { name: "按时答复率", type: "bar", data: d.unit_reply }
        ]
      };
    },
    declines: function (d) {
      return {
        tooltip: { trigger: "item", renderMode: "richText" },
        series: [{ type: "pie", radius: "60%", data: d.declines.filter(function (x) { return x.value > 0; }) }]
      };
    },
    disputes: function (d) {
      return {
        tooltip: { trigger: "axis", renderMode: "richText" },
        xAxis: { type: "category", data: d.disputes.stages, axisLabel: { interval: 0, rotate: 30 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: "bar", data: d.disputes.counts }]
      };
    }
  };
  function draw() {
    var d = data();
    if (!d || typeof window.echarts === "undefined") {
      return;
    }
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var build = builders[el.getAttribute("data-chart")];
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
