// The built-in catalog is text: properties/catalog/*.rcp, embedded in the
// binary by the build (scripts/embed_texts.cmake) and read by the property
// language's parser (properties/lang/) on first use. Nothing here predicates:
// the evaluator of properties/lang/eval.cpp is the only one.
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>

#include "properties/catalog.hpp"
#include "properties/lang/lang.hpp"

namespace reapcheck::props {

const char* to_string(Kind k) {
    switch (k) {
    case Kind::Always: return "always";
    case Kind::Step: return "step";
    case Kind::Sometimes: return "sometimes";
    case Kind::Eventually: return "eventually";
    }
    return "?";
}

const char* about_name(About a) {
    switch (a) {
    case About::AutoreapTask: return "autoreap_task";
    case About::Zombie: return "zombie";
    case About::Traced: return "traced";
    case About::Threads: return "threads";
    case About::DelayedLeader: return "delayed_leader";
    case About::Subreaper: return "subreaper";
    case About::Pidfd: return "pidfd";
    case About::AutokillPidfd: return "autokill_pidfd";
    case About::IgnoresSigchld: return "ignores_sigchld";
    case About::BlockedWaiter: return "blocked_waiter";
    case About::Notify: return "notify";
    case About::Reparent: return "reparent";
    case About::Reap: return "reap";
    case About::Autokill: return "autokill";
    case About::CloneAutoreap: return "clone_autoreap";
    case About::CloneParent: return "clone_parent";
    case About::CloneThread: return "clone_thread";
    case About::CloneAutokill: return "clone_autokill";
    case About::CloneNnp: return "clone_nnp";
    case About::Exec: return "exec";
    case About::ExitGroup: return "exit_group";
    case About::WaitNowait: return "wait_nowait";
    case About::WaitWclone: return "wait_wclone";
    case About::Count_: break;
    }
    return "?";
}

const char* describe(About a) {
    switch (a) {
    case About::AutoreapTask: return "an autoreap task";
    case About::Zombie: return "a zombie";
    case About::Traced: return "a traced task";
    case About::Threads: return "a process with two threads";
    case About::DelayedLeader: return "a delayed group leader";
    case About::Subreaper: return "a subreaper";
    case About::Pidfd: return "an open pidfd";
    case About::AutokillPidfd: return "an AUTOKILL pidfd";
    case About::IgnoresSigchld: return "a parent ignoring SIGCHLD (SIG_IGN or SA_NOCLDWAIT)";
    case About::BlockedWaiter: return "a blocked waiter";
    case About::Notify: return "a death notification";
    case About::Reparent: return "a reparenting";
    case About::Reap: return "a wait reporting a zombie";
    case About::Autokill: return "an AUTOKILL kill";
    case About::CloneAutoreap: return "a clone asking for CLONE_AUTOREAP";
    case About::CloneParent: return "a clone asking for CLONE_PARENT";
    case About::CloneThread: return "a clone asking for CLONE_THREAD";
    case About::CloneAutokill: return "a clone asking for CLONE_PIDFD_AUTOKILL";
    case About::CloneNnp: return "a clone asking for CLONE_NNP";
    case About::Exec: return "an execve";
    case About::ExitGroup: return "an exit_group";
    case About::WaitNowait: return "a WNOWAIT wait";
    case About::WaitWclone: return "a __WCLONE wait";
    case About::Count_: break;
    }
    return "?";
}

namespace detail {

/// The embedded catalog, parsed; the parsed texts live as long as the program.
std::vector<Property> parse_builtin_catalog() {
    static std::deque<std::unique_ptr<lang::TextProperty>> keep;
    std::vector<lang::CatalogFile> files;
    for (const BuiltinCatalogText& t : builtin_catalog_texts()) files.push_back({t.path, t.text});
    std::vector<Property> out;
    try {
        for (auto& p : lang::parse_catalog(files)) {
            keep.push_back(std::move(p));
            out.push_back(keep.back()->entry());
        }
    } catch (const lang::ParseError& e) {
        // The build runs the binary once (CMakeLists.txt, catalog_check), so
        // a broken file fails the build with this line and its location; a
        // binary built anyway says the same and exits 2, like bad input.
        std::fprintf(stderr, "reapcheck: built-in catalog: %s\n", e.what());
        std::_Exit(2);
    }
    return out;
}

}  // namespace detail

const Property* find(std::string_view id) {
    for (const auto& p : all())
        if (p.id == id) return &p;
    return nullptr;
}

}  // namespace reapcheck::props
