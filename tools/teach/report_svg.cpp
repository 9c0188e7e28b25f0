// tools/teach/report_svg.cpp: SVG pictures of a run for the HTML report, laid
// out here (no graphviz at run time): the swimlane timeline and the state
// diagram.  Deterministic: coordinates are printed with fixed precision.
#include "tools/teach/report_svg.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "tools/export/format.h"
#include "tools/teach/report_assets.h"

namespace tools {

namespace {

std::string num(double v) { return fmt::format("{:.1f}", v); }

std::string state_fill(const std::string& s) {
  if (s == "TASK_RUNNING") return "#7cc47f";
  if (s == "TASK_INTERRUPTIBLE") return "#a9cdee";
  if (s == "TASK_UNINTERRUPTIBLE") return "#6f9fd6";
  if (s == "TASK_STOPPED") return "#f0b45e";
  if (s == "TASK_TRACED") return "#e0605e";
  if (s == "EXIT_ZOMBIE") return "#b5b5b5";
  if (s == "EXIT_DEAD" || s == "TASK_DEAD") return "#8a8a8a";
  return "#cccccc";
}

std::string short_state(const std::string& s) {
  if (s.rfind("TASK_", 0) == 0) return s.substr(5);
  return s;
}

std::string flow_colour(const std::string& cat) {
  if (cat == "signal") return "#2e8b57";
  if (cat == "wait") return "#1f5fbf";
  if (cat == "resume") return "#c0392b";
  if (cat == "fork") return "#777777";
  if (cat == "race") return "#d7261e";
  return "#555555";
}

std::string arrow_defs(const std::string& id) {
  std::string d = "<defs>";
  for (const char* cat : {"signal", "wait", "resume", "fork", "wake", "race"})
    d +=
        fmt::format(R"(<marker id="{}-arrow-{}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" )"
                    R"(markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{}"/></marker>)",
                    id, cat, flow_colour(cat));
  return d + "</defs>";
}

// A holder's colour on the lock lanes: one per task, stable within a page.
std::string holder_fill(int pid) {
  static const char* kPalette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2",
                                   "#edc948", "#9c755f", "#e15759", "#bab0ac", "#ff9da7"};
  return kPalette[static_cast<std::size_t>(pid < 0 ? 0 : pid) % (sizeof kPalette / sizeof kPalette[0])];
}

constexpr double kLeft = 150, kTop = 30, kLane = 66, kLockLane = 22, kLockGap = 18;

// Where the timeline's parts go: the steps' scale, each lane's top.
struct TimelineLayout {
  TimelineLayout(const Timeline& timeline, const std::string& svg_id) : t(timeline), id(svg_id) {
    begin = t.begin;
    end = std::max(t.end, begin + 1.0);
    const double pw = std::clamp((end - begin) * 16.0, 720.0, 2400.0);
    scale = pw / (end - begin);
    width = kLeft + pw + 20;
    locks_top = kTop + kLane * static_cast<double>(t.lanes.size()) + (t.locks.empty() ? 0 : kLockGap);
    height = locks_top + kLockLane * static_cast<double>(t.locks.size()) + 40;
    for (std::size_t i = 0; i < t.lanes.size(); ++i) {
      lane_y[t.lanes[i].pid] = kTop + kLane * static_cast<double>(i);
      lane_name[t.lanes[i].pid] = t.lanes[i].name;
    }
  }
  double x(double step) const { return kLeft + (step - begin) * scale; }

  const Timeline& t;
  const std::string& id;
  double begin, end, scale, width, height, locks_top;
  std::map<int, double> lane_y;
  std::map<int, std::string> lane_name;
};

// The step axis (a tick every 1, 2, 5, 10 ... steps) and a lane per task.
void draw_axis_and_lanes(std::string& o, TimelineLayout& L) {
  const Timeline& t = L.t;
  const double begin = L.begin;
  const double end = L.end;
  const double scale = L.scale;
  const double width = L.width;
  const double height = L.height;
  auto& lane_y = L.lane_y;
  auto x = [&L](double step) { return L.x(step); };
  // axis: a tick every 1, 2, 5, 10, 20, 50 ... steps, at least 40 px apart
  // (at most about 60 ticks, however long the run: --full on a million steps)
  double tick = 1;
  for (double decade = 1; tick * scale < 40; decade *= 10)
    for (double m : {1.0, 2.0, 5.0})
      if (tick * scale < 40) tick = m * decade;
  o += "<g class=\"axis\">";
  for (double s = std::ceil(begin / tick) * tick; s <= end; s += tick) {
    o += fmt::format(R"(<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" class="grid"/>)", num(x(s)), num(kTop - 6),
                     num(height - 30));
    o += fmt::format(R"(<text x="{}" y="{}" class="tick">{}</text>)", num(x(s)), num(kTop - 10), s);
  }
  o += fmt::format(R"(<text x="{}" y="{}" class="axis-label">step</text>)", num(kLeft - 10), num(kTop - 10));
  o += "</g>";
  // lanes
  for (const Lane& l : t.lanes) {
    const double y = lane_y[l.pid];
    o += fmt::format(R"(<g class="lane" data-task="{}">)", xml_escape(l.name));
    o += fmt::format(R"(<rect class="lane-bg" x="0" y="{}" width="{}" height="{}"/>)", num(y), num(width),
                     num(kLane - 2));
    o += fmt::format(R"(<text class="lane-name" x="8" y="{}">{}</text>)", num(y + 18), xml_escape(l.name));
    o += fmt::format(R"(<text class="lane-kind" x="8" y="{}">{}</text>)", num(y + 32),
                     l.kthread    ? "kernel thread"
                     : l.pid == 1 ? "init"
                                  : "user task");
    o += "</g>";
  }
}

// Each task's states, and the syscalls and callbacks on the lane of the task that runs them.
void draw_tasks(std::string& o, TimelineLayout& L) {
  const Timeline& t = L.t;
  const double scale = L.scale;
  auto& lane_y = L.lane_y;
  auto& lane_name = L.lane_name;
  auto x = [&L](double step) { return L.x(step); };
  // state spans
  for (const Span& s : t.spans) {
    if (!lane_y.count(s.pid) || s.end <= s.begin) continue;
    const double y = lane_y[s.pid] + 6, w = std::max((s.end - s.begin) * scale, 0.5);
    o += fmt::format(
        R"(<rect class="span" x="{}" y="{}" width="{}" height="14" fill="{}" data-step="{}"><title>{}: {} (steps {}–{})</title></rect>)",
        num(x(s.begin)), num(y), num(w), state_fill(s.state), static_cast<long>(std::ceil(s.begin)),
        xml_escape(lane_name[s.pid]), xml_escape(s.state), num(s.begin), num(s.end));
    if (w > 8.0 * static_cast<double>(short_state(s.state).size()) && s.state != "TASK_RUNNING")
      o += fmt::format(R"(<text class="span-label" x="{}" y="{}">{}</text>)", num(x(s.begin) + 3), num(y + 11),
                       xml_escape(short_state(s.state)));
  }
  // syscalls and callbacks
  for (const Slice& s : t.slices) {
    if (!lane_y.count(s.pid)) continue;
    const double y = lane_y[s.pid] + 24 + 10.0 * s.depth, w = std::max((s.end - s.begin) * scale, 2.0);
    const std::string cls = s.category == "callback" ? "slice callback" : "slice syscall";
    // data-lane (the task that runs it), data-call and data-return (steps;
    // data-return="" when it never returned): what the structure tests read.
    o += fmt::format(
        R"(<rect class="{}" x="{}" y="{}" width="{}" height="9" data-step="{}" data-lane="{}" data-name="{}" data-call="{}" data-return="{}"><title>{} {} (steps {}–{}){}</title></rect>)",
        cls, num(x(s.begin)), num(y), num(w), static_cast<long>(s.begin), s.pid, xml_escape(s.name), s.call_step,
        s.returned ? std::to_string(s.return_step) : std::string(), xml_escape(s.category), xml_escape(s.name),
        num(s.begin), num(s.end), s.detail.empty() ? "" : xml_escape(": " + s.detail));
    if (w > 6.5 * static_cast<double>(s.name.size()))
      o += fmt::format(R"(<text class="slice-label" x="{}" y="{}">{}</text>)", num(x(s.begin) + 2), num(y + 8),
                       xml_escape(s.name));
  }
}

// The spinlocks: a lane per lock, a bar per hold in its holder's colour.
void draw_locks(std::string& o, TimelineLayout& L) {
  const Timeline& t = L.t;
  const double scale = L.scale;
  const double width = L.width;
  const double locks_top = L.locks_top;
  auto x = [&L](double step) { return L.x(step); };
  // spinlocks: a lane per lock, a bar per hold in its holder's colour
  if (!t.locks.empty())
    o += fmt::format(R"(<text class="locks-title" x="8" y="{}">spinlocks held</text>)", num(locks_top - 5));
  for (std::size_t i = 0; i < t.locks.size(); ++i) {
    const double y = locks_top + kLockLane * static_cast<double>(i);
    o += fmt::format(R"(<g class="lock-lane" data-lock="{}">)", xml_escape(t.locks[i].name));
    o += fmt::format(R"(<rect class="lane-bg" x="0" y="{}" width="{}" height="{}"/>)", num(y), num(width),
                     num(kLockLane - 2));
    o += fmt::format(R"(<text class="lock-name" x="8" y="{}">{}</text>)", num(y + 14), xml_escape(t.locks[i].name));
    o += "</g>";
  }
  for (const LockHold& h : t.holds) {
    if (h.lock >= t.locks.size() || h.end <= h.begin) continue;
    const double y = locks_top + kLockLane * static_cast<double>(h.lock) + 3,
                 w = std::max((h.end - h.begin) * scale, 2.0);
    o += fmt::format(
        R"(<rect class="hold" x="{}" y="{}" width="{}" height="14" fill="{}" data-step="{}" data-holder="{}"><title>{} held by {} (taken in {}, steps {}–{})</title></rect>)",
        num(x(h.begin)), num(y), num(w), holder_fill(h.pid), h.acquired, xml_escape(h.holder),
        xml_escape(t.locks[h.lock].name), xml_escape(h.holder), xml_escape(h.where), h.acquired,
        h.released ? std::to_string(h.released) : std::string("end"));
    if (w > 7.0 * static_cast<double>(h.holder.size()) + 4)
      o += fmt::format(R"(<text class="hold-label" x="{}" y="{}">{}</text>)", num(x(h.begin) + 2), num(y + 11),
                       xml_escape(h.holder));
  }
}

// The race windows and their conflicting pairs.
void draw_races(std::string& o, TimelineLayout& L) {
  const Timeline& t = L.t;
  const double end = L.end;
  const double scale = L.scale;
  auto& lane_y = L.lane_y;
  auto x = [&L](double step) { return L.x(step); };
  const std::string& id = L.id;
  // race windows: the passed-over task's wait shaded on its lane, each
  // conflicting pair of accesses linked by a numbered dashed line
  int pair_no = 0;
  std::map<std::pair<int, std::uint64_t>, int> circles;  // (lane, step) -> circles drawn there
  for (const RaceWindow& w : t.races) {
    if (!lane_y.count(w.passed_pid)) continue;
    const double to = w.to ? static_cast<double>(w.to) : end;
    const double y = lane_y[w.passed_pid];
    o += fmt::format(
        R"(<g class="race" data-from="{}" data-to="{}"><rect class="race-window" x="{}" y="{}" width="{}" height="{}"><title>{} {} for {}: steps {}–{}</title></rect>)",
        w.from, w.to, num(x(static_cast<double>(w.from))), num(y + 1),
        num(std::max((to - static_cast<double>(w.from)) * scale, 2.0)), num(kLane - 4),
        w.preemption ? "preempted:" : "passed over:", xml_escape(w.passed), xml_escape(w.chosen), w.from,
        w.to ? std::to_string(w.to - 1) : std::string("end"));
    o += fmt::format(R"(<text class="race-label" x="{}" y="{}">{} {} {} (steps {}–{})</text>)",
                     num(x(static_cast<double>(w.from)) + 3), num(y + kLane - 6), xml_escape(w.passed),
                     w.preemption ? "preempted by" : "passed over for", xml_escape(w.chosen), w.from,
                     w.to ? std::to_string(w.to - 1) : std::string("end"));
    for (const auto& [a, b] : w.conflicts) {
      ++pair_no;
      if (!lane_y.count(a.pid) || !lane_y.count(b.pid)) continue;
      // Circles of one step side by side.
      const double x1 = x(static_cast<double>(a.step) + 0.5) + 13.0 * circles[{a.pid, a.step}]++,
                   y1 = lane_y[a.pid] + 44;
      const double x2 = x(static_cast<double>(b.step) + 0.5) + 13.0 * circles[{b.pid, b.step}]++,
                   y2 = lane_y[b.pid] + 44;
      o += fmt::format(
          R"~(<path class="conflict" d="M{},{} L{},{}" marker-end="url(#{}-arrow-race)" data-first="{}" data-second="{}"><title>conflict {}: {} ↔ {}</title></path>)~",
          num(x1), num(y1), num(x2), num(y2), id, a.step, b.step, pair_no, xml_escape(a.text), xml_escape(b.text));
      for (const auto* acc : {&a, &b}) {
        const double cx = acc == &a ? x1 : x2, cy = acc == &a ? y1 : y2;
        o += fmt::format(
            R"(<g class="access" data-step="{}"><circle cx="{}" cy="{}" r="6"/><text class="access-no" x="{}" y="{}">{}</text><title>{}</title></g>)",
            acc->step, num(cx), num(cy), num(cx), num(cy + 3.5), pair_no, xml_escape(acc->text));
      }
    }
    o += "</g>";
  }
}

// The arrows between tasks (signals, wake-ups, forks) and the marks on the lanes.
void draw_flows_and_marks(std::string& o, TimelineLayout& L) {
  const Timeline& t = L.t;
  auto& lane_y = L.lane_y;
  auto x = [&L](double step) { return L.x(step); };
  const std::string& id = L.id;
  // flows
  for (const Flow& f : t.flows) {
    if (!lane_y.count(f.from_pid) || !lane_y.count(f.to_pid)) continue;
    const double x1 = x(f.from), y1 = lane_y[f.from_pid] + 13, x2 = x(f.to), y2 = lane_y[f.to_pid] + 13;
    const double dy = (y2 - y1) / 2;
    o += fmt::format(
        R"~(<path class="flow flow-{}" d="M{},{} C{},{} {},{} {},{}" stroke="{}" marker-end="url(#{}-arrow-{})"><title>{}: {}</title></path>)~",
        xml_escape(f.category), num(x1), num(y1), num(x1 + 12), num(y1 + dy), num(x2 - 12), num(y2 - dy), num(x2),
        num(y2), flow_colour(f.category), id,
        xml_escape(f.category == "resume" || f.category == "wake" ? std::string("wake") : f.category),
        xml_escape(f.category), xml_escape(f.name));
  }
  // markers
  for (const Mark& m : t.marks) {
    if (!lane_y.count(m.pid)) continue;
    const double cx = x(m.at), cy = lane_y[m.pid] + 55;
    const std::string tip = fmt::format("<title>step {}: {}{}</title>", static_cast<long>(m.at), xml_escape(m.name),
                                        m.detail.empty() ? "" : xml_escape(" (" + m.detail + ")"));
    const std::string data =
        fmt::format(R"(class="mark mark-{}" data-step="{}")", xml_escape(m.category), static_cast<long>(m.at));
    if (m.category == "ustate")
      o += fmt::format(R"(<circle {} cx="{}" cy="{}" r="3.5">{}</circle>)", data, num(cx), num(cy - 11), tip);
    else if (m.category == "api" || m.category == "ptrace")
      o += fmt::format(R"(<path {} d="M{},{} l5,5 l-5,5 l-5,-5 z">{}</path>)", data, num(cx), num(cy - 5), tip);
    else if (m.category == "signal")
      o += fmt::format(R"(<path {} d="M{},{} l5,9 l-10,0 z">{}</path>)", data, num(cx), num(cy - 5), tip);
    else if (m.category == "wait")
      o += fmt::format(R"(<circle {} cx="{}" cy="{}" r="4.5">{}</circle>)", data, num(cx), num(cy), tip);
    else if (m.category == "property")
      o += fmt::format(R"(<path {} d="M{},{} l10,10 M{},{} l-10,10">{}</path>)", data, num(cx - 5), num(cy - 5),
                       num(cx + 5), num(cy - 5), tip);
    else
      o += fmt::format(R"(<rect {} x="{}" y="{}" width="7" height="7">{}</rect>)", data, num(cx - 3.5), num(cy - 3.5),
                       tip);
  }
}

}  // namespace

namespace {

// The timeline's <svg> element; `head` goes first inside it (a standalone
// document's title and style).
std::string timeline_svg_with(const Timeline& t, const std::string& id, const std::string& head) {
  TimelineLayout L(t, id);
  std::string o = fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" class="timeline" id="{}" width="{}" height="{}" viewBox="0 0 {} {}" role="img">)",
      id, num(L.width), num(L.height), num(L.width), num(L.height));
  o += head;
  o += arrow_defs(id);
  draw_axis_and_lanes(o, L);
  draw_tasks(o, L);
  draw_locks(o, L);
  draw_races(o, L);
  draw_flows_and_marks(o, L);
  o += "</svg>";
  return o;
}

}  // namespace

std::string timeline_svg(const Timeline& t, const std::string& id) { return timeline_svg_with(t, id, ""); }

std::string timeline_svg_document(const Timeline& t, const std::string& title) {
  // The page's drawing, byte for byte, with the style it is drawn with:
  // the rules of report_assets::kSvgCss are scoped to `svg`, which is this
  // document's root.  A white background, as on the page, for slides.
  const std::string head = "<title>" + xml_escape(title) + "</title><style>" + report_assets::kSvgCss +
                           "svg.timeline { background: #ffffff; }\n</style>" +
                           R"(<rect width="100%" height="100%" fill="#ffffff"/>)";
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + timeline_svg_with(t, "timeline", head) + "\n";
}

std::string state_diagram_svg(const std::vector<TaskMachine>& machines) {
  constexpr double kLeft = 110, kRow = 150, kGap = 90, kH = 26;
  struct Placed {
    double x, w;
  };
  std::vector<std::vector<Placed>> rows;
  double width = 400;
  for (const TaskMachine& m : machines) {
    std::vector<Placed> row;
    double x = kLeft;
    for (const std::string& s : m.states) {
      const double w = 7.2 * static_cast<double>(s.size()) + 18;
      row.push_back({x, w});
      x += w + kGap;
    }
    width = std::max(width, x);
    rows.push_back(std::move(row));
  }
  const double height = kRow * static_cast<double>(machines.size()) + 10;
  std::string o = fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" class="states" width="{}" height="{}" viewBox="0 0 {} {}" role="img">)",
      num(width), num(height), num(width), num(height));
  o +=
      R"(<defs><marker id="st-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>)";
  for (std::size_t r = 0; r < machines.size(); ++r) {
    const TaskMachine& m = machines[r];
    const double cy = 10 + kRow * static_cast<double>(r) + kRow / 2;
    o += fmt::format(R"(<g class="machine" data-task="{}">)", xml_escape(m.name));
    o += fmt::format(R"(<text class="machine-name" x="8" y="{}">{}</text>)", num(cy + 4), xml_escape(m.name));
    const auto& row = rows[r];
    std::map<std::pair<std::size_t, std::size_t>, int> parallel;  // edges already drawn between two states
    for (const StateEdge& e : m.edges) {
      const int nth = parallel[{std::min(e.from, e.to), std::max(e.from, e.to)}]++;
      const Placed& a = row[e.from];
      const Placed& b = row[e.to];
      std::string cause = e.cause;
      if (cause.size() > 30) cause = cause.substr(0, 29) + "…";
      std::string path, lx, ly;
      if (e.from == e.to) {
        const double cx = a.x + a.w / 2;
        const double up = 34 + 18.0 * nth;
        path = fmt::format("M{},{} c-14,-{} 30,-{} 16,0", num(cx - 8), num(cy - kH / 2), num(up), num(up));
        lx = num(cx);
        ly = num(cy - kH / 2 - up + 4);
      } else {
        const bool fwd = e.to > e.from;
        const double x1 = fwd ? a.x + a.w : a.x, x2 = fwd ? b.x : b.x + b.w;
        const double span = std::abs(static_cast<double>(e.to) - static_cast<double>(e.from));
        const double h = (fwd ? -1 : 1) * ((span == 1 && fwd && nth == 0) ? 0 : 18 + 14 * span + 22.0 * nth);
        const double y1 = cy + (fwd ? -4.0 : 6.0), y2 = y1;
        path = fmt::format("M{},{} C{},{} {},{} {},{}", num(x1), num(y1), num(x1 + (x2 - x1) * 0.25), num(y1 + h),
                           num(x2 - (x2 - x1) * 0.25), num(y2 + h), num(x2), num(y2));
        lx = num((x1 + x2) / 2);
        ly = num(y1 + h * 0.75 + (h < 0 ? -3 : h > 0 ? 11 : -5));
      }
      o += fmt::format(R"~(<path class="edge" d="{}" marker-end="url(#st-arrow)"><title>{}</title></path>)~", path,
                       xml_escape(e.label));
      o += fmt::format(R"(<text class="edge-label" x="{}" y="{}">{}<title>{}</title></text>)", lx, ly,
                       xml_escape(cause), xml_escape(e.label));
    }
    for (std::size_t i = 0; i < m.states.size(); ++i) {
      const Placed& p = row[i];
      o += fmt::format(
          R"(<rect class="state" x="{}" y="{}" width="{}" height="{}" rx="12" fill="{}"><title>{}: {}</title></rect>)",
          num(p.x), num(cy - kH / 2), num(p.w), num(kH), state_fill(m.states[i]), xml_escape(m.name),
          xml_escape(m.states[i]));
      o += fmt::format(R"(<text class="state-label" x="{}" y="{}">{}</text>)", num(p.x + p.w / 2), num(cy + 4),
                       xml_escape(m.states[i]));
    }
    o += "</g>";
  }
  o += "</svg>";
  return o;
}

}  // namespace tools
