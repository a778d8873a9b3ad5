// A scenario or counterexample trace as a C program in the style of the
// kernel's pidfd selftests (tools/testing/selftests/pidfd/): kselftest
// harness macros, raw clone3, every statement a real call in the right
// process with the model's result asserted.
//
// Each named task is a process ("puppet") forked by the scenario itself and
// driven over pipes by the test body: init is made with clone3(CLONE_NEWPID),
// so the test needs root, and every other task is created by the statement
// that creates it in the scenario. Kernel steps of explicit-steps traces
// have no C counterpart and become comments; a statement the model runs
// while a kernel step is still pending is run but only logged, since the
// kernel has finished those steps by then. Statements that need a puppet this
// export cannot make (a new thread, a vfork child) end the test with SKIP.
#pragma once

#include <string>

#include "checker/scenario/ast.hpp"

namespace reapcheck::engine {

/// The C program. `profile` overrides the scenario's; `test_name` is the
/// TEST() name (a C identifier). Throws scn::ParseError for a statement that
/// cannot be run through refimpl, std::invalid_argument for a bad profile or
/// test name.
std::string export_c(const scn::Scenario& sc, const std::string& profile, const std::string& test_name);

/// A C identifier made from `s` ("rfc-v3.autoreap.never_zombie" ->
/// "rfc_v3_autoreap_never_zombie").
std::string c_identifier(const std::string& s);

}  // namespace reapcheck::engine
