#pragma once
// Configuration: TOML documents merged in layers, read into typed structs through a schema that
// declares every parameter once (key path, unit, default, allowed range, source).
//
// Errors name the file the value came from, the key path, the bad value and what is allowed;
// all errors of a document are collected and reported together.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "engine/dates.hpp"

namespace engine::config {

// Limits on a config document, checked on its text before it is parsed, so a hostile or broken
// file fails with a message instead of exhausting memory or the stack (the TOML library nests one
// table, and one level of recursion, per dotted part of a key). Each is far above what a real
// scenario needs: England's scenario is about 30 KB, and parameter keys have at most 3 parts.
inline constexpr std::size_t kMaxConfigBytes = std::size_t{64} << 20;  // 64 MiB
inline constexpr std::size_t kMaxKeyParts = 32;    // dotted parts of one key, or of a [table] header
inline constexpr std::size_t kMaxKeyBytes = 1024;  // characters of one key or header
inline constexpr std::size_t kMaxNesting = 32;     // arrays and inline tables inside each other

struct Problem {
  std::string origin;  // file name, "--set", or "" when not tied to one
  std::string key;     // key path, e.g. "labour.nlw" or "councils[2].name"
  std::string message;
  std::string describe() const;
};

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<Problem> problems);
  const std::vector<Problem>& problems() const noexcept { return problems_; }

 private:
  std::vector<Problem> problems_;
};

// A TOML table built from layers (scenario, then policies, then --set overrides) with the origin of
// every key, so that a later error can say which file a bad value came from.
class Document {
 public:
  void overlay_file(const std::filesystem::path& path);
  void overlay_text(std::string_view text, const std::string& origin);
  // "key.path=value": the value is read as TOML (number, bool, string, array), or as a bare string.
  void set(std::string_view assignment);
  // Top-level arrays whose layers add entries instead of replacing the array (e.g. [[schedule]]
  // entries from a scenario and from a policy); call before the first overlay. Each entry's origin
  // is its own layer's ("schedule[2]").
  void append_arrays(std::vector<std::string> keys) { appending_ = std::move(keys); }
  // A top-level list of tables whose entries may be addressed by one of `fields` (or by index) as
  // well as replaced whole: "list[SEL].key=value" in a --set (SEL bare, "quoted" or 'quoted'), and a
  // table [list.SEL] (or [list."SEL"]) in a layer, merge into the entry SEL names. An unknown SEL is
  // an error suggesting the nearest. Call before the first overlay.
  void address_entries(std::string list, std::vector<std::string> fields) {
    addressable_.emplace_back(std::move(list), std::move(fields));
  }
  // Merges a table as a layer of its own named `origin`.
  void overlay_table(const toml::table& layer, const std::string& origin);
  // Sets the value at a path ("labour.nlw", "councils[3].budget_million"; an index must name an
  // existing entry) as a layer of its own would, with the given origin for messages.
  void assign(const std::string& path, const toml::node& value, const std::string& origin);
  // Removes a top-level key and returns its value (an empty node when absent), keeping its origins.
  std::optional<toml::array> take_array(const std::string& key);

  const toml::table& table() const noexcept { return root_; }
  // The origin of a key, or of its nearest ancestor that has one.
  std::string origin_of(const std::string& key) const;
  // The layers in the order applied, e.g. {"somerset.toml", "policy.toml", "--set"}.
  const std::vector<std::string>& layers() const noexcept { return layers_; }

 private:
  void merge(toml::table& into, const toml::table& from, const std::string& prefix, const std::string& origin);
  void record_origins(const toml::node& node, const std::string& key, const std::string& origin);
  toml::table root_;
  std::map<std::string, std::string> origins_;
  std::vector<std::string> layers_;
  std::vector<std::string> appending_;
  std::vector<std::pair<std::string, std::vector<std::string>>> addressable_;
  const std::vector<std::string>* entry_fields(const std::string& list) const;
  std::size_t find_entry(const toml::array& entries, const std::string& list, const std::string& selector,
                         const std::string& origin) const;
};

// The candidates nearest `word`: closest() if one is near, else those containing it (case aside), at
// most `most` of them.
std::vector<std::string> suggestions(const std::string& word, const std::vector<std::string>& candidates,
                                     std::size_t most = 3);

// "key.path=value" split into its key and its value, read as TOML (number, bool, string, array,
// date) or else as a bare string; the value is the table's one entry "v". `origin` names the source
// in messages ("--set").
std::pair<std::string, toml::table> parse_assignment(std::string_view assignment, const std::string& origin);

// Checks the limits above on a document's text (before parsing); throws ConfigError naming the
// origin and the line.
void check_limits(std::string_view text, const std::string& origin);

// What a parameter is, for help text, docs and error messages.
struct ParamInfo {
  std::string key;
  std::string kind;      // "real", "integer", "boolean", "text", "date", "choice", "real list", "table list"
  std::string unit;      // "" when dimensionless
  std::string allowed;   // human-readable allowed values
  std::string fallback;  // default, as TOML text
  std::string doc;
  std::string source;  // where the default comes from
};

// Bounds of a numeric parameter (inclusive).
struct Range {
  double min;
  double max;
};

// Text of a value as written in TOML (strings quoted); used in messages.
std::string render(const toml::node& node);

// A value as TOML text a person would write: floats in their shortest exact form (12.71, not
// 12.710000000000001; whole ones as 3.0 so they stay floats), strings quoted, lists on one line or,
// when `per_line` > 0 and they are longer, `per_line` items a line.
std::string value_text(const toml::node& node, std::size_t per_line = 0);

// ASCII lower case, for matching names and keys without regard to case.
std::string ascii_lower(std::string text);
// The closest candidate within a small edit distance, if any.
std::optional<std::string> closest(const std::string& word, const std::vector<std::string>& candidates);

// A date written as a TOML date or as ISO text (YYYY-MM-DD), when it is a valid date.
inline std::optional<Date> date_of_node(const toml::node& node) {
  if (const auto* d = node.as_date()) {
    const auto v = d->get();
    const Date date{std::chrono::year{v.year}, std::chrono::month{v.month}, std::chrono::day{v.day}};
    return date.ok() ? std::optional<Date>(date) : std::nullopt;
  }
  if (const auto* text = node.as_string()) return parse_iso_date(text->get());
  return std::nullopt;
}
inline toml::date toml_date(const Date& d) {
  return {static_cast<int>(d.year()), static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day())};
}

// Where a schema is reading: the document (for origins) and, inside arrays of tables, the key
// prefix and the origin of the whole array.
struct ReadContext {
  const Document* doc;
  std::string prefix;  // e.g. "councils[2]."
  std::string origin;  // fixed origin for nested tables
  std::string origin_of(const std::string& key) const { return origin.empty() && doc ? doc->origin_of(key) : origin; }
};

template <class T>
class Schema {
 public:
  using Problems = std::vector<Problem>;
  using Context = ReadContext;

  Schema& real(std::string key, std::function<double&(T&)> at, double fallback, Range range, std::string unit,
               std::string doc, std::string source = {}) {
    ParamInfo info{key, "real", unit, between(range, unit), format_number(fallback), std::move(doc), std::move(source)};
    add(
        info,
        [=](const toml::node* node, T& target, Problems& problems, const Context& ctx) {
          double& out = at(target);
          out = fallback;
          if (!node) return;
          if (!node->is_number()) return problems.push_back(type_problem(ctx, key, *node, "a number", unit));
          const double v = node->value<double>().value();
          if (!(v >= range.min && v <= range.max))
            return problems.push_back(range_problem(ctx, key, *node, range, unit));
          out = v;
        },
        [=](const T& target, toml::table& out) {
          insert_path(out, key, toml::value<double>(at(const_cast<T&>(target))));
        });
    return *this;
  }

  Schema& integer(std::string key, std::function<std::int64_t&(T&)> at, std::int64_t fallback, Range range,
                  std::string unit, std::string doc, std::string source = {}) {
    ParamInfo info{
        key, "integer", unit, between(range, unit), std::to_string(fallback), std::move(doc), std::move(source)};
    add(
        info,
        [=](const toml::node* node, T& target, Problems& problems, const Context& ctx) {
          std::int64_t& out = at(target);
          out = fallback;
          if (!node) return;
          if (!node->is_integer()) return problems.push_back(type_problem(ctx, key, *node, "an integer", unit));
          const auto v = node->value<std::int64_t>().value();
          if (!(static_cast<double>(v) >= range.min && static_cast<double>(v) <= range.max))
            return problems.push_back(range_problem(ctx, key, *node, range, unit));
          out = v;
        },
        [=](const T& target, toml::table& out) {
          insert_path(out, key, toml::value<std::int64_t>(at(const_cast<T&>(target))));
        });
    return *this;
  }

  Schema& boolean(std::string key, std::function<bool&(T&)> at, bool fallback, std::string doc,
                  std::string source = {}) {
    ParamInfo info{key, "boolean", "", "true or false", fallback ? "true" : "false", std::move(doc), std::move(source)};
    add(
        info,
        [=](const toml::node* node, T& target, Problems& problems, const Context& ctx) {
          bool& out = at(target);
          out = fallback;
          if (!node) return;
          if (!node->is_boolean()) return problems.push_back(type_problem(ctx, key, *node, "true or false", ""));
          out = node->value<bool>().value();
        },
        [=](const T& target, toml::table& out) {
          insert_path(out, key, toml::value<bool>(at(const_cast<T&>(target))));
        });
    return *this;
  }

  Schema& text(std::string key, std::function<std::string&(T&)> at, std::string fallback, std::string doc,
               std::string source = {}) {
    ParamInfo info{key, "text", "", "any text", quote(fallback), std::move(doc), std::move(source)};
    add(
        info,
        [=](const toml::node* node, T& target, Problems& problems, const Context& ctx) {
          std::string& out = at(target);
          out = fallback;
          if (!node) return;
          if (!node->is_string()) return problems.push_back(type_problem(ctx, key, *node, "a string", ""));
          out = node->value<std::string>().value();
        },
        [=](const T& target, toml::table& out) {
          insert_path(out, key, toml::value<std::string>(at(const_cast<T&>(target))));
        });
    return *this;
  }

  // A calendar date: a TOML date (2025-04-01) or a string of one ("2025-04-01"), with a year in
  // [min_year, max_year].
  Schema& date(std::string key, std::function<Date&(T&)> at, Date fallback, int min_year, int max_year, std::string doc,
               std::string source = {}) {
    const std::string allowed =
        "a date YYYY-MM-DD from " + std::to_string(min_year) + " to " + std::to_string(max_year);
    ParamInfo info{key, "date", "", allowed, iso_date(fallback), std::move(doc), std::move(source)};
    add(
        info,
        [=](const toml::node* node, T& target, Problems& problems, const Context& ctx) {
          Date& out = at(target);
          out = fallback;
          if (!node) return;
          if (!node->is_date() && !node->is_string())
            return problems.push_back(type_problem(ctx, key, *node, allowed, ""));
          const std::optional<Date> read = date_of_node(*node);
          if (!read || static_cast<int>(read->year()) < min_year || static_cast<int>(read->year()) > max_year)
            return problems.push_back(value_problem(ctx, key, *node, "must be " + allowed));
          out = *read;
        },
        [=](const T& target, toml::table& out) {
          insert_path(out, key, toml::value<toml::date>(toml_date(at(const_cast<T&>(target)))));
        });
    return *this;
  }

  // A string from a fixed list, stored as its index in `names`.
  Schema& choice(std::string key, std::function<int&(T&)> at, std::vector<std::string> names, int fallback,
                 std::string doc, std::string source = {}) {
    std::string allowed;
    for (std::size_t i = 0; i < names.size(); ++i) allowed += (i ? ", " : "") + quote(names[i]);
    ParamInfo info{key,
                   "choice",
                   "",
                   "one of " + allowed,
                   quote(names.at(static_cast<std::size_t>(fallback))),
                   std::move(doc),
                   std::move(source)};
    add(
        info,
        [=](const toml::node* node, T& target, Problems& problems, const Context& ctx) {
          int& out = at(target);
          out = fallback;
          if (!node) return;
          if (!node->is_string()) return problems.push_back(type_problem(ctx, key, *node, "one of " + allowed, ""));
          const auto v = node->value<std::string>().value();
          for (std::size_t i = 0; i < names.size(); ++i)
            if (names[i] == v) {
              out = static_cast<int>(i);
              return;
            }
          std::string msg = "must be one of " + allowed;
          if (auto near = closest(v, names)) msg += " (did you mean \"" + *near + "\"?)";
          problems.push_back(value_problem(ctx, key, *node, msg));
        },
        [=](const T& target, toml::table& out) {
          insert_path(out, key,
                      toml::value<std::string>(names.at(static_cast<std::size_t>(at(const_cast<T&>(target))))));
        });
    return *this;
  }

  // A list of exactly `length` numbers, each within range.
  Schema& real_list(std::string key, std::function<std::vector<double>&(T&)> at, std::vector<double> fallback,
                    Range range, std::string unit, std::string doc, std::string source = {}) {
    std::string fb = "[";
    for (std::size_t i = 0; i < fallback.size(); ++i) fb += (i ? ", " : "") + format_number(fallback[i]);
    fb += "]";
    const std::size_t length = fallback.size();
    ParamInfo info{key,
                   "real list",
                   unit,
                   std::to_string(length) + " numbers, each " + between(range, unit),
                   fb,
                   std::move(doc),
                   std::move(source)};
    add(
        info,
        [=](const toml::node* node, T& target, Problems& problems, const Context& ctx) {
          auto& out = at(target);
          out = fallback;
          if (!node) return;
          const auto* array = node->as_array();
          // Integers and floats may be mixed ([5, 10.5, 18, 30]): each is a number.
          if (!array || array->size() != length ||
              std::any_of(array->begin(), array->end(), [](const toml::node& n) { return !n.is_number(); }))
            return problems.push_back(
                type_problem(ctx, key, *node, "a list of " + std::to_string(length) + " numbers", unit));
          std::vector<double> values;
          for (const auto& n : *array) {
            const double v = n.value<double>().value();
            if (!(v >= range.min && v <= range.max))
              return problems.push_back(value_problem(ctx, key, *node, "every entry must be " + between(range, unit)));
            values.push_back(v);
          }
          out = std::move(values);
        },
        [=](const T& target, toml::table& out) {
          toml::array arr;
          for (double v : at(const_cast<T&>(target))) arr.push_back(v);
          insert_path(out, key, std::move(arr));
        });
    return *this;
  }

  // A list of any length from min_length up, each number within range (empty when absent).
  Schema& real_vector(std::string key, std::function<std::vector<double>&(T&)> at, std::size_t min_length, Range range,
                      std::string unit, std::string doc, std::string source = {}) {
    ParamInfo info{key,
                   "real list",
                   unit,
                   "a list of at least " + std::to_string(min_length) + " numbers, each " + between(range, unit),
                   "[]",
                   std::move(doc),
                   std::move(source)};
    add(
        info,
        [=](const toml::node* node, T& target, Problems& problems, const Context& ctx) {
          auto& out = at(target);
          out.clear();
          if (!node) return;
          const auto* array = node->as_array();
          if (!array || array->size() < min_length ||
              std::any_of(array->begin(), array->end(), [](const toml::node& n) { return !n.is_number(); }))
            return problems.push_back(
                type_problem(ctx, key, *node, "a list of at least " + std::to_string(min_length) + " numbers", unit));
          for (const auto& n : *array) {
            const double v = n.value<double>().value();
            if (!(v >= range.min && v <= range.max)) {
              out.clear();
              return problems.push_back(value_problem(ctx, key, *node, "every entry must be " + between(range, unit)));
            }
            out.push_back(v);
          }
        },
        [=](const T& target, toml::table& out) {
          toml::array arr;
          for (double v : at(const_cast<T&>(target))) arr.push_back(v);
          insert_path(out, key, std::move(arr));
        });
    return *this;
  }

  // A list of strings (empty when absent).
  Schema& text_list(std::string key, std::function<std::vector<std::string>&(T&)> at, std::string doc,
                    std::string source = {}) {
    ParamInfo info{key, "text list", "", "a list of strings", "[]", std::move(doc), std::move(source)};
    add(
        info,
        [=](const toml::node* node, T& target, Problems& problems, const Context& ctx) {
          auto& out = at(target);
          out.clear();
          if (!node) return;
          const auto* array = node->as_array();
          if (!array || std::any_of(array->begin(), array->end(), [](const toml::node& n) { return !n.is_string(); }))
            return problems.push_back(type_problem(ctx, key, *node, "a list of strings", ""));
          for (const auto& n : *array) out.push_back(n.value<std::string>().value());
        },
        [=](const T& target, toml::table& out) {
          toml::array arr;
          for (const auto& v : at(const_cast<T&>(target))) arr.push_back(v);
          insert_path(out, key, std::move(arr));
        });
    return *this;
  }

  // An array of tables, each read with `item` (e.g. [[councils]]). At least `min_items` entries.
  // At most `max_items`, checked before any entry is read.
  template <class Item>
  Schema& table_list(std::string key, std::function<std::vector<Item>&(T&)> at, std::shared_ptr<Schema<Item>> item,
                     std::size_t min_items, std::string doc,
                     std::size_t max_items = std::numeric_limits<std::size_t>::max()) {
    const std::string count = max_items == std::numeric_limits<std::size_t>::max()
                                  ? "at least " + std::to_string(min_items)
                                  : "from " + std::to_string(min_items) + " to " + std::to_string(max_items);
    ParamInfo info{key, "table list", "", count + " tables", "(none)", std::move(doc), {}};
    add(
        info,
        [=](const toml::node* node, T& target, Problems& problems, const Context& ctx) {
          auto& out = at(target);
          out.clear();
          const std::string full = ctx.prefix + key;
          if (!node) {
            if (min_items > 0)
              problems.push_back(
                  {ctx.origin_of(full), full,
                   "is missing: at least " + std::to_string(min_items) + " [[" + key + "]] table(s) are required"});
            return;
          }
          const auto* array = node->as_array();
          if (!array || !std::all_of(array->begin(), array->end(), [](const toml::node& n) { return n.is_table(); }))
            return problems.push_back(type_problem(ctx, key, *node, "a list of tables ([[" + key + "]])", ""));
          if (array->size() < min_items)
            return problems.push_back({ctx.origin_of(full), full,
                                       "has " + std::to_string(array->size()) + " entries; at least " +
                                           std::to_string(min_items) + " are required"});
          if (array->size() > max_items)
            return problems.push_back({ctx.origin_of(full), full,
                                       "has " + std::to_string(array->size()) + " entries; at most " +
                                           std::to_string(max_items) + " are allowed"});
          const std::string origin = ctx.origin_of(full);
          for (std::size_t i = 0; i < array->size(); ++i) {
            Item value{};
            // With the document at hand, each entry's keys find their own origins (a --set of one
            // council's key names the --set, not the file of the list).
            Context inner{ctx.doc, full + "[" + std::to_string(i) + "].", ctx.doc && ctx.origin.empty() ? "" : origin};
            item->read_into(*array->get(i)->as_table(), value, problems, inner);
            out.push_back(std::move(value));
          }
        },
        [=](const T& target, toml::table& out) {
          toml::array arr;
          for (const auto& v : at(const_cast<T&>(target))) arr.push_back(item->to_table(v));
          insert_path(out, key, std::move(arr));
        });
    return *this;
  }

  // Reads a whole document; throws ConfigError with every problem found.
  T read(const Document& doc) const {
    T value{};
    Problems problems;
    read_into(doc.table(), value, problems, Context{&doc, "", ""});
    if (!problems.empty()) throw ConfigError(std::move(problems));
    return value;
  }

  void read_into(const toml::table& table, T& value, Problems& problems, const Context& ctx) const {
    check_unknown(table, "", problems, ctx);
    for (const auto& entry : entries_) {
      const toml::node* node = table.at_path(entry.info.key).node();
      entry.read(node, value, problems, ctx);
    }
  }

  toml::table to_table(const T& value) const {
    toml::table out;
    for (const auto& entry : entries_) entry.write(value, out);
    return out;
  }

  const std::vector<ParamInfo> params() const {
    std::vector<ParamInfo> out;
    for (const auto& e : entries_) out.push_back(e.info);
    return out;
  }

 private:
  using Reader = std::function<void(const toml::node*, T&, Problems&, const Context&)>;
  using Writer = std::function<void(const T&, toml::table&)>;
  struct Entry {
    ParamInfo info;
    Reader read;
    Writer write;
  };

  void add(ParamInfo info, Reader read, Writer write) {
    for (const auto& e : entries_)
      if (e.info.key == info.key) throw std::logic_error("schema declares '" + info.key + "' twice");
    entries_.push_back({std::move(info), std::move(read), std::move(write)});
  }

  bool is_leaf(const std::string& key) const {
    return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.info.key == key; });
  }
  bool is_section(const std::string& key) const {
    const std::string prefix = key + ".";
    return std::any_of(entries_.begin(), entries_.end(),
                       [&](const Entry& e) { return e.info.key.compare(0, prefix.size(), prefix) == 0; });
  }

  void check_unknown(const toml::table& table, const std::string& prefix, Problems& problems,
                     const Context& ctx) const {
    for (const auto& [k, node] : table) {
      const std::string key = prefix + std::string(k.str());
      // TOML reads "labour.nlw" = 1 (quoted) as one key whose name holds a dot, not as the path
      // labour.nlw: the reader would never see it, so it must not pass as known.
      if (k.str().find('.') != std::string_view::npos) {
        std::string msg = "is a quoted key with a dot in its name, which TOML reads as one key, not as a path";
        if (is_leaf(key) || is_section(key))
          msg += "; did you mean " + ctx.prefix + key + " without the quotes?";
        else if (auto near = closest(key, leaf_and_section_names()))
          msg += "; did you mean '" + ctx.prefix + *near + "'?";
        problems.push_back({ctx.origin_of(ctx.prefix + key), ctx.prefix + "\"" + key + "\"", msg});
        continue;
      }
      if (is_leaf(key)) continue;
      if (is_section(key) && node.is_table()) {
        check_unknown(*node.as_table(), key + ".", problems, ctx);
        continue;
      }
      std::string msg = is_section(key) ? "must be a table of parameters" : "is not a known parameter";
      if (!is_section(key)) {
        if (auto near = closest(key, leaf_and_section_names())) {
          msg += "; did you mean '" + ctx.prefix + *near + "'?";
          const bool list = std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) {
            return e.info.key == *near && e.info.kind == "table list";
          });
          if (list)
            msg += " (one entry's key is written " + *near + "[\"NAME\"].key or " + *near +
                   "[CODE].key; `caremarket params` lists the keys)";
        }
      }
      problems.push_back({ctx.origin_of(ctx.prefix + key), ctx.prefix + key, msg});
    }
  }

  // Every parameter and every section, so a misspelt [section] is found too.
  std::vector<std::string> leaf_and_section_names() const {
    std::vector<std::string> names;
    for (const auto& e : entries_) {
      names.push_back(e.info.key);
      for (auto dot = e.info.key.find('.'); dot != std::string::npos; dot = e.info.key.find('.', dot + 1))
        names.push_back(e.info.key.substr(0, dot));
    }
    return names;
  }

  static std::string quote(const std::string& s) { return "\"" + s + "\""; }
  static std::string format_number(double v) {
    std::ostringstream os;
    os << v;
    return os.str();
  }
  static std::string between(Range r, const std::string& unit) {
    return "between " + format_number(r.min) + " and " + format_number(r.max) + (unit.empty() ? "" : " " + unit);
  }
  static Problem type_problem(const Context& ctx, const std::string& key, const toml::node& node,
                              const std::string& expected, const std::string& unit) {
    const std::string full = ctx.prefix + key;
    return {ctx.origin_of(full), full,
            "= " + render(node) + ": expected " + expected + (unit.empty() ? "" : " (" + unit + ")") + ", got " +
                type_name(node)};
  }
  static Problem range_problem(const Context& ctx, const std::string& key, const toml::node& node, Range r,
                               const std::string& unit) {
    return value_problem(ctx, key, node, "must be " + between(r, unit));
  }
  static Problem value_problem(const Context& ctx, const std::string& key, const toml::node& node,
                               const std::string& msg) {
    const std::string full = ctx.prefix + key;
    return {ctx.origin_of(full), full, "= " + render(node) + ": " + msg};
  }
  static std::string type_name(const toml::node& node) {
    switch (node.type()) {
      case toml::node_type::string: return "a string";
      case toml::node_type::integer: return "an integer";
      case toml::node_type::floating_point: return "a number";
      case toml::node_type::boolean: return "a boolean";
      case toml::node_type::array: return "a list";
      case toml::node_type::table: return "a table";
      default: return "a date or time";
    }
  }
  static void insert_path(toml::table& out, const std::string& key, auto&& value) {
    toml::table* t = &out;
    std::size_t start = 0;
    for (std::size_t dot = key.find('.'); dot != std::string::npos; dot = key.find('.', start)) {
      const std::string part = key.substr(start, dot - start);
      auto [it, inserted] = t->insert(part, toml::table{});
      t = it->second.as_table();
      start = dot + 1;
    }
    t->insert_or_assign(key.substr(start), std::forward<decltype(value)>(value));
  }

  std::vector<Entry> entries_;
};

// TOML text of a table (toml++ keeps keys sorted within each table).
std::string to_toml_text(const toml::table& table);

}  // namespace engine::config
