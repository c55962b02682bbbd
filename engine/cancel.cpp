#include "engine/cancel.hpp"

#include <csignal>

namespace engine {
namespace {
CancelFlag g_flag;
struct sigaction g_old_int;
struct sigaction g_old_term;

extern "C" void on_stop_signal(int sig) {
  g_flag.set_signal(sig);
  g_flag.request();
  // Second signal: default action.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, nullptr);
}
}  // namespace

CancelFlag& process_cancel_flag() { return g_flag; }

SignalGuard::SignalGuard() {
  struct sigaction act {};
  act.sa_handler = on_stop_signal;
  sigemptyset(&act.sa_mask);
  sigaction(SIGINT, &act, &g_old_int);
  sigaction(SIGTERM, &act, &g_old_term);
}

SignalGuard::~SignalGuard() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

}  // namespace engine
