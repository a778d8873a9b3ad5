#include "checker/scenario/printer.hpp"

#include <cstdio>

#include "refimpl/kernel.hpp"

namespace reapcheck::scn {

namespace {
std::string sig_text(int64_t sig) {
    if (const char* n = refimpl::signal_name(int(sig))) return n;
    return std::to_string(sig);
}
std::string hex(uint64_t v) {
    char b[32];
    std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
    return b;
}
std::string flags_text(const FlagSet& f) {
    std::string s;
    for (unsigned i = 0; i < unsigned(CloneFlag::COUNT_); ++i)
        if (f.has(CloneFlag(i))) s += (s.empty() ? "" : "|") + std::string(to_string(CloneFlag(i)));
    if (f.raw) s += (s.empty() ? "" : "|") + hex(f.raw);
    return s.empty() ? "none" : s;
}
std::string options_text(uint32_t o) {
    std::string s;
    const std::pair<uint32_t, const char*> names[] = {
        {kWEXITED, "WEXITED"}, {kWNOHANG, "WNOHANG"}, {kWNOWAIT, "WNOWAIT"},
        {kWALL, "__WALL"}, {kWCLONE, "__WCLONE"}, {kWNOTHREAD, "__WNOTHREAD"}};
    for (auto& [bit, n] : names)
        if (o & bit) s += std::string(" ") + n;
    return s;
}
}  // namespace

std::string print_call(const Call& c) {
    std::string s = to_string(c.sys);
    switch (c.sys) {
    case Sys::Clone3:
    case Sys::Clone:
        return s + " flags=" + flags_text(c.flags) + " exit_signal=" +
               (c.exit_signal == 0 ? "0" : sig_text(c.exit_signal));
    case Sys::Exit:
    case Sys::ExitGroup: return s + " " + std::to_string(c.number);
    case Sys::Kill:
    case Sys::PidfdSendSignal: return s + " " + c.target + " " + sig_text(c.number);
    case Sys::Wait4: return s + " " + (c.any ? std::string("-1") : c.target) + options_text(c.options);
    case Sys::Waitid:
        return s + (c.idtype == IdType::All ? " P_ALL" : c.idtype == IdType::Pid ? " P_PID " + c.target
                                                                                 : " P_PIDFD " + c.target) +
               options_text(c.options);
    case Sys::Sigaction:
        return s + " SIGCHLD " + (c.handler == Handler::Dfl ? "SIG_DFL" : c.handler == Handler::Ign ? "SIG_IGN" : "handler") +
               (c.nocldwait ? " SA_NOCLDWAIT" : "");
    case Sys::PrctlSubreaper: return s + " PR_SET_CHILD_SUBREAPER " + std::to_string(c.number);
    case Sys::PrctlPdeathsig: return s + " PR_SET_PDEATHSIG " + (c.number == 0 ? "0" : sig_text(c.number));
    case Sys::PidfdOpen:
        return s + " " + c.target + (c.pidfd_thread ? " PIDFD_THREAD" : "") + (c.pidfd_nonblock ? " PIDFD_NONBLOCK" : "");
    case Sys::PidfdInfo: return s + " " + c.target + (c.info_exit ? " EXIT" : "");
    case Sys::Sigpending: return s + (c.peek ? " peek" : "");
    case Sys::CapsetDrop: return s + " drop";
    case Sys::Close: case Sys::Poll: case Sys::PtraceAttach: case Sys::PtraceDetach:
    case Sys::KDoExit: case Sys::KExitNotify: case Sys::KPidfsExit: case Sys::KUnhash:
        return s + " " + c.target;
    case Sys::Fork: case Sys::Execve: case Sys::Getppid: case Sys::Resume: return s;
    }
    return s;
}

std::string print_result(const Result& r) {
    using K = Result::Kind;
    auto status = [&] {
        return r.killed ? "killed(" + sig_text(r.code) + ")" : "exited(" + std::to_string(r.code) + ")";
    };
    switch (r.kind) {
    case K::Ok: return "ok";
    case K::Number: return std::to_string(r.value);
    case K::Errno: {
        const char* n = refimpl::errno_name(int(r.value));
        return n ? n : "errno(" + std::to_string(r.value) + ")";
    }
    case K::Child: return "child " + r.name + (r.name2.empty() ? "" : ", pidfd " + r.name2);
    case K::Pidfd: return "pidfd " + r.name;
    case K::Reaped: return r.name + " " + status();
    case K::ExitInfo: return status();
    case K::NoExit: return "noexit";
    case K::None: return "none";
    case K::Blocks: return "blocks";
    case K::PollMask:
        // Only POLLIN and POLLHUP have names here; any other mask (a
        // number written in a scenario) prints as written, so that it parses back.
        if (r.value == 0 || (r.value & ~int64_t(0x11))) return std::to_string(r.value);
        return std::string(r.value & 0x1 ? "POLLIN" : "") + (r.value & 0x10 ? (r.value & 0x1 ? "|POLLHUP" : "POLLHUP") : "");
    case K::Signal: return sig_text(r.value);
    case K::Task: return r.name;
    }
    return "?";
}

std::string print_expect(const Expect& e) {
    std::string s = std::string("expect ") + to_string(e.field);
    if (e.field == ExpectField::State) return s + " " + e.subject + " " + e.value_name;
    if (!e.subject.empty()) s += " " + e.subject;
    s += e.negate ? " != " : " == ";
    switch (e.field) {
    case ExpectField::Parent: case ExpectField::Tracer: case ExpectField::Pending: return s + e.value_name;
    case ExpectField::ExitSignal: return s + (e.value > 0 ? sig_text(e.value) : std::to_string(e.value));
    default: return s + std::to_string(e.value);
    }
}

std::string print_statement(const Statement& st) {
    if (st.kind == Statement::Kind::Expect) return print_expect(st.expect);
    std::string s = st.actor + ": " + print_call(st.call);
    if (st.expected) s += " -> " + print_result(*st.expected);
    return s;
}

std::string print(const Scenario& sc) {
    std::string s;
    for (const auto& h : sc.header) s += h + "\n";
    if (sc.profile) s += "profile " + *sc.profile + "\n";
    if (sc.explicit_steps) s += "steps explicit\n";
    for (const auto& st : sc.statements) s += print_statement(st) + "\n";
    return s;
}

}  // namespace reapcheck::scn
