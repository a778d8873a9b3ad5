#include "checker/report/export_c.hpp"

#include <cctype>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "checker/scenario/dispatch.hpp"
#include "checker/scenario/printer.hpp"
#include "checker/scenario/refimpl_executor.hpp"
#include "checker/scenario/runner.hpp"

namespace reapcheck::engine {

using namespace refimpl;
using scn::Result;
using scn::Statement;
using scn::Sys;

std::string c_identifier(const std::string& s) {
    std::string o;
    for (char c : s) o += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    if (o.empty() || std::isdigit(static_cast<unsigned char>(o[0]))) o = "t_" + o;
    return o;
}

namespace {

const char* kRuntime =
#include "checker/report/export_c_runtime.inc"
    ;

/// Text safe inside a C block comment.
std::string comment_text(std::string s) {
    for (std::size_t i; (i = s.find("*/")) != std::string::npos;) s.replace(i, 2, "* /");
    return s;
}

/// Text safe inside a C string literal used as a printf format.
std::string c_format_text(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\';
        if (c == '%') o += '%';
        o += c == '\n' ? ' ' : c;
    }
    return o;
}

std::string signal_expr(int64_t sig) {
    if (const char* n = signal_name(int(sig))) return n;
    return std::to_string(sig);
}

std::string errno_expr(int64_t e) {
    const char* n = errno_name(int(e));
    return n ? std::string("-") + n : std::to_string(-e);
}

/// Clone flags as C: names for the bits below 34 and, under the profiles whose
/// bits are the 7.1 uapi values, for 34..36; other bits in hex.
std::string flags_expr(uint64_t bits, const Profile& p) {
    static const std::pair<uint64_t, const char*> low[] = {
        {0x100, "CLONE_VM"}, {0x200, "CLONE_FS"}, {0x400, "CLONE_FILES"}, {0x800, "CLONE_SIGHAND"},
        {0x1000, "CLONE_PIDFD"}, {0x2000, "CLONE_PTRACE"}, {0x4000, "CLONE_VFORK"}, {0x8000, "CLONE_PARENT"},
        {0x10000, "CLONE_THREAD"}, {0x20000, "CLONE_NEWNS"}, {0x100000, "CLONE_PARENT_SETTID"},
        {0x400000, "CLONE_DETACHED"}, {0x800000, "CLONE_UNTRACED"}, {0x10000000, "CLONE_NEWUSER"},
        {0x20000000, "CLONE_NEWPID"}, {1ULL << 32, "CLONE_CLEAR_SIGHAND"}, {1ULL << 33, "CLONE_INTO_CGROUP"}};
    const bool uapi = p.name == "mainline" || p.name == "linux-6.18";
    std::string o;
    auto add = [&](const std::string& x) { o += (o.empty() ? "" : " | ") + x; };
    for (const auto& [b, n] : low)
        if (bits & b) {
            add(n);
            bits &= ~b;
        }
    if (uapi) {
        for (const auto& [b, n] : {std::pair<uint64_t, const char*>{1ULL << 34, "CLONE_AUTOREAP"},
                                   {1ULL << 35, "CLONE_NNP"}, {1ULL << 36, "CLONE_PIDFD_AUTOKILL"}})
            if (bits & b) {
                add(n);
                bits &= ~b;
            }
    }
    if (bits) add(fmt::format("0x{:x}ULL", bits));
    return o.empty() ? "0" : o;
}

std::string wait_options_expr(uint32_t o) {
    static const std::pair<uint32_t, const char*> names[] = {
        {scn::kWNOHANG, "WNOHANG"}, {scn::kWEXITED, "WEXITED"},     {scn::kWNOWAIT, "WNOWAIT"},
        {scn::kWNOTHREAD, "__WNOTHREAD"}, {scn::kWALL, "__WALL"}, {scn::kWCLONE, "__WCLONE"}};
    std::string s;
    for (const auto& [b, n] : names)
        if (o & b) {
            s += (s.empty() ? "" : " | ") + std::string(n);
            o &= ~b;
        }
    if (o) s += (s.empty() ? "" : " | ") + fmt::format("0x{:x}", o);
    return s.empty() ? "0" : s;
}

int64_t wait_status(const Result& r) { return r.killed ? r.code : (r.code & 0xff) << 8; }

class Writer {
public:
    Writer(const scn::Scenario& sc, const Profile& p) : sc_(sc), p_(p), ex_(p, sc.explicit_steps) {
        slot("init");
        slot("main");
    }

    std::string body() {
        for (const Statement& st : sc_.statements) {
            if (stopped_) {
                o_ += "\t/* " + comment_text(scn::print_statement(st)) + " */\n";
                continue;
            }
            statement(st);
        }
        return o_;
    }
    [[nodiscard]] int tasks() const { return int(slots_.size()); }
    [[nodiscard]] int fds() const { return int(fd_slots_.size()); }
    [[nodiscard]] const std::map<std::string, int>& task_slots() const { return slots_; }
    [[nodiscard]] const std::map<std::string, int>& fd_slots() const { return fd_slots_; }

private:
    int slot(const std::string& name) {
        auto [it, fresh] = slots_.try_emplace(name, int(slots_.size()));
        return it->second;
    }
    int fd_slot(const std::string& name) {
        auto [it, fresh] = fd_slots_.try_emplace(name, int(fd_slots_.size()));
        return it->second;
    }
    std::string T(const std::string& name) { return "T_" + name; }
    std::string pid(const std::string& name) { return "rc_pid[" + T(name) + "]"; }
    std::string fd(const std::string& name) { return "rc_fd[F_" + name + "]"; }

    bool kernel_step_pending() const {
        for (const Task& t : ex_.state().tasks)
            if (t.step != Step::None) return true;
        return false;
    }

    /// The command a call sends: op, a, b, c as C expressions.
    std::vector<std::string> command(const Statement& st, const Result& r) {
        const scn::Call& c = st.call;
        auto child_slot = [&] { return r.kind == Result::Kind::Child ? T(r.name) : std::string("-1"); };
        switch (c.sys) {
        case Sys::Clone3: {
            const CloneArgs a = scn::clone_args(c, p_);
            return {"RC_CLONE3", flags_expr(a.flags, p_), a.exit_signal ? signal_expr(a.exit_signal) : "0",
                    child_slot()};
        }
        case Sys::Clone: {
            const CloneArgs a = scn::clone_args(c, p_);
            const uint64_t sig = a.flags & kCSIGNAL;
            std::string f = flags_expr(a.flags & ~kCSIGNAL, p_);
            if (sig) f += " | " + signal_expr(int64_t(sig));
            return {"RC_CLONE", f, "0", child_slot()};
        }
        case Sys::Fork: return {"RC_FORK", "0", "0", child_slot()};
        case Sys::Exit: return {"RC_EXIT", std::to_string(c.number), "0", "0"};
        case Sys::ExitGroup: return {"RC_EXIT_GROUP", std::to_string(c.number), "0", "0"};
        case Sys::Execve: return {"RC_EXECVE", "0", "0", "0"};
        case Sys::Kill: return {"RC_KILL", pid(c.target), signal_expr(c.number), "0"};
        case Sys::PidfdSendSignal: return {"RC_PIDFD_SEND_SIGNAL", fd(c.target), signal_expr(c.number), "0"};
        case Sys::Wait4: return {"RC_WAIT4", c.any ? "-1" : pid(c.target), wait_options_expr(c.options), "0"};
        case Sys::Waitid: {
            const std::string id = c.idtype == scn::IdType::All ? "0" : c.idtype == scn::IdType::Pid ? pid(c.target) : fd(c.target);
            const char* type = c.idtype == scn::IdType::All ? "P_ALL" : c.idtype == scn::IdType::Pid ? "P_PID" : "P_PIDFD";
            return {"RC_WAITID", type, id, wait_options_expr(c.options)};
        }
        case Sys::Sigaction:
            return {"RC_SIGACTION",
                    c.handler == scn::Handler::Dfl ? "0 /* SIG_DFL */" : c.handler == scn::Handler::Ign ? "1 /* SIG_IGN */" : "2 /* handler */",
                    c.nocldwait ? "1 /* SA_NOCLDWAIT */" : "0", "0"};
        case Sys::PrctlSubreaper: return {"RC_PRCTL", "PR_SET_CHILD_SUBREAPER", std::to_string(c.number), "0"};
        case Sys::PrctlPdeathsig: return {"RC_PRCTL", "PR_SET_PDEATHSIG", signal_expr(c.number), "0"};
        case Sys::PidfdOpen: {
            std::string f = c.pidfd_thread ? "PIDFD_THREAD" : "";
            if (c.pidfd_nonblock) f += (f.empty() ? "" : " | ") + std::string("PIDFD_NONBLOCK");
            return {"RC_PIDFD_OPEN", pid(c.target), f.empty() ? "0" : f, "0"};
        }
        case Sys::Close: return {"RC_CLOSE", fd(c.target), "0", "0"};
        case Sys::Poll: return {"RC_POLL", fd(c.target), "0", "0"};
        case Sys::PidfdInfo:
            return {"RC_PIDFD_INFO", fd(c.target), c.info_exit ? "PIDFD_INFO_PID | PIDFD_INFO_EXIT" : "PIDFD_INFO_PID", "0"};
        case Sys::Sigpending: return {"RC_SIGPENDING", c.peek ? "1" : "0", "0", "0"};
        case Sys::Getppid: return {"RC_GETPPID", "0", "0", "0"};
        case Sys::PtraceAttach: return {"RC_PTRACE_ATTACH", pid(c.target), "0", "0"};
        case Sys::PtraceDetach: return {"RC_PTRACE_DETACH", pid(c.target), "0", "0"};
        case Sys::CapsetDrop: return {"RC_CAPSET_DROP", "0", "0", "0"};
        default: break;
        }
        throw std::logic_error("export_c: no command for this call");
    }

    /// Assertions on `rep` for the model's result (the call answered).
    std::string asserts(const Statement& st, const Result& r) {
        std::string o;
        auto line = [&](const std::string& s) { o += "\t" + s + "\n"; };
        switch (r.kind) {
        case Result::Kind::Ok:
            if (st.call.sys == Sys::Execve) {
                line("ASSERT_EQ(1, rep.hello); /* the puppet is back after the exec */");
                line(fmt::format("rc_pid[{0}] = (pid_t)rep.ret;\n\trc_gpid[{0}] = (pid_t)rep.v1;", T(st.actor)));
            } else {
                line("ASSERT_EQ(0, rep.ret);");
            }
            break;
        case Result::Kind::Number: line(fmt::format("ASSERT_EQ({}, rep.ret);", r.value)); break;
        case Result::Kind::Errno: line(fmt::format("ASSERT_EQ({}, rep.ret);", errno_expr(r.value))); break;
        case Result::Kind::Child:
            if (st.call.sys == Sys::Clone3 && (scn::clone_args(st.call, p_).flags >> 34) & 7)
                line("if (rep.ret == -EINVAL)\n\t\tSKIP({ rc_teardown(); return; }, "
                     "\"this kernel lacks the Linux 7.1 clone3 flags (CLONE_AUTOREAP, CLONE_NNP, CLONE_PIDFD_AUTOKILL)\");");
            line("ASSERT_GT(rep.ret, 0);");
            line(fmt::format("ASSERT_EQ(1, rc_hello({}));", T(r.name)));
            line(fmt::format("ASSERT_EQ({}, rep.ret);", pid(r.name)));
            if (!r.name2.empty()) {
                line("ASSERT_GE(rep.v1, 0);");
                line(fmt::format("{} = (int)rep.v1;", fd(r.name2)));
            }
            break;
        case Result::Kind::Pidfd:
            line("ASSERT_GE(rep.ret, 0);");
            line(fmt::format("{} = (int)rep.ret;", fd(r.name)));
            break;
        case Result::Kind::Reaped:
            if (slots_.count(r.name)) line(fmt::format("ASSERT_EQ({}, rep.ret); /* {} */", pid(r.name), r.name));
            else line("ASSERT_GT(rep.ret, 0);");
            line(fmt::format("ASSERT_EQ({}, rep.v1); /* {} */", wait_status(r),
                             r.killed ? "killed(" + signal_expr(r.code) + ")" : "exited(" + std::to_string(r.code) + ")"));
            break;
        case Result::Kind::ExitInfo:
            line("ASSERT_EQ(0, rep.ret);");
            line("ASSERT_EQ(1, rep.v1); /* PIDFD_INFO_EXIT */");
            line(fmt::format("ASSERT_EQ({}, rep.v2); /* exit_code */", wait_status(r)));
            break;
        case Result::Kind::NoExit:
            line("ASSERT_EQ(0, rep.ret);");
            line("ASSERT_EQ(0, rep.v1); /* no PIDFD_INFO_EXIT */");
            break;
        case Result::Kind::None: line("ASSERT_EQ(0, rep.ret); /* none */"); break;
        case Result::Kind::PollMask:
            line(fmt::format("ASSERT_EQ({}, rep.ret);", r.value == 0 ? "0"
                                                          : r.value == kPOLLIN ? "POLLIN"
                                                          : r.value == (kPOLLIN | kPOLLHUP) ? "POLLIN | POLLHUP"
                                                                                           : std::to_string(r.value)));
            break;
        case Result::Kind::Signal: line("ASSERT_EQ(1, rep.ret); /* SIGCHLD pending */"); break;
        case Result::Kind::Task: line(fmt::format("ASSERT_EQ({}, rep.ret); /* {} */", pid(r.name), r.name)); break;
        case Result::Kind::Blocks: break;
        }
        return o;
    }

    /// In a kernel-step window: run, log, bind what was created.
    std::string logged(const Statement& st, const Result& r, bool answered_expected) {
        std::string o = fmt::format(
            "\tif (rc_wait({0}, {1}, &rep))\n\t\tTH_LOG(\"line {2}: model: {3}; kernel: ret %lld, %lld, %lld\", "
            "rep.ret, rep.v1, rep.v2);\n\telse\n\t\tTH_LOG(\"line {2}: model: {3}; kernel: blocks\");\n",
            T(st.actor), answered_expected ? "RC_ANSWER_MS" : "RC_BLOCK_MS", st.loc.line,
            c_format_text(scn::print_result(r)));
        if (r.kind == Result::Kind::Child) {
            o += fmt::format("\tif (rep.ret > 0)\n\t\trc_hello({});\n", T(r.name));
            if (!r.name2.empty()) o += fmt::format("\t{} = (int)rep.v1;\n", fd(r.name2));
        }
        if (r.kind == Result::Kind::Pidfd) o += fmt::format("\t{} = (int)rep.ret;\n", fd(r.name));
        return o;
    }

    void stop(const Statement& st, const std::string& why) {
        o_ += fmt::format("\t/* line {}: {} */\n", st.loc.line, comment_text(scn::print_statement(st)));
        o_ += fmt::format("\tSKIP({{ rc_teardown(); return; }}, \"line {}: {}\");\n", st.loc.line, why);
        stopped_ = true;
    }

    void statement(const Statement& st) {
        const std::string text = comment_text(scn::print_statement(st));
        if (st.kind == Statement::Kind::Expect) {
            const scn::ExpectOutcome e = ex_.check(st);
            o_ += fmt::format("\t/* line {}: {} -- a model fact ({}), not visible through a system call */\n",
                              st.loc.line, text, e.kind == scn::ExpectOutcome::Kind::Pass ? "holds in refimpl"
                                                                                          : "refimpl: " + comment_text(e.observed));
            return;
        }
        const bool window = kernel_step_pending();
        const Result r = ex_.run(st, scn::fresh_names(st));
        if (scn::is_kernel_step(st.call.sys)) {
            o_ += fmt::format("\t/* line {}: {} -- a step the kernel takes by itself (done by now) */\n",
                              st.loc.line, text);
            return;
        }
        if (r.kind == Result::Kind::Child) {
            slot(r.name);
            if (!r.name2.empty()) fd_slot(r.name2);
            const CloneArgs a = scn::clone_args(st.call, p_);
            const uint64_t eff = a.legacy ? a.flags & 0xffffffffULL : a.flags;
            if (eff & (kCLONE_THREAD | kCLONE_VM | kCLONE_VFORK))
                return stop(st, "a thread, CLONE_VM or vfork child cannot be driven by this export (it would need "
                                "its own stack); reapcheck conform runs it");
        }
        if (r.kind == Result::Kind::Pidfd) fd_slot(r.name);
        const bool returns = st.call.sys != Sys::Exit && st.call.sys != Sys::ExitGroup;
        o_ += fmt::format("\t/* line {}: {}{} */\n", st.loc.line, text,
                          st.expected || !returns ? "" : " -> " + comment_text(scn::print_result(r)));
        if (st.call.sys == Sys::Resume) {
            if (window) {
                o_ += logged(st, r, r.kind != Result::Kind::Blocks);
            } else if (r.kind == Result::Kind::Blocks) {
                o_ += fmt::format("\tASSERT_EQ(0, rc_wait({}, RC_BLOCK_MS, &rep)); /* still blocks */\n", T(st.actor));
            } else {
                o_ += fmt::format("\tASSERT_EQ(1, rc_wait({}, RC_ANSWER_MS, &rep));\n", T(st.actor));
                o_ += asserts(st, r);
            }
            o_ += "\trc_settle();\n";
            return;
        }
        const auto cmd = command(st, r);
        o_ += fmt::format("\tASSERT_EQ(1, rc_send({}, {}, {}, {}, {}));\n", T(st.actor), cmd[0], cmd[1], cmd[2], cmd[3]);
        if (st.call.sys == Sys::Exit || st.call.sys == Sys::ExitGroup) {
            o_ += "\trc_settle();\n";
            return;
        }
        if (window) {
            o_ += "\t/* the model runs this while a kernel step is pending; the kernel has run it already: logged, not asserted */\n";
            o_ += logged(st, r, r.kind != Result::Kind::Blocks);
        } else if (r.kind == Result::Kind::Blocks) {
            o_ += fmt::format("\tASSERT_EQ(0, rc_wait({}, RC_BLOCK_MS, &rep)); /* blocks */\n", T(st.actor));
        } else {
            o_ += fmt::format("\tASSERT_EQ(1, rc_wait({}, RC_ANSWER_MS, &rep));\n", T(st.actor));
            o_ += asserts(st, r);
        }
        o_ += "\trc_settle();\n";
    }

    const scn::Scenario& sc_;
    const Profile& p_;
    scn::RefimplExecutor ex_;
    std::map<std::string, int> slots_, fd_slots_;
    std::string o_;
    bool stopped_ = false;
};

}  // namespace

std::string export_c(const scn::Scenario& sc, const std::string& profile, const std::string& test_name) {
    const std::string pname = !profile.empty() ? profile : sc.profile.value_or("mainline");
    const Profile* p = find_profile(pname);
    if (!p) throw std::invalid_argument("unknown profile '" + pname + "' (expected one of " + profile_names() + ")");
    if (test_name.empty() || c_identifier(test_name) != test_name)
        throw std::invalid_argument("test name '" + test_name + "' is not a C identifier");
    Writer w(sc, *p);
    const std::string body = w.body();

    std::string o = "// SPDX-License-Identifier: GPL-2.0\n/*\n";
    o += fmt::format(" * {}: generated by `reapcheck export-c` from {} (profile {}).\n *\n", test_name,
                     comment_text(sc.file), pname);
    for (const auto& h : sc.header) o += " * " + comment_text(h.size() > 1 && h[0] == '#' ? h.substr(h[1] == ' ' ? 2 : 1) : h) + "\n";
    if (!sc.header.empty()) o += " *\n";
    o += " * Each task of the scenario is a process (a puppet) driven over pipes by\n"
         " * the test body: init is pid 1 of a new pid namespace (so run as root),\n"
         " * every other task is created by the statement that creates it in the\n"
         " * scenario, and each statement runs as a real call in its actor with\n"
         " * the model's result asserted. Kernel steps of the trace are comments.\n"
         " *\n"
         " * In the kernel tree (tools/testing/selftests/pidfd/) it uses\n"
         " * kselftest_harness.h; alone: gcc -Wall -o test this.c && sudo ./test\n */\n";
    o += fmt::format("#define RC_TASKS {}\n#define RC_FDS {}\n", w.tasks(), std::max(1, w.fds()));
    o += kRuntime;
    o += "\n/* Task and pidfd names of the scenario. */\nenum {";
    for (const auto& [n, s] : w.task_slots()) o += fmt::format(" T_{} = {},", n, s);
    o += " };\n";
    if (w.fds()) {
        o += "enum {";
        for (const auto& [n, s] : w.fd_slots()) o += fmt::format(" F_{} = {},", n, s);
        o += " };\n";
    }
    o += fmt::format("\nTEST({})\n{{\n\tstruct rc_reply rep;\n\tint err = rc_setup();\n\n", test_name);
    o += "\tif (err == -EPERM)\n\t\tSKIP({ rc_teardown(); return; }, \"needs root for a pid namespace\");\n";
    o += "\tASSERT_EQ(0, err);\n\trc_settle();\n\t(void)rep;\n\t(void)rc_fd;\n\n";
    o += body;
    o += "\trc_teardown();\n}\n\n";
    o += "#ifdef RC_KSELFTEST\nTEST_HARNESS_MAIN\n#else\nint main(void)\n{\n"
         "\tstruct __test_metadata m = { rc_test_name, 0, 0 };\n\n"
         "\tprintf(\"TAP version 13\\n1..1\\n# RUN %s\\n\", rc_test_name);\n"
         "\tfflush(stdout);\n"
         "\talarm(60);\n"
         "\trc_test_fn(&m);\n"
         "\trc_teardown();\n"
         "\tif (m.skipped) {\n\t\tprintf(\"ok 1 %s # SKIP\\n\", rc_test_name);\n\t\treturn 4;\n\t}\n"
         "\tprintf(\"%s 1 %s\\n\", m.failed ? \"not ok\" : \"ok\", rc_test_name);\n"
         "\treturn m.failed;\n}\n#endif\n";
    return o;
}

}  // namespace reapcheck::engine
