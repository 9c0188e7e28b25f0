// model/checks/property.cpp: the property ids of SCENARIOS.md "Properties".
#include "model/checks/property.h"

#include <iterator>

#include "model/name_table.h"

namespace model {
namespace {

// In the order of enum Property.
constexpr std::string_view kPropertyNames[] = {
    "unexpected-result",    "callback-after-detach",
    "disabled-callback",    "stop-without-engine",
    "missing-death-report", "reap-before-death",
    "callback-with-lock",   "callback-order",
    "event-before-attach",  "null-callback",
    "engine-lifetime",      "run-while-stopped",
    "sigkill-primacy",      "hang",
    "model-invariant",      "lock-not-held",
    "sleep-in-atomic",      "lock-order",
    "missing-report",
};
static_assert(std::size(kPropertyNames) == kPropertyCount);

}  // namespace

const char* property_name(Property p) { return name_at(kPropertyNames, p); }
std::optional<Property> property_from_name(std::string_view s) { return index_of<Property>(kPropertyNames, s); }

}  // namespace model
