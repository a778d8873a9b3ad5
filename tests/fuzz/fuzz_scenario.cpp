// libFuzzer target for the scenario language and replay (issue 8): parse
// arbitrary bytes, round-trip what parses through the printer, replay it
// through refimpl. What counts as a bug is in scenario_oracle.hpp, shared with
// tests/unit/fuzz_regressions.cpp, which runs every input kept in
// tests/fuzz/regressions/ in every build (tests/cli/fuzz_regressions.sh
// replays them through the `reapcheck replay` binary too).
//
// Built only with -DREAPCHECK_FUZZ=ON under clang; run by scripts/fuzz.sh.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "tests/fuzz/scenario_oracle.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string why =
        reapcheck::fuzz::check_scenario_text(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!why.empty()) {
        std::fprintf(stderr, "fuzz_scenario: %s\n", why.c_str());
        std::abort();
    }
    return 0;
}
