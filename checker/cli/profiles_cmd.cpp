// reapcheck profiles [--show NAME|FILE] [--json]: the built-in profiles
// (name, description, the file each came from), or one profile's resolved
// switches (docs/profiles.md).
#include <cstdio>

#include <nlohmann/json.hpp>

#include "checker/cli/command.hpp"
#include "checker/cli/profile_option.hpp"

namespace reapcheck::cli {
namespace {

struct ProfilesCli {
    std::string show;
    bool json = false;
};

nlohmann::json profile_json(const refimpl::Profile& p) {
    nlohmann::json sw = nlohmann::json::object();
    for (const auto& s : refimpl::profile_switches()) {
        using Kind = refimpl::ProfileSwitch::Kind;
        if (s.kind == Kind::Bool) {
            sw[s.key] = p.*s.flag;
        } else if (s.kind == Kind::Bit) {
            int b = 0;
            while (b < 63 && (p.*s.bits) != (1ULL << b)) ++b;
            sw[s.key] = b;
        } else {
            nlohmann::json bits = nlohmann::json::array();
            for (int b = 0; b < 64; ++b)
                if ((p.*s.bits) & (1ULL << b)) bits.push_back(b);
            sw[s.key] = bits;
        }
    }
    return {{"name", p.name}, {"description", p.description}, {"source", p.source}, {"switches", sw}};
}

int run_profiles(const ProfilesCli& o) {
    if (!o.show.empty()) {
        const refimpl::Profile& p = resolve_profile(o.show, "--show");
        if (o.json) {
            std::fputs((profile_json(p).dump(2) + "\n").c_str(), stdout);
        } else {
            std::printf("# profile %s, from %s (every switch, resolved; docs/profiles.md)\n", p.name.c_str(),
                        p.source.c_str());
            std::fputs(refimpl::format_profile(p).c_str(), stdout);
        }
        return kExitOk;
    }
    if (o.json) {
        nlohmann::json a = nlohmann::json::array();
        for (const auto& p : refimpl::all_profiles()) a.push_back(profile_json(p));
        std::fputs((a.dump(2) + "\n").c_str(), stdout);
        return kExitOk;
    }
    size_t w = 4, ws = 6;
    for (const auto& p : refimpl::all_profiles()) {
        w = std::max(w, p.name.size());
        ws = std::max(ws, p.source.size());
    }
    std::printf("%-*s  %-*s  %s\n", int(w), "name", int(ws), "source", "description");
    for (const auto& p : refimpl::all_profiles())
        std::printf("%-*s  %-*s  %s\n", int(w), p.name.c_str(), int(ws), p.source.c_str(), p.description.c_str());
    std::printf("(built into the binary from these files; --show NAME|FILE prints every switch; docs/profiles.md)\n");
    return kExitOk;
}

Register reg_profiles{{"profiles", [](CLI::App& app) {
    auto* sub = app.add_subcommand("profiles", "List the built-in profiles, or print one profile's switches (--show)");
    auto o = std::make_shared<ProfilesCli>();
    sub->add_option("--show", o->show, "A built-in profile's name or a profile file: print every switch, resolved");
    sub->add_flag("--json", o->json, "As JSON (docs/json-schema.md)");
    return std::function<int()>([o] { return run_profiles(*o); });
}}};

}  // namespace
}  // namespace reapcheck::cli
