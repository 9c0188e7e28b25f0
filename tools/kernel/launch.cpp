// tools/kernel/launch.cpp: the utsim-kernel process's side of a run on the
// real kernel: the shared area, the runner forked and waited for (killed
// after RunOptions::hard_timeout_ms), the results collected; the start of a
// re-executed image (an exec op); the ptrace probe.  What runs inside the
// scenario's processes is in tasks.cpp.
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "scenario/load/loader.h"
#include "tools/kernel/replay.h"
#include "tools/kernel/sys.h"
#include "tools/kernel/tasks.h"

namespace ukern {

namespace {

const char* state_name(char c) {
  switch (c) {
    case 'R': return "running";
    case 'S':
    case 'D':
    case 'I': return "sleeping";
    case 'T': return "stopped";
    case 't': return "traced";
    case 'Z': return "zombie";
    default: return "dead";
  }
}

// A task left at the end: its state, and a zombie's status where /proc had
// it ("zombie (exited 3)"), as the simulator's side says it (simset.cpp).
std::string end_state_text(char c, int zombie_status) {
  if (c == 'Z' && zombie_status >= 0) return zombie_end(zombie_status);
  return state_name(c);
}

Shared* map_shared(int fd) {
  void* m = ::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  return m == MAP_FAILED ? nullptr : static_cast<Shared*>(m);
}

void kill_everything(Shared& sh) {
  if (sh.pgid.load()) ::kill(-sh.pgid.load(), SIGKILL);
  for (int i = 0; i < kMaxSlots; ++i)
    if (const int pid = sh.pid[i].load()) ::kill(pid, SIGKILL);
}

}  // namespace

RealRun run_on_kernel(const model::Scenario& s, const OpIndex& idx, const RunOptions& o) {
  RealRun rr;
  const int fd = ::memfd_create("utsim-kernel", 0);  // inherited by exec'd tasks on purpose
  if (fd < 0 || ::ftruncate(fd, sizeof(Shared)) != 0) {
    rr.problem = std::string("memfd_create/ftruncate: ") + std::strerror(errno);
    return rr;
  }
  Shared* sh = map_shared(fd);
  if (!sh) {
    rr.problem = std::string("mmap: ") + std::strerror(errno);
    ::close(fd);
    return rr;
  }
  std::memset(static_cast<void*>(sh), 0, sizeof(Shared));
  for (auto& e : sh->end_status) e.store(-1);
  for (auto& e : sh->zombie_status) e.store(-1);
  sh->tick_us = o.tick_us;
  sh->hang_ms = o.hang_ms;
  sh->blocks_ms = o.blocks_ms;
  bind_run(sh, s, idx, o, fd);

  std::fflush(nullptr);
  const pid_t runner = ::fork();
  if (runner == 0) runner_main(s);
  if (runner < 0) {
    rr.problem = std::string("fork: ") + std::strerror(errno);
  } else {
    const long deadline = now_us() + static_cast<long>(o.hard_timeout_ms) * 1000;
    int status = 0;
    for (;;) {
      const pid_t r = ::waitpid(runner, &status, WNOHANG);
      if (r == runner) break;
      if (now_us() > deadline) {
        rr.problem = "timed out after " + std::to_string(o.hard_timeout_ms) + " ms: runner and tasks killed";
        ::kill(runner, SIGKILL);
        kill_everything(*sh);
        ::waitpid(runner, &status, 0);
        break;
      }
      sleep_us(2000);
    }
    if (rr.problem.empty() && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
      rr.problem = "the runner failed (status " + std::to_string(status) + ")";
    kill_everything(*sh);  // nothing may outlive the scenario
    rr.ran = true;
  }
  const std::uint32_t n = std::min<std::uint32_t>(sh->nrec.load(), kMaxRecords);
  std::uint32_t torn = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (__atomic_load_n(&sh->rec[i].complete, __ATOMIC_ACQUIRE))
      rr.records.push_back(sh->rec[i]);
    else
      ++torn;
  }
  if (torn) rr.notes.push_back(std::to_string(torn) + " result(s) dropped: a task was killed while writing one");
  rr.runner_pid = sh->runner_pid.load();
  rr.pids.resize(s.task_names.size());
  rr.end_status.resize(s.task_names.size());
  rr.end_state.resize(s.task_names.size());
  rr.end_letter.resize(s.task_names.size());
  rr.zombie_status.resize(s.task_names.size());
  rr.in_op.resize(s.task_names.size());
  for (std::size_t i = 0; i < s.task_names.size(); ++i) {
    rr.pids[i] = sh->pid[i].load();
    if (const int old = sh->old_pid[i].load()) rr.aliases.emplace_back(old, static_cast<int>(i));
    rr.end_status[i] = sh->end_status[i].load();
    const char c = sh->end_state_letter[i].load();
    if (c) rr.end_state[i] = end_state_text(c, sh->zombie_status[i].load());
    rr.end_letter[i] = c;
    rr.zombie_status[i] = sh->zombie_status[i].load();
    rr.in_op[i] = sh->cur_op[i].load();
  }
  if (sh->hung.load())
    rr.notes.push_back("the run made no progress for " + std::to_string(o.hang_ms) + " ms; what was left was killed");
  if (sh->blocked_for_good.load())
    rr.notes.push_back("every task left was blocked for good (pause, wait, stopped, traced or held): ended early");
  ::munmap(sh, sizeof(Shared));
  ::close(fd);
  unbind_run();
  return rr;
}

void exec_child_main(int argc, char** argv) {
  // utsim-kernel --exec-child FILE SLOT OP FD
  if (argc < 6) sys::exit_group(127);
  static model::LoadResult loaded = model::load_scenario_file(argv[2]);
  if (!loaded.ok()) sys::exit_group(127);
  static const model::Scenario& s = *loaded.scenario;
  static OpIndex idx(s);
  const int slot = std::atoi(argv[3]), opid = std::atoi(argv[4]);
  const int memfd = std::atoi(argv[5]);
  Shared* sh = map_shared(memfd);
  if (!sh || opid < 0 || static_cast<std::size_t>(opid) >= idx.ops.size()) sys::exit_group(127);
  static RunOptions o;
  o.tick_us = sh->tick_us;
  o.hang_ms = sh->hang_ms;
  o.blocks_ms = sh->blocks_ms;
  char exe[4096];
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = 0;
  o.self_exe = exe;
  o.scenario_path = argv[2];
  bind_run(sh, s, idx, o, memfd);
  const int tid = static_cast<int>(sys::call6(sys::nr::getpid));
  // After exec from a thread the task has the leader's pid (de_thread): keep
  // the old one as an alias so that results naming it still map to the task.
  if (sh->pid[slot].load() != tid) {
    sh->old_pid[slot].store(sh->pid[slot].load());
    // The old leader is gone (de_thread released it): its slot no longer
    // sits in an op.
    for (int i = 0; i < kMaxSlots; ++i)
      if (i != slot && sh->pid[i].load() == tid) sh->cur_op[i].store(0);
  }
  sh->pid[slot].store(tid);
  sh->tgid[slot].store(tid);
  const model::Op& op = *idx.ops[static_cast<std::size_t>(opid)];
  const auto* ex = op.as_if<model::ExecOp>();
  if (!ex) sys::exit_group(127);
  resume_after_exec(slot, tid, op, ex->program);
}

std::string ptrace_probe() {
  std::fflush(nullptr);
  const pid_t c = ::fork();
  if (c == 0) {
    const long r = sys::call6(sys::nr::ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0);
    sys::exit_group(r == 0 ? 0 : static_cast<int>(-r));
  }
  if (c < 0) return std::string("fork: ") + std::strerror(errno);
  int status = 0;
  if (::waitpid(c, &status, __WALL) != c) return std::string("waitpid: ") + std::strerror(errno);
  if (WIFSIGNALED(status)) return "PTRACE_TRACEME killed the probe with signal " + std::to_string(WTERMSIG(status));
  if (WEXITSTATUS(status) != 0) return std::string("PTRACE_TRACEME failed: ") + std::strerror(WEXITSTATUS(status));
  return "";
}

}  // namespace ukern
