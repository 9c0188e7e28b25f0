// model/utrace/callback.cpp: the callback names (struct utrace_engine_ops).
#include "model/utrace/callback.h"

#include <iterator>

#include "model/name_table.h"

namespace model {
namespace {

constexpr std::string_view kCallbackNames[] = {
    "report_quiesce",       "report_reap",         "report_clone",  "report_exec", "report_exit", "report_death",
    "report_syscall_entry", "report_syscall_exit", "report_signal", "report_jctl", "release",
};
static_assert(std::size(kCallbackNames) == kCallbackCount);

}  // namespace

const char* callback_name(Callback c) { return name_at(kCallbackNames, c); }
std::optional<Callback> callback_from_name(std::string_view s) { return index_of<Callback>(kCallbackNames, s); }

}  // namespace model
