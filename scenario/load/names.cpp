// scenario/load/names.cpp: step 2 of loading — bind the names that
// belong to the whole scenario before anything refers to them.
//
// A program may name a task forked later (or by another task), and a handle
// bound by `as` inside a callback is usable by every task, so these names are
// collected first by a tolerant walk over every op, in document order: task
// slots are the declared tasks in order, then each fork/vfork/clone `child`
// depth first.  Type errors met on the way are left to step 3, which
// reports them with the full context.  The op and task limits are enforced
// here, before any AST is built.
#include "scenario/load/impl.h"

namespace model::loader {
namespace {

// `[A-Za-z_][A-Za-z0-9_.-]*`
bool valid_task_name(std::string_view s) {
  if (s.empty()) return false;
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!alpha(s[0])) return false;
  for (char c : s)
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '.' && c != '-') return false;
  return true;
}

}  // namespace

bool Loader::scan(const Json& root) {
  if (const Json* engines = member(root, "engines"); engines && engines->is_object()) {
    for (const auto& [k, v] : engines->items())
      if (!is_extension_key(k)) engine_index_.emplace(k, static_cast<int>(engine_index_.size()));
  }
  const Json* tasks = member(root, "tasks");
  if (tasks && tasks->is_array()) {
    // Declared tasks take slots 0..n-1, whatever their names look like.
    for (std::size_t i = 0; i < tasks->size(); ++i) {
      const Json* n = member((*tasks)[i], "name");
      declare_task(n ? *n : Json(), ptr_append(ptr_append("/tasks", i), "name"), "");
    }
    for (std::size_t i = 0; i < tasks->size() && !over_limit_; ++i) {
      if (const Json* p = member((*tasks)[i], "program"))
        scan_program(*p, ptr_append(ptr_append("/tasks", i), "program"));
    }
  }
  if (const Json* engines = member(root, "engines"); engines && engines->is_object()) {
    for (const auto& [name, table] : engines->items()) {
      if (is_extension_key(name) || !table.is_object()) continue;
      std::string tp = ptr_append("/engines", name);
      for (const auto& [cb, spec] : table.items()) {
        if (const Json* body = member(spec, "do")) scan_program(*body, ptr_append(ptr_append(tp, cb), "do"));
      }
    }
  }
  return !over_limit_;
}

void Loader::scan_program(const Json& program, const std::string& ptr) {
  if (!program.is_array()) return;
  for (std::size_t i = 0; i < program.size() && !over_limit_; ++i) scan_op(program[i], ptr_append(ptr, i));
}

void Loader::scan_op(const Json& op, const std::string& ptr) {
  if (over_limit_ || !op.is_object()) return;
  if (++scanned_ops_ > limits_.max_ops) {
    error("scenario.E005", ptr,
          "too many ops: the scenario has more than " + std::to_string(limits_.max_ops) + " (the limit)");
    over_limit_ = true;
    return;
  }
  for (const auto& [k, v] : op.items()) {
    std::string kp = ptr_append(ptr, k);
    if (k == "fork" || k == "vfork" || k == "clone") {
      if (v.is_string()) declare_task(v, kp, ptr);  // shorthand: the child's name
      if (!v.is_object()) continue;
      if (const Json* c = member(v, "child")) declare_task(*c, ptr_append(kp, "child"), ptr);
      if (const Json* p = member(v, "program")) scan_program(*p, ptr_append(kp, "program"));
    } else if (k == "exec") {
      if (v.is_array())
        scan_program(v, kp);
      else if (const Json* p = member(v, "program"))
        scan_program(*p, ptr_append(kp, "program"));
    } else if (k == "loop") {
      if (const Json* p = member(v, "do")) scan_program(*p, ptr_append(kp, "do"));
    } else if (k == "sigaction") {
      if (const Json* h = member(v, "handler"))
        if (const Json* p = member(*h, "do")) scan_program(*p, ptr_append(ptr_append(kp, "handler"), "do"));
    } else if (k == "retry") {
      if (const Json* body = member(v, "do")) scan_op(*body, ptr_append(kp, "do"));
    } else if (k == "utrace_attach_task") {
      if (const Json* as = member(op, "as")) declare_handle(*as);
    }
    if (over_limit_) return;
  }
}

void Loader::declare_task(const Json& name, const std::string& ptr, const std::string& op_ptr) {
  const bool declared = op_ptr.empty();
  if (!name.is_string() && !declared) return;  // step 3 reports the type error
  std::string n = name.is_string() ? name.get<std::string>() : std::string();
  if (name.is_string()) {
    if (n == "init") {
      error("scenario.E021", ptr, "the task name 'init' is reserved (pid 1 is the implicit init that reaps orphans)");
    } else if (!valid_task_name(n)) {
      error("scenario.E021", ptr,
            "invalid task name '" + n +
                "' (expected [A-Za-z_][A-Za-z0-9_.-]*: a letter or '_', then letters, digits, "
                "'_', '.', '-')");
    } else if (auto it = task_index_.find(n); it != task_index_.end()) {
      error("scenario.E022", ptr,
            "duplicate task name '" + n + "' (declared tasks and fork/vfork/clone children share one namespace)");
    }
  }
  int slot = static_cast<int>(sc_.task_names.size());
  sc_.task_names.push_back(n);
  if (!n.empty()) task_index_.emplace(n, slot);
  if (!declared) child_slot_[op_ptr] = slot;
  if (sc_.task_names.size() > limits_.max_tasks && !over_limit_) {
    error("scenario.E006", ptr,
          "too many tasks: more than " + std::to_string(limits_.max_tasks) +
              " declared tasks and fork/vfork/clone children (the limit)");
    over_limit_ = true;
  }
}

void Loader::declare_handle(const Json& name) {
  // Bad names are reported when the op itself is loaded.
  if (!name.is_string()) return;
  std::string n = name.get<std::string>();
  if (n.empty() || n.front() == '$') return;
  intern(sc_.handle_names, handle_index_, n);
}

}  // namespace model::loader
