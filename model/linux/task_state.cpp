// model/linux/task_state.cpp: the task state names of SCENARIOS.md (`await`).
#include "model/linux/task_state.h"

#include "model/name_table.h"

namespace model {
namespace {
constexpr std::string_view kTaskStateNames[] = {"running", "sleeping", "stopped", "traced", "zombie", "dead"};
}  // namespace

const char* task_state_name(TaskState s) { return name_at(kTaskStateNames, s); }
std::optional<TaskState> task_state_from_name(std::string_view s) { return index_of<TaskState>(kTaskStateNames, s); }

char proc_state_letter(TaskState s) {
  // fs/proc/array.c task_state_array; a dead task is gone from /proc ('X').
  constexpr char kLetters[] = {'R', 'S', 'T', 't', 'Z', 'X'};
  return kLetters[static_cast<std::size_t>(s)];
}

}  // namespace model
