// Reports built from traces: the world at every step, ITF, DOT, the HTML
// page and its SVG pictures, the C export. Outputs are parsed back and
// checked for structure and, on one known trace, for values.
#include <doctest/doctest.h>

#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "checker/report/dot.hpp"
#include "checker/report/export_c.hpp"
#include "checker/report/html.hpp"
#include "checker/report/itf.hpp"
#include "checker/report/report.hpp"
#include "checker/report/svg.hpp"
#include "checker/report/world_trace.hpp"
#include "checker/scenario/parser.hpp"

using namespace reapcheck;
using namespace reapcheck::engine;
using nlohmann::json;

namespace {

/// A small exhaustive check whose shortest autoreap.exit_info_on_pollin
/// counterexample is known: clone3 PIDFD|AUTOREAP, exit, exit_notify.
const CheckResult& small_check() {
    static const CheckResult r = [] {
        CheckOptions o;
        o.bounds.tasks = 3;
        o.bounds.depth = 4;
        o.bounds.exec = o.bounds.kill = o.bounds.blocking = o.bounds.sigaction = o.bounds.subreaper = false;
        return check(*refimpl::find_profile("mainline"), o);
    }();
    return r;
}

const Verdict& verdict(const CheckResult& r, const std::string& id) {
    for (const auto& v : r.verdicts)
        if (v.property == id) return v;
    FAIL("no verdict for " << id);
    throw;
}

json big(int64_t v) { return json{{"#bigint", std::to_string(v)}}; }

/// The value of a key in an ITF map ({"#map": [[k, v], ...]}).
const json& map_at(const json& m, const std::string& key) {
    for (const auto& kv : m.at("#map"))
        if (kv.at(0) == key) return kv.at(1);
    FAIL("no key " << key);
    throw;
}

}  // namespace

TEST_CASE("replay_world: the initial world and one step per statement") {
    const WorldTrace wt = replay_world_text(
        "main: clone3 flags=PIDFD|AUTOREAP exit_signal=0 -> child C, pidfd c\nexpect autoreap C == 1\nC: exit 42\n");
    REQUIRE(wt.steps.size() == 4);
    CHECK(wt.profile == "mainline");
    CHECK(wt.steps[0].text.empty());
    CHECK(wt.steps[0].state.tasks.size() == 2);
    CHECK(wt.steps[1].text == "main: clone3 flags=PIDFD|AUTOREAP exit_signal=0 -> child C, pidfd c");
    CHECK(wt.steps[1].task_names.at(2) == "C");
    CHECK(wt.steps[1].fd_names.size() == 1);
    CHECK(task_state_word(wt.steps[3].state, 2) == "RELEASED");   // steps auto: self-reaped
    CHECK(task_pidfds(wt.steps[1], 1) == std::vector<std::string>{"c\u2192C"});
    CHECK(task_changed(wt.steps[3], &wt.steps[2], 2));
    CHECK_FALSE(task_changed(wt.steps[3], &wt.steps[2], 0));
}

TEST_CASE("ITF: required keys, one state per step plus the initial one, and the known trace's values") {
    const CheckResult& r = small_check();
    const Verdict& v = verdict(r, "autoreap.exit_info_on_pollin");
    REQUIRE(v.kind == Verdict::Kind::Violated);
    REQUIRE(v.trace_steps == 3);
    const json j = json::parse(to_itf(replay_world_text(v.trace), "t.scn", v.reason).dump());
    REQUIRE(j.contains("#meta"));
    CHECK(j["#meta"]["format"] == "ITF");
    CHECK(j["#meta"]["source"] == "t.scn");
    CHECK(j["vars"] == json(itf_vars()));
    REQUIRE(j["states"].size() == std::size_t(v.trace_steps + 1));
    for (std::size_t i = 0; i < j["states"].size(); ++i) {
        const json& s = j["states"][i];
        CHECK(s["#meta"]["index"] == i);
        for (const auto& var : itf_vars()) CHECK_MESSAGE(s.contains(var), "state " << i << " lacks " << var);
        for (const auto& kv : s["tasks"]["#map"]) {
            CHECK(kv.at(1).at("pid").contains("#bigint"));
            CHECK(kv.at(1).at("children").contains("#set"));
        }
    }
    const json& s0 = j["states"][0];
    CHECK(s0["action"] == "init");
    CHECK(s0["tasks"]["#map"].size() == 2);
    CHECK(map_at(s0["tasks"], "main")["real_parent"] == "init");
    CHECK(map_at(s0["tasks"], "main")["exit_signal"] == big(17));

    const json& s1 = j["states"][1];
    CHECK(s1["action"] == "init: clone3 flags=PIDFD|AUTOREAP exit_signal=0 -> child A, pidfd a");
    CHECK(s1["actor"] == "init");
    const json& a1 = map_at(s1["tasks"], "A");
    CHECK(a1["autoreap"] == true);
    CHECK(a1["exit_signal"] == big(0));
    CHECK(a1["state"] == "RUNNING");
    CHECK(a1["real_parent"] == "init");
    CHECK(map_at(s1["tasks"], "init")["children"] == json{{"#set", {"A", "main"}}});
    const json& fd = map_at(s1["pidfds"], "a");
    CHECK(fd["target"] == "A");
    CHECK(fd["holders"] == json{{"#set", {"init"}}});
    CHECK(fd["exit_info"] == false);

    CHECK(map_at(j["states"][2]["tasks"], "A")["state"] == "EXITING");
    CHECK(map_at(j["states"][2]["tasks"], "A")["kernel_step"] == "exit_notify");
    const json& s3 = j["states"][3];
    CHECK(s3["action"] == "kernel: exit_notify A");
    CHECK(map_at(s3["tasks"], "A")["state"] == "DEAD");
    CHECK(map_at(s3["tasks"], "A")["exit_code"] == big(3 << 8));
    CHECK(map_at(s3["pidfds"], "a")["exit_info"] == false);   // the violation: POLLIN without exit info
    CHECK(s3["zombies"] == big(0));
}

TEST_CASE("JSON report: every verdict with a trace carries its ITF") {
    const json j = to_json({small_check()});
    int with_trace = 0;
    for (const auto& v : j["results"][0]["verdicts"]) {
        if (!v.contains("trace")) {
            CHECK_FALSE(v.contains("itf"));
            continue;
        }
        ++with_trace;
        REQUIRE(v.contains("itf"));
        CHECK(v["itf"]["states"].size() == v["trace_steps"].get<std::size_t>() + 1);
    }
    CHECK(with_trace >= 2);
}

TEST_CASE("DOT of a trace: one cluster per step, every edge between declared nodes") {
    const Verdict& v = verdict(small_check(), "autoreap.exit_info_on_pollin");
    const WorldTrace wt = replay_world_text(v.trace);
    const std::string d = trace_dot(wt, "t \"quoted\"");
    CHECK(d.rfind("digraph trace {", 0) == 0);
    CHECK(d.find("label=\"t \\\"quoted\\\" (profile mainline)\"") != std::string::npos);
    std::size_t clusters = 0;
    for (std::size_t i = 0; (i = d.find("subgraph cluster_step", i)) != std::string::npos; ++i) ++clusters;
    CHECK(clusters == wt.steps.size());
    CHECK(std::count(d.begin(), d.end(), '{') == std::count(d.begin(), d.end(), '}'));
    // Lines "  s1_t2 [label=..." declare nodes, "  s1_t0 -> s1_t2 ..." are edges
    // (parsed by hand: std::regex trips GCC 12's -Wmaybe-uninitialized under ASan).
    std::set<std::string> nodes;
    std::istringstream in(d);
    int edges = 0;
    for (std::string line; std::getline(in, line);) {
        const auto first = line.find_first_not_of(' ');
        if (first == std::string::npos || line.compare(first, 1, "s") != 0) continue;
        const auto sp = line.find(' ', first);
        if (sp == std::string::npos) continue;
        const std::string id = line.substr(first, sp - first);
        if (line.compare(sp, 8, " [label=") == 0) nodes.insert(id);
        if (line.compare(sp, 4, " -> ") == 0) {
            const auto end = line.find_first_of(" ;", sp + 4);
            CHECK(nodes.count(id));
            CHECK(nodes.count(line.substr(sp + 4, end - sp - 4)));
            ++edges;
        }
    }
    CHECK(edges >= 4);
    CHECK(d.find("s3_t2 [label=\"A  pid 3\\nDEAD") != std::string::npos);
}

TEST_CASE("state graph: nodes and edges agree with the exploration; refused above the limit") {
    Bounds b;
    b.tasks = 3;
    b.depth = 2;
    b.pidfds = 0;
    b.exec = b.kill = b.blocking = b.sigaction = b.subreaper = b.parent = b.autokill = false;
    const StateGraph g = explore_state_graph(*refimpl::find_profile("mainline"), b, true, 5000);
    REQUIRE_FALSE(g.too_big);
    CHECK(g.labels.size() == g.stats.states);
    CHECK(g.labels.size() > 3);
    for (const auto& e : g.edges) {
        CHECK(e.from < g.labels.size());
        CHECK(e.to < g.labels.size());
        CHECK(e.from != e.to);
    }
    const std::string d = state_graph_dot(g, "g");
    CHECK(d.find("n0 [label=\"#0\\ninit R\\nt1 R<init\"") != std::string::npos);
    CHECK(d.find("[label=\"t1: clone3 flags=AUTOREAP exit_signal=0\"]") != std::string::npos);
    const StateGraph big = explore_state_graph(*refimpl::find_profile("mainline"), b, true, 3);
    CHECK(big.too_big);
    CHECK(big.labels.empty());
}

TEST_CASE("HTML: self-contained, matrix, escaped text, a drawn tree per step") {
    CHECK(xml_escape("<a href=\"x\">&'") == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    const std::string h = html_report({small_check()}, "review <of> \"it\"");
    CHECK(h.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(h.find("<title>review &lt;of&gt; &quot;it&quot;</title>") != std::string::npos);
    CHECK(h.find("<table id=\"matrix\"") != std::string::npos);
    CHECK(h.find("<script") == std::string::npos);
    CHECK(h.find("src=") == std::string::npos);
    CHECK(h.find("<link") == std::string::npos);
    CHECK(h.find("url(http") == std::string::npos);
    CHECK(h.find("href=\"http") == std::string::npos);
    CHECK(h.find("id=\"v-mainline-autoreap_exit_info_on_pollin\"") != std::string::npos);
    CHECK(h.find("<a href=\"#v-mainline-autoreap_exit_info_on_pollin\">VIOLATED</a>") != std::string::npos);
    // The violation: initial world and three steps, each with a picture.
    const auto sec = h.find("id=\"v-mainline-autoreap_exit_info_on_pollin\"");
    const auto end = h.find("</section>", sec);
    const std::string s = h.substr(sec, end - sec);
    std::size_t svgs = 0;
    for (std::size_t i = 0; (i = s.find("<svg ", i)) != std::string::npos; ++i) ++svgs;
    CHECK(svgs == 4);
    CHECK(s.find("kernel: exit_notify A") != std::string::npos);
    CHECK(s.find(">DEAD</text>") != std::string::npos);
    CHECK(s.find("stroke=\"#e07000\"") != std::string::npos);   // a change outlined
    // Every property's claim is there, escaped.
    CHECK(h.find("With CLONE_PIDFD the parent can read the exit status") != std::string::npos);
}

TEST_CASE("SVG tree: parent arrows, dashed tracer edge, threads under their leader") {
    const WorldTrace wt = replay_world_text(
        "main: fork -> child C\nmain: ptrace_attach C -> ok\nC: clone3 flags=THREAD|SIGHAND|VM -> child T\n");
    const std::string svg = process_tree_svg(wt.steps.back(), &wt.steps[wt.steps.size() - 2], "x");
    CHECK(svg.rfind("<svg ", 0) == 0);
    CHECK(svg.find("marker-end=\"url(#x-arrow)\"") != std::string::npos);
    CHECK(svg.find("stroke-dasharray=\"6,4\"") != std::string::npos);   // tracer
    CHECK(svg.find("stroke-dasharray=\"2,3\"") != std::string::npos);   // thread
    CHECK(svg.find(">T  pid 4</text>") != std::string::npos);
    CHECK(svg.find(">new</text>") != std::string::npos);
}

TEST_CASE("C export: harness macros, one puppet command per statement, kernel steps as comments") {
    const scn::Scenario sc = scn::parse_text(
        "steps explicit\nmain: clone3 flags=PIDFD|AUTOREAP exit_signal=0 -> child C, pidfd c\nC: exit 3\n"
        "main: poll c -> 0\nkernel: exit_notify C\nmain: poll c -> POLLIN\nkernel: pidfs_exit C\nkernel: unhash C\n"
        "main: pidfd_info c EXIT -> exited(3)\nmain: wait4 C WNOHANG -> ECHILD\n",
        "t.scn");
    const std::string c = export_c(sc, "", "autoreap_trace");
    CHECK(c.find("TEST(autoreap_trace)") != std::string::npos);
    CHECK(c.find("__has_include(\"../kselftest_harness.h\")") != std::string::npos);
    CHECK(c.find("syscall(__NR_clone3, &args, sizeof(args))") != std::string::npos);
    CHECK(c.find("rc_send(T_main, RC_CLONE3, CLONE_PIDFD | CLONE_AUTOREAP, 0, T_C)") != std::string::npos);
    CHECK(c.find("/* line 5: kernel: exit_notify C -- a step the kernel takes by itself") != std::string::npos);
    // poll inside the exit window: run and logged, not asserted
    CHECK(c.find("TH_LOG(\"line 4: model: 0; kernel") != std::string::npos);
    CHECK(c.find("ASSERT_EQ(768, rep.v2); /* exit_code */") != std::string::npos);
    CHECK(c.find("ASSERT_EQ(-ECHILD, rep.ret);") != std::string::npos);
    CHECK(c_identifier("rfc-v3.autoreap.never_zombie") == "rfc_v3_autoreap_never_zombie");
    CHECK_THROWS_AS(export_c(sc, "v9", "x"), std::invalid_argument);
    CHECK_THROWS_AS(export_c(sc, "", "not-an-identifier"), std::invalid_argument);
}
