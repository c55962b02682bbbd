#include "engine/config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

namespace engine::config {

std::string Problem::describe() const {
  std::string out = origin.empty() ? std::string() : origin + ": ";
  if (!key.empty()) out += key + " ";
  return out + message;
}

namespace {
std::string join_problems(const std::vector<Problem>& problems) {
  std::string out;
  for (const auto& p : problems) {
    if (!out.empty()) out.push_back('\n');
    out.append(p.describe());
  }
  return out;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}
}  // namespace

void check_limits(std::string_view text, const std::string& origin) {
  auto fail = [&](std::size_t line, const std::string& what) {
    throw ConfigError({{origin, "", "line " + std::to_string(line) + ": " + what + " (docs/cli.md, \"Limits\")"}});
  };
  if (text.size() > kMaxConfigBytes)
    throw ConfigError({{origin, "",
                        "is " + std::to_string(text.size()) + " bytes; a config may have at most " +
                            std::to_string(kMaxConfigBytes) + " (docs/cli.md, \"Limits\")"}});
  // A small lexer of TOML's structure: it knows strings, comments, brackets, braces, '=' and ','
  // well enough to tell the characters of keys (and table headers) from those of values. It never
  // rejects valid TOML within the limits; malformed text is left for the parser to report.
  enum class Open : char { array, inline_table };
  std::vector<Open> open;
  std::size_t line = 1;
  bool in_key = true;  // reading a key (before its '=') or a [table] header
  bool in_header = false;
  bool line_started = false;  // a character other than blanks seen on this line
  std::size_t parts = 1, key_bytes = 0;
  auto start_key = [&] {
    in_key = true;
    parts = 1;
    key_bytes = 0;
  };
  auto key_char = [&](std::size_t n) {
    if (!in_key) return;
    key_bytes += n;
    if (key_bytes > kMaxKeyBytes) fail(line, "a key longer than " + std::to_string(kMaxKeyBytes) + " characters");
  };
  // Skips a string starting at text[i] (a quote); returns the index after its closing quote.
  auto skip_string = [&](std::size_t i) {
    const char quote = text[i];
    const bool multi = text.compare(i, 3, std::string(3, quote)) == 0;
    std::size_t j = i + (multi ? 3 : 1);
    while (j < text.size()) {
      const char c = text[j];
      if (c == '\\' && quote == '"') {
        j += 2;
        continue;
      }
      if (c == '\n') {
        if (!multi) return j;  // unterminated: the parser says so
        ++line;
      }
      if (c == quote && (!multi || text.compare(j, 3, std::string(3, quote)) == 0)) {
        // A multi-line string may end in up to two more quotes ("""a"""""): take them too.
        std::size_t end = j + (multi ? 3 : 1);
        while (multi && end < text.size() && text[end] == quote && end < j + 5) ++end;
        return end;
      }
      ++j;
    }
    return j;
  };
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      line_started = false;
      if (open.empty()) {
        start_key();
        in_header = false;
      }
      ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    const bool first_on_line = !line_started;
    line_started = true;
    if (c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (c == '"' || c == '\'') {
      const std::size_t end = skip_string(i);
      key_char(end - i);
      i = end;
      continue;
    }
    switch (c) {
      case '[':
        if (open.empty() && first_on_line) {  // a [table] or [[array of tables]] header
          in_header = true;
          start_key();
        } else if (!in_key) {
          open.push_back(Open::array);
        }
        break;
      case ']':
        if (in_header) {
          in_key = false;
        } else if (!open.empty() && open.back() == Open::array) {
          open.pop_back();
        }
        break;
      case '{':
        open.push_back(Open::inline_table);
        start_key();
        break;
      case '}':
        if (!open.empty()) open.pop_back();
        in_key = false;
        break;
      case ',':
        if (!open.empty() && open.back() == Open::inline_table) start_key();
        break;
      case '=':
        if (in_key && !in_header) in_key = false;
        break;
      case '.':
        if (in_key && ++parts > kMaxKeyParts)
          fail(line, "a key with more than " + std::to_string(kMaxKeyParts) + " dotted parts");
        break;
      default: break;
    }
    if (open.size() > kMaxNesting)
      fail(line, "lists and inline tables nested more than " + std::to_string(kMaxNesting) + " deep");
    key_char(1);
    ++i;
  }
}

ConfigError::ConfigError(std::vector<Problem> problems)
    : std::runtime_error(join_problems(problems)), problems_(std::move(problems)) {}

std::string render(const toml::node& node) {
  std::ostringstream os;
  node.visit([&](const auto& n) {
    if constexpr (toml::is_table<decltype(n)>)
      os << "{...}";  // a table is named by its key in the message, not written out
    else
      os << toml::toml_formatter(n);
  });
  std::string s = os.str();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

std::string value_text(const toml::node& node, std::size_t per_line) {
  if (const auto* v = node.as_floating_point()) {
    char text[64];
    const auto end = std::to_chars(text, text + sizeof text, v->get()).ptr;
    std::string out(text, end);
    if (out.find_first_of(".eEn") == std::string::npos) out += ".0";  // inf and nan have an n
    return out;
  }
  if (const auto* array = node.as_array()) {
    std::vector<std::string> items;
    for (const auto& item : *array) items.push_back(value_text(item, per_line));
    std::string out;
    if (per_line == 0 || items.size() <= per_line) {
      for (std::size_t k = 0; k < items.size(); ++k) out += (k ? ", " : "") + items[k];
      return "[" + out + "]";
    }
    for (std::size_t k = 0; k < items.size(); ++k)
      out += (k % per_line == 0 ? "  " : " ") + items[k] + (k % per_line == per_line - 1 ? ",\n" : ",");
    return "[\n" + out + (items.size() % per_line != 0 ? "\n" : "") + "]";
  }
  std::ostringstream os;
  node.visit([&](const auto& n) { os << toml::toml_formatter(n, toml::format_flags::none); });
  return os.str();
}

std::string ascii_lower(std::string text) {
  for (auto& ch : text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return text;
}

std::optional<std::string> closest(const std::string& word, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  // How near is near: a third of the word's last part (of "commissioning.budgett", "budgett").
  const auto last_dot = word.rfind('.');
  const std::size_t last_part = last_dot == std::string::npos ? word.size() : word.size() - last_dot - 1;
  std::size_t best_distance = std::max<std::size_t>(2, last_part / 3) + 1;
  for (const auto& c : candidates) {
    // Compare the whole path and also the last component, so "nlw" finds "labour.nlw".
    std::size_t d = edit_distance(word, c);
    const auto dot = c.rfind('.');
    const auto wdot = word.rfind('.');
    if (dot != std::string::npos) {
      const std::string tail = c.substr(dot + 1);
      const std::string wtail = wdot == std::string::npos ? word : word.substr(wdot + 1);
      d = std::min(d, edit_distance(wtail, tail) + (wdot == std::string::npos ? 0 : 1));
    }
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  if (best) return best;
  // Else the candidate whose last part shares the longest start with the word's, when that start is
  // most of the word ("budgett" finds "budget_million").
  auto tail = [](const std::string& s) { return s.substr(s.rfind('.') == std::string::npos ? 0 : s.rfind('.') + 1); };
  const std::string w = tail(word);
  std::size_t best_shared = std::max<std::size_t>(4, (w.size() * 3 + 4) / 5);
  for (const auto& c : candidates) {
    const std::string t = tail(c);
    std::size_t shared = 0;
    while (shared < w.size() && shared < t.size() && w[shared] == t[shared]) ++shared;
    if (shared >= best_shared && (shared > best_shared || !best || c.size() < best->size())) {
      best_shared = shared;
      best = c;
    }
  }
  return best;
}

void Document::record_origins(const toml::node& node, const std::string& key, const std::string& origin) {
  origins_[key] = origin;
  if (const auto* t = node.as_table())
    for (const auto& [k, v] : *t) record_origins(v, key + "." + std::string(k.str()), origin);
}

void Document::assign(const std::string& path, const toml::node& value, const std::string& origin) {
  toml::table* table = &root_;
  std::size_t start = 0;
  while (true) {
    const auto cut = path.find_first_of(".[", start);
    const std::string name = path.substr(start, cut - start);
    if (cut == std::string::npos) {
      table->insert_or_assign(name, value);
      break;
    }
    toml::node* next = table->get(name);
    if (path[cut] == '[') {
      const auto close = path.find(']', cut);
      auto* array = next ? next->as_array() : nullptr;
      std::string selector = path.substr(cut + 1, close - cut - 1);
      if (selector.size() >= 2 && (selector.front() == '"' || selector.front() == '\'') &&
          selector.back() == selector.front())
        selector = selector.substr(1, selector.size() - 2);
      const auto index =
          array && start == 0 && entry_fields(name) ? find_entry(*array, name, selector, origin) : std::stoul(selector);
      if (!array || index >= array->size() || !array->get(index)->is_table())
        throw std::logic_error("Document::assign: no table at " + path.substr(0, close + 1));
      table = array->get(index)->as_table();
      start = close + 2;  // past "]."
    } else {
      if (!next || !next->is_table()) next = &table->insert_or_assign(name, toml::table{}).first->second;
      table = next->as_table();
      start = cut + 1;
    }
  }
  origins_[path] = origin;
}

std::optional<toml::array> Document::take_array(const std::string& key) {
  auto* node = root_.get(key);
  if (!node) return std::nullopt;
  if (!node->is_array())
    throw ConfigError({{origin_of(key), key, "must be a list of tables ([[" + key + "]]), not " + render(*node)}});
  toml::array out = std::move(*node->as_array());
  root_.erase(key);
  return out;
}

const std::vector<std::string>* Document::entry_fields(const std::string& list) const {
  for (const auto& [name, fields] : addressable_)
    if (name == list) return &fields;
  return nullptr;
}

std::vector<std::string> suggestions(const std::string& word, const std::vector<std::string>& candidates,
                                     std::size_t most) {
  if (auto near = closest(word, candidates)) return {*near};
  const auto lower = ascii_lower;
  const std::string w = lower(word);
  std::vector<std::string> out;
  for (const auto& c : candidates) {
    const std::string lc = lower(c);
    if (!w.empty() && (lc.find(w) != std::string::npos || w.find(lc) != std::string::npos) &&
        std::find(out.begin(), out.end(), c) == out.end())
      out.push_back(c);
    if (out.size() == most) break;
  }
  return out;
}

std::size_t Document::find_entry(const toml::array& entries, const std::string& list, const std::string& selector,
                                 const std::string& origin) const {
  const auto& fields = *entry_fields(list);
  if (!selector.empty() &&
      std::all_of(selector.begin(), selector.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    const auto index = selector.size() < 9 ? std::stoul(selector) : entries.size();
    if (index < entries.size()) return index;
    throw ConfigError({{origin, list + "[" + selector + "]",
                        "has no entry: " + list + " has " + std::to_string(entries.size()) + " (0 to " +
                            std::to_string(entries.size() - 1) + ")"}});
  }
  const auto lower = ascii_lower;
  std::vector<std::string> known;
  std::vector<std::size_t> folded;  // entries equal to the selector but for case
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto* entry = entries.get(i)->as_table();
    if (!entry) continue;
    for (const auto& field : fields)
      if (const auto value = entry->get_as<std::string>(field)) {
        if (value->get() == selector) return i;
        if (lower(value->get()) == lower(selector)) folded.push_back(i);
        known.push_back(value->get());
      }
  }
  if (folded.size() == 1) return folded.front();
  std::string message = "names no entry of " + list + " (by ";
  for (std::size_t f = 0; f < fields.size(); ++f) message += (f ? " or " : "") + fields[f];
  message += " or index)";
  const auto near = suggestions(selector, known);
  for (std::size_t s = 0; s < near.size(); ++s)
    message += (s ? ", \"" : "; did you mean \"") + near[s] + "\"" + (s + 1 == near.size() ? "?" : "");
  throw ConfigError({{origin, list + "[" + selector + "]", message}});
}

void Document::merge(toml::table& into, const toml::table& from, const std::string& prefix, const std::string& origin) {
  for (const auto& [k, v] : from) {
    const std::string key = prefix + std::string(k.str());
    auto* existing = into.get(k);
    if (prefix.empty() && v.is_table() && entry_fields(key)) {
      // Entries addressed one by one ([councils.Kent], councils[Kent].x=...) merge into those named.
      auto* entries = existing ? existing->as_array() : nullptr;
      if (!entries) throw ConfigError({{origin, key, "has no entries to address yet: list the [[" + key + "]] first"}});
      for (const auto& [selector, part] : *v.as_table()) {
        const std::string sel(selector.str());
        if (!part.is_table())
          throw ConfigError({{origin, key + "." + sel,
                              "must be a table of the entry's keys: [" + key + ".\"" + sel + "\"] or " + key + "[\"" +
                                  sel + "\"].key=value"}});
        const std::size_t index = find_entry(*entries, key, sel, origin);
        auto* entry = entries->get(index)->as_table();
        if (!entry) throw ConfigError({{origin, key + "[" + std::to_string(index) + "]", "is not a table"}});
        merge(*entry, *part.as_table(), key + "[" + std::to_string(index) + "].", origin);
      }
      continue;
    }
    const bool appends =
        prefix.empty() && v.is_array() && std::find(appending_.begin(), appending_.end(), key) != appending_.end();
    if (appends) {
      if (!existing || !existing->is_array()) existing = &into.insert_or_assign(k, toml::array{}).first->second;
      auto& array = *existing->as_array();
      for (const auto& entry : *v.as_array()) {
        record_origins(entry, key + "[" + std::to_string(array.size()) + "]", origin);
        array.push_back(entry);
      }
      origins_[key] = origin;
    } else if (existing && existing->is_table() && v.is_table()) {
      origins_.emplace(key, origin);
      merge(*existing->as_table(), *v.as_table(), key + ".", origin);
    } else {
      into.insert_or_assign(k, v);
      record_origins(v, key, origin);
    }
  }
}

void Document::overlay_text(std::string_view text, const std::string& origin) {
  check_limits(text, origin);
  toml::table layer;
  try {
    layer = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw ConfigError({{origin, "",
                        "is not valid TOML: line " + std::to_string(where.line) + ", column " +
                            std::to_string(where.column) + ": " + std::string(e.description())}});
  }
  layers_.push_back(origin);
  merge(root_, layer, "", origin);
}

void Document::overlay_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw ConfigError({{path.string(), "", "is a folder, not a TOML file"}});
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const std::string why = std::filesystem::exists(path, ec) ? "cannot be read" : "does not exist";
    throw ConfigError({{path.string(), "", why}});
  }
  // Read at most one byte past the limit, so that an endless input (a device, a pipe) or a huge
  // file is refused without holding it in memory.
  std::string text;
  char chunk[1 << 16];
  while (text.size() <= kMaxConfigBytes && in.read(chunk, sizeof chunk).gcount() > 0)
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
  if (in.bad()) throw ConfigError({{path.string(), "", "cannot be read"}});
  overlay_text(text, path.string());
}

std::pair<std::string, toml::table> parse_assignment(std::string_view assignment, const std::string& origin) {
  const auto eq = assignment.find('=');
  std::string key(assignment.substr(0, eq));
  auto trim = [](std::string s) {
    const auto b = s.find_first_not_of(" \t");
    const auto e = s.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  };
  key = trim(key);
  if (eq == std::string_view::npos || key.empty() || key.front() == '.' || key.back() == '.')
    throw ConfigError({{origin, std::string(assignment), "must look like key.path=value"}});
  if (key.size() > kMaxKeyBytes || static_cast<std::size_t>(std::count(key.begin(), key.end(), '.')) >= kMaxKeyParts)
    throw ConfigError({{origin, key.substr(0, 60) + (key.size() > 60 ? "..." : ""),
                        "is too long: a key may have at most " + std::to_string(kMaxKeyParts) + " dotted parts and " +
                            std::to_string(kMaxKeyBytes) + " characters"}});
  const std::string value = trim(std::string(assignment.substr(eq + 1)));
  check_limits("v = " + value, origin + " " + key);
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + value);
  } catch (const toml::parse_error&) {
    parsed = toml::table{{"v", value}};  // a bare word, e.g. mode=collaborative
  }
  return {key, std::move(parsed)};
}

void Document::set(std::string_view assignment) {
  auto [key, parsed] = parse_assignment(assignment, "--set");
  // Build {a = {b = {c = value}}} and merge it like a layer; list[SEL].rest builds
  // {list = {SEL = {rest = value}}}, which merge() takes to the entry SEL names.
  toml::table layer;
  toml::table* t = &layer;
  std::size_t start = 0;
  if (const auto open = key.find('['); open != std::string::npos) {
    const std::string list = key.substr(0, open);
    auto close = key.find(']', open);
    std::string selector = key.substr(open + 1, close == std::string::npos ? 0 : close - open - 1);
    if (selector.size() >= 2 && (selector.front() == '"' || selector.front() == '\'') &&
        selector.back() == selector.front())
      selector = selector.substr(1, selector.size() - 2);
    if (!entry_fields(list) || close == std::string::npos || close + 2 >= key.size() || key[close + 1] != '.' ||
        selector.empty()) {
      std::string lists;
      for (const auto& [name, fields] : addressable_) lists += (lists.empty() ? "" : ", ") + name + "[...]";
      throw ConfigError({{"--set " + key, key,
                          entry_fields(list) ? "must look like " + list + "[ENTRY].key=value"
                                             : "cannot be set by index or name" +
                                                   (lists.empty() ? std::string() : " (only " + lists + " can)")}});
    }
    auto* entries = t->insert(list, toml::table{}).first->second.as_table();
    t = entries->insert(selector, toml::table{}).first->second.as_table();
    start = close + 2;
  }
  for (std::size_t dot = key.find('.', start); dot != std::string::npos; dot = key.find('.', start)) {
    auto [it, inserted] = t->insert(key.substr(start, dot - start), toml::table{});
    t = it->second.as_table();
    start = dot + 1;
  }
  t->insert_or_assign(key.substr(start), *parsed.get("v"));
  layers_.push_back("--set " + key);
  merge(root_, layer, "", "--set " + key);
}

void Document::overlay_table(const toml::table& layer, const std::string& origin) {
  layers_.push_back(origin);
  merge(root_, layer, "", origin);
}

std::string Document::origin_of(const std::string& key) const {
  std::string k = key;
  while (true) {
    if (auto it = origins_.find(k); it != origins_.end()) return it->second;
    // Strip "[i]" or ".name" from the end.
    const auto cut = k.find_last_of(".[");
    if (cut == std::string::npos) break;
    k = k.substr(0, cut);
  }
  return layers_.empty() ? std::string() : layers_.front();
}

std::string to_toml_text(const toml::table& table) {
  std::ostringstream os;
  os << toml::toml_formatter(table, toml::format_flags::none);
  return os.str() + "\n";
}

}  // namespace engine::config
