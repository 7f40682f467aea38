// Charts of the supervision trends (/supervision/trends): each
// <figure class="trend-chart"> holds a table (periods across, one series a
// row), which stays the page's content without JavaScript; with it, ECharts
// (vendor/echarts.min.js, loaded before this file) draws the same table
// above it. Nothing here invents a figure: every number is read from the
// table's cells.
(function () {
  "use strict";
  function draw(fig) {
    var table = fig.querySelector("table");
    if (!table || typeof echarts === "undefined") {
      return;
    }
    var periods = [];
    table.querySelectorAll("thead th").forEach(function (th, i) {
      if (i > 0) {
        periods.push(th.textContent.trim());
      }
    });
    var series = [];
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      var name = tr.querySelector("th").textContent.trim();
      var data = [];
      tr.querySelectorAll("td").forEach(function (td) {
        data.push(Number(td.getAttribute("data-n")));
      });
      var s = { name: name, type: tr.getAttribute("data-kind") || "bar", data: data };
      var color = tr.getAttribute("data-color");
      if (color) {
        s.itemStyle = { color: color };
        s.lineStyle = { color: color };
      }
      if (s.type === "line") {
        s.yAxisIndex = 0;
        s.smooth = false;
      }
      series.push(s);
    });
    var box = document.createElement("div");
    box.className = "trend-canvas";
    box.style.width = "100%";
    box.style.height = "320px";
    box.setAttribute("role", "img");
    box.setAttribute("aria-label", fig.querySelector("figcaption").textContent.trim());
    fig.insertBefore(box, fig.querySelector("figcaption").nextSibling);
    var chart = echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 40, bottom: 30, containLabel: true },
      xAxis: { type: "category", data: periods },
      yAxis: { type: "value", minInterval: 1 },
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
    fig.setAttribute("data-rendered", "true");
  }
  function start() {
    document.querySelectorAll("figure.trend-chart").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
