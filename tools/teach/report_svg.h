// tools/teach/report_svg.h: SVG pictures of a run for the HTML report, laid
// out here (no graphviz at run time).
#pragma once

#include <string>
#include <vector>

#include "tools/export/export.h"

namespace tools {

// A swimlane timeline: a lane per task, spans for its states, slices for
// syscalls and callbacks, markers with tooltips for API calls, signals and
// life-cycle events, arrows for the flows.  Elements carry data-step so a
// page can link them to its narrative.
std::string timeline_svg(const Timeline& t, const std::string& id);
// The same drawing as a standalone SVG document (`utsim run --trace svg`,
// for slides): an XML declaration, a <title>, the pictures' style
// (report_assets::kSvgCss) inside the <svg>, and a white background; the
// drawing itself is timeline_svg's, with the id "timeline".
std::string timeline_svg_document(const Timeline& t, const std::string& title);
// Each task's states as visited (the DOT exporter's graph), a row per task.
std::string state_diagram_svg(const std::vector<TaskMachine>& machines);

}  // namespace tools
