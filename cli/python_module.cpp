#include "cli/python_module.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "cli/exit_codes.hpp"

namespace fs = std::filesystem;

namespace cm::cli {

int exec_python_module(const std::string& module, const std::vector<std::string>& args, const std::string& what) {
  std::string path;
  if (const char* env = std::getenv("CAREMARKET_PYTHONPATH"); env && *env) path = env;
  for (const auto& dir : {fs::path(CAREMARKET_BUILD_PYTHON_DIR), fs::path(CAREMARKET_INSTALLED_PYTHON_DIR)})
    if (path.empty() && fs::exists(dir / "caremarket" / (module + ".py"))) path = dir.string();
  if (const char* old = std::getenv("PYTHONPATH"); old && *old) path += (path.empty() ? "" : ":") + std::string(old);
  if (!path.empty()) setenv("PYTHONPATH", path.c_str(), 1);
  // The module may run this program again (the lab runs its comparisons with it).
  std::error_code error;
  if (const auto self = fs::read_symlink("/proc/self/exe", error); !error)
    setenv("CAREMARKET_EXECUTABLE", self.c_str(), 1);
  std::vector<std::string> argv_strings{"/usr/bin/python3", "-m", "caremarket." + module};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv_ptrs;
  for (auto& a : argv_strings) argv_ptrs.push_back(a.data());
  argv_ptrs.push_back(nullptr);
  std::fflush(nullptr);
  execv("/usr/bin/python3", argv_ptrs.data());
  std::fprintf(stderr, "caremarket: cannot start /usr/bin/python3 for %s: %s\n", what.c_str(), std::strerror(errno));
  return kExitRuntime;
}

}  // namespace cm::cli
