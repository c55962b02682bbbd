#pragma once
// The exit codes of `caremarket`: 0 success, 1 runtime failure, 2 bad input (arguments or config),
// 128 + signal when interrupted (130 for Ctrl-C, 143 for SIGTERM).
namespace cm::cli {

constexpr int kExitRuntime = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitInterruptedBase = 128;  // + the signal: 130 for SIGINT, 143 for SIGTERM

// The exit code of a command stopped by `signal` (SIGINT's when the signal is not known).
constexpr int interrupted_exit(int signal) { return kExitInterruptedBase + (signal > 0 ? signal : 2); }

}  // namespace cm::cli
