// A hand-written line parser: the language is one statement per line with a
// handful of token shapes, and exact columns in error messages matter more
// than grammar generality, so a parser library would buy little here.
#include "checker/scenario/parser.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "refimpl/kernel.hpp"

namespace reapcheck::scn {

namespace {

struct Tok {
    std::string text;
    int col = 0;   // 1-based
};

bool is_name(const std::string& s) {
    if (s.empty() || !(std::isalpha((unsigned char)s[0]) || s[0] == '_')) return false;
    for (char c : s)
        if (!(std::isalnum((unsigned char)c) || c == '_')) return false;
    return true;
}

std::optional<int64_t> parse_int(const std::string& s) {
    int64_t v = 0;
    const char* b = s.data();
    const char* e = s.data() + s.size();
    int base = 10;
    bool neg = false;
    if (b != e && *b == '-') { neg = true; ++b; }
    if (e - b > 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X')) { base = 16; b += 2; }
    if (b == e) return std::nullopt;
    uint64_t u = 0;
    auto [ptr, ec] = std::from_chars(b, e, u, base);
    if (ec != std::errc() || ptr != e) return std::nullopt;
    if (u > uint64_t(INT64_MAX)) {
        if (neg) return std::nullopt;
        return int64_t(u);   // raw flag bits: keep the pattern
    }
    v = int64_t(u);
    return neg ? -v : v;
}

class LineParser {
public:
    LineParser(const std::string& file, int line, std::vector<Tok> toks)
        : file_(file), line_(line), toks_(std::move(toks)) {}

    [[noreturn]] void fail(const std::string& msg, int col) const {
        throw ParseError(Loc{file_, line_, col}, msg);
    }
    [[noreturn]] void expected(const std::string& what) const {
        if (pos_ < toks_.size()) fail("expected " + what + ", found '" + toks_[pos_].text + "'", toks_[pos_].col);
        fail("expected " + what + " at end of line", end_col());
    }
    int end_col() const { return toks_.empty() ? 1 : toks_.back().col + int(toks_.back().text.size()); }
    bool at_end() const { return pos_ >= toks_.size() || toks_[pos_].text == "->"; }
    const Tok& peek() const { return toks_[pos_]; }
    Loc loc_here() const { return Loc{file_, line_, pos_ < toks_.size() ? toks_[pos_].col : end_col()}; }
    Tok take(const std::string& what) {
        if (at_end()) expected(what);
        return toks_[pos_++];
    }
    std::string name(const std::string& what) {
        Tok t = take(what);
        if (!is_name(t.text)) { --pos_; expected(what); }
        return t.text;
    }
    int64_t number(const std::string& what) {
        Tok t = take(what);
        auto v = parse_int(t.text);
        if (!v) { --pos_; expected(what); }
        return *v;
    }
    int64_t signal(const std::string& what) {
        Tok t = take(what);
        auto v = parse_signal(t.text);
        if (!v) { --pos_; expected(what); }
        return *v;
    }
    void word(const std::string& w) {
        Tok t = take("'" + w + "'");
        if (t.text != w) { --pos_; expected("'" + w + "'"); }
    }
    bool maybe(const std::string& w) {
        if (!at_end() && toks_[pos_].text == w) { ++pos_; return true; }
        return false;
    }
    void end_of_call() {
        if (!at_end()) fail("unexpected '" + toks_[pos_].text + "' after the call's arguments", toks_[pos_].col);
    }

    FlagSet flags(const Tok& t, const std::string& text, int col) {
        FlagSet fs;
        if (text == "none") return fs;
        size_t start = 0;
        while (true) {
            size_t bar = text.find('|', start);
            std::string part = text.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
            int pcol = col + int(start);
            if (part.empty()) fail("expected a flag name or number in '" + t.text + "'", pcol);
            if (auto f = clone_flag_from_string(part)) {
                fs.add(*f);
            } else if (auto v = parse_int(part); v && *v >= 0) {
                fs.raw |= uint64_t(*v);
            } else {
                fail("unknown clone flag '" + part + "' (expected none, a flag name such as PIDFD|AUTOREAP, or a number)", pcol);
            }
            if (bar == std::string::npos) break;
            start = bar + 1;
        }
        return fs;
    }

    uint32_t wait_option(const Tok& t, bool waitid) {
        if (t.text == "WNOHANG") return kWNOHANG;
        if (t.text == "__WALL") return kWALL;
        if (t.text == "__WCLONE") return kWCLONE;
        if (t.text == "__WNOTHREAD") return kWNOTHREAD;
        if (waitid && t.text == "WEXITED") return kWEXITED;
        if (waitid && t.text == "WNOWAIT") return kWNOWAIT;
        fail(std::string("expected a wait option (WNOHANG, ") + (waitid ? "WEXITED, WNOWAIT, " : "") +
                 "__WALL, __WCLONE, __WNOTHREAD), found '" + t.text + "'",
             t.col);
    }

    Call call(bool kernel_actor) {
        Call c;
        Tok head = take("a system call");
        const std::string& h = head.text;
        if (kernel_actor) {
            if (h == "do_exit") c.sys = Sys::KDoExit;
            else if (h == "exit_notify") c.sys = Sys::KExitNotify;
            else if (h == "pidfs_exit") c.sys = Sys::KPidfsExit;
            else if (h == "unhash") c.sys = Sys::KUnhash;
            else fail("expected a kernel step (do_exit, exit_notify, pidfs_exit, unhash), found '" + h + "'", head.col);
            c.target = name("a task name");
            end_of_call();
            return c;
        }
        if (h == "clone3" || h == "clone") {
            c.sys = h == "clone3" ? Sys::Clone3 : Sys::Clone;
            bool seen_flags = false, seen_sig = false;
            while (!at_end()) {
                Tok t = take("flags= or exit_signal=");
                if (t.text.rfind("flags=", 0) == 0 && !seen_flags) {
                    c.flags = flags(t, t.text.substr(6), t.col + 6);
                    seen_flags = true;
                } else if (t.text.rfind("exit_signal=", 0) == 0 && !seen_sig) {
                    auto v = parse_signal(t.text.substr(12));
                    if (!v) {
                        auto n = parse_int(t.text.substr(12));
                        if (!n) fail("expected a signal name or number after exit_signal=, found '" + t.text.substr(12) + "'", t.col + 12);
                        v = int(*n);
                        c.exit_signal = *n;
                    } else {
                        c.exit_signal = *v;
                    }
                    seen_sig = true;
                } else {
                    fail("expected flags=... or exit_signal=... (each at most once), found '" + t.text + "'", t.col);
                }
            }
        } else if (h == "fork") {
            c.sys = Sys::Fork;
        } else if (h == "exit" || h == "exit_group") {
            c.sys = h == "exit" ? Sys::Exit : Sys::ExitGroup;
            c.number = number("an exit code");
        } else if (h == "execve") {
            c.sys = Sys::Execve;
        } else if (h == "kill") {
            c.sys = Sys::Kill;
            c.target = name("a task name");
            c.number = signal("a signal (SIGKILL, 9, ...)");
        } else if (h == "pidfd_send_signal") {
            c.sys = Sys::PidfdSendSignal;
            c.target = name("a pidfd name");
            c.number = signal("a signal (SIGKILL, 9, ...)");
        } else if (h == "wait4") {
            c.sys = Sys::Wait4;
            Tok t = take("a task name or -1");
            if (t.text == "-1") c.any = true;
            else if (is_name(t.text)) c.target = t.text;
            else { --pos_; expected("a task name or -1"); }
            while (!at_end()) c.options |= wait_option(take("a wait option"), false);
        } else if (h == "waitid") {
            c.sys = Sys::Waitid;
            Tok t = take("P_ALL, P_PID or P_PIDFD");
            if (t.text == "P_ALL") { c.idtype = IdType::All; c.any = true; }
            else if (t.text == "P_PID") { c.idtype = IdType::Pid; c.target = name("a task name"); }
            else if (t.text == "P_PIDFD") { c.idtype = IdType::Pidfd; c.target = name("a pidfd name"); }
            else { --pos_; expected("P_ALL, P_PID or P_PIDFD"); }
            while (!at_end()) c.options |= wait_option(take("a wait option"), true);
        } else if (h == "sigaction") {
            c.sys = Sys::Sigaction;
            word("SIGCHLD");
            Tok t = take("SIG_DFL, SIG_IGN or handler");
            if (t.text == "SIG_DFL") c.handler = Handler::Dfl;
            else if (t.text == "SIG_IGN") c.handler = Handler::Ign;
            else if (t.text == "handler") c.handler = Handler::User;
            else { --pos_; expected("SIG_DFL, SIG_IGN or handler"); }
            c.nocldwait = maybe("SA_NOCLDWAIT");
        } else if (h == "prctl") {
            Tok t = take("PR_SET_CHILD_SUBREAPER or PR_SET_PDEATHSIG");
            if (t.text == "PR_SET_CHILD_SUBREAPER") {
                c.sys = Sys::PrctlSubreaper;
                c.number = number("0 or 1");
            } else if (t.text == "PR_SET_PDEATHSIG") {
                c.sys = Sys::PrctlPdeathsig;
                c.number = signal("a signal or 0");
            } else { --pos_; expected("PR_SET_CHILD_SUBREAPER or PR_SET_PDEATHSIG"); }
        } else if (h == "pidfd_open") {
            c.sys = Sys::PidfdOpen;
            c.target = name("a task name");
            while (!at_end()) {
                Tok t = take("PIDFD_THREAD or PIDFD_NONBLOCK");
                if (t.text == "PIDFD_THREAD") c.pidfd_thread = true;
                else if (t.text == "PIDFD_NONBLOCK") c.pidfd_nonblock = true;
                else { --pos_; expected("PIDFD_THREAD or PIDFD_NONBLOCK"); }
            }
        } else if (h == "close" || h == "poll") {
            c.sys = h == "close" ? Sys::Close : Sys::Poll;
            c.target = name("a pidfd name");
        } else if (h == "pidfd_info") {
            c.sys = Sys::PidfdInfo;
            c.target = name("a pidfd name");
            c.info_exit = maybe("EXIT");
        } else if (h == "sigpending") {
            c.sys = Sys::Sigpending;
            c.peek = maybe("peek");
        } else if (h == "getppid") {
            c.sys = Sys::Getppid;
        } else if (h == "ptrace_attach" || h == "ptrace_detach") {
            c.sys = h == "ptrace_attach" ? Sys::PtraceAttach : Sys::PtraceDetach;
            c.target = name("a task name");
        } else if (h == "capset") {
            c.sys = Sys::CapsetDrop;
            word("drop");
        } else if (h == "resume") {
            c.sys = Sys::Resume;
        } else {
            fail("unknown system call '" + h + "' (see docs/scenario-language.md)", head.col);
        }
        end_of_call();
        return c;
    }

    Result result(const Call& c) {
        Result r;
        Tok t = take("a result");
        const std::string& s = t.text;
        auto status = [&](const std::string& x, int col, Result& out) -> bool {
            for (const char* w : {"exited(", "killed("}) {
                std::string ws = w;
                if (x.rfind(ws, 0) == 0) {
                    if (x.back() != ')') fail("expected ')' to close '" + x + "'", col + int(x.size()));
                    std::string inner = x.substr(ws.size(), x.size() - ws.size() - 1);
                    out.killed = ws[0] == 'k';
                    auto v = out.killed ? std::optional<int64_t>(parse_signal(inner)) : parse_int(inner);
                    if (!v) fail("expected " + std::string(out.killed ? "a signal" : "an exit code") + " in '" + x + "'", col + int(ws.size()));
                    out.code = *v;
                    return true;
                }
            }
            return false;
        };
        if (s == "ok") r.kind = Result::Kind::Ok;
        else if (s == "none") r.kind = Result::Kind::None;
        else if (s == "blocks") r.kind = Result::Kind::Blocks;
        else if (s == "noexit") r.kind = Result::Kind::NoExit;
        else if (s == "child") {
            r.kind = Result::Kind::Child;
            r.name = name("the child's name");
            if (maybe(",")) { word("pidfd"); r.name2 = name("the pidfd's name"); }
        } else if (s == "pidfd") {
            r.kind = Result::Kind::Pidfd;
            r.name = name("the pidfd's name");
        } else if (status(s, t.col, r)) {
            r.kind = Result::Kind::ExitInfo;
        } else if (s.rfind("POLL", 0) == 0) {
            r.kind = Result::Kind::PollMask;
            size_t start = 0;
            while (true) {
                size_t bar = s.find('|', start);
                std::string part = s.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
                if (part == "POLLIN") r.value |= 0x1;
                else if (part == "POLLHUP") r.value |= 0x10;
                else fail("expected POLLIN or POLLHUP, found '" + part + "'", t.col + int(start));
                if (bar == std::string::npos) break;
                start = bar + 1;
            }
        } else if (int e = refimpl::errno_from_name(s)) {
            r.kind = Result::Kind::Errno;
            r.value = e;
        } else if (s.rfind("SIG", 0) == 0 && parse_signal(s)) {
            r.kind = Result::Kind::Signal;
            r.value = *parse_signal(s);
        } else if (auto v = parse_int(s)) {
            r.kind = c.sys == Sys::Poll ? Result::Kind::PollMask : Result::Kind::Number;
            r.value = *v;
        } else if (is_name(s)) {
            if (pos_ < toks_.size() && status(toks_[pos_].text, toks_[pos_].col, r)) {
                ++pos_;
                r.kind = Result::Kind::Reaped;
            } else {
                r.kind = Result::Kind::Task;
            }
            r.name = s;
        } else {
            fail("expected a result (ok, a number, an errno, child NAME, NAME exited(N), ...), found '" + s + "'", t.col);
        }
        if (pos_ < toks_.size()) fail("unexpected '" + toks_[pos_].text + "' after the result", toks_[pos_].col);
        check_result_fits(c, r, t.col);
        return r;
    }

    void check_result_fits(const Call& c, const Result& r, int col) {
        using K = Result::Kind;
        if (r.kind == K::Errno) return;
        bool ok = false;
        switch (c.sys) {
        case Sys::Clone3: case Sys::Clone: case Sys::Fork: ok = r.kind == K::Child; break;
        case Sys::PidfdOpen: ok = r.kind == K::Pidfd; break;
        case Sys::Wait4: case Sys::Waitid: case Sys::Resume:
            ok = r.kind == K::Reaped || r.kind == K::Number || r.kind == K::None || r.kind == K::Blocks;
            break;
        case Sys::Poll: ok = r.kind == K::PollMask; break;
        case Sys::PidfdInfo: ok = r.kind == K::ExitInfo || r.kind == K::NoExit; break;
        case Sys::Sigpending: ok = r.kind == K::Signal || r.kind == K::None; break;
        case Sys::Getppid: ok = r.kind == K::Task || r.kind == K::Number; break;
        case Sys::Exit: case Sys::ExitGroup: ok = false; break;
        default: ok = r.kind == K::Ok; break;
        }
        if (!ok)
            fail(std::string("this result does not fit ") + to_string(c.sys) +
                     (c.sys == Sys::Exit || c.sys == Sys::ExitGroup ? " (it does not return)" : ""),
                 col);
    }

    Expect expect() {
        Expect e;
        Tok f = take("an expectation (state, zombies, parent, ...)");
        const std::string& fs = f.text;
        static const std::pair<const char*, ExpectField> fields[] = {
            {"state", ExpectField::State}, {"zombies", ExpectField::Zombies},
            {"parent", ExpectField::Parent}, {"tracer", ExpectField::Tracer},
            {"exit_signal", ExpectField::ExitSignal}, {"threads", ExpectField::Threads},
            {"autoreap", ExpectField::Autoreap}, {"subreaper", ExpectField::Subreaper},
            {"has_subreaper", ExpectField::HasSubreaper}, {"nnp", ExpectField::Nnp},
            {"pending", ExpectField::Pending},
        };
        bool found = false;
        for (auto& [n, v] : fields)
            if (fs == n) { e.field = v; found = true; }
        if (!found) fail("unknown expectation '" + fs + "' (state, zombies, parent, tracer, exit_signal, threads, autoreap, subreaper, has_subreaper, nnp, pending)", f.col);
        if (e.field == ExpectField::State) {
            e.subject = name("a task name");
            Tok v = take("RUNNING, ZOMBIE, TRACE, DEAD or RELEASED");
            if (v.text != "RUNNING" && v.text != "ZOMBIE" && v.text != "TRACE" && v.text != "DEAD" && v.text != "RELEASED") {
                --pos_; expected("RUNNING, ZOMBIE, TRACE, DEAD or RELEASED");
            }
            e.value_name = v.text;
        } else {
            if (e.field != ExpectField::Zombies) e.subject = name("a task name");
            Tok op = take("== or !=");
            if (op.text == "!=") e.negate = true;
            else if (op.text != "==") { --pos_; expected("== or !="); }
            switch (e.field) {
            case ExpectField::Parent:
            case ExpectField::Tracer: e.value_name = name("a task name or none"); break;
            case ExpectField::Pending: {
                Tok v = take("SIGCHLD or none");
                if (v.text != "SIGCHLD" && v.text != "none") { --pos_; expected("SIGCHLD or none"); }
                e.value_name = v.text;
                break;
            }
            case ExpectField::ExitSignal: {
                Tok v = take("a signal name or number");
                if (auto sig = parse_signal(v.text)) e.value = *sig;
                else if (v.text == "-1") e.value = -1;
                else { --pos_; expected("a signal name or number (-1 for a thread)"); }
                break;
            }
            default: e.value = number("a number"); break;
            }
        }
        if (pos_ < toks_.size()) fail("unexpected '" + toks_[pos_].text + "' after the expectation", toks_[pos_].col);
        return e;
    }

    size_t pos_ = 0;

private:
    std::string file_;
    int line_;
    std::vector<Tok> toks_;
};

/// Splits a line into tokens; `#` starts a comment. `ACTOR:` splits off the
/// colon, `->` and `,` are tokens of their own.
std::vector<Tok> tokenize(const std::string& file, int lineno, const std::string& line) {
    std::vector<Tok> toks;
    for (size_t k = 0; k < line.size() && line[k] != '#'; ++k) {
        const unsigned char ch = (unsigned char)line[k];
        if ((ch < 0x20 && ch != '\t' && ch != '\r') || ch >= 0x7f) {
            char b[8];
            std::snprintf(b, sizeof b, "%02x", ch);
            throw ParseError(Loc{file, lineno, int(k) + 1}, std::string("unexpected character (byte 0x") + b + ")");
        }
    }
    size_t i = 0;
    while (i < line.size()) {
        unsigned char ch = (unsigned char)line[i];
        if (ch == '#') break;
        if (ch == ' ' || ch == '\t' || ch == '\r') { ++i; continue; }
        if (ch == ',') { toks.push_back({",", int(i) + 1}); ++i; continue; }
        if (line.compare(i, 2, "->") == 0) { toks.push_back({"->", int(i) + 1}); i += 2; continue; }
        size_t j = i;
        while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r' && line[j] != '#' &&
               line[j] != ',' && line.compare(j, 2, "->") != 0)
            ++j;
        std::string w = line.substr(i, j - i);
        if (toks.empty() && w.size() > 1 && w.back() == ':') {
            toks.push_back({w.substr(0, w.size() - 1), int(i) + 1});
            toks.push_back({":", int(j)});
        } else {
            toks.push_back({w, int(i) + 1});
        }
        i = j;
    }
    return toks;
}

}  // namespace

std::optional<int> parse_signal(const std::string& s) {
    if (int v = refimpl::signal_from_name(s); v >= 0) return v;
    auto n = parse_int(s);
    if (n && *n >= 0 && *n <= 255) return int(*n);
    return std::nullopt;
}

Scenario parse_text(std::string_view text, const std::string& filename) {
    Scenario sc;
    sc.file = filename;
    std::string line;
    int lineno = 0;
    size_t start = 0;
    bool seen_statement = false;
    // name -> line that bound it; tasks and pidfds are separate name spaces
    std::map<std::string, int> task_names{{"init", 0}, {"main", 0}, {"kernel", 0}}, fd_names;
    while (start <= text.size()) {
        size_t nl = text.find('\n', start);
        line.assign(text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
        start = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
        ++lineno;
        if (line.find('\0') != std::string::npos)
            throw ParseError(Loc{filename, lineno, int(line.find('\0')) + 1}, "NUL byte: this is not a scenario file");
        auto toks = tokenize(filename, lineno, line);
        if (toks.empty()) {
            if (!seen_statement && line.find('#') != std::string::npos) {
                auto p = line.find('#');
                sc.header.push_back(line.substr(p));
            }
            continue;
        }
        LineParser lp(filename, lineno, toks);
        const Tok first = toks[0];
        if (first.text == "profile") {
            if (seen_statement || sc.profile) lp.fail("'profile' must come once, before the first statement", first.col);
            lp.pos_ = 1;
            {
                Tok t = lp.take("a profile name");
                for (char ch : t.text)
                    if (!(std::isalnum((unsigned char)ch) || ch == '-' || ch == '.' || ch == '_'))
                        lp.fail("expected a profile name, found '" + t.text + "'", t.col);
                sc.profile = t.text;
            }
            sc.profile_loc = Loc{filename, lineno, toks[1].col};
            if (lp.pos_ < toks.size()) lp.fail("unexpected '" + toks[lp.pos_].text + "' after the profile name", toks[lp.pos_].col);
            continue;
        }
        if (first.text == "steps") {
            if (seen_statement) lp.fail("'steps' must come before the first statement", first.col);
            lp.pos_ = 1;
            Tok m = lp.take("explicit or auto");
            if (m.text == "explicit") sc.explicit_steps = true;
            else if (m.text == "auto") sc.explicit_steps = false;
            else lp.fail("expected explicit or auto, found '" + m.text + "'", m.col);
            if (lp.pos_ < toks.size()) lp.fail("unexpected '" + toks[lp.pos_].text + "'", toks[lp.pos_].col);
            continue;
        }
        seen_statement = true;
        Statement st;
        st.loc = Loc{filename, lineno, first.col};
        if (first.text == "expect") {
            st.kind = Statement::Kind::Expect;
            lp.pos_ = 1;
            st.expect = lp.expect();
            sc.statements.push_back(std::move(st));
            continue;
        }
        if (!is_name(first.text)) lp.fail("expected a statement 'ACTOR: call', 'expect ...', 'profile NAME' or 'steps explicit', found '" + first.text + "'", first.col);
        if (toks.size() < 2 || toks[1].text != ":") {
            lp.pos_ = 1;
            lp.expected("':' after the actor name '" + first.text + "'");
        }
        st.actor = first.text;
        lp.pos_ = 2;
        st.call = lp.call(st.actor == "kernel");
        if (lp.pos_ < toks.size() && toks[lp.pos_].text == "->") {
            ++lp.pos_;
            st.result_loc = lp.loc_here();
            st.expected = lp.result(st.call);
            // A name binds one task or pidfd for the whole file: binding it
            // again would silently make later lines mean another object.
            auto bind = [&](std::map<std::string, int>& bound, const std::string& n) {
                auto [it, fresh] = bound.emplace(n, lineno);
                if (!fresh)
                    lp.fail("'" + n + "' is already bound" +
                                (it->second ? " (line " + std::to_string(it->second) + ")" : " (a predefined name)") +
                                "; give each created task and pidfd its own name",
                            st.result_loc.column);
            };
            if (st.expected->kind == Result::Kind::Child) {
                bind(task_names, st.expected->name);
                if (!st.expected->name2.empty()) bind(fd_names, st.expected->name2);
            } else if (st.expected->kind == Result::Kind::Pidfd) {
                bind(fd_names, st.expected->name);
            }
        }
        sc.statements.push_back(std::move(st));
    }
    return sc;
}

Scenario parse_file(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw ParseError(Loc{path, 0, 0}, "no such file");
    if (std::filesystem::is_directory(path, ec)) throw ParseError(Loc{path, 0, 0}, "is a directory, not a scenario file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ParseError(Loc{path, 0, 0}, "cannot open the file");
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_text(ss.str(), path);
}

}  // namespace reapcheck::scn
