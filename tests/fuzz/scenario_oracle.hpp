// What the scenario fuzzer (fuzz_scenario.cpp) checks of one input, shared
// with the unit test that replays tests/fuzz/regressions/ in every build.
//
// Bad input must come out as a scn::ParseError (file:line:col: message) and
// nothing else. What parses must print and parse back to the same scenario
// (and print the same again), and must replay through refimpl under the
// profile chosen from the first byte (byte % 7: the six profiles, or 6 = the
// file's own `profile` line, mainline without one) with no exception except
// scn::ParseError, which the runner documents for statements that cannot be
// run at all (an unbound name, a call by a blocked actor, a kernel step that
// is not pending). Anything else (refimpl's ContractError, std::out_of_range,
// a sanitizer report) is a bug.
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include "checker/scenario/parser.hpp"
#include "checker/scenario/printer.hpp"
#include "checker/scenario/refimpl_executor.hpp"
#include "checker/scenario/runner.hpp"
#include "refimpl/profile.hpp"

namespace reapcheck::fuzz {

/// The profile byte `first` selects; nullptr for an unknown `profile` line.
inline const refimpl::Profile* profile_for(unsigned char first, const scn::Scenario& sc) {
    const auto& profiles = refimpl::all_profiles();
    const size_t pick = first % (profiles.size() + 1);
    if (pick < profiles.size()) return &profiles[pick];
    return refimpl::find_profile(sc.profile.value_or("mainline"));
}

/// "" when `text` behaves; else what went wrong. `profile` overrides the
/// first byte's choice (nullptr: from the first byte).
inline std::string check_scenario_text(std::string_view text, const refimpl::Profile* profile = nullptr) {
    scn::Scenario sc;
    try {
        sc = scn::parse_text(text, "fuzz.scn");
    } catch (const scn::ParseError&) {
        return "";   // documented: bad input is a located error
    } catch (const std::exception& e) {
        return std::string("parse: ") + e.what();
    }

    // Round trip: what the printer writes parses back to the same scenario.
    const std::string printed = scn::print(sc);
    try {
        const scn::Scenario again = scn::parse_text(printed, "printed.scn");
        if (!(again == sc)) {
            std::string why = "round trip: print(parse(x)) parses to another scenario";
            if (again.profile != sc.profile || again.explicit_steps != sc.explicit_steps)
                why += " (profile or steps line)";
            for (size_t i = 0; i < sc.statements.size() && i < again.statements.size(); ++i)
                if (!(sc.statements[i] == again.statements[i])) {
                    why += "; first at " + sc.statements[i].loc.str() + ", printed as '" +
                           scn::print_statement(sc.statements[i]) + "'";
                    break;
                }
            return why;
        }
        if (scn::print(again) != printed) return "round trip: printing is not stable:\n" + printed;
    } catch (const scn::ParseError& e) {
        return std::string("round trip: the printed scenario does not parse: ") + e.what() + "\n" + printed;
    } catch (const std::exception& e) {
        return std::string("round trip: ") + e.what();
    }

    const refimpl::Profile* p = profile ? profile : profile_for(text.empty() ? 0 : (unsigned char)text[0], sc);
    if (!p) return "";   // an unknown `profile` line: replay reports it as bad input
    try {
        scn::RefimplExecutor ex(*p, sc.explicit_steps);
        (void)scn::run_scenario(sc, ex);
    } catch (const scn::ParseError&) {
        return "";   // documented: a statement that cannot be run at all
    } catch (const std::exception& e) {
        return "replay under " + p->name + ": " + e.what() + "\n" + printed;
    }
    return "";
}

}  // namespace reapcheck::fuzz
