// tools/teach/report_assets.h: the CSS and JavaScript embedded in every
// `utsim report` page (one self-contained file: no network, no fonts to
// fetch).  The script logs any JavaScript error into the visible #js-errors
// box and, when the page has loaded without one, sets the title to
// "utsim report: ok" (the headless-Chromium test reads both).
#pragma once

namespace tools::report_assets {

// The legend's first row, shared by the report's and the served page's
// timelines: the colours both draw a task state, a callback and a syscall in
// (report_svg.cpp; serve_page.cpp's script), so that neither legend can leave
// one out.  Each page appends the markers it draws and closes the <div>.
inline constexpr const char* kLegendSwatches =
    R"(<div class="legend"><span><span class="sw" style="background:#7cc47f"></span>TASK_RUNNING</span>)"
    R"(<span><span class="sw" style="background:#a9cdee"></span>TASK_INTERRUPTIBLE</span>)"
    R"(<span><span class="sw" style="background:#6f9fd6"></span>TASK_UNINTERRUPTIBLE</span>)"
    R"(<span><span class="sw" style="background:#f0b45e"></span>TASK_STOPPED</span>)"
    R"(<span><span class="sw" style="background:#e0605e"></span>TASK_TRACED</span>)"
    R"(<span><span class="sw" style="background:#b5b5b5"></span>EXIT_ZOMBIE</span>)"
    R"(<span><span class="sw" style="background:#8a8a8a"></span>EXIT_DEAD / TASK_DEAD</span>)"
    R"(<span><span class="sw" style="background:#c77dd6"></span>callback (on the lane of the task that runs it)</span>)"
    R"(<span><span class="sw" style="background:#dfe3ea"></span>syscall</span>)";

inline constexpr const char* kCss = R"CSS(
:root { --fg: #1d2330; --muted: #5b6475; --line: #d8dde6; --bg: #ffffff; --panel: #f6f8fb; --accent: #2458b3; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 22px 32px 14px; background: linear-gradient(90deg, #16213a, #2a3f6e); color: #fff; }
header h1 { margin: 0 0 4px; font-size: 24px; }
header .summary { font-size: 16px; opacity: .92; }
header .meta { margin-top: 8px; font-size: 13px; opacity: .8; }
header .meta code { color: #fff; background: rgba(255,255,255,.12); }
nav { position: sticky; top: 0; z-index: 5; background: #fff; border-bottom: 1px solid var(--line); padding: 8px 32px; font-size: 14px; }
nav a { margin-right: 18px; color: var(--accent); text-decoration: none; }
main { padding: 8px 32px 40px; max-width: 1500px; }
section { margin: 26px 0; }
h2 { font-size: 19px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 18px 0 6px; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
code { background: var(--panel); padding: 1px 4px; border-radius: 3px; }
pre { background: var(--panel); border: 1px solid var(--line); padding: 10px 12px; overflow: auto; max-height: 420px; }
.explain { background: var(--panel); border-left: 4px solid var(--accent); padding: 6px 16px; }
.kv { display: grid; grid-template-columns: 170px 1fr; gap: 2px 14px; }
.kv dt { color: var(--muted); }
.kv dd { margin: 0; }
.verdict-ok { color: #1b7f3b; font-weight: 600; }
.verdict-bad { color: #b3261e; font-weight: 600; }
.violation { border: 1px solid #f0c2be; background: #fff5f4; padding: 8px 12px; margin: 8px 0; border-radius: 6px; }
.violation blockquote { margin: 4px 0 0 0; padding-left: 10px; border-left: 3px solid #e0a19b; color: #5a2b27; }
.scroll { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--panel); }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: 13px; color: var(--muted); margin: 6px 0; }
.legend span.sw { display: inline-block; width: 14px; height: 10px; margin-right: 4px; vertical-align: middle; border-radius: 2px; }
.races { border: 1px solid #f0c2be; border-left: 4px solid #d7261e; background: #fff8f7; padding: 6px 12px; margin: 8px 0; font-size: 14px; }
.races ol { margin: 2px 0 4px; }
.races .acc { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
.narrative td.step { white-space: nowrap; color: var(--muted); font-variant-numeric: tabular-nums; }
.narrative td.task { white-space: nowrap; font-weight: 600; }
.narrative tr.quiet td { color: #9aa1ad; font-size: 13px; }
.narrative tr.flash { background: #fff4c2; }
.narrative ul { margin: 0; padding-left: 16px; }
.narrative li { margin: 2px 0; }
.narrative .why { color: var(--muted); font-size: 13px; }
.narrative .k-api { color: #8a6d00; } .narrative .k-callback { color: #8d3fa0; } .narrative .k-state { color: #1a7a8a; }
.narrative .k-sched { color: #2458b3; } .narrative .k-signal { color: #2e7d32; } .narrative .k-property { color: #b3261e; font-weight: 600; }
#js-errors { display: none; margin: 12px 32px; padding: 10px 14px; border: 2px solid #b3261e; background: #fff0ef; color: #7a1410; }
#js-errors.shown { display: block; }
footer { padding: 16px 32px; color: var(--muted); font-size: 13px; border-top: 1px solid var(--line); }
)CSS";

// The style of the SVG pictures (report_svg.cpp): every rule is scoped to
// `svg`, so the same text styles a picture inside a page (after kCss) and
// a standalone .svg file, where timeline_svg_document puts it in a <style>
// element.  rsvg-convert (--trace png) reads it there too.
inline constexpr const char* kSvgCss = R"CSS(
svg text { font-family: Helvetica, Arial, sans-serif; }
svg .lane-bg { fill: #fbfcfe; stroke: #eef1f6; }
svg .lane:nth-of-type(even) .lane-bg { fill: #f4f6fa; }
svg .lane-name { font-size: 13px; font-weight: 600; fill: #1d2330; }
svg .lane-kind { font-size: 11px; fill: #7a8294; }
svg .grid { stroke: #e6e9ef; stroke-width: 1; }
svg .tick { font-size: 10px; fill: #7a8294; text-anchor: middle; }
svg .axis-label { font-size: 10px; fill: #7a8294; text-anchor: end; }
svg .span { stroke: rgba(0,0,0,.15); stroke-width: .5; }
svg .span-label { font-size: 10px; fill: #fff; font-weight: 600; pointer-events: none; }
svg .slice { stroke-width: .6; }
svg .slice.callback { fill: #c77dd6; stroke: #8d3fa0; }
svg .slice.syscall { fill: #dfe3ea; stroke: #a5adbb; }
svg .slice-label { font-size: 8px; fill: #222; pointer-events: none; }
svg .flow { fill: none; stroke-width: 1.4; opacity: .55; }
svg .flow:hover { opacity: 1; stroke-width: 2.5; }
svg .mark { cursor: pointer; }
svg .mark-api { fill: #e5b700; stroke: #8a6d00; }
svg .mark-ptrace { fill: #ff8c1a; stroke: #9b4f00; }
svg .mark-signal { fill: #3a9d3a; stroke: #1f5f1f; }
svg .mark-wait { fill: #1f5fbf; stroke: #123a75; }
svg .mark-ustate { fill: #17a2b8; stroke: #0b5f6b; }
svg .mark-life { fill: #9aa1ad; stroke: #5f6673; }
svg .mark-property { stroke: #d7261e; stroke-width: 3; fill: none; }
svg .mark:hover, svg .span:hover, svg .slice:hover { filter: brightness(1.15); stroke: #000; }
svg .hold { stroke: rgba(0,0,0,.35); stroke-width: .5; }
svg .hold-label { font-size: 9px; fill: #fff; font-weight: 600; pointer-events: none; }
svg .lock-name { font-size: 11px; fill: #1d2330; }
svg .locks-title { font-size: 11px; font-weight: 600; fill: #5b6475; }
svg .race-window { fill: rgba(215,38,30,.10); stroke: #d7261e; stroke-width: 1; stroke-dasharray: 4 3; }
svg .race-label { font-size: 10px; fill: #b3261e; font-weight: 600; pointer-events: none; }
svg .conflict { stroke: #d7261e; stroke-width: 1.6; stroke-dasharray: 5 3; fill: none; }
svg .access circle { fill: #fff; stroke: #d7261e; stroke-width: 2; }
svg .access-no { font-size: 9px; font-weight: 700; fill: #b3261e; text-anchor: middle; pointer-events: none; }
svg .access { cursor: pointer; }
svg .state { stroke: #333; stroke-width: .8; }
svg .state-label { font-size: 11px; text-anchor: middle; fill: #111; pointer-events: none; }
svg .edge { fill: none; stroke: #444; stroke-width: 1.2; }
svg .edge:hover { stroke: #2458b3; stroke-width: 2.5; }
svg .edge-label { font-size: 10px; fill: #444; text-anchor: middle; }
svg .machine-name { font-size: 13px; font-weight: 600; fill: #1d2330; }
)CSS";

inline constexpr const char* kJs = R"JS(
(function () {
  "use strict";
  var errors = [];
  function showError(msg) {
    errors.push(msg);
    var box = document.getElementById("js-errors");
    if (box) {
      box.className = "shown";
      box.textContent = "JavaScript errors on this page: " + errors.join(" | ");
    }
    document.title = "utsim report: error";
  }
  window.addEventListener("error", function (e) { showError(e.message || String(e)); });
  window.addEventListener("unhandledrejection", function (e) { showError(String(e.reason)); });

  // Clicking a marker, a span or a slice of a timeline shows that step of the narrative.
  function jumpToStep(step) {
    var rows = document.querySelectorAll("tr[data-first]");
    var best = null;
    for (var i = 0; i < rows.length; i++) {
      var f = Number(rows[i].getAttribute("data-first")), l = Number(rows[i].getAttribute("data-last"));
      if (f <= step && step <= l && rows[i].closest("#narrative")) { best = rows[i]; break; }
    }
    if (!best) return;
    var old = document.querySelectorAll("tr.flash");
    for (var j = 0; j < old.length; j++) old[j].classList.remove("flash");
    best.classList.add("flash");
    best.scrollIntoView({ block: "center" });
  }
  var clickable = document.querySelectorAll("svg.timeline [data-step]");
  for (var i = 0; i < clickable.length; i++) {
    clickable[i].addEventListener("click", function (ev) {
      jumpToStep(Number(ev.currentTarget.getAttribute("data-step")));
    });
  }
  // Hovering a task's lane highlights its row in the state diagram.
  var lanes = document.querySelectorAll("svg.timeline .lane");
  for (var k = 0; k < lanes.length; k++) {
    lanes[k].addEventListener("mouseenter", function (ev) {
      var name = ev.currentTarget.getAttribute("data-task");
      var ms = document.querySelectorAll("svg.states .machine");
      for (var m = 0; m < ms.length; m++)
        ms[m].style.opacity = ms[m].getAttribute("data-task") === name ? "1" : "0.35";
    });
    lanes[k].addEventListener("mouseleave", function () {
      var ms = document.querySelectorAll("svg.states .machine");
      for (var m = 0; m < ms.length; m++) ms[m].style.opacity = "1";
    });
  }
  // A timeline a little wider than its box is scaled to fit it (lane names
  // and the race stay in view together); a longer one is scrolled so that
  // its first race window shows without scrolling by hand.
  var tls = document.querySelectorAll("svg.timeline");
  for (var s = 0; s < tls.length; s++) {
    var holder = tls[s].closest(".scroll");
    var natural = Number(tls[s].getAttribute("width"));
    if (holder && natural > holder.clientWidth && natural <= holder.clientWidth * 1.8) {
      tls[s].style.width = "100%";
      tls[s].style.height = "auto";
    }
  }
  var races = document.querySelectorAll("svg.timeline .race-window");
  var scrolled = [];
  for (var r = 0; r < races.length; r++) {
    var box = races[r].closest(".scroll");
    if (!box || scrolled.indexOf(box) >= 0) continue;
    scrolled.push(box);
    var svg = races[r].closest("svg");
    var x = Number(races[r].getAttribute("x")) * svg.getBoundingClientRect().width / Number(svg.getAttribute("width"));
    if (x > box.clientWidth * 0.6) box.scrollLeft = x - box.clientWidth * 0.35;
  }
  var counts = document.getElementById("counts");
  if (counts) {
    counts.textContent = document.querySelectorAll("svg.timeline .mark").length + " markers, " +
      document.querySelectorAll("#narrative tr[data-first]").length + " narrative rows";
  }
  if (errors.length === 0) document.title = "utsim report: ok";
})();
)JS";

}  // namespace tools::report_assets
