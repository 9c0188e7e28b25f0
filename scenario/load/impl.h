// scenario/load/impl.h: the loader's internals (private to scenario/load).
//
// Loading is three steps:
//   1. parse_document (json.cpp): bytes -> JSON, refusing what
//      could hurt before nlohmann sees it (size, nesting depth) and what it
//      would accept silently (duplicate keys);
//   2. Loader::scan (names.cpp): a tolerant walk over every
//      program that binds the scenario-wide names (task slots, engine tables,
//      engine handles) so that references can point forward;
//   3. Loader::load (top.cpp, engines.cpp, ops.cpp, values.cpp): the typed
//      AST, with every error reported and the walk going on where it can.
// Error ids are catalogued in docs/errors.md and never renumbered.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenario/load/loader.h"
#include "scenario/scenario.h"

namespace model::loader {

// ordered_json: engine tables and `child` slots follow document order.
using Json = nlohmann::ordered_json;

// RFC 6901: "~" -> "~0", "/" -> "~1".
std::string ptr_append(const std::string& base, std::string_view token);
std::string ptr_append(const std::string& base, std::size_t index);

const char* type_name(const Json& v);
// `s` without its leading and trailing blanks (spaces, tabs).
std::string trim(std::string_view s);
inline bool is_extension_key(std::string_view k) { return k.substr(0, 2) == "x-"; }
// The closest candidate within edit distance 2, for "did you mean" hints ("" if none).
std::string closest(std::string_view word, std::initializer_list<std::string_view> candidates);
std::string closest(std::string_view word, const std::vector<std::string_view>& candidates);

// Collects errors; stops collecting (with a final scenario.E009) past a cap,
// so hostile input cannot make the report itself huge.
struct Diag {
  std::string file;
  std::vector<ScenarioError> errors;
  std::size_t max_errors = 200;
  bool capped = false;
  void error(std::string_view id, std::string ptr, std::string message);
};

// Step 1.  nullopt after an error (already reported).
std::optional<Json> parse_document(std::string_view text, const LoadLimits& limits, Diag& diag);

// Where an op runs: decides which ops are allowed and what "$child",
// "$task" and "$engine" mean.
struct Ctx {
  enum class Where : std::uint8_t { User, Kthread, Callback, Top };
  Where where = Where::User;
  Callback cb = Callback::kCount;  // Where::Callback
  bool in_report_clone() const { return where == Where::Callback && cb == Callback::report_clone; }
  std::string describe() const;  // "a kthread's program", "a report_death callback", ...
};

// An op's argument as an object.  A scalar shorthand ({"exit": 42}) stands for
// {main: value}; at() gives the JSON pointer of a field as the file has it.
class Args {
 public:
  Args(const Json* src, std::string ptr) : src_(src), ptr_(std::move(ptr)) {}
  Args(std::string_view main, const Json& value, std::string ptr)
      : wrapped_(Json::object({{std::string(main), value}})), ptr_(std::move(ptr)), main_(main), shorthand_(true) {}
  Args(const Args&) = delete;
  Args& operator=(const Args&) = delete;
  const Json& object() const { return shorthand_ ? wrapped_ : *src_; }
  const std::string& ptr() const { return ptr_; }
  const Json* get(std::string_view key) const {
    auto it = object().find(std::string(key));
    return it == object().end() ? nullptr : &*it;
  }
  std::string at(std::string_view key) const { return shorthand_ && key == main_ ? ptr_ : ptr_append(ptr_, key); }
  // Written as a scalar: only the main field is given.
  bool shorthand() const { return shorthand_; }
  std::string_view main() const { return main_; }

 private:
  const Json* src_ = nullptr;
  Json wrapped_;
  std::string ptr_;
  std::string_view main_;
  bool shorthand_ = false;
};

class Loader {
 public:
  Loader(Diag& diag, const LoadLimits& limits) : d_(diag), limits_(limits) {}
  std::optional<Scenario> load(const Json& root);

 private:
  // ---- names.cpp: step 2 --------------------------------------------
  bool scan(const Json& root);  // false: a limit was hit, stop here
  void scan_program(const Json& program, const std::string& ptr);
  void scan_op(const Json& op, const std::string& ptr);
  void declare_task(const Json& name, const std::string& ptr, const std::string& op_ptr);
  void declare_handle(const Json& name);

  // ---- top.cpp ----------------------------------------------------------
  void load_model(const Json& v, const std::string& ptr);
  // ---- engines.cpp --------------------------------------------------------
  void load_engines(const Json& v, const std::string& ptr);
  void load_callback(const Json& v, const std::string& ptr, Callback cb, CallbackSpec& out);
  // `argument`: the action a callback receives (UTRACE_SYSCALL_RESUMED is a name there).
  // `reads_action`: a return may read the callback's own action argument
  // ("utrace_signal_action(action) | UTRACE_RESUME"); the bits it reads are
  // ORed in there.  Null: only constants (expect_args).
  std::optional<std::uint32_t> callback_return(const Json& v, const std::string& ptr, Callback cb,
                                               bool argument = false, std::uint32_t* reads_action = nullptr);
  void load_expect_args(const Json& v, const std::string& ptr, Callback cb, std::vector<CallbackArgsExpect>& out);
  void load_args_expect(const Json& v, const std::string& ptr, Callback cb, CallbackArgsExpect& out);
  void load_callback_sets(const Json& v, const std::string& ptr, Callback cb, std::vector<CallbackSets>& out);
  void load_callback_set(const Json& v, const std::string& ptr, Callback cb, CallbackSets& out);
  // A plain syscall (model/abi.h) by name, or scenario.E048 with the list and a did-you-mean.
  const PlainSyscall* plain_syscall(const std::string& name, const std::string& ptr);
  // Clone flag names and at most one exit signal, as the clone op takes them.
  struct CloneFlags {
    std::uint64_t flags = 0;
    int exit_signal = 0;
  };
  CloneFlags clone_flags(const Json& list, const std::string& ptr);
  template <class T>
  void per_call(const Json& v, const std::string& ptr, const char* what, Callback cb, std::vector<T>& out,
                void (Loader::*one)(const Json&, const std::string&, Callback, T&));
  // ---- top.cpp ----------------------------------------------------------
  void load_tasks(const Json& v, const std::string& ptr);
  void load_expect(const Json& v, const std::string& ptr, ScenarioExpect& out);
  void load_expect_memory(const Json& v, const std::string& ptr);
  void load_vars(const Json& v, const std::string& ptr);
  void check_litmus();
  int var_slot(const std::string& name, const std::string& ptr);  // -1 after scenario.E067
  void load_outcomes(const Json& v, const std::string& ptr, std::vector<Outcome>& out);
  std::optional<Outcome> load_outcome(const Json& v, const std::string& ptr);
  PropertySet load_properties(const Json& v, const std::string& ptr);
  void load_explore(const Json& v, const std::string& ptr);

  // ---- ops.cpp -----------------------------------------------------------
  Program program(const Json& v, const std::string& ptr, const Ctx& ctx);
  std::optional<Op> op(const Json& v, const std::string& ptr, const Ctx& ctx);
  bool op_body(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out);
  // One reader per op (or family of ops): it reads the argument `v` of the op
  // `key` into out.body; op_body() counts its errors.
  // ops_user.cpp: user-mode and synchronisation ops
  void read_pause(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out);
  void read_syscall(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out);
  void read_compute(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out);
  void read_alarm(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out);
  void read_loop(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out);
  void read_sigaction(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out);
  void read_sigprocmask(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out);
  void read_raise(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out);
  void read_kill(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out);
  void read_exit(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out);
  void read_await(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out);
  void read_completion(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out);
  void read_retry(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out);
  // ops_user.cpp: processes
  void read_fork(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out);
  void read_clone(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out);
  void read_exec(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out);
  void read_waitpid(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out);
  void read_ptrace(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out);
  int child_slot(std::string_view key, const Args& a, const std::string& ptr);
  // ops_utrace.cpp: the utrace API
  void read_attach(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out);
  void read_engine_op(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out);
  void read_engine_put(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out);
  // ops_memory.cpp: litmus ops (issue 12)
  void read_memory(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out);
  std::optional<SignalHandler> handler(const Json& v, const std::string& ptr);
  // The op's argument, checked against `keys`; `main` names the field a
  // scalar stands for ("" = no shorthand).  nullptr after an error.
  // `list_shorthand`: an array stands for the main field too (sigprocmask).
  std::unique_ptr<Args> args(std::string_view op, const Json& v, const std::string& ptr, std::string_view main,
                             std::initializer_list<std::string_view> keys, bool list_shorthand = false);
  const Json* need(const Args& a, std::string_view op, std::string_view key);
  void op_names(const Json& v, const std::string& ptr, Op& out);  // as, label

  // ---- values.cpp ----------------------------------------------------------
  // Type and key checks.  `what` names the thing for messages ("an op", "a task").
  bool object(const Json& v, const std::string& ptr, std::string_view what,
              std::initializer_list<std::string_view> keys);
  bool array(const Json& v, const std::string& ptr, std::string_view what);
  const Json* member(const Json& obj, std::string_view key) const;
  const Json* required(const Json& obj, const std::string& ptr, std::string_view key, std::string_view what);
  std::optional<std::string> string(const Json& v, const std::string& ptr, std::string_view what);
  std::optional<bool> boolean(const Json& v, const std::string& ptr, std::string_view what);
  std::optional<std::int64_t> integer(const Json& v, const std::string& ptr, std::int64_t lo, std::int64_t hi,
                                      std::string_view what);
  std::optional<std::uint64_t> unsigned_integer(const Json& v, const std::string& ptr, std::uint64_t hi,
                                                std::string_view what);
  // A name interned in a table (completions, data tags, labels, handles).
  std::optional<std::string> name(const Json& v, const std::string& ptr, std::string_view what);
  int intern(std::vector<std::string>& table, std::unordered_map<std::string, int>& index, const std::string& name);

  std::optional<int> signal(const Json& v, const std::string& ptr, int lo, std::string_view what);
  std::optional<SigSet> signal_set(const Json& v, const std::string& ptr);
  std::optional<SigSet> single_signal_set(const Json& v, const std::string& ptr);
  template <class T>
  std::optional<T> flags(const Json& v, const std::string& ptr, std::string_view id, std::string_view what,
                         std::optional<T> (*lookup)(std::string_view), std::string_view expected);
  std::optional<TaskRef> task_ref(const Json& v, const std::string& ptr, const Ctx& ctx, bool allow_any = false);
  std::optional<HandleRef> handle_ref(const Json& v, const std::string& ptr, const Ctx& ctx);
  std::optional<TaskState> task_state(const Json& v, const std::string& ptr);

  // Results and expectations.
  // `states`: a task state name is a result too (await/assert_state's expect_modern).
  std::optional<Expectation> expectation(const Json& v, const std::string& ptr, const Ctx& ctx, bool states = false);
  std::optional<std::vector<ResultPattern>> alternatives(const Json& v, const std::string& ptr, const Ctx& ctx,
                                                         bool states = false);
  std::optional<ResultPattern> result(const Json& v, const std::string& ptr, const Ctx& ctx);
  std::optional<ResultPattern> status(const Json& v, const std::string& ptr, const Ctx& ctx);
  std::optional<int> stop_signal(const Json& v, const std::string& ptr);

  void error(std::string_view id, std::string ptr, std::string message) {
    d_.error(id, std::move(ptr), std::move(message));
  }

  Diag& d_;
  LoadLimits limits_;
  Scenario sc_;
  std::unordered_map<std::string, int> task_index_, handle_index_, engine_index_, label_index_, completion_index_,
      data_index_, var_index_, spinlock_index_;
  std::unordered_map<std::string, int> child_slot_;  // op pointer -> slot of its `child`
  std::size_t scanned_ops_ = 0;
  bool over_limit_ = false;
};

}  // namespace model::loader
