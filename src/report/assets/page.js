// The compare report page script (src/report/html.ts inlines it at build): draws every chart from
// the JSON in #dpemu-charts with Chartist and marks the page once all have rendered (tests wait for that).
(function () {
  var specs = JSON.parse(document.getElementById("dpemu-charts").textContent);
  var done = {};
  var remaining = specs.length;
  function formatY(spec) {
    return function (v) {
      return spec.yFormat === "percent" ? (v * 100).toFixed(spec.yDigits) + "%" : v.toFixed(spec.yDigits);
    };
  }
  function rendered(id) {
    if (done[id]) return;
    done[id] = true;
    if (--remaining === 0) document.body.setAttribute("data-charts-ready", "true");
  }
  if (remaining === 0) document.body.setAttribute("data-charts-ready", "true");
  specs.forEach(function (spec) {
    var element = document.querySelector('[data-chart="' + spec.id + '"]');
    var data = { labels: spec.labels, series: spec.series };
    var options = {
      height: 240,
      chartPadding: { top: 20, right: 40, bottom: 5, left: 20 },
      axisX: { showLabel: spec.showXLabels, showGrid: spec.type === "line" },
      axisY: { labelInterpolationFnc: formatY(spec), onlyInteger: false },
      lineSmooth: false,
      fullWidth: spec.type === "line",
    };
    if (spec.yFormat === "percent") options.low = 0;
    // Bars share the slot of their label: narrow them when there are many backends.
    var slot = Math.max(1, element.clientWidth - 80) / Math.max(1, spec.labels.length);
    var barWidth = Math.max(1, Math.min(14, (slot * 0.8) / spec.series.length));
    options.seriesBarDistance = barWidth;
    var chart =
      spec.type === "bar"
        ? new Chartist.BarChart(element, data, options)
        : new Chartist.LineChart(element, data, options);
    if (spec.type === "bar") {
      chart.on("draw", function (d) {
        if (d.type === "bar") d.element.attr({ style: "stroke-width: " + barWidth + "px" });
      });
    }
    if (spec.valueLabels) {
      chart.on("draw", function (d) {
        if (d.type !== "bar") return;
        d.group
          .elem("text", { x: d.x2, y: d.y2 - 5, "text-anchor": "middle" }, "ct-bar-value")
          .text((d.value.y * 100).toFixed(1) + "%");
      });
    }
    chart.on("created", function () {
      rendered(spec.id);
    });
  });
})();
