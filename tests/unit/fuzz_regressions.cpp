// Every input the scenario fuzzer (tests/fuzz/) found a bug with, kept in
// tests/fuzz/regressions/ with its story in its header comment, checked as the
// fuzzer checks it (scenario_oracle.hpp) under every profile, in every build.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/fuzz/scenario_oracle.hpp"

namespace fs = std::filesystem;

TEST_CASE("fuzz regressions: parse, round trip and replay under every profile") {
    std::vector<fs::path> files;
    for (auto& e : fs::directory_iterator(fs::path(REAPCHECK_SOURCE_DIR) / "tests/fuzz/regressions"))
        files.push_back(e.path());
    std::sort(files.begin(), files.end());
    CHECK(!files.empty());
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        std::ostringstream ss;
        ss << in.rdbuf();
        const std::string text = ss.str();
        for (const auto& p : reapcheck::refimpl::all_profiles()) {
            INFO(f.filename().string(), " under ", p.name);
            CHECK(reapcheck::fuzz::check_scenario_text(text, &p) == "");
        }
        INFO(f.filename().string(), " under the first byte's profile");
        CHECK(reapcheck::fuzz::check_scenario_text(text) == "");
    }
}
