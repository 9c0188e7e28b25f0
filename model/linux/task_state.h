// model/linux/task_state.h: what a task is doing, as `ps` would put it
// (R running, S/D sleeping, T stopped, t traced, Z zombie, X dead): the
// states a scenario can wait for (`await`) and expect in an outcome.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace model {

enum class TaskState : std::uint8_t { Running, Sleeping, Stopped, Traced, Zombie, Dead };
const char* task_state_name(TaskState s);  // "traced"
char proc_state_letter(TaskState s);       // 't', as /proc/PID/stat shows it ('S' for any sleep)
std::optional<TaskState> task_state_from_name(std::string_view s);

}  // namespace model
