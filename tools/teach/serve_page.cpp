// tools/teach/serve_page.cpp: the page of `utsim serve` (serve_page.h).
// The student picks a scenario, then at each choice point a thread; the
// page asks the API for the state after the schedule so far
// (docs/serve.md) and shows the choice point, the tasks, the timeline, the
// narrative and, the moment a property breaks, the violation with its
// replay command.  The schedule lives in the page (and its URL's #hash, so
// a reload or a link shows the same state): the server keeps nothing.
//
// Hooks for tests: body[data-status] is "empty", "loading", "choice",
// "ended" or "error"; a JavaScript error shows in #js-errors and sets the
// title to "utsim serve: error".
#include "tools/teach/serve_page.h"

#include "tools/teach/report_assets.h"

namespace tools {

namespace {

constexpr const char* kHead = R"HTML(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>utsim serve</title><style>)HTML";

constexpr const char* kCss = R"CSS(
header { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 24px; padding: 14px 32px; }
header h1 { margin: 0; font-size: 21px; white-space: nowrap; }
header .picker { display: flex; align-items: center; gap: 8px; font-size: 14px; }
header select { max-width: 520px; font: inherit; padding: 3px 4px; border-radius: 4px; }
header .summary { flex-basis: 100%; font-size: 15px; opacity: .92; }
main { max-width: none; }
button { font: inherit; cursor: pointer; border: 1px solid #b9c2d0; background: #fff; border-radius: 6px; padding: 5px 12px; }
button:hover:not(:disabled) { border-color: var(--accent); background: #eef3fc; }
button:disabled { opacity: .45; cursor: default; }
header button { background: #fff; }
.grid { display: grid; grid-template-columns: minmax(420px, 5fr) minmax(320px, 4fr); gap: 0 32px; align-items: start; }
@media (max-width: 1000px) { .grid { grid-template-columns: 1fr; } }
#choices { display: flex; flex-direction: column; gap: 8px; margin: 8px 0 12px; }
button.choice { display: grid; grid-template-columns: 34px 1fr; grid-template-rows: auto auto; gap: 0 10px; text-align: left; padding: 8px 12px; }
button.choice .letter { grid-row: 1 / span 2; align-self: center; font: 600 20px/1 "DejaVu Sans Mono", Menlo, monospace; color: var(--accent); text-align: center; }
button.choice .who { font-weight: 600; }
button.choice .who .fn { font-family: "DejaVu Sans Mono", Menlo, monospace; font-weight: 400; font-size: 13px; }
button.choice .what { color: var(--muted); font-size: 13px; }
button.choice.default { border-color: #7d9bd1; box-shadow: inset 3px 0 0 var(--accent); }
.tag { display: inline-block; font-size: 11px; padding: 0 6px; margin-left: 6px; border-radius: 8px; background: #e4ebf8; color: var(--accent); font-weight: 600; vertical-align: 1px; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; margin: 6px 0 14px; }
.hint { color: var(--muted); font-size: 13px; margin: 4px 0; }
#ended { border: 1px solid var(--line); background: var(--panel); border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
#ended dl { margin: 0; }
#narrative-box th { position: sticky; top: 0; z-index: 1; }
#violation-box { border: 2px solid #d7261e; background: #fff5f4; border-radius: 8px; padding: 4px 16px 8px; margin: 16px 0 8px; }
#violation-box h2 { color: #b3261e; border-bottom-color: #f0c2be; margin-top: 10px; }
#violation-box .violation { background: #fff; }
.replay { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
.replay code { font-size: 13px; padding: 4px 8px; background: #fff; border: 1px solid var(--line); user-select: all; word-break: break-all; }
.api-error { margin: 12px 32px; padding: 10px 14px; border: 2px solid #b3261e; background: #fff0ef; color: #7a1410; border-radius: 6px; }
table.tasks td.state { font-family: "DejaVu Sans Mono", Menlo, monospace; font-size: 13px; }
table.tasks .sw { display: inline-block; width: 12px; height: 10px; margin-right: 6px; border-radius: 2px; vertical-align: middle; }
#narrative-box { max-height: 560px; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
.narrative tr.new { background: #fffbe6; }
.kv { grid-template-columns: 130px 1fr; }
.elided { color: var(--muted); font-size: 13px; }
.empty { color: var(--muted); }
)CSS";

constexpr const char* kBody = R"HTML(</style></head>
<body data-status="empty">
<header>
  <h1>utsim · you are the scheduler</h1>
  <div class="picker"><label for="scenario-select">Scenario</label>
    <select id="scenario-select"><option value="">loading the list…</option></select>
    <button id="load">Load</button></div>
  <div class="summary" id="summary">Pick a scenario. At each choice point, choose which thread (which CPU) runs next, and watch what the kernel does.</div>
</header>
<div id="js-errors"></div>
<div id="api-error" class="api-error" hidden></div>
<main>
<section id="violation-box" hidden>
  <h2>A property broke</h2>
  <div id="violations"></div>
  <div class="replay"><span>Replay it from a shell:</span> <code id="violation-replay"></code></div>
</section>
<div class="grid">
  <div>
    <section id="controls">
      <h2 id="choice-title">No scenario loaded</h2>
      <p class="hint" id="choice-hint"></p>
      <div id="choices"></div>
      <div id="ended" hidden></div>
      <div class="actions">
        <button id="undo" title="take back the last choice (u)">Undo</button>
        <button id="finish" title="take the default choice at every choice point until the run ends">Run to the end</button>
        <button id="restart" title="back to the first choice point">Restart</button>
      </div>
      <dl class="kv">
        <dt>schedule so far</dt><dd><code id="schedule"></code></dd>
        <dt>replay</dt><dd class="replay"><code id="replay"></code></dd>
        <dt>model</dt><dd id="kernel"></dd>
      </dl>
    </section>
  </div>
  <div>
    <section id="tasks-section"><h2>Tasks</h2>
      <table class="tasks" id="tasks"><tr><td class="empty">no run yet</td></tr></table></section>
    <section id="about" hidden><h2>About this scenario</h2><div class="explain" id="explain"></div></section>
  </div>
</div>
<section id="timeline-section"><h2>Timeline</h2>
  <p class="hint">A lane per task; time flows right, one unit per step. Hover for details; click a marker to find its step in the narrative.</p>
)HTML";

const std::string kLegend =
    std::string(report_assets::kLegendSwatches) +
    R"(<span>◆ utrace API call, ptrace request</span><span>▲ signal</span><span>● wait</span><span>✖ violated property</span></div>)";

constexpr const char* kTail = R"HTML(
  <div id="timeline" class="scroll"><p class="empty">no run yet</p></div></section>
<section id="narrative-section"><h2>Narrative</h2>
  <p class="hint">What <code>utsim explain</code> says, step by step (* marks a step a choice point gave to that task; the newest rows are highlighted).</p>
  <div id="narrative-box"><table class="narrative" id="narrative"><tr><td class="empty">no run yet</td></tr></table></div>
</section>
</main>
<footer>utsim serve: everything on this page comes from the utsim that serves it (no network). Keys: a thread's letter runs it, u undoes.</footer>
<script>)HTML";

constexpr const char* kJs = R"JS(
(function () {
  "use strict";
  var errors = [];
  function showError(msg) {
    errors.push(msg);
    var box = document.getElementById("js-errors");
    box.className = "shown";
    box.textContent = "JavaScript errors on this page: " + errors.join(" | ");
    document.title = "utsim serve: error";
  }
  window.addEventListener("error", function (e) { showError(e.message || String(e)); });
  window.addEventListener("unhandledrejection", function (e) { showError(String(e.reason)); });

  var $ = function (id) { return document.getElementById(id); };
  var cur = null;      // the state shown (the API's JSON)
  var busy = false;
  var STATE_COLOURS = { TASK_RUNNING: "#7cc47f", TASK_INTERRUPTIBLE: "#a9cdee", TASK_UNINTERRUPTIBLE: "#6f9fd6",
    TASK_STOPPED: "#f0b45e", TASK_TRACED: "#e0605e", EXIT_ZOMBIE: "#b5b5b5", EXIT_DEAD: "#8a8a8a", TASK_DEAD: "#8a8a8a" };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  // Inline Markdown of the explain texts: **bold**, *emphasis*, `code` (as utsim report).
  function mdInline(text) {
    var s = esc(text), o = "", b = false, i = false, c = false;
    for (var k = 0; k < s.length; k++) {
      if (s[k] === "`") { o += c ? "</code>" : "<code>"; c = !c; }
      else if (!c && s[k] === "*" && s[k + 1] === "*") { o += b ? "</strong>" : "<strong>"; b = !b; k++; }
      else if (!c && s[k] === "*") { o += i ? "</em>" : "<em>"; i = !i; }
      else o += s[k];
    }
    return o + (c ? "</code>" : "") + (i ? "</em>" : "") + (b ? "</strong>" : "");
  }
  function mdBlock(md) {
    return md.split(/\n\s*\n/).map(function (p) {
      var lines = p.split("\n");
      if (lines.every(function (l) { return /^[-*] /.test(l) || !l.trim(); }))
        return "<ul>" + lines.filter(function (l) { return l.trim(); }).map(function (l) {
          return "<li>" + mdInline(l.slice(2)) + "</li>"; }).join("") + "</ul>";
      return "<p>" + mdInline(p.replace(/\n/g, " ")) + "</p>";
    }).join("");
  }

  function setStatus(s) { document.body.setAttribute("data-status", s); }
  function setBusy(b) {
    busy = b;
    var buttons = document.querySelectorAll("#controls button");
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = b || buttons[i].hasAttribute("data-off");
    if (b) setStatus("loading");
  }

  function api(call, params) {
    var q = new URLSearchParams(params || {}).toString();
    return fetch("/api/" + call + (q ? "?" + q : "")).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok || j.error) throw j.error || { id: "http", message: "HTTP " + r.status };
        return j;
      });
    });
  }
  function showApiError(e) {
    var box = $("api-error");
    box.hidden = false;
    box.textContent = (e.id ? e.id + ": " : "") + (e.message || String(e));
    box.setAttribute("data-id", e.id || "");
  }

  // ---- the scenario list ----
  function loadList() {
    return api("scenarios").then(function (j) {
      var sel = $("scenario-select");
      sel.innerHTML = "";
      var groups = {};
      j.scenarios.forEach(function (s) {
        var g = s.folder || "(top)";
        if (!groups[g]) { groups[g] = el("optgroup"); groups[g].label = g + "/"; sel.appendChild(groups[g]); }
        var o = el("option", null, (s.error ? "✗ " : "") + s.name + (s.error ? " (invalid)" : " — " + s.summary));
        o.value = s.path;
        o.title = s.error || s.summary;
        if (s.error) o.disabled = true;
        groups[g].appendChild(o);
      });
      if (!j.scenarios.length) sel.appendChild(el("option", null, "no scenario under " + j.dir));
      return j;
    });
  }

  // ---- one state ----
  function request(call, params) {
    if (busy) return Promise.resolve();
    setBusy(true);
    return api(call, params).then(function (st) {
      $("api-error").hidden = true;
      render(st);
    }, function (e) {
      showApiError(e);
      setStatus(cur ? cur.status : "error");
    }).then(function () { setBusy(false); if (cur) setStatus(cur.status); });
  }
  function here(extra) {
    var p = { scenario: cur.scenario.path, schedule: cur.schedule };
    for (var k in extra) p[k] = extra[k];
    return p;
  }

  function render(st) {
    var prev = cur && cur.scenario.path === st.scenario.path ? cur : null;
    cur = st;
    document.title = "utsim serve: " + st.scenario.name;
    $("summary").textContent = st.scenario.name + " — " + st.scenario.summary;
    $("scenario-select").value = st.scenario.path;
    $("kernel").textContent = st.scenario.kernel;
    $("about").hidden = !st.scenario.explain;
    $("explain").innerHTML = mdBlock(st.scenario.explain || "");
    $("schedule").textContent = "'" + st.schedule + "'  (" + st.choices.length + " choice" + (st.choices.length === 1 ? "" : "s") + ")";
    $("replay").textContent = st.replay;
    history.replaceState(null, "", "#scenario=" + encodeURIComponent(st.scenario.path) + "&schedule=" + encodeURIComponent(st.schedule));
    renderChoices(st);
    renderViolations(st);
    renderTasks(st);
    renderTimeline(st);
    renderNarrative(st, prev);
  }

  function renderChoices(st) {
    var box = $("choices");
    box.innerHTML = "";
    var undo = $("undo"), finish = $("finish");
    if (st.choices.length) undo.removeAttribute("data-off"); else undo.setAttribute("data-off", "");
    var ended = $("ended");
    if (st.status === "choice") {
      var cp = st.choice_point;
      $("choice-title").textContent = "Choice point " + cp.index + " · after step " + cp.step;
      $("choice-hint").textContent = "Who runs next? Each runnable thread, and the step it would take.";
      cp.options.forEach(function (o) {
        var b = el("button", "choice" + (o.default ? " default" : ""));
        b.setAttribute("data-thread", o.thread);
        b.title = "run thread " + o.thread + " (" + o.task + ") next";
        b.appendChild(el("span", "letter", o.thread));
        var who = el("span", "who", o.task + " ");
        who.appendChild(el("span", "fn", o.function));
        if (o.default) who.appendChild(el("span", "tag", "default"));
        b.appendChild(who);
        b.appendChild(el("span", "what", o.access + (o.object ? " " + o.object : "")));
        b.addEventListener("click", function () { request("choose", here({ thread: o.thread })); });
        box.appendChild(b);
      });
      finish.removeAttribute("data-off");
      ended.hidden = true;
    } else {
      var e = st.end;
      $("choice-title").textContent = "The run ended (" + e.how + ") after " + e.steps + " steps";
      $("choice-hint").textContent = "Undo to go back and choose differently, or pick another scenario.";
      finish.setAttribute("data-off", "");
      ended.hidden = false;
      ended.innerHTML = "";
      var dl = el("dl", "kv");
      function kv(k, v, cls) { dl.appendChild(el("dt", null, k)); var d = el("dd", cls, v); dl.appendChild(d); return d; }
      kv("ended", e.how + (e.never_ran_again.length ? ": " + e.never_ran_again.join(", ") + " never ran again" : ""));
      if (e.how !== "interrupted") kv("outcome", e.outcome);
      kv("verdict", e.verdict === "fail" ? "FAIL" + (e.outcome_expected ? "" : " (an outcome the scenario does not expect)")
                                         : "as expected", e.verdict === "fail" ? "verdict-bad" : "verdict-ok")
        .id = "verdict";
      if (e.caveat) kv("note", e.caveat);
      ended.appendChild(dl);
    }
  }

  function renderViolations(st) {
    var box = $("violation-box"), list = $("violations");
    list.innerHTML = "";
    box.hidden = st.violations.length === 0;
    st.violations.forEach(function (v) {
      var d = el("div", "violation");
      d.setAttribute("data-property", v.property);
      var head = el("div");
      head.appendChild(el("strong", "property", "violated " + v.property));
      head.appendChild(document.createTextNode(" at step " + v.step + ": " + v.message + " "));
      head.appendChild(el("em", null, v.expected ? "[expected by the scenario]" : "[UNEXPECTED]"));
      d.appendChild(head);
      d.appendChild(el("div", null, v.promise));
      v.guarantees.forEach(function (g) {
        var q = el("blockquote");
        q.appendChild(el("strong", null, g.id));
        q.appendChild(document.createTextNode(" (" + g.section + "): “" + g.quote + "”"));
        d.appendChild(q);
      });
      list.appendChild(d);
    });
    $("violation-replay").textContent = st.replay;
  }

  function renderTasks(st) {
    var t = $("tasks");
    t.innerHTML = "<tr><th>task</th><th>pid</th><th>thread</th><th>state</th></tr>";
    st.tasks.forEach(function (k) {
      var tr = el("tr");
      tr.setAttribute("data-task", k.name);
      tr.appendChild(el("td", "task", k.name + (k.kthread ? " (kthread)" : "")));
      tr.appendChild(el("td", null, String(k.pid)));
      tr.appendChild(el("td", null, k.thread || "–"));
      var s = el("td", "state");
      var sw = el("span", "sw");
      sw.style.background = STATE_COLOURS[k.state] || "#ddd";
      s.appendChild(sw);
      s.appendChild(document.createTextNode(k.state));
      tr.appendChild(s);
      t.appendChild(tr);
    });
  }

  function renderTimeline(st) {
    var box = $("timeline");
    // The SVG is the server's (report_svg.cpp), every text in it escaped there.
    box.innerHTML = st.timeline.svg.join('<p class="elided">… steps left out …</p>');
    box.scrollLeft = box.scrollWidth;
    var marks = box.querySelectorAll("[data-step]");
    for (var i = 0; i < marks.length; i++)
      marks[i].addEventListener("click", function (ev) { jumpToStep(Number(ev.currentTarget.getAttribute("data-step"))); });
  }
  function jumpToStep(step) {
    var rows = document.querySelectorAll("#narrative tr[data-first]");
    for (var i = 0; i < rows.length; i++) {
      var f = Number(rows[i].getAttribute("data-first")), l = Number(rows[i].getAttribute("data-last"));
      if (f <= step && step <= l) {
        var old = document.querySelectorAll("tr.flash");
        for (var j = 0; j < old.length; j++) old[j].classList.remove("flash");
        rows[i].classList.add("flash");
        rows[i].scrollIntoView({ block: "center" });
        return;
      }
    }
  }

  function renderNarrative(st, prev) {
    var t = $("narrative");
    var seen = prev && st.steps >= prev.steps ? prev.steps : 0;
    t.innerHTML = "<tr><th>step</th><th>task</th><th>kernel function: what the step touched</th><th>what changed, and why</th></tr>";
    if (st.narrative_hidden)
      t.appendChild(el("tr")).appendChild(el("td", "elided", "… " + st.narrative_hidden + " steps in the middle are not narrated")).colSpan = 4;
    st.narrative.forEach(function (s) {
      var tr = el("tr", (s.lines.length ? "" : "quiet") + (s.last > seen && seen ? " new" : ""));
      tr.setAttribute("data-first", s.first);
      tr.setAttribute("data-last", s.last);
      tr.appendChild(el("td", "step", (s.first === s.last ? s.first : s.first + "–" + s.last) + (s.chosen ? " *" : "")));
      tr.appendChild(el("td", "task", s.task));
      tr.appendChild(el("td", null, s.functions.join(" → ") + (s.access ? ": " + s.access : "")));
      var td = el("td");
      if (s.lines.length) {
        var ul = el("ul");
        s.lines.forEach(function (l) {
          var li = el("li");
          li.appendChild(el("span", "k-" + l.kind, l.what));
          if (l.why) li.appendChild(el("div", "why", (l.rule ? "(" + l.rule + ") " : "") + l.why));
          ul.appendChild(li);
        });
        td.appendChild(ul);
      }
      tr.appendChild(td);
      t.appendChild(tr);
    });
    if (!st.narrative.length)
      t.appendChild(el("tr")).appendChild(el("td", "empty", "No step has run yet: choose the thread that runs first.")).colSpan = 4;
    var box = $("narrative-box");
    box.scrollTop = box.scrollHeight;
  }

  // ---- wiring ----
  function open(path, schedule) { return request("state", { scenario: path, schedule: schedule || "" }); }
  $("load").addEventListener("click", function () {
    var p = $("scenario-select").value;
    if (p) open(p, "");
  });
  $("undo").addEventListener("click", function () { if (cur) request("undo", here({})); });
  $("finish").addEventListener("click", function () { if (cur) request("finish", here({})); });
  $("restart").addEventListener("click", function () { if (cur) open(cur.scenario.path, ""); });
  document.addEventListener("keydown", function (ev) {
    if (!cur || ev.ctrlKey || ev.metaKey || ev.altKey || ev.target.tagName === "SELECT") return;
    if (ev.key === "u") { if (cur.choices.length) request("undo", here({})); return; }
    if (cur.status !== "choice" || !/^[a-zA-Z]$/.test(ev.key)) return;
    cur.choice_point.options.forEach(function (o) { if (o.thread === ev.key) request("choose", here({ thread: o.thread })); });
  });

  setBusy(false);
  loadList().then(function () {
    var h = new URLSearchParams(location.hash.slice(1));
    if (h.get("scenario")) return open(h.get("scenario"), h.get("schedule") || "");
  }, showApiError);
})();
)JS";

}  // namespace

const std::string& serve_page_html() {
  static const std::string page = std::string(kHead) + report_assets::kCss + report_assets::kSvgCss + kCss + kBody +
                                  kLegend + kTail + kJs + "</script></body></html>\n";
  return page;
}

}  // namespace tools
