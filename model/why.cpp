// model/why.cpp: why an event happened (why.h): the dispatch to the utrace
// family (model/utrace/why.cpp), the task family (model/linux/why.cpp) and
// the properties (model/checks/guarantees.cpp), and the little the
// explanations remember from one event to the next.
#include "model/why.h"

#include "model/checks/guarantees.h"
#include "model/utrace/callback.h"

namespace model {

std::string why_of(const Event& e, const WhyContext& c) {
  switch (e.kind) {
    case Ev::utrace_api:
    case Ev::utrace_state:
    case Ev::utrace_callback:
    case Ev::utrace_return: return why_utrace(e, c);
    case Ev::property: return why_property(static_cast<Property>(e.a));
    default: return why_task(e, c);
  }
}

// A callback starts: no return yet; it returns: its value, if it has one
// (utsim_utrace_callback and utsim_utrace_return, b = the Callback, c = the value).
void WhyContext::note(const Event& e) {
  if (e.kind == Ev::utrace_callback) last_return[e.pid].reset();
  if (e.kind == Ev::utrace_return) {
    const auto cb = static_cast<Callback>(e.b);
    last_return[e.pid] = callback_returns_action(cb) ? std::optional(static_cast<std::uint32_t>(e.c)) : std::nullopt;
  }
}

}  // namespace model
