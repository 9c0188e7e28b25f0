// tools/teach/choice.cpp: the choice points of a run the user schedules
// (choice.h), for `utsim step` and `utsim serve`.
#include "tools/teach/choice.h"

#include "tools/export/export.h"
#include "tools/export/format.h"

namespace tools {

ChoicePoint describe_choice_point(const model::Simulator& run, const sim::ChoiceContext& ctx) {
  ChoicePoint cp;
  cp.index = ctx.choice;
  cp.step = ctx.step;
  cp.def = sim::default_choice(ctx);
  for (const sim::Tid t : ctx.enabled) {
    const sim::Access& acc = ctx.engine->pending(t);
    ChoiceOption o;
    o.tid = t;
    o.letter = thread_letter(t);
    o.task = thread_task_name(run.kernel(), t);
    o.function = acc.where;
    o.verb = access_verb(acc.kind);
    o.object = object_name(run, acc.obj);
    o.is_default = t == cp.def;
    cp.options.push_back(std::move(o));
  }
  return cp;
}

sim::Tid PrefixScheduler::choose(const sim::ChoiceContext& ctx) {
  const std::size_t i = next_++;
  if (i < choices_.size()) return choices_[i];
  return ask_(ctx);
}

}  // namespace tools
