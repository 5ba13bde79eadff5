/* Draws the dashboard's charts from the JSON the page carries in #analytics-data (the strict
   CSP allows no inline script). Tables beside each chart hold the same figures, so nothing is
   lost where ECharts is absent. */
(function () {
  "use strict";
  var source = document.getElementById("analytics-data");
  if (!source || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var charts = [];

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) {
      return;
    }
    var chart = window.echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
  }

  function names(rows) {
    return rows.map(function (r) { return r.name; });
  }

  function values(rows, key) {
    return rows.map(function (r) { return Number(r[key]) || 0; });
  }

  var tooltip = { trigger: "axis" };

  draw("chart-funnel", {
    tooltip: { trigger: "item", formatter: "{b}: {c}" },
    series: [{
      type: "funnel",
      sort: "none",
      left: "10%",
      width: "80%",
      label: { show: true, position: "inside", formatter: "{b} {c}" },
      data: data.funnel.map(function (s) { return { name: s.label, value: s.reached }; })
    }]
  });

  draw("chart-trend", {
    tooltip: tooltip,
    legend: { data: ["发现", "销号"] },
    xAxis: { type: "category", data: data.trend.months },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "发现", type: "line", smooth: true, data: data.trend.found },
      { name: "销号", type: "line", smooth: true, data: data.trend.closed }
    ]
  });

  function bars(id, rows, series) {
    if (!rows.length) {
      var el = document.getElementById(id);
      if (el) { el.classList.add("app-chart-empty"); }
      return;
    }
    draw(id, {
      tooltip: tooltip,
      legend: { data: series.map(function (s) { return s[1]; }) },
      grid: { containLabel: true, left: 8, right: 16 },
      xAxis: { type: "category", data: names(rows), axisLabel: { interval: 0, rotate: rows.length > 6 ? 30 : 0 } },
      yAxis: { type: "value" },
      series: series.map(function (s) {
        return { name: s[1], type: "bar", data: values(rows, s[0]) };
      })
    });
  }

  bars("chart-townships", data.townships, [["found", "发现"], ["closed", "销号"], ["major", "重大"], ["overdue", "逾期"]]);
  bars("chart-industries", data.industries, [["found", "发现"], ["major", "重大"]]);
  bars("chart-providers", data.providers, [["found", "发现"], ["closed", "销号"]]);
  bars("chart-closure", data.closure.filter(function (r) { return r.closed > 0; }).map(function (r) {
    return { name: r.label, average_days: r.average_days, median_days: r.median_days };
  }), [["average_days", "平均（天）"], ["median_days", "中位数（天）"]]);
  bars("chart-cost", data.cost, [["spend", "合同金额（元）"], ["staff_cost", "替代人员经费（元）"]]);

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
