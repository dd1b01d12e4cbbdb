// The cycle dashboard's charts (ECharts, served locally). The data come from the page as JSON
// (json_script); labels come translated from the server.
(() => {
  const source = document.getElementById("kh-charts");
  if (!source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const red = "#c8161d";
  const grey = "#868e96";

  const builders = {
    ranking(el) {
      const d = data.ranking;
      const height = Math.max(240, d.units.length * 22 + 40);
      el.style.height = `${height}px`;
      return {
        grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", min: (v) => Math.max(0, Math.floor(v.min / 10) * 10 - 10) },
        yAxis: { type: "category", data: d.units.slice().reverse(), axisLabel: { fontSize: 11 } },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        series: [{
          type: "bar", data: d.totals.slice().reverse(), itemStyle: { color: red },
          label: { show: true, position: "right", fontSize: 11 },
        }],
      };
    },
    radar(el) {
      const d = data.radar;
      const series = [{ value: d.average, name: el.dataset.averageLabel, lineStyle: { color: grey }, itemStyle: { color: grey } }];
      if (d.unit) series.unshift({ value: d.unit, name: d.unit_name, areaStyle: { opacity: 0.15 }, lineStyle: { color: red }, itemStyle: { color: red } });
      return {
        legend: { bottom: 0 },
        tooltip: {},
        radar: { indicator: d.indicators, radius: "62%", axisName: { fontSize: 11 } },
        series: [{ type: "radar", data: series }],
      };
    },
    trend(el) {
      // Horizontal bars, one row per unit: two dozen enterprise names stay readable, where rotated
      // labels under vertical bars ran into each other.
      const d = data.trend;
      el.style.height = `${Math.max(240, d.units.length * 30 + 56)}px`;
      const reversed = (values) => values.slice().reverse();  // the first unit on top
      return {
        legend: { top: 0 },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 8, right: 40, top: 32, bottom: 8, containLabel: true },
        xAxis: { type: "value", min: (v) => Math.max(0, Math.floor(v.min / 10) * 10 - 10) },
        yAxis: { type: "category", data: reversed(d.units), axisLabel: { fontSize: 11 } },
        series: [
          { type: "bar", name: el.dataset.lastLabel, data: reversed(d.last), itemStyle: { color: "#adb5bd" } },
          { type: "bar", name: el.dataset.thisLabel, data: reversed(d.this), itemStyle: { color: red } },
        ],
      };
    },
    heatmap(el) {
      const d = data.heatmap;
      el.style.height = `${Math.max(260, d.items.length * 18 + 120)}px`;
      return {
        tooltip: { formatter: (p) => `${d.items[p.value[1]]}<br>${d.units[p.value[0]]}: ${p.value[2]}%` },
        grid: { left: 8, right: 8, top: 8, bottom: 64, containLabel: true },
        xAxis: { type: "category", data: d.units, axisLabel: { rotate: 45, fontSize: 10 }, splitArea: { show: true } },
        yAxis: { type: "category", data: d.items, axisLabel: { fontSize: 10 }, splitArea: { show: true } },
        visualMap: { min: 0, max: 100, calculable: true, orient: "horizontal", left: "center", bottom: 0, inRange: { color: ["#fff5f5", red] } },
        series: [{ type: "heatmap", data: d.cells }],
      };
    },
  };

  for (const el of document.querySelectorAll("[data-chart]")) {
    const build = builders[el.dataset.chart];
    if (!build || !data[el.dataset.chart]) continue;
    const option = build(el);
    const chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    el.dataset.rendered = "1";  // tests wait for this
    window.addEventListener("resize", () => chart.resize());
  }
})();
