// scenario/load/ops.cpp: programs and ops (SCENARIOS.md "Tasks and
// programs").  An op is an object with exactly one op key, plus optional
// expect, expect_modern, as, label and x- keys; a scalar argument is shorthand
// for the op's main field.  Where an op may run (user program, kthread,
// callback) is checked here too.
#include "scenario/load/impl.h"

namespace model::loader {
namespace {

enum : unsigned { kUser = 1, kKthread = 2, kCallback = 4, kAnywhere = 7 };

struct OpKey {
  std::string_view key;
  unsigned where;
};
// Every op of SCENARIOS.md.  utrace API ops are also accepted in user programs
// (an extension: "a call into a kernel module").
constexpr OpKey kOps[] = {
    {"syscall", kUser},
    {"compute", kAnywhere},
    {"pause", kUser},
    {"nanosleep", kAnywhere},
    {"alarm", kUser},  // extension: alarm(2)
    {"loop", kAnywhere},
    {"sigaction", kUser},
    {"sigprocmask", kUser},
    {"raise", kAnywhere},
    {"kill", kAnywhere},
    {"tkill", kAnywhere},
    {"fork", kUser},
    {"vfork", kUser},
    {"clone", kUser},
    {"exec", kUser},
    {"exit", kUser | kKthread},
    {"exit_group", kUser | kKthread},
    {"waitpid", kUser},
    {"ptrace", kUser},
    {"settle", kAnywhere},
    {"await", kAnywhere},
    {"assert_state", kAnywhere},
    {"complete", kAnywhere},
    {"wait_for_completion", kAnywhere},
    {"utrace_attach_task", kAnywhere},
    {"utrace_set_events", kAnywhere},
    {"utrace_control", kAnywhere},
    {"utrace_barrier", kAnywhere},
    {"utrace_prepare_examine", kAnywhere},
    {"utrace_finish_examine", kAnywhere},
    {"utrace_engine_put", kAnywhere},
    {"retry", kAnywhere},
    // Litmus ops on the scenario's shared variables (extension, issue 12).
    {"write_once", kKthread},
    {"read_once", kKthread},
    {"smp_store_release", kKthread},
    {"smp_load_acquire", kKthread},
    {"xchg", kKthread},
    {"smp_mb", kKthread},
    {"smp_wmb", kKthread},
    {"smp_rmb", kKthread},
    {"smp_mb__after_spinlock", kKthread},
    {"spin_lock", kKthread},
    {"spin_unlock", kKthread},
};

const OpKey* find_op(std::string_view k) {
  for (const auto& o : kOps)
    if (o.key == k) return &o;
  return nullptr;
}

bool is_modifier(std::string_view k) { return k == "expect" || k == "expect_modern" || k == "as" || k == "label"; }

std::vector<std::string_view> op_names_list() {
  std::vector<std::string_view> out;
  for (const auto& o : kOps) out.push_back(o.key);
  return out;
}

std::string op_list() {
  std::string s;
  for (const auto& o : kOps) s += (s.empty() ? "" : ", ") + std::string(o.key);
  return s;
}

unsigned where_bit(Ctx::Where w) {
  switch (w) {
    case Ctx::Where::User: return kUser;
    case Ctx::Where::Kthread: return kKthread;
    case Ctx::Where::Callback: return kCallback;
    case Ctx::Where::Top: return 0;
  }
  return 0;
}

std::string why_not(const Ctx& ctx) {
  if (ctx.where == Ctx::Where::Kthread)
    return "a kernel thread has no user mode: no syscalls, signal handlers, fork/exec, wait or "
           "ptrace";
  if (ctx.where == Ctx::Where::User)
    return "litmus ops (read_once, write_once, smp_mb, spin_lock ...) run in kernel threads: give the task "
           "\"kind\": \"kthread\"";
  return "callbacks run inside the kernel in the reporting task: no syscalls, signal handlers, "
         "fork/exec, exit, wait or ptrace (use utrace API ops, complete, kill ...)";
}

}  // namespace

Program Loader::program(const Json& v, const std::string& ptr, const Ctx& ctx) {
  Program out;
  if (!array(v, ptr, "a program (a list of ops)")) return out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i)
    if (auto o = op(v[i], ptr_append(ptr, i), ctx)) out.push_back(std::move(*o));
  return out;
}

std::optional<Op> Loader::op(const Json& v, const std::string& ptr, const Ctx& ctx) {
  if (!v.is_object()) {
    error("scenario.E010", ptr,
          std::string("expected an op (an object like {\"syscall\": \"getpid\"}), got ") + type_name(v));
    return std::nullopt;
  }
  std::vector<std::string> keys, unknown;
  for (const auto& [k, val] : v.items()) {
    if (is_extension_key(k) || is_modifier(k)) continue;
    (find_op(k) ? keys : unknown).push_back(k);
  }
  if (keys.empty()) {
    if (unknown.empty()) error("scenario.E014", ptr, "an op needs an op key (one of: " + op_list() + ")");
    for (const auto& k : unknown) {
      std::string c = closest(k, op_names_list());
      error("scenario.E018", ptr_append(ptr, k),
            "unknown op '" + k + "' (expected one of: " + op_list() + (c.empty() ? "" : "; did you mean '" + c + "'?") +
                ")");
    }
    return std::nullopt;
  }
  if (keys.size() > 1) {
    error("scenario.E015", ptr,
          "'" + keys[0] + "' and '" + keys[1] + "' in one op: an op has exactly one op key (write them as two ops)");
    return std::nullopt;
  }
  const std::string& key = keys[0];
  bool ok = true;
  for (const auto& k : unknown) {
    std::string c = closest(k, {"expect", "expect_modern", "as", "label"});
    error("scenario.E012", ptr_append(ptr, k),
          "unknown key '" + k + "' in a '" + key + "' op (expected expect, expect_modern, as, " +
              "label, or an x- key" + (c.empty() ? "" : "; did you mean '" + c + "'?") + ")");
    ok = false;
  }
  Op out;
  out.ptr = ptr;
  out.key = key;
  if (!(find_op(key)->where & where_bit(ctx.where))) {
    error("scenario.E060", ptr_append(ptr, key),
          "'" + key + "' is not allowed in " + ctx.describe() + " (" + why_not(ctx) + ")");
    ok = false;
  }
  ok = op_body(key, v[key], ptr_append(ptr, key), ctx, out) && ok;
  if (const Json* e = member(v, "expect")) {
    out.expect = expectation(*e, ptr_append(ptr, "expect"), ctx);
    ok = ok && out.expect.has_value();
  }
  if (const Json* e = member(v, "expect_modern")) {
    // On await/assert_state, what a modern kernel shows may be a task state
    // ("stopped" where 2.6.32's utrace shows "traced"): the state vocabulary.
    out.expect_modern =
        expectation(*e, ptr_append(ptr, "expect_modern"), ctx, /*states=*/key == "await" || key == "assert_state");
    ok = ok && out.expect_modern.has_value();
  }
  std::size_t before = d_.errors.size();
  op_names(v, ptr, out);
  ok = ok && d_.errors.size() == before;
  if (!ok) return std::nullopt;
  return out;
}

void Loader::op_names(const Json& v, const std::string& ptr, Op& out) {
  const Json* as = member(v, "as");
  const Json* label = member(v, "label");
  auto bind_label = [&](const Json& j, const std::string& p) {
    auto n = name(j, p, "a label");
    if (!n) return;
    if (label_index_.count(*n)) {
      error("scenario.E026", p, "duplicate label '" + *n + "' (labels name one op each)");
      return;
    }
    out.label = intern(sc_.labels, label_index_, *n);
  };
  if (as && out.key == "utrace_attach_task") {
    if (auto n = name(*as, ptr_append(ptr, "as"), "an engine handle"))
      out.as = intern(sc_.handle_names, handle_index_, *n);
  } else if (as && label) {
    error("scenario.E017", ptr_append(ptr, "as"),
          "\"as\" on a '" + out.key + "' op names its result, like \"label\": give one of them, not both");
  } else if (as) {
    bind_label(*as, ptr_append(ptr, "as"));
  }
  if (label) bind_label(*label, ptr_append(ptr, "label"));
}

bool Loader::op_body(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out) {
  // The reader of each op's argument (ops_user.cpp, ops_utrace.cpp); where an
  // op may run is kOps', checked before.
  using Reader = void (Loader::*)(std::string_view, const Json&, const std::string&, const Ctx&, Op&);
  static constexpr std::pair<std::string_view, Reader> kReaders[] = {
      {"syscall", &Loader::read_syscall},
      {"compute", &Loader::read_compute},
      {"nanosleep", &Loader::read_compute},
      {"pause", &Loader::read_pause},
      {"settle", &Loader::read_pause},
      {"alarm", &Loader::read_alarm},
      {"loop", &Loader::read_loop},
      {"sigaction", &Loader::read_sigaction},
      {"sigprocmask", &Loader::read_sigprocmask},
      {"raise", &Loader::read_raise},
      {"kill", &Loader::read_kill},
      {"tkill", &Loader::read_kill},
      {"fork", &Loader::read_fork},
      {"vfork", &Loader::read_fork},
      {"clone", &Loader::read_clone},
      {"exec", &Loader::read_exec},
      {"exit", &Loader::read_exit},
      {"exit_group", &Loader::read_exit},
      {"waitpid", &Loader::read_waitpid},
      {"ptrace", &Loader::read_ptrace},
      {"await", &Loader::read_await},
      {"assert_state", &Loader::read_await},
      {"complete", &Loader::read_completion},
      {"wait_for_completion", &Loader::read_completion},
      {"utrace_attach_task", &Loader::read_attach},
      {"utrace_set_events", &Loader::read_engine_op},
      {"utrace_control", &Loader::read_engine_op},
      {"utrace_barrier", &Loader::read_engine_op},
      {"utrace_prepare_examine", &Loader::read_engine_op},
      {"utrace_finish_examine", &Loader::read_engine_op},
      {"utrace_engine_put", &Loader::read_engine_put},
      {"retry", &Loader::read_retry},
      {"write_once", &Loader::read_memory},
      {"read_once", &Loader::read_memory},
      {"smp_store_release", &Loader::read_memory},
      {"smp_load_acquire", &Loader::read_memory},
      {"xchg", &Loader::read_memory},
      {"smp_mb", &Loader::read_memory},
      {"smp_wmb", &Loader::read_memory},
      {"smp_rmb", &Loader::read_memory},
      {"smp_mb__after_spinlock", &Loader::read_memory},
      {"spin_lock", &Loader::read_memory},
      {"spin_unlock", &Loader::read_memory},
  };
  for (const auto& [k, read] : kReaders) {
    if (k != key) continue;
    const std::size_t before = d_.errors.size();
    (this->*read)(key, v, ptr, ctx, out);
    return d_.errors.size() == before;
  }
  error("scenario.E099", ptr, "internal: op '" + std::string(key) + "' has no loader");
  return false;
}

}  // namespace model::loader
