#pragma once
// Commands whose work is done by the Python package (matplotlib figures, scikit-learn emulators):
// `caremarket report` and `caremarket calibrate` run `python3 -m caremarket.<module>` with Debian's
// python3, with the package of this build (or the installed one) importable.
#include <string>
#include <vector>

namespace cm::cli {

// Replaces this process with `/usr/bin/python3 -m caremarket.<module> ARGS...`; returns (an exit
// code, after saying why) only when python3 cannot be started. `what` names the command in that message.
int exec_python_module(const std::string& module, const std::vector<std::string>& args, const std::string& what);

}  // namespace cm::cli
