// tools/kernel/replay.h: utsim-kernel, a scenario replayed on the real kernel.
//
// A scenario's tasks become real processes and threads (the runner, a child
// subreaper, plays init), each interpreting its program with raw system
// calls; what each op returned is written to a shared memory area.  The
// comparison (compare.cpp) then holds every result against the scenario's
// expect (expect_modern where given) and against the results the simulator
// produced for the same op over many schedules (simset.cpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "scenario/scenario.h"

namespace ukern {

// ---- the ops of a scenario, numbered --------------------------------------------------

// Every op of the scenario in a fixed walk (tasks, nested programs, handler
// bodies, exec programs), so that a re-executed image finds the same op by
// its number.
struct OpIndex {
  std::vector<const model::Op*> ops;
  std::map<const model::Op*, int> id;
  std::set<int> repeating;  // ids run a number of times timing decides (forever loops, retries)
  explicit OpIndex(const model::Scenario& s);
  void add(const model::Op* op, bool repeats);
  int of(const model::Op* op) const {
    auto it = id.find(op);
    return it == id.end() ? -1 : it->second;
  }
};

// Why a scenario cannot run on a real kernel ("" if it can): utrace API ops,
// kernel threads and engines exist only in the model; a re-enabled race (model.bugs)
// is a property of the model.
std::string not_applicable(const model::Scenario& s);
// Ops this replayer cannot reproduce faithfully ("" if none).
std::string unsupported(const model::Scenario& s);

// ---- shared memory between the runner and every task ------------------------------------

inline constexpr int kMaxSlots = 256, kMaxCompletions = 64, kMaxRecords = 1 << 16;

enum class RKind : std::int32_t { Value, Errno, Pid, WaitStatus, None, Blocks, Ok };

struct Record {
  std::int32_t op = -1;
  std::int32_t slot = -1;
  RKind kind = RKind::None;
  std::int32_t wpid = 0;  // WaitStatus: the pid reported
  std::int64_t value = 0;
  // Set (release) once the fields above are written: a task killed between
  // taking a record and filling it leaves one that reads as op 0 of slot 0
  // returning 0 (seen in utsim-kernel fuzz, seed 2, scenario 88), which the
  // collector drops.
  std::int32_t complete = 0;
};

struct Shared {
  std::atomic<std::int32_t> pid[kMaxSlots];  // slot -> tid, 0 until created (CLONE_PARENT_SETTID)
  std::atomic<std::int32_t> tgid[kMaxSlots];
  std::atomic<std::int32_t> old_pid[kMaxSlots];     // the tid before an exec from a thread
  std::atomic<std::int32_t> end_status[kMaxSlots];  // wait status once known, -1 before
  std::atomic<std::int32_t> cur_op[kMaxSlots];      // op id + 1 being executed, 0 none
  std::atomic<std::uint32_t> comp[kMaxCompletions];
  std::atomic<std::uint32_t> go;  // start gate of the top-level tasks
  std::atomic<std::int32_t> runner_pid;
  std::atomic<std::int32_t> pgid;
  std::atomic<char> end_state_letter[kMaxSlots];       // /proc state when the runner ended the run
  std::atomic<std::int32_t> hung;                      // the run ended for lack of progress
  std::atomic<std::int32_t> blocked_for_good;          // the run ended: no task left could go on
  std::atomic<std::int32_t> held[kMaxSlots];           // 1: an await timed out; the task is held for good
  std::atomic<std::int32_t> zombie_status[kMaxSlots];  // a zombie's status at the end (/proc exit_code), -1
  std::uint32_t tick_us, hang_ms, blocks_ms;           // RunOptions, for re-executed images
  std::atomic<std::uint32_t> nrec;
  Record rec[kMaxRecords];
};

// ---- running on the real kernel ------------------------------------------------------------

struct RealRun {
  bool ran = false;
  std::string problem;                       // harness trouble (timeout, await that never came, crash)
  std::vector<Record> records;               // in the order they were written
  std::vector<int> pids;                     // slot -> pid
  std::vector<std::pair<int, int>> aliases;  // (former pid, slot): a thread that exec'd
  int runner_pid = 0;
  std::vector<int> end_status;         // slot -> wait status, -1 unknown
  std::vector<std::string> end_state;  // slot -> state at the end if never reaped ("traced", "zombie (exited 3)")
  std::vector<char> end_letter;        // slot -> its /proc letter then, 0 none
  std::vector<int> zombie_status;      // slot -> a zombie's status then, -1 unknown
  std::vector<int> in_op;              // slot -> the op id + 1 it was in when it ended or the run did, 0 none
  std::vector<std::string> notes;      // what the harness did (kills at the end, ...)
};

struct RunOptions {
  unsigned tick_us = 4000;           // one virtual tick of nanosleep
  unsigned blocks_ms = 300;          // no progress this long while every live task may block: end
  unsigned hang_ms = 3000;           // no progress this long: the scenario hangs; end
  unsigned hard_timeout_ms = 20000;  // the runner is killed after this
  std::string self_exe;              // this program (exec ops re-execute it)
  std::string scenario_path;         // absolute path of the scenario file
};

RealRun run_on_kernel(const model::Scenario& s, const OpIndex& idx, const RunOptions& o);

// Entry point of a re-executed image (exec op): never returns.
[[noreturn]] void exec_child_main(int argc, char** argv);

// Probe: can this process use ptrace at all (PTRACE_TRACEME in a child)?  "" or why not.
std::string ptrace_probe();

// Whether a result the real kernel gave matches one of the patterns of an
// expectation (is_pid: whether a pid is, or was, a slot's on the real kernel).
bool match_real(const model::Scenario& s, const std::vector<model::ResultPattern>& any_of, RKind kind,
                std::int64_t value, int wpid, bool (*is_pid)(int slot, int pid));
// Whether a /proc/<pid>/stat state letter ('t', 'T', 'S' ...) is the scenario state.
bool state_letter_is(char c, model::TaskState want);

// ---- what the simulator allows ----------------------------------------------------------------

// Per op: the results (canonical strings) seen at each occurrence, over all
// explored schedules, and in how many schedules each occurrence was reached;
// task ends per slot, and in how many schedules each slot's task was created.
// An op's results belong to the slot whose program it is (after an exec
// from a thread too, as on the real side).
using Occurrence = std::tuple<int, int, int>;  // (op id, slot, k from 0)
struct SimSet {
  std::map<Occurrence, std::set<std::string>> by_occurrence;
  std::map<Occurrence, std::uint64_t> reached_in;
  std::map<int, std::set<std::string>> by_op;
  std::map<int, std::set<std::string>> task_end;  // slot -> "exited 3", "zombie (exited 3)", "traced"
  std::map<int, std::uint64_t> created_in;        // slot -> schedules in which it was created
  std::uint64_t schedules = 0;
  std::string error;
};
SimSet explore_sim(const model::Scenario& s, const OpIndex& idx, std::uint64_t schedules);

// ---- canonical results ------------------------------------------------------------------------

// Who a pid is: a scenario task's name, "init", or "" (unknown).  A pid is
// named after the task it was created for (after an exec from a thread,
// the leader's pid keeps the leader's name), on both sides.
using PidNames = std::map<int, std::string>;
// "pid:C", "-ESRCH", "19", "st:0x137f@C", "none", "blocks", "ok".
std::string canon(const model::Op& op, RKind kind, std::int64_t value, int wpid, const PidNames& names);
// A decoded wait status, or a state name: "exited 3", "killed by SIGKILL".
std::string end_text(int status);
// Whether PTRACE_GETEVENTMSG may name a pid, given the last status a wait
// reported for the tracee (-1 none): not at a PTRACE_EVENT_EXIT stop, whose
// message is a wait status (a model pid of 2 is SIGINT's status too).
bool eventmsg_names_pid(int last_status);
// The last status a wait reported for each pid, as ops run (both sides).
struct LastStops {
  std::map<int, int> by_pid;
  void saw(const model::Op& op, RKind kind, std::int64_t value, int wpid) {
    if (kind == RKind::WaitStatus && op.as_if<model::WaitpidOp>()) by_pid[wpid] = static_cast<int>(value);
  }
  // The names canon() may use for an op's result.
  const PidNames& names_for(const model::Op& op, int target_pid, const PidNames& names) const {
    static const PidNames none;
    const auto* p = op.as_if<model::PtraceOp>();
    if (!p || p->request != 0x4201 /* GETEVENTMSG */) return names;
    auto it = by_pid.find(target_pid);
    return eventmsg_names_pid(it == by_pid.end() ? -1 : it->second) ? names : none;
  }
};
// An unreaped zombie at the end, with the status a wait would read: "zombie (exited 3)".
std::string zombie_end(int status);
// The end of a thread whose exec took over the leader's pid (de_thread):
// "exec'd as C" (C: the leader, whose slot now ends as the process ends).
std::string took_over_end(const std::string& leader);

// ---- comparison -----------------------------------------------------------------------------------

enum class Verdict { Agree, EraDifference, Disagree, NotApplicable, Unsupported, Error };

// A difference between the kernel and the simulator (or the scenario's
// expect), as data, for the fuzzer's classifier (classify.h).
struct Finding {
  enum class Kind { Op, Unreached, TaskEnd, Expect, Run };
  Kind kind = Kind::Op;
  int op = -1, slot = -1, k = 0;  // Op, Unreached: the occurrence; TaskEnd: the slot
  int rec = -1;                   // Op: its index in RealRun::records
  std::string real;               // the kernel's result or end
  std::set<std::string> sim;      // the simulator's
  std::string text;               // the report's line
  bool consequence = false;       // after a declared era difference
};

struct ScenarioReport {
  std::string file, name;
  Verdict verdict = Verdict::Agree;
  std::string reason;
  std::vector<std::string> lines;  // per op / task findings worth showing
  int era_differences = 0, disagreements = 0;
  std::vector<Finding> findings;  // every difference, declared or not
  RealRun run;                    // the real run compared (when it ran)
  PidNames names;                 // its pids' names
};
ScenarioReport compare_scenario(const std::string& file, const RunOptions& o, std::uint64_t schedules, bool verbose);
// The comparison of one real run with one simulator set (compare_scenario's
// last step): the fuzzer judges the same run again against a larger set.
ScenarioReport compare_run(const std::string& file, const model::Scenario& s, const OpIndex& idx, const SimSet& sim,
                           const RealRun& rr, bool verbose);

}  // namespace ukern
