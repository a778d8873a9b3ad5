// reapcheck serve [--profile P] [bounds] [--properties FILE]... [--host H] [--port N]:
// the interactive explorer in the browser (checker/serve/, docs/serve.md).
// The user's properties are shown and evaluated like the catalog's.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include <pthread.h>

#include "checker/cli/bounds_options.hpp"
#include "checker/cli/command.hpp"
#include "checker/cli/profile_option.hpp"
#include "checker/serve/http.hpp"

namespace reapcheck::cli {
namespace {

struct ServeCli {
    BoundsOptions b;
    std::string profile = "mainline";
    std::string host = "127.0.0.1";
    int port = 8017;
};

int run_serve(ServeCli& o) {
    o.b.load_property_files();   // before the profile: a bad file is exit 2 either way
    o.profile = resolve_profile_name(o.profile);
    engine::Bounds bounds = o.b.b;
    bounds.exit_codes = parse_exit_codes(o.b.exit_codes);
    const serve::Api api(bounds, o.profile);

    // SIGINT and SIGTERM are taken by one thread (sigwait), which stops the
    // server; every other thread, the server's pool included, blocks them.
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

    serve::HttpServer server(api);
    const int port = server.bind(o.host, o.port);
    if (port <= 0)
        throw UsageError("--port: cannot listen on " + o.host + ":" + std::to_string(o.port) +
                         " (in use, or not an address of this machine)");
    std::atomic<bool> done{false};
    std::atomic<int> got{0};
    std::thread waiter([&] {
        int sig = 0;
        sigwait(&sigs, &sig);
        got = sig;
        // stop() only acts on a running server: repeat until run() returned.
        while (!done) {
            server.stop();
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
    const std::string host = o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host;
    const std::size_t user = props::all().size() - props::catalog().size();
    std::printf("reapcheck serve: http://%s:%d/  (profile %s; bounds %s; %zu properties%s; Ctrl-C stops)\n",
                host.c_str(), port, o.profile.c_str(), bounds.describe().c_str(), props::all().size(),
                user ? (", " + std::to_string(user) + " of them the user's").c_str() : "");
    std::fflush(stdout);
    const bool ok = server.run();
    done = true;
    if (!got) pthread_kill(waiter.native_handle(), SIGTERM);   // wake the waiter
    waiter.join();
    if (got) {
        std::printf("reapcheck serve: stopped (%s)\n", got == SIGINT ? "SIGINT" : "SIGTERM");
        return kExitOk;
    }
    if (!ok) {
        std::fprintf(stderr, "reapcheck serve: the server stopped listening\n");
        return kExitInternal;
    }
    return kExitOk;
}

Register reg_serve{{"serve", [](CLI::App& app) {
    auto* sub = app.add_subcommand("serve", "Explore the model interactively in a browser (a local web server)");
    auto o = std::make_shared<ServeCli>();
    o->b.b.ptrace = true;   // the explorer's alphabet includes ptrace unless --no-ptrace
    sub->add_option("--profile", o->profile, "Semantic profile the page starts with: a built-in name or a profile file")->capture_default_str();
    sub->add_option("--host", o->host, "Address to listen on (loopback unless you mean otherwise)")->capture_default_str();
    sub->add_option("--port", o->port, "Port to listen on (0: any free port; the URL is printed)")
        ->check(CLI::Range(0, 65535))->capture_default_str();
    o->b.add(*sub, false);
    o->b.add_property_files(*sub);
    return std::function<int()>([o] { return run_serve(*o); });
}}};

}  // namespace
}  // namespace reapcheck::cli
