// The explorer's API (reapcheck serve) without sockets: every endpoint of
// Api::handle, the autoreap-with-tracer counterexample stepped by action
// index, profile comparison, properties, loading traces and JSON reports,
// and bad requests (4xx, one message, never a crash); then the same API
// once through cpp-httplib on a loopback port.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "checker/engine/check.hpp"
#include "checker/report/report.hpp"
#include "checker/scenario/parser.hpp"
#include "checker/scenario/refimpl_executor.hpp"
#include "checker/scenario/runner.hpp"
#include "checker/serve/api.hpp"
#include "checker/serve/http.hpp"
#include "checker/serve/session.hpp"
#include "tests/unit/sanitized.hpp"

using namespace reapcheck;
using nlohmann::json;

namespace {

engine::Bounds explorer_bounds() {
    engine::Bounds b;
    b.ptrace = true;
    return b;
}

serve::Response call(const serve::Api& api, const std::string& method, const std::string& path,
                     const std::string& body = "", std::map<std::string, std::string> query = {}) {
    return api.handle(serve::Request{method, path, std::move(query), body});
}

json post(const serve::Api& api, const std::string& path, const json& body, int want = 200) {
    const serve::Response r = call(api, "POST", path, body.dump());
    INFO(r.body);
    CHECK(r.status == want);
    CHECK(r.content_type == "application/json");
    return json::parse(r.body);
}

/// The index of the enabled action printed as `statement` in view `v`.
std::size_t action_index(const json& v, const std::string& statement) {
    for (const json& a : v["actions"])
        if (a["statement"] == statement) return a["index"].get<std::size_t>();
    FAIL("no enabled action '" << statement << "'");
    return 0;
}

const json* action(const json& v, const std::string& statement) {
    for (const json& a : v["actions"])
        if (a["statement"] == statement) return &a;
    return nullptr;
}

const json& property(const json& v, const std::string& id) {
    for (const json& p : v["properties"])
        if (p["id"] == id) return p;
    FAIL("no property " << id);
    static json none;
    return none;
}

/// The .scn replays under its profile line without a mismatch.
void replays(const std::string& text) {
    const scn::Scenario sc = scn::parse_text(text, "<scn>");
    scn::RefimplExecutor ex(sc.profile.value_or("mainline"), sc.explicit_steps);
    const scn::RunReport rep = scn::run_scenario(sc, ex);
    CHECK(rep.mismatched == 0);
    CHECK(rep.skipped == 0);
    CHECK(rep.observed == 0);   // every returning call carries its result
}

}  // namespace

TEST_CASE("serve: the autoreap-with-tracer counterexample, step by step") {
    const serve::Api api(explorer_bounds(), "mainline");
    json v = post(api, "/api/view", json::object());
    CHECK(v["at"] == 0);
    CHECK(v["length"] == 0);
    CHECK(v["svg"].get<std::string>().find("<svg") == 0);
    CHECK(v["tasks"].size() == 2);   // init and main
    CHECK(property(v, "autoreap.never_zombie")["now"] == "holds");

    const char* path[] = {"init: clone3 flags=AUTOREAP exit_signal=0", "init: ptrace_attach A", "A: exit 3",
                          "kernel: exit_notify A"};
    const char* results[] = {"child A", "ok", "", ""};
    for (int k = 0; k < 4; ++k) {
        const std::size_t i = action_index(v, path[k]);
        const json* a = action(v, path[k]);
        CHECK((*a)["result"] == results[k]);
        if (k == 3) {   // the kernel step that leaves A a zombie for its tracer
            CHECK((*a)["kernel"] == true);
            CHECK((*a)["violates"] == json::array({"autoreap.never_zombie"}));
            const json& p = property(v, "autoreap.never_zombie");
            CHECK(std::find(p["violated_by"].begin(), p["violated_by"].end(), json(i)) != p["violated_by"].end());
        }
        v = post(api, "/api/step", json{{"trace", v["trace"]}, {"at", v["at"]}, {"action", i}});
        CHECK(v["at"] == k + 1);
        CHECK(v["length"] == k + 1);
        replays(v["scn"].get<std::string>());
    }
    // A stays a zombie for its tracer: drawn, listed, and the property says so.
    const json& a = v["tasks"][2];
    CHECK(a["name"] == "A");
    CHECK(a["state"] == "ZOMBIE");
    CHECK(a["tracer"] == "init");
    CHECK(v["svg"].get<std::string>().find("traces") != std::string::npos);
    CHECK(v["svg"].get<std::string>().find("ZOMBIE") != std::string::npos);
    CHECK(property(v, "autoreap.never_zombie")["now"] == "violated");
    CHECK(v["steps"].size() == 4);
    CHECK(v["path"].size() == 4);
    const std::string scn_text = v["scn"].get<std::string>();
    CHECK(scn_text.find("init: clone3 flags=AUTOREAP exit_signal=0 -> child A\ninit: ptrace_attach A -> ok\n"
                        "A: exit 3\nkernel: exit_notify A\n") != std::string::npos);

    // The same state by action indices (what ?path=... in the page's URL does).
    std::string indices;
    for (const json& x : v["path"]) indices += (indices.empty() ? "" : ",") + std::to_string(x.get<int>());
    const json again = post(api, "/api/view", json{{"path", indices}});
    CHECK(again["scn"] == v["scn"]);
    CHECK(again["svg"] == v["svg"]);

    // Back keeps the future; stepping the same action again keeps it too.
    json back = post(api, "/api/view", json{{"trace", v["trace"]}, {"at", 2}});
    CHECK(back["at"] == 2);
    CHECK(back["length"] == 4);
    CHECK(back["steps"][2]["text"] == "A: exit 3");
    const json* next = action(back, "A: exit 3");
    REQUIRE(next);
    CHECK((*next)["next"] == true);
    json fwd = post(api, "/api/step", json{{"trace", back["trace"]}, {"at", 2}, {"action", (*next)["index"]}});
    CHECK(fwd["length"] == 4);
    // Another action drops the future.
    json other = post(api, "/api/step",
                      json{{"trace", back["trace"]}, {"at", 2}, {"action", action_index(back, "init: ptrace_detach A")}});
    CHECK(other["length"] == 3);
    CHECK(other["at"] == 3);
}

TEST_CASE("serve: another profile, compared and switched to") {
    const serve::Api api(explorer_bounds(), "mainline");
    // Under linux-6.18 CLONE_AUTOREAP does not exist: the first step differs.
    json v = post(api, "/api/view", json{{"compare", "linux-6.18"}});
    CHECK(v["comparison"]["profile"] == "linux-6.18");
    const json* a = action(v, "init: clone3 flags=AUTOREAP exit_signal=0");
    REQUIRE(a);
    CHECK((*a)["result"] == "child A");
    CHECK((*a)["compare"]["result"] == "EINVAL");
    CHECK((*a)["compare"]["differs"] == true);
    const json* same = action(v, "init: clone3 flags=none exit_signal=SIGCHLD");
    REQUIRE(same);
    CHECK((*same)["compare"]["differs"] == false);

    // Path: AUTOREAP child, then switch the profile: the path ends before a
    // statement that cannot run (A never exists under linux-6.18).
    v = post(api, "/api/step", json{{"action", (*a)["index"]}});
    v = post(api, "/api/step", json{{"trace", v["trace"]}, {"action", action_index(v, "A: exit 3")}});
    CHECK(v["length"] == 2);
    json sw = post(api, "/api/view", json{{"trace", v["trace"]}, {"profile", "linux-6.18"}, {"at", 2}});
    CHECK(sw["profile"] == "linux-6.18");
    CHECK(sw["length"] == 1);
    CHECK(sw["at"] == 1);
    CHECK(sw["steps"][0]["mismatch"] == true);
    CHECK(sw["steps"][0]["expected"] == "child A");
    REQUIRE(sw["warnings"].size() == 1);
    CHECK(sw["warnings"][0].get<std::string>().find("unknown task 'A'") != std::string::npos);
    replays(sw["scn"].get<std::string>());
    CHECK(sw["scn"].get<std::string>().find("profile linux-6.18\n") != std::string::npos);
}

TEST_CASE("serve: opening a trace and a JSON report") {
    const serve::Api api(explorer_bounds(), "mainline");
    const std::string trace = "# a counterexample\nprofile mainline\nsteps explicit\n"
                              "init: clone3 flags=AUTOREAP exit_signal=0 -> child A\n"
                              "init: ptrace_attach A -> ok\nA: exit 3\nkernel: exit_notify A\nexpect state A ZOMBIE\n";
    json v = post(api, "/api/load", json{{"text", trace}});
    CHECK(v["at"] == 0);        // opened at its start, to step through
    CHECK(v["length"] == 5);
    CHECK(v["profile"] == "mainline");
    CHECK(v["trace"].get<std::string>().find("# a counterexample\n") == 0);
    v = post(api, "/api/view", json{{"trace", v["trace"]}, {"at", 5}});
    CHECK(v["tasks"][2]["state"] == "ZOMBIE");
    CHECK(v["steps"][4]["text"] == "expect state A ZOMBIE");
    CHECK(v["steps"][4]["mismatch"] == false);

    // A check report: its violation of autoreap.never_zombie under ptrace.
    engine::CheckOptions o;
    o.bounds.tasks = 3;
    o.bounds.depth = 4;
    o.bounds.ptrace = true;
    o.bounds.exec = o.bounds.kill = o.bounds.blocking = o.bounds.subreaper = o.bounds.sigaction = false;
    o.bounds.autokill = o.bounds.parent = false;
    o.bounds.pidfds = 0;
    o.properties = {"autoreap.never_zombie", "cover.autoreap_exit"};
    const engine::CheckResult r = engine::check(*refimpl::find_profile("mainline"), o);
    const std::string report = engine::to_json({r}).dump(2);
    const json entries = serve::report_entries(report);
    REQUIRE(entries.size() == 2);
    CHECK(entries[0]["label"] == "mainline autoreap.never_zombie VIOLATED");
    v = post(api, "/api/load", json{{"text", report}});
    CHECK(v["entries"].size() == 2);
    CHECK(v["entry"] == 0);
    v = post(api, "/api/view", json{{"trace", v["trace"]}});
    CHECK(property(v, "autoreap.never_zombie")["now"] == "violated");
    json second = post(api, "/api/load", json{{"text", report}, {"entry", 1}});
    CHECK(second["entry"] == 1);
    CHECK(second["length"].get<int>() >= 2);
}

TEST_CASE("serve: every bundled scenario opens, at its start and at its end") {
    // Threads, blocked waits, automatic kernel steps, pidfds, expect lines:
    // the whole path replays, no warning, and the view at the end is drawn.
    const serve::Api api(explorer_bounds(), "mainline");
    int n = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(REAPCHECK_SOURCE_DIR "/scenarios")) {
        if (e.path().extension() != ".scn") continue;
        std::ifstream in(e.path());
        std::stringstream text;
        text << in.rdbuf();
        INFO(e.path().string());
        const json start = post(api, "/api/load", json{{"text", text.str()}});
        CHECK(start["at"] == 0);
        CHECK(start["warnings"].empty());
        const json end = post(api, "/api/view", json{{"trace", text.str()}});
        CHECK(end["warnings"].empty());
        CHECK(end["at"] == end["length"]);
        CHECK(end["length"] == start["length"]);
        CHECK(end["svg"].get<std::string>().rfind("<svg", 0) == 0);
        for (const json& a : end["actions"]) CHECK_FALSE(a.contains("error"));
        ++n;
    }
    CHECK(n > 100);
}

TEST_CASE("serve: bad requests are 4xx with one message") {
    const serve::Api api(explorer_bounds(), "mainline");
    auto bad = [&](const std::string& path, const std::string& body, int status, const std::string& says) {
        const serve::Response r = call(api, "POST", path, body);
        INFO(path << " " << body << " -> " << r.body);
        CHECK(r.status == status);
        const json j = json::parse(r.body);
        CHECK(j["error"].get<std::string>().find(says) != std::string::npos);
    };
    bad("/api/view", "{not json", 400, "not JSON");
    bad("/api/view", "[1,2]", 400, "not a JSON object");
    bad("/api/view", R"({"profile":"v9"})", 400, "unknown profile 'v9'");
    bad("/api/view", R"({"compare":"nope"})", 400, "compare: unknown profile");
    bad("/api/view", R"({"profile":3})", 400, "profile: expected a string");
    bad("/api/view", R"({"path":"0,x"})", 400, "'x' is not an action index");
    bad("/api/view", R"({"path":"999"})", 400, "no enabled action 999");
    bad("/api/view", R"({"at":5})", 400, "past the end");
    bad("/api/view", R"({"at":-1})", 400, "at: expected a number");
    bad("/api/step", R"({})", 400, "action: missing");
    bad("/api/step", R"({"action":100000})", 400, "no enabled action 100000");
    bad("/api/step", R"({"action":0,"at":3})", 400, "past the end");
    bad("/api/view", R"({"trace":"init: fly away\n"})", 400, "trace:1:");
    bad("/api/load", R"({"text":"{\"results\": []}"})", 400, "holds no trace");
    bad("/api/load", R"({"text":"{\"results\": ["})", 400, "not a JSON report");
    bad("/api/load", R"({"text":"{\"diffs\": []}", "entry": 3})", 400, "holds no trace");
    bad("/api/info", "", 405, "use GET");
    bad("/nowhere", "", 404, "no such page");
    const serve::Response g = call(api, "GET", "/api/view");
    CHECK(g.status == 405);
    // A statement that names a task no statement created ends the path with a warning.
    const json w = post(api, "/api/load", json{{"text", "profile mainline\nA: exit 3\n"}});
    CHECK(w["length"] == 0);
    CHECK(w["warnings"][0].get<std::string>().find("unknown task 'A'") != std::string::npos);
    // The page with a bad query: 400, the page, the error in its data.
    const serve::Response page = call(api, "GET", "/", "", {{"profile", "v9"}});
    CHECK(page.status == 400);
    CHECK(page.body.find("unknown profile 'v9'") != std::string::npos);
}

TEST_CASE("serve: the page and its assets are served by the binary") {
    const serve::Api api(explorer_bounds(), "v5");
    const serve::Response page = call(api, "GET", "/", "", {{"path", "0"}});
    CHECK(page.status == 200);
    CHECK(page.content_type.find("text/html") == 0);
    CHECK(page.body.find("<script src=\"/app.js\"></script>") != std::string::npos);
    for (const char* ext : {"src=\"http", "href=\"http", "src=\"//", "href=\"//", "url(http", "@import"})
        CHECK(page.body.find(ext) == std::string::npos);   // nothing from the network
    // The initial view is in the page (no "<" inside the script element).
    const std::size_t a = page.body.find("type=\"application/json\">") + 24;
    const std::size_t b = page.body.find("</script>", a);
    const std::string data = page.body.substr(a, b - a);
    CHECK(data.find('<') == std::string::npos);
    const json init = json::parse(data);
    CHECK(init["profile"] == "v5");
    CHECK(init["length"] == 1);
    CHECK(init["info"]["profiles"].size() == 6);
    CHECK(call(api, "GET", "/app.js").body.find("function render") != std::string::npos);
    CHECK(call(api, "GET", "/app.css").content_type.find("text/css") == 0);
    const json info = json::parse(call(api, "GET", "/api/info").body);
    CHECK(info["default_profile"] == "v5");
    CHECK(info["properties"].size() > 20);
}

TEST_CASE("serve: a step answers well within 50 ms") {
    const serve::Api api(explorer_bounds(), "mainline");
    json v = post(api, "/api/view", json{{"compare", "v4"}});
    // Twelve steps deep, comparing with v4; time the last step.
    for (int k = 0; k < 12; ++k) v = post(api, "/api/step", json{{"trace", v["trace"]}, {"compare", "v4"}, {"action", 1}});
    const auto t0 = std::chrono::steady_clock::now();
    v = post(api, "/api/step", json{{"trace", v["trace"]}, {"compare", "v4"}, {"action", 0}});
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    MESSAGE("one step at depth 13 with a compared profile: " << ms << " ms");
    CHECK(v["length"] == 13);
    if (!tests::kSanitized) CHECK(ms < 50);   // a sanitized step is several times slower
}

TEST_CASE("serve: through HTTP on a loopback port") {
    const serve::Api api(explorer_bounds(), "mainline");
    serve::HttpServer server(api);
    const int port = server.bind("127.0.0.1", 0);
    REQUIRE(port > 0);
    std::thread t([&] { server.run(); });
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(5);
    c.set_read_timeout(10);
    auto r = c.Get("/api/info");
    for (int i = 0; i < 100 && !r; ++i) {   // run() may not listen yet
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        r = c.Get("/api/info");
    }
    REQUIRE(r);
    CHECK(r->status == 200);
    r = c.Post("/api/view", R"({"path":"2"})", "application/json");
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(json::parse(r->body)["length"] == 1);
    r = c.Post("/api/step", R"({"action":"x"})", "application/json");
    REQUIRE(r);
    CHECK(r->status == 400);
    // Another Host than loopback (DNS rebinding) is refused.
    r = c.Get("/api/info", httplib::Headers{{"Host", "evil.example:80"}});
    REQUIRE(r);
    CHECK(r->status == 403);
    server.stop();
    t.join();
}
