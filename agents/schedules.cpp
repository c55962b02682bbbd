#include "agents/schedules.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "agents/providers.hpp"

namespace cm {
namespace {

using engine::Date;
using engine::config::ConfigError;
using engine::config::Document;
using engine::config::Problem;

// Parameters only the start of a run reads (the clock, the output, the map, the starting market):
// a change during the run would change nothing, so a schedule or a dated policy for one is refused.
bool fixed_for_run(const std::string& key) {
  for (const char* prefix : {"run.", "output.", "region.", "geography."})
    if (key.rfind(prefix, 0) == 0) return true;
  for (const char* k :
       {"councils", "commissioning.lot_size", "providers.chain_start_weight", "need.initial_band_shares"})
    if (key == k) return true;
  return false;
}
// The keys of a [[councils]] entry a run keeps reading: the budget, the adults (incidence), and the
// council's own levers: its pay floor, usual rate and going wage.
bool council_key_changes(const std::string& key) {
  for (const char* k : {"budget_million", "adults_thousands", "pay_floor", "reference_rate", "wage"})
    if (key == k) return true;
  return false;
}

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

using engine::config::value_text;

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

// One [[schedule]] entry, checked.
struct Entry {
  std::string label;   // "schedule[2]"
  std::string origin;  // the file (or layer) it came from
  std::string key;     // as written: "labour.nlw", or a council's "budget_million"
  std::string path;    // where it goes in the document: "councils[3].budget_million" for a council's
  bool integer = false, linear = false;
  std::string cause = "schedule";
  std::vector<Date> dates;
  std::vector<std::int64_t> steps;  // the first step on or after each date
  std::vector<const toml::node*> values;
  std::vector<std::string> sources;

  // The row in force at step s (the last whose step has come), or -1 before the first.
  std::ptrdiff_t row_at(std::int64_t s) const {
    const auto it = std::upper_bound(steps.begin(), steps.end(), s);
    return static_cast<std::ptrdiff_t>(it - steps.begin()) - 1;
  }
  // Sets the entry's value at step s in `doc` (nothing before its first date) and returns its text.
  std::optional<std::string> assign_at(std::int64_t s, const Date& start, Document& doc) const {
    const auto j = row_at(s);
    if (j < 0) return std::nullopt;
    const auto r = static_cast<std::size_t>(j);
    const std::string where = origin + ", " + label + " at " + engine::iso_date(dates[r]);
    if (!linear || r + 1 == values.size()) {
      doc.assign(path, *values[r], where);
      return value_text(*values[r]);
    }
    // Linear by days between this row's date and the next.
    const double a = values[r]->value<double>().value(), b = values[r + 1]->value<double>().value();
    const double f = static_cast<double>(engine::days_between(dates[r], engine::date_of_step(start, s))) /
                     static_cast<double>(engine::days_between(dates[r], dates[r + 1]));
    const double v = a + (b - a) * f;
    if (integer) {
      const toml::value<std::int64_t> node(std::llround(v));
      doc.assign(path, node, where);
      return value_text(node);
    }
    const toml::value<double> node(v);
    doc.assign(path, node, where);
    return value_text(node);
  }
};

struct Shock {
  std::string label, origin, kind;
  Date date;
  std::int64_t step = 0;
  double multiplier = 1;
  int council = -1;  // -1: every council
  std::int64_t group = -1;
  std::string note;
};

class Reader {
 public:
  Reader(const ScenarioSpec& base, const Document& doc) : base_(base), doc_(doc) {}
  std::vector<Problem> problems;

  void problem(const std::string& origin, const std::string& key, const std::string& message) {
    // A policy from a date becomes one entry per value it sets: its date problem is said once.
    for (const auto& p : problems)
      if (p.origin == origin && p.key == key && p.message == message) return;
    problems.push_back({origin, key, message});
  }

  std::optional<Entry> entry(const toml::node& node, std::size_t index) {
    Entry e;
    e.label = "schedule[" + std::to_string(index) + "]";
    e.origin = doc_.origin_of(e.label);
    const auto* t = node.as_table();
    if (!t) return fail(e.origin, e.label, "must be a table ([[schedule]]) with key, dates and values");
    if (!known_fields(*t, e.origin, e.label,
                      {"key", "council", "dates", "values", "interpolation", "sources", "cause"}))
      return std::nullopt;
    const auto key = (*t)["key"].value<std::string>();
    if (!key)
      return fail(e.origin, e.label + ".key", "is missing: the parameter the schedule sets, e.g. \"labour.nlw\"");
    e.key = *key;
    const std::string what = e.label + " (" + e.key + ")";
    std::string kind;
    if (const auto council = (*t)["council"].value<std::string>()) {
      const int c = council_index(*council, e.origin, what + ".council");
      if (c < 0) return std::nullopt;
      kind = parameter_kind(e.key, true);
      if (kind.empty())
        return fail(e.origin, what, "is not a key of a [[councils]] entry; the keys: " + join(parameter_keys(true)));
      if (!council_key_changes(e.key))
        return fail(e.origin, what,
                    "is set once, at the start of a run; a council's budget_million, adults_thousands, pay_floor, "
                    "reference_rate and wage can change");
      e.path = "councils[" + std::to_string(c) + "]." + e.key;
    } else {
      kind = parameter_kind(e.key, false);
      if (kind.empty()) {
        std::string message = "names no parameter";
        if (auto near = engine::config::closest(e.key, parameter_keys(false)))
          message += " (did you mean " + *near + "?)";
        return fail(e.origin, what, message + "; `caremarket params` lists them");
      }
      if (fixed_for_run(e.key))
        return fail(e.origin, what, "is read once, at the start of a run: it cannot change during one");
      e.path = e.key;
    }
    if (kind == "text" || kind == "date" || kind == "table list")
      return fail(e.origin, what, "is a " + kind + " parameter: schedules set numbers, true/false and choices");
    e.integer = kind == "integer";
    const auto interpolation = (*t)["interpolation"].value_or<std::string>("step");
    if (interpolation != "step" && interpolation != "linear")
      return fail(e.origin, what + ".interpolation",
                  "= " + in_quotes(interpolation) + ": must be \"step\" or \"linear\"");
    e.linear = interpolation == "linear";
    if (e.linear && kind != "real" && kind != "integer")
      return fail(e.origin, what + ".interpolation",
                  "= \"linear\" needs a numeric parameter; " + e.key + " is a " + kind);
    e.cause = (*t)["cause"].value_or<std::string>("schedule");
    if (e.cause != "schedule" && e.cause != "policy" && e.cause != "set")
      return fail(e.origin, what + ".cause",
                  "= " + in_quotes(e.cause) + ": must be \"schedule\", \"policy\" or \"set\"");

    const auto* dates = (*t)["dates"].as_array();
    const auto* values = (*t)["values"].as_array();
    if (!dates || dates->empty()) return fail(e.origin, what + ".dates", "must be a non-empty list of dates");
    if (!values || values->size() != dates->size())
      return fail(e.origin, what + ".values",
                  "must be a list with one value for each of the " + std::to_string(dates->size()) + " dates");
    for (std::size_t r = 0; r < dates->size(); ++r) {
      const auto date = engine::config::date_of_node(*dates->get(r));
      const std::string row = what + ".dates[" + std::to_string(r) + "]";
      if (!date)
        return fail(e.origin, row, "= " + engine::config::render(*dates->get(r)) + " is not a date YYYY-MM-DD");
      if (!e.dates.empty() && *date <= e.dates.back())
        return fail(e.origin, row,
                    "= " + engine::iso_date(*date) + ": dates must be in order, each after " +
                        engine::iso_date(e.dates.back()));
      const auto step = engine::first_step_on_or_after(base_.run.start_date, *date);
      // A policy's entries are its own values: their date is the policy's, said once for it.
      const std::string date_key = e.cause == "policy" ? std::string("starts") : row + " =";
      if (step < 0)
        return fail(e.origin, "",
                    date_key + " " + engine::iso_date(*date) +
                        ", before the run's start (run.start_date = " + engine::iso_date(base_.run.start_date) + ")" +
                        (e.cause == "policy" ? ": a policy cannot start before the run" : ""));
      if (e.cause == "policy" && step > base_.run.steps)
        return fail(e.origin, "",
                    date_key + " " + engine::iso_date(*date) + ", after the run's last week (" + last_week() + ")");
      const auto* value = values->get(r);
      if (e.linear && !value->is_number())
        return fail(e.origin, what + ".values[" + std::to_string(r) + "]", "must be a number for a linear schedule");
      e.dates.push_back(*date);
      e.steps.push_back(step);
      e.values.push_back(value);
    }
    if (const auto* sources = (*t)["sources"].as_array()) {
      if (sources->size() != dates->size())
        return fail(e.origin, what + ".sources",
                    "must give one source for each of the " + std::to_string(dates->size()) + " dates");
      for (const auto& s : *sources) e.sources.push_back(s.value_or<std::string>(""));
    }
    return e;
  }

  std::optional<Shock> shock(const toml::node& node, std::size_t index) {
    Shock s;
    s.label = "shocks[" + std::to_string(index) + "]";
    s.origin = doc_.origin_of(s.label);
    const auto* t = node.as_table();
    if (!t) return fail(s.origin, s.label, "must be a table ([[shocks]]) with kind and date");
    if (!known_fields(*t, s.origin, s.label, {"kind", "date", "multiplier", "council", "group", "note"}))
      return std::nullopt;
    s.kind = (*t)["kind"].value_or<std::string>("");
    const std::string what = s.label + " (" + (s.kind.empty() ? "?" : s.kind) + ")";
    if (s.kind != "budget" && s.kind != "labour_supply" && s.kind != "group_failure")
      return fail(s.origin, s.label + ".kind",
                  (s.kind.empty() ? std::string("is missing") : "= " + in_quotes(s.kind) + " is unknown") +
                      ": one of \"budget\", \"labour_supply\", \"group_failure\"");
    const auto* date_node = t->get("date");
    const auto date = date_node ? engine::config::date_of_node(*date_node) : std::nullopt;
    if (!date) return fail(s.origin, what + ".date", "is missing or not a date YYYY-MM-DD");
    s.date = *date;
    s.step = engine::first_step_on_or_after(base_.run.start_date, *date);
    if (s.step < 1)
      return fail(s.origin, what + ".date",
                  "= " + engine::iso_date(*date) + " must come after the run's start (run.start_date = " +
                      engine::iso_date(base_.run.start_date) + ")");
    if (s.step > base_.run.steps)
      return fail(s.origin, what + ".date",
                  "= " + engine::iso_date(*date) + " is after the run's last week (" + last_week() + ")");
    s.note = (*t)["note"].value_or<std::string>("");
    if (s.kind == "group_failure") {
      const auto group = (*t)["group"].value<std::int64_t>();
      std::int64_t groups = 0;
      for (const auto& c : base_.councils) groups = std::max(groups, c.chain_groups);
      if (!group || *group < 0 || *group >= groups)
        return fail(s.origin, what + ".group",
                    groups == 0 ? "needs chain groups that span councils: no council sets chain_groups"
                                : "must be a chain group from 0 to " + std::to_string(groups - 1) +
                                      " (the largest chain_groups of the councils is " + std::to_string(groups) + ")");
      s.group = *group;
      return s;
    }
    const auto multiplier = (*t)["multiplier"].value<double>();
    if (!multiplier || !(*multiplier > 0 && *multiplier <= 10))
      return fail(s.origin, what + ".multiplier", "must be a number above 0 and at most 10 (0.9: a 10% cut)");
    s.multiplier = *multiplier;
    if (const auto council = (*t)["council"].value<std::string>()) {
      if (s.kind != "budget") return fail(s.origin, what + ".council", "applies to budget shocks only");
      s.council = council_index(*council, s.origin, what + ".council");
      if (s.council < 0) return std::nullopt;
    }
    return s;
  }

 private:
  std::nullopt_t fail(const std::string& origin, const std::string& key, const std::string& message) {
    problem(origin, key, message);
    return std::nullopt;
  }
  bool known_fields(const toml::table& t, const std::string& origin, const std::string& label,
                    const std::vector<std::string>& allowed) {
    bool ok = true;
    for (const auto& [k, v] : t)
      if (std::find(allowed.begin(), allowed.end(), std::string(k.str())) == allowed.end()) {
        problem(origin, label + "." + std::string(k.str()), "is not a field here; the fields: " + join(allowed));
        ok = false;
      }
    return ok;
  }
  int council_index(const std::string& name, const std::string& origin, const std::string& key) {
    std::vector<std::string> names;
    for (std::size_t c = 0; c < base_.councils.size(); ++c) {
      const auto& council = base_.councils[c];
      if (council.name == name || (!council.code.empty() && council.code == name)) return static_cast<int>(c);
      names.push_back(council.name);
    }
    if (!name.empty() && name.size() < 6 &&
        std::all_of(name.begin(), name.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) &&
        std::stoul(name) < base_.councils.size())
      return static_cast<int>(std::stoul(name));  // by index, as councils[3] in a --set
    std::string message = "= " + in_quotes(name) + " is not a council of the scenario";
    if (auto near = engine::config::closest(name, names)) message += " (did you mean " + *near + "?)";
    problem(origin, key, message);
    return -1;
  }
  std::string last_week() const {
    return engine::iso_date(engine::date_of_step(base_.run.start_date, base_.run.steps)) +
           ", run.steps = " + std::to_string(base_.run.steps);
  }

  const ScenarioSpec& base_;
  const Document& doc_;
};

std::string multiplier_text(double m) {
  char text[32];
  std::snprintf(text, sizeof text, "x%g", m);
  return text;
}

// A shock's change of the parameters in force from its step on: a budget cut multiplies the
// council's (or every council's) budget; a fall in labour supply the chance to fill a vacancy from
// outside care, at home and from abroad (capped at 1).
void apply_shock(const Shock& s, ScenarioSpec& spec) {
  if (s.kind == "budget") {
    for (std::size_t c = 0; c < spec.councils.size(); ++c)
      if (s.council < 0 || static_cast<std::size_t>(s.council) == c) spec.councils[c].budget_million *= s.multiplier;
  } else if (s.kind == "labour_supply") {
    spec.labour.fill_per_week = std::min(1.0, spec.labour.fill_per_week * s.multiplier);
    spec.labour.overseas_fill_per_week = std::min(1.0, spec.labour.overseas_fill_per_week * s.multiplier);
  }
}

ChangeRecord shock_record(const Shock& s, const ScenarioSpec& spec) {
  ChangeRecord r;
  r.step = static_cast<std::int32_t>(s.step);
  r.cause = "shock";
  r.detail = s.origin + ", " + s.label + (s.note.empty() ? "" : ": " + s.note);
  if (s.kind == "group_failure") {
    r.key = "chain group " + std::to_string(s.group);
    r.value = "fails";
  } else {
    r.key = s.kind == "labour_supply" ? "labour supply"
                                      : "budget (" +
                                            (s.council < 0 ? std::string("every council")
                                                           : spec.councils[static_cast<std::size_t>(s.council)].name) +
                                            ")";
    r.value = multiplier_text(s.multiplier);
  }
  return r;
}

}  // namespace

toml::table policy_from_date(const std::filesystem::path& path, Date from) {
  Document policy;
  policy.append_arrays(kChangeArrays);
  policy.overlay_file(path);
  const std::string name = path.filename().string();
  const std::string source = name + " from " + engine::iso_date(from);
  toml::array schedule, shocks;
  // Every value the policy sets, as a one-row schedule entry at `from`.
  auto flatten = [&](auto&& self, const toml::table& table, const std::string& prefix) -> void {
    for (const auto& [k, v] : table) {
      const std::string key = prefix + std::string(k.str());
      if (prefix.empty() && (key == "schedule" || key == "shocks")) continue;
      if (prefix.empty() && key == "councils" && v.is_table()) {
        // [councils.Kent] budget_million = ...: one council's values, as council entries.
        for (const auto& [selector, part] : *v.as_table()) {
          if (!part.is_table()) continue;  // read as a layer, it is refused there with its reason
          for (const auto& [field, value] : *part.as_table()) {
            toml::array dates, values, sources;
            dates.push_back(engine::config::toml_date(from));
            values.push_back(value);
            sources.push_back(source);
            schedule.push_back(toml::table{{"key", std::string(field.str())},
                                           {"council", std::string(selector.str())},
                                           {"dates", dates},
                                           {"values", values},
                                           {"cause", "policy"},
                                           {"sources", sources}});
          }
        }
        continue;
      }
      if (const auto* inner = v.as_table()) {
        self(self, *inner, key + ".");
        continue;
      }
      toml::array dates, values, sources;
      dates.push_back(engine::config::toml_date(from));
      values.push_back(v);
      sources.push_back(source);
      schedule.push_back(
          toml::table{{"key", key}, {"dates", dates}, {"values", values}, {"cause", "policy"}, {"sources", sources}});
    }
  };
  flatten(flatten, policy.table(), "");
  if (const auto* own = policy.table()["schedule"].as_array())
    for (const auto& e : *own) schedule.push_back(e);
  if (const auto* own = policy.table()["shocks"].as_array())
    for (const auto& e : *own) shocks.push_back(e);
  toml::table layer;
  if (!schedule.empty()) layer.insert("schedule", std::move(schedule));
  if (!shocks.empty()) layer.insert("shocks", std::move(shocks));
  return layer;
}

Timeline build_timeline(Document& doc, const ReadSpec& read, std::vector<std::string>& warnings) {
  Timeline t;
  if (auto a = doc.take_array("schedule")) t.schedule = std::move(*a);
  if (auto a = doc.take_array("shocks")) t.shocks = std::move(*a);
  if (t.schedule.empty() && t.shocks.empty()) {  // nothing changes: one read
    t.start = read(doc, &warnings);
    return t;
  }
  const ScenarioSpec base = read(doc, nullptr);  // the clock and the councils the entries refer to
  Reader reader(base, doc);
  std::vector<Entry> entries;
  std::vector<Shock> shocks;
  for (std::size_t i = 0; i < t.schedule.size(); ++i)
    if (auto e = reader.entry(*t.schedule.get(i), i)) entries.push_back(std::move(*e));
  for (std::size_t i = 0; i < t.shocks.size(); ++i)
    if (auto s = reader.shock(*t.shocks.get(i), i)) shocks.push_back(std::move(*s));
  if (!reader.problems.empty()) throw ConfigError(std::move(reader.problems));

  // The steps at which some value changes: each row's, every step of a linear stretch, each shock's.
  std::set<std::int64_t> steps;
  for (const auto& e : entries)
    for (std::size_t r = 0; r < e.steps.size(); ++r) {
      steps.insert(e.steps[r]);
      if (e.linear && r + 1 < e.steps.size())
        for (auto s = e.steps[r] + 1; s < e.steps[r + 1]; ++s) steps.insert(s);
    }
  for (const auto& s : shocks) steps.insert(s.step);
  steps.insert(0);

  std::vector<std::string> last_text(entries.size());
  for (const auto s : steps) {
    Document at = doc;
    ParameterChange change;
    change.step = static_cast<std::int32_t>(s);
    for (std::size_t k = 0; k < entries.size(); ++k) {
      const auto& e = entries[k];
      const auto text = e.assign_at(s, base.run.start_date, at);
      if (!text || *text == last_text[k]) continue;
      last_text[k] = *text;
      const auto row = static_cast<std::size_t>(e.row_at(s));
      std::string detail = e.origin + ", " + e.label;
      if (row < e.sources.size() && !e.sources[row].empty()) detail += ": " + e.sources[row];
      change.records.push_back({change.step, e.path, *text, e.cause, detail});
    }
    change.spec = read(at, s == 0 ? &warnings : nullptr);
    for (const auto& shock : shocks) {
      if (shock.step > s) continue;
      apply_shock(shock, change.spec);
      if (shock.step != s) continue;
      change.records.push_back(shock_record(shock, change.spec));
      if (shock.kind == "group_failure") change.failing_groups.push_back(static_cast<std::int32_t>(shock.group));
    }
    if (s == 0) {
      const bool policy_at_start = std::any_of(change.records.begin(), change.records.end(),
                                               [](const ChangeRecord& r) { return r.cause != "schedule"; });
      if (base.run.warmup_weeks > 0 && policy_at_start) {
        // The warm-up is the baseline's: the schedules' values at step 0, no policy or set().
        Document baseline = doc;
        for (const auto& e : entries)
          if (e.cause == "schedule") e.assign_at(0, base.run.start_date, baseline);
        t.warmup = read(baseline, nullptr);
        t.start = change.spec;
        change.after_warmup = true;
      } else {
        t.start = std::move(change.spec);
        change.spec = ScenarioSpec{};
        if (change.records.empty()) continue;
      }
    }
    t.changes.push_back(std::move(change));
  }
  return t;
}

}  // namespace cm
