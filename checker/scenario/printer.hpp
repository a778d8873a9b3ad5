// Printer of the scenario language: print(parse(x)) parses back to the same
// scenario (locations aside).
#pragma once

#include <string>

#include "checker/scenario/ast.hpp"

namespace reapcheck::scn {

std::string print_call(const Call& c);
std::string print_result(const Result& r);
std::string print_expect(const Expect& e);
/// `ACTOR: call -> result` or `expect ...`, without a newline.
std::string print_statement(const Statement& st);
std::string print(const Scenario& sc);

}  // namespace reapcheck::scn
