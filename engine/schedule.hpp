#pragma once
// A step declared as a list of phases, run in order (ARCHITECTURE.md principle 3). The model
// writes its step as one list a reader sees at once; the engine decides how to run it fast.
//
// Three kinds of phase:
//   step(name, fn)    fn(ctx): once per step, on the calling thread (joining new agents, the
//                     end-of-step regroup). It separates the parallel regions of the step.
//   group(name, fn)   fn(ctx, g): once per group (a council's market), groups in parallel.
//   rows(name, hook)  a per-row hook over one table, per group:
//                       state = hook.begin(ctx, g)         before the group's rows
//                       hook.row(ctx, state, view)         for each row of the group, in order
//                       hook.end(ctx, g, state)            after them
//                     Hook::Table names the table: Table::for_each(ctx, g, fn(row)) visits a
//                     group's rows in ascending order and Table::view(ctx, row) gives what every
//                     hook reads of a row (its index, the rows it refers to).
//
// run() is the fast week. Between two step phases, each group runs its phases one after another
// while other groups run alongside (groups must share no rows). A run of consecutive row phases
// (a "block") is fused: every hook's begin, in order; then one loop per table, in the order the
// tables first appear, calling each of the table's hooks in order on each row; then every hook's
// end, in order. So a block reads each row once, however many rules act on it.
//
// run_reference() is the same list run one phase at a time, as written: each phase for every
// group before the next phase, each row phase as its own begin, loop and end. Fusing is correct
// when the two give the same results, which holds when, within a block, no hook's row() reads
// what another table's hooks write in the block, no begin() reads what an earlier hook's row()
// or end() writes, and every hook reads a row's columns that earlier hooks change from the
// columns themselves rather than from the view. tests/cpp/test_week.cpp checks it bit for bit.
//
// A build with CAREMARKET_PHASE_TIMING=ON times run() phase by phase (engine/phase_clock.hpp).
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "engine/parallel.hpp"
#include "engine/phase_clock.hpp"

namespace engine {

template <class Fn>
struct StepPhase {
  std::string_view name;
  Fn fn;
};
template <class Fn>
struct GroupPhase {
  std::string_view name;
  Fn fn;
};
template <class Hook>
struct RowPhase {
  std::string_view name;
  Hook hook;
};

template <class Fn>
constexpr StepPhase<Fn> step(std::string_view name, Fn fn) {
  return {name, fn};
}
template <class Fn>
constexpr GroupPhase<Fn> group(std::string_view name, Fn fn) {
  return {name, fn};
}
template <class Hook>
constexpr RowPhase<Hook> rows(std::string_view name, Hook hook) {
  return {name, hook};
}

// A hook with nothing to carry from begin() to end() may return this.
struct NoState {};

namespace detail {
template <class T>
struct is_step_phase : std::false_type {};
template <class Fn>
struct is_step_phase<StepPhase<Fn>> : std::true_type {};
template <class T>
struct is_row_phase : std::false_type {};
template <class Hook>
struct is_row_phase<RowPhase<Hook>> : std::true_type {};
}  // namespace detail

template <class... Phases>
class Schedule {
 public:
  static constexpr std::size_t kPhases = sizeof...(Phases);

  constexpr explicit Schedule(Phases... phases) : phases_(phases...) {}

  // The phases' names in order, and their kinds ("step", "group", "rows"), for docs and tests.
  std::vector<std::pair<std::string_view, std::string_view>> describe() const {
    std::vector<std::pair<std::string_view, std::string_view>> out;
    std::apply([&](const auto&... p) { (out.emplace_back(p.name, kind_of<std::remove_cvref_t<decltype(p)>>()), ...); },
               phases_);
    return out;
  }

  // The fast step: groups in parallel, blocks of row phases fused.
  template <class Ctx>
  void run(Ctx& ctx, int groups) const {
    if constexpr (kPhaseTiming) name_phases(std::make_index_sequence<kPhases>{});
    run_from<0>(ctx, groups);
  }

  // The step as written, one phase at a time (groups one after another).
  template <class Ctx>
  void run_reference(Ctx& ctx, int groups) const {
    std::apply([&](const auto&... p) { (run_alone(ctx, groups, p), ...); }, phases_);
  }

 private:
  template <std::size_t I>
  using PhaseAt = std::tuple_element_t<I, std::tuple<Phases...>>;
  template <std::size_t I>
  static constexpr bool is_step = detail::is_step_phase<PhaseAt<I>>::value;
  template <std::size_t I>
  static constexpr bool is_rows = detail::is_row_phase<PhaseAt<I>>::value;

  template <class P>
  static constexpr std::string_view kind_of() {
    if constexpr (detail::is_step_phase<P>::value)
      return "step";
    else if constexpr (detail::is_row_phase<P>::value)
      return "rows";
    else
      return "group";
  }

  // The first step phase at or after I (kPhases when none).
  template <std::size_t I>
  static constexpr std::size_t next_step() {
    if constexpr (I >= kPhases)
      return kPhases;
    else if constexpr (is_step<I>)
      return I;
    else
      return next_step<I + 1>();
  }
  // The end of the block of row phases starting at I (the first index that is not a row phase).
  template <std::size_t I>
  static constexpr std::size_t block_end() {
    if constexpr (I >= kPhases)
      return kPhases;
    else if constexpr (is_rows<I>)
      return block_end<I + 1>();
    else
      return I;
  }

  // The phase clock (engine/phase_clock.hpp): adds the time since t to a part of phase P and
  // moves t on; nothing at all in a build without the timing.
  static void tick([[maybe_unused]] std::size_t phase, [[maybe_unused]] PhaseClock::Part part,
                   [[maybe_unused]] std::int64_t& t) {
    if constexpr (kPhaseTiming) t = PhaseClock::instance().add(phase, part, t);
  }
  static std::int64_t clock_start() {
    if constexpr (kPhaseTiming) return PhaseClock::now();
    return 0;
  }
  template <std::size_t... p>
  void name_phases(std::index_sequence<p...>) const {
    (PhaseClock::instance().name(p, std::get<p>(phases_).name), ...);
  }

  template <std::size_t I, class Ctx>
  void run_from(Ctx& ctx, int groups) const {
    if constexpr (I < kPhases) {
      std::int64_t t = clock_start();
      if constexpr (is_step<I>) {
        std::get<I>(phases_).fn(ctx);
        tick(I, PhaseClock::kWall, t);
        run_from<I + 1>(ctx, groups);
      } else {
        constexpr std::size_t J = next_step<I>();
        parallel_for_rows(
            static_cast<std::size_t>(groups), [&](std::size_t g) { run_group<I, J>(ctx, static_cast<int>(g)); }, 1);
        tick(I, PhaseClock::kWall, t);
        run_from<J>(ctx, groups);
      }
    }
  }

  // Phases [I, J) of one group (none of them a step phase).
  template <std::size_t I, std::size_t J, class Ctx>
  void run_group(Ctx& ctx, int g) const {
    if constexpr (I < J) {
      if constexpr (is_rows<I>) {
        constexpr std::size_t K = block_end<I>() < J ? block_end<I>() : J;
        run_block<I>(ctx, g, std::make_index_sequence<K - I>{});
        run_group<K, J>(ctx, g);
      } else {
        std::int64_t t = clock_start();
        std::get<I>(phases_).fn(ctx, g);
        tick(I, PhaseClock::kGroup, t);
        run_group<I + 1, J>(ctx, g);
      }
    }
  }

  template <std::size_t I>
  using TableAt = typename std::remove_cvref_t<decltype(std::declval<PhaseAt<I>>().hook)>::Table;

  // Does the table of phase I + k appear first at k in the block starting at I?
  template <std::size_t I, std::size_t k>
  static constexpr bool first_of_table() {
    return []<std::size_t... j>(std::index_sequence<j...>) {
      return (!std::is_same_v<TableAt<I + j>, TableAt<I + k>> && ...);
    }
    (std::make_index_sequence<k>{});
  }

  // The fused block of row phases [I, I + n).
  template <std::size_t I, class Ctx, std::size_t... k>
  void run_block(Ctx& ctx, int g, std::index_sequence<k...>) const {
    std::int64_t t = clock_start();
    // A braced list runs the begins left to right, in the declared order.
    std::tuple<decltype(std::get<I + k>(phases_).hook.begin(ctx, g))...> states{begin_hook<I + k>(ctx, g, t)...};
    // One loop per table, in the order the tables first appear (timed to the table's first hook).
    ((loop_table<I, k>(ctx, g, states, std::index_sequence<k...>{}), tick(I + k, PhaseClock::kRows, t)), ...);
    ((std::get<I + k>(phases_).hook.end(ctx, g, std::get<k>(states)), tick(I + k, PhaseClock::kEnd, t)), ...);
  }

  template <std::size_t P, class Ctx>
  auto begin_hook(Ctx& ctx, int g, std::int64_t& t) const {
    auto state = std::get<P>(phases_).hook.begin(ctx, g);
    tick(P, PhaseClock::kBegin, t);
    return state;
  }

  template <std::size_t I, std::size_t first, class Ctx, class States, std::size_t... k>
  void loop_table(Ctx& ctx, int g, States& states, std::index_sequence<k...>) const {
    if constexpr (first_of_table<I, first>()) {
      using Table = TableAt<I + first>;
      Table::for_each(ctx, g, [&](std::size_t row) {
        const auto view = Table::view(ctx, row);
        (call_row_if_table<I + k, Table>(ctx, std::get<k>(states), view), ...);
      });
    }
  }

  template <std::size_t P, class Table, class Ctx, class State, class View>
  void call_row_if_table(Ctx& ctx, State& state, const View& view) const {
    if constexpr (std::is_same_v<TableAt<P>, Table>) std::get<P>(phases_).hook.row(ctx, state, view);
  }

  template <class Ctx, class P>
  static void run_alone(Ctx& ctx, int groups, const P& phase) {
    if constexpr (detail::is_step_phase<P>::value) {
      phase.fn(ctx);
    } else if constexpr (detail::is_row_phase<P>::value) {
      using Table = typename std::remove_cvref_t<decltype(phase.hook)>::Table;
      for (int g = 0; g < groups; ++g) {
        auto state = phase.hook.begin(ctx, g);
        Table::for_each(ctx, g, [&](std::size_t row) { phase.hook.row(ctx, state, Table::view(ctx, row)); });
        phase.hook.end(ctx, g, state);
      }
    } else {
      for (int g = 0; g < groups; ++g) phase.fn(ctx, g);
    }
  }

  std::tuple<Phases...> phases_;
};

}  // namespace engine
