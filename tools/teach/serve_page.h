// tools/teach/serve_page.h: the one page `utsim serve` serves, with its CSS
// and JavaScript inline (no network, no fonts or scripts to fetch).  It
// calls the JSON API (serve_api.h) and draws what it returns; the pictures
// come from the server (report_svg.h), so they are `utsim report`'s.
#pragma once

#include <string>

namespace tools {

// The HTML of the page, built once.
const std::string& serve_page_html();

}  // namespace tools
