// reapcheck: a model checker for the Linux process lifecycle around
// CLONE_AUTOREAP. Subcommands live in checker/cli/*_cmd.cpp.
#include <algorithm>
#include <cstdio>
#include <exception>

#include "checker/cli/command.hpp"
#include "checker/scenario/ast.hpp"
#include "properties/lang/lang.hpp"

namespace reapcheck::cli {
std::vector<Command>& registry() {
    static std::vector<Command> r;
    return r;
}
}  // namespace reapcheck::cli

int main(int argc, char** argv) {
    using namespace reapcheck;
    CLI::App app{"reapcheck: model checking the Linux process lifecycle around CLONE_AUTOREAP"};
    app.require_subcommand(1);
    std::vector<std::pair<CLI::App*, std::function<int()>>> actions;
    // The commands register themselves from static objects, whose order
    // across sources (and unity sources) is unspecified: --help and the
    // error messages list them by name.
    std::ranges::sort(cli::registry(), {}, &cli::Command::name);
    for (auto& c : cli::registry()) {
        auto run = c.setup(app);
        actions.emplace_back(app.get_subcommand(c.name), std::move(run));
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return app.exit(e);   // --help
    } catch (const CLI::ParseError& e) {
        // One line, like every other bad input (CLI11's own report adds a
        // second line, and says "a subcommand is required" for a misspelt one).
        std::string where = "reapcheck";
        for (auto& [sub, run] : actions)
            if (sub && sub->parsed()) where += " " + sub->get_name();
        std::string names;
        for (auto& c : cli::registry()) names += (names.empty() ? "" : ", ") + c.name;
        if (where == "reapcheck" && argc > 1 && argv[1][0] != '-') {
            std::fprintf(stderr, "reapcheck: unknown command '%s' (commands: %s)\n", argv[1], names.c_str());
        } else if (where == "reapcheck" && argc == 1) {
            std::fprintf(stderr, "reapcheck: give a command (commands: %s; see --help)\n", names.c_str());
        } else {
            std::fprintf(stderr, "%s: %s (see --help)\n", where.c_str(), e.what());
        }
        return cli::kExitUsage;
    }
    try {
        for (auto& [sub, run] : actions)
            if (sub && sub->parsed()) return run();
        return cli::kExitUsage;
    } catch (const scn::ParseError& e) {
        std::fprintf(stderr, "reapcheck: %s\n", e.what());
        return cli::kExitUsage;
    } catch (const props::lang::ParseError& e) {
        std::fprintf(stderr, "reapcheck: %s\n", e.what());
        return cli::kExitUsage;
    } catch (const cli::UsageError& e) {
        std::fprintf(stderr, "reapcheck: %s\n", e.what());
        return cli::kExitUsage;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "reapcheck: internal error: %s\n", e.what());
        return cli::kExitInternal;
    }
}
