// model/utrace/callback.h: the callbacks of struct utrace_engine_ops
// (include/linux/utrace.h; utrace-semantics.md §2), by name.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace model {

enum class Callback : std::uint8_t {
  report_quiesce,
  report_reap,
  report_clone,
  report_exec,
  report_exit,
  report_death,
  report_syscall_entry,
  report_syscall_exit,
  report_signal,
  report_jctl,
  release,
  kCount
};
inline constexpr std::size_t kCallbackCount = static_cast<std::size_t>(Callback::kCount);
const char* callback_name(Callback c);  // "report_quiesce"
std::optional<Callback> callback_from_name(std::string_view s);
// report_reap and release are void; the others return a u32 action (§2.6).
constexpr bool callback_returns_action(Callback c) { return c != Callback::report_reap && c != Callback::release; }

}  // namespace model
