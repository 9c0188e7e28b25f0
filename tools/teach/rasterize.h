// tools/teach/rasterize.h: an SVG picture turned into PNG by rsvg-convert
// (Debian's librsvg2-bin), for `utsim run --trace png`.  utsim lays out its
// pictures itself (report_svg.cpp); drawing pixels is left to a renderer
// that does it well.
#pragma once

#include <string>

namespace tools {

struct Rasterized {
  bool ok = false;
  std::string png;    // the PNG file's bytes, when ok
  std::string error;  // why not: "rsvg-convert is not installed ...", its exit status and stderr
};

// Runs `rsvg-convert --format png --zoom 2` (found on PATH) on `svg` and
// returns the PNG it prints, at twice the picture's size.  The SVG goes in
// through an in-memory file (memfd), the PNG comes back through a pipe; the
// child's stderr is kept for the error.
Rasterized rasterize_png(const std::string& svg);

}  // namespace tools
