// A hand-written recursive-descent parser of the property language
// (docs/property-language.md). The grammar is small (a header, a few
// clauses, one expression with a dozen precedence levels), exact
// `file:line:column` messages matter more than generality, and Debian
// packages no parser generator worth a build dependency for this, so there
// is none. Names and types are resolved here, once: the evaluator
// (eval.cpp) never looks at a string.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "properties/lang/eval.hpp"
#include "properties/lang/lang.hpp"
#include "refimpl/kernel.hpp"

namespace reapcheck::props::lang {

using namespace refimpl;

const char* type_name(Type t) {
    switch (t) {
    case Type::Bool: return "a bool";
    case Type::Int: return "an int";
    case Type::Task: return "a task";
    case Type::File: return "a pidfd";
    case Type::Pid: return "a pid";
    case Type::Event: return "an event";
    case Type::ExitState: return "an exit state";
    case Type::StepKind: return "a kernel step";
    case Type::Handler: return "a SIGCHLD handler";
    case Type::CallKind: return "a call kind";
    case Type::EventKind: return "an event kind";
    case Type::Attr: return "a pidfs attr";
    case Type::Null: return "none";
    }
    return "?";
}

namespace {

// --- facts and names --------------------------------------------------------------

enum class Subject : uint8_t { Task, File, Pid, Event, Call, Result, Profile };

struct FactDef {
    const char* name;
    Subject subject;
    Fact fact;
    Type type;
};

// clang-format off
const FactDef kFacts[] = {
    {"exit_state", Subject::Task, Fact::TExitState, Type::ExitState},
    {"step", Subject::Task, Fact::TStep, Type::StepKind},
    {"exiting", Subject::Task, Fact::TExiting, Type::Bool},
    {"linked", Subject::Task, Fact::TLinked, Type::Bool},
    {"alive", Subject::Task, Fact::TAlive, Type::Bool},
    {"leader", Subject::Task, Fact::TLeader, Type::Task},
    {"is_leader", Subject::Task, Fact::TIsLeader, Type::Bool},
    {"real_parent", Subject::Task, Fact::TRealParent, Type::Task},
    {"parent", Subject::Task, Fact::TParent, Type::Task},
    {"tracer", Subject::Task, Fact::TTracer, Type::Task},
    {"traced", Subject::Task, Fact::TTraced, Type::Bool},
    {"exit_signal", Subject::Task, Fact::TExitSignal, Type::Int},
    {"exit_code", Subject::Task, Fact::TExitCode, Type::Int},
    {"pdeath_signal", Subject::Task, Fact::TPdeathSignal, Type::Int},
    {"pid", Subject::Task, Fact::TPid, Type::Pid},
    {"pid_nr", Subject::Task, Fact::TPidNr, Type::Int},
    {"autoreap", Subject::Task, Fact::TAutoreap, Type::Bool},
    {"subreaper", Subject::Task, Fact::TSubreaper, Type::Bool},
    {"has_child_subreaper", Subject::Task, Fact::THasChildSubreaper, Type::Bool},
    {"unkillable", Subject::Task, Fact::TUnkillable, Type::Bool},
    {"group_exit", Subject::Task, Fact::TGroupExit, Type::Bool},
    {"live_threads", Subject::Task, Fact::TLiveThreads, Type::Int},
    {"sigchld_pending", Subject::Task, Fact::TSigchldPending, Type::Bool},
    {"thread_sigchld_pending", Subject::Task, Fact::TThreadSigchldPending, Type::Bool},
    {"shared_sigchld_pending", Subject::Task, Fact::TSharedSigchldPending, Type::Bool},
    {"sigchld_handler", Subject::Task, Fact::TSigchldHandler, Type::Handler},
    {"nocldwait", Subject::Task, Fact::TNocldwait, Type::Bool},
    {"thread_group_empty", Subject::Task, Fact::TThreadGroupEmpty, Type::Bool},
    {"delay_group_leader", Subject::Task, Fact::TDelayGroupLeader, Type::Bool},
    {"waiting", Subject::Task, Fact::TWaiting, Type::Bool},
    {"wait_woken", Subject::Task, Fact::TWaitWoken, Type::Bool},
    {"wait_options", Subject::Task, Fact::TWaitOptions, Type::Int},
    {"wait_any", Subject::Task, Fact::TWaitAny, Type::Bool},
    {"wait_pid", Subject::Task, Fact::TWaitPid, Type::Pid},
    {"wait_would_block", Subject::Task, Fact::TWaitWouldBlock, Type::Bool},
    {"wait_would_report", Subject::Task, Fact::TWaitWouldReport, Type::Bool},
    {"wait_clear", Subject::Task, Fact::TWaitClear, Type::Bool},
    {"nnp", Subject::Task, Fact::TNnp, Type::Bool},
    {"cap_sys_admin", Subject::Task, Fact::TCapSysAdmin, Type::Bool},
    {"self_exec_id", Subject::Task, Fact::TSelfExecId, Type::Int},
    {"parent_exec_id", Subject::Task, Fact::TParentExecId, Type::Int},
    {"has_files", Subject::Task, Fact::THasFiles, Type::Bool},
    {"pid", Subject::File, Fact::FPid, Type::Pid},
    {"task", Subject::File, Fact::FTask, Type::Task},
    {"poll", Subject::File, Fact::FPoll, Type::Int},
    {"thread", Subject::File, Fact::FThread, Type::Bool},
    {"nonblock", Subject::File, Fact::FNonblock, Type::Bool},
    {"autokill", Subject::File, Fact::FAutokill, Type::Bool},
    {"refs", Subject::File, Fact::FRefs, Type::Int},
    {"open", Subject::File, Fact::FOpen, Type::Bool},
    {"task", Subject::Pid, Fact::PTask, Type::Task},
    {"exit_info", Subject::Pid, Fact::PExitInfo, Type::Bool},
    {"exit_code", Subject::Pid, Fact::PExitCode, Type::Int},
    {"nr", Subject::Pid, Fact::PNr, Type::Int},
    {"attr", Subject::Pid, Fact::PAttr, Type::Attr},
    {"kind", Subject::Event, Fact::EKind, Type::EventKind},
    {"task", Subject::Event, Fact::ETask, Type::Task},
    {"other", Subject::Event, Fact::EOther, Type::Task},
    {"to", Subject::Event, Fact::EOther, Type::Task},
    {"by", Subject::Event, Fact::EOther, Type::Task},
    {"parent", Subject::Event, Fact::EOther, Type::Task},
    {"from", Subject::Event, Fact::EFrom, Type::Task},
    {"sig", Subject::Event, Fact::ESig, Type::Int},
    {"selfreap", Subject::Event, Fact::ESelfreap, Type::Bool},
    {"traced", Subject::Event, Fact::ETraced, Type::Bool},
    {"nowait", Subject::Event, Fact::ENowait, Type::Bool},
    {"status", Subject::Event, Fact::EStatus, Type::Int},
    {"kind", Subject::Call, Fact::CKind, Type::CallKind},
    {"actor", Subject::Call, Fact::CActor, Type::Task},
    {"flags", Subject::Call, Fact::CFlags, Type::Int},
    {"exit_signal", Subject::Call, Fact::CExitSignal, Type::Int},
    {"legacy", Subject::Call, Fact::CLegacy, Type::Bool},
    {"wait_options", Subject::Call, Fact::CWaitOptions, Type::Int},
    {"group", Subject::Call, Fact::CGroup, Type::Bool},
    {"ret", Subject::Result, Fact::RRet, Type::Int},
    {"ok", Subject::Result, Fact::ROk, Type::Bool},
    {"errno", Subject::Result, Fact::RErrno, Type::Int},
    {"blocks", Subject::Result, Fact::RBlocks, Type::Bool},
    {"task", Subject::Result, Fact::RTask, Type::Task},
    {"fd", Subject::Result, Fact::RFd, Type::Int},
    {"status", Subject::Result, Fact::RStatus, Type::Int},
    {"has_status", Subject::Result, Fact::RHasStatus, Type::Bool},
    {"has_autoreap", Subject::Profile, Fact::PrHasAutoreap, Type::Bool},
    {"autoreap_requires_pidfd", Subject::Profile, Fact::PrAutoreapRequiresPidfd, Type::Bool},
    {"autoreap_rejects_parent", Subject::Profile, Fact::PrAutoreapRejectsParent, Type::Bool},
    {"autoreap_parent_zero_exit_signal", Subject::Profile, Fact::PrAutoreapParentZeroExitSignal, Type::Bool},
    {"parent_rejected_while_autoreap", Subject::Profile, Fact::PrParentRejectedWhileAutoreap, Type::Bool},
    {"has_autokill", Subject::Profile, Fact::PrHasAutokill, Type::Bool},
    {"autokill_needs_nnp_or_cap", Subject::Profile, Fact::PrAutokillNeedsNnpOrCap, Type::Bool},
    {"autokill_sets_nnp", Subject::Profile, Fact::PrAutokillSetsNnp, Type::Bool},
    {"autokill_by_pointer", Subject::Profile, Fact::PrAutokillByPointer, Type::Bool},
    {"has_nnp", Subject::Profile, Fact::PrHasNnp, Type::Bool},
};
// clang-format on

const char* subject_name(Subject s) {
    switch (s) {
    case Subject::Task: return "a task";
    case Subject::File: return "a pidfd";
    case Subject::Pid: return "a pid";
    case Subject::Event: return "an event";
    case Subject::Call: return "the call";
    case Subject::Result: return "the result";
    case Subject::Profile: return "the profile";
    }
    return "?";
}

std::string facts_of(Subject s) {
    std::string o;
    for (const FactDef& f : kFacts)
        if (f.subject == s) o += (o.empty() ? "" : ", ") + std::string(f.name);
    return o;
}

struct Constant {
    Type type;
    int64_t value;
};

const std::map<std::string, Constant, std::less<>>& constants() {
    static const std::map<std::string, Constant, std::less<>> m = [] {
        std::map<std::string, Constant, std::less<>> c = {
            {"true", {Type::Bool, 1}}, {"false", {Type::Bool, 0}}, {"none", {Type::Null, -1}},
            {"init", {Type::Task, kInit}},
            {"running", {Type::ExitState, int64_t(ExitState::Running)}},
            {"zombie", {Type::ExitState, int64_t(ExitState::Zombie)}},
            {"trace", {Type::ExitState, int64_t(ExitState::Trace)}},
            {"dead", {Type::ExitState, int64_t(ExitState::Dead)}},
            {"released", {Type::ExitState, int64_t(ExitState::Released)}},
            {"no_step", {Type::StepKind, int64_t(Step::None)}},
            {"do_exit", {Type::StepKind, int64_t(Step::DoExit)}},
            {"exit_notify", {Type::StepKind, int64_t(Step::ExitNotify)}},
            {"pidfs_exit", {Type::StepKind, int64_t(Step::PidfsExit)}},
            {"unhash", {Type::StepKind, int64_t(Step::Unhash)}},
            {"SIG_DFL", {Type::Handler, int64_t(Handler::Dfl)}},
            {"SIG_IGN", {Type::Handler, int64_t(Handler::Ign)}},
            {"SIG_HANDLER", {Type::Handler, int64_t(Handler::User)}},
            {"clone", {Type::CallKind, int64_t(CallView::Kind::Clone)}},
            {"wait", {Type::CallKind, int64_t(CallView::Kind::Wait)}},
            {"exit", {Type::CallKind, int64_t(CallView::Kind::Exit)}},
            {"kernel_step", {Type::CallKind, int64_t(CallView::Kind::KernelStep)}},
            {"exec", {Type::CallKind, int64_t(CallView::Kind::Exec)}},
            {"other_call", {Type::CallKind, int64_t(CallView::Kind::Other)}},
            {"notify", {Type::EventKind, int64_t(Event::Kind::Notify)}},
            {"reparent", {Type::EventKind, int64_t(Event::Kind::Reparent)}},
            {"reap", {Type::EventKind, int64_t(Event::Kind::Reap)}},
            {"autokill", {Type::EventKind, int64_t(Event::Kind::Autokill)}},
            {"handoff", {Type::EventKind, int64_t(Event::Kind::TraceHandoff)}},
            {"attr_none", {Type::Attr, int64_t(Attr::None)}},
            {"attr_dead", {Type::Attr, int64_t(Attr::Dead)}},
            {"attr_alloc", {Type::Attr, int64_t(Attr::Alloc)}},
            {"POLLIN", {Type::Int, kPOLLIN}}, {"POLLHUP", {Type::Int, kPOLLHUP}},
            {"WNOHANG", {Type::Int, 0x1}}, {"WUNTRACED", {Type::Int, 0x2}}, {"WEXITED", {Type::Int, 0x4}},
            {"WNOWAIT", {Type::Int, 0x01000000}}, {"__WNOTHREAD", {Type::Int, 0x20000000}},
            {"__WALL", {Type::Int, 0x40000000}}, {"__WCLONE", {Type::Int, int64_t(0x80000000u)}},
            {"CLONE_VM", {Type::Int, int64_t(kCLONE_VM)}}, {"CLONE_FS", {Type::Int, int64_t(kCLONE_FS)}},
            {"CLONE_FILES", {Type::Int, int64_t(kCLONE_FILES)}},
            {"CLONE_SIGHAND", {Type::Int, int64_t(kCLONE_SIGHAND)}},
            {"CLONE_PIDFD", {Type::Int, int64_t(kCLONE_PIDFD)}},
            {"CLONE_PTRACE", {Type::Int, int64_t(kCLONE_PTRACE)}},
            {"CLONE_VFORK", {Type::Int, int64_t(kCLONE_VFORK)}},
            {"CLONE_PARENT", {Type::Int, int64_t(kCLONE_PARENT)}},
            {"CLONE_THREAD", {Type::Int, int64_t(kCLONE_THREAD)}},
            {"CLONE_UNTRACED", {Type::Int, int64_t(kCLONE_UNTRACED)}},
        };
        return c;
    }();
    return m;
}

/// Flags whose bit depends on the profile: a read of the profile.
const std::map<std::string, Fact, std::less<>> kProfileFlags = {
    {"CLONE_AUTOREAP", Fact::PrAutoreapBit},
    {"CLONE_NNP", Fact::PrNnpBit},
    {"CLONE_PIDFD_AUTOKILL", Fact::PrAutokillBit},
};

struct DomainDef {
    const char* name;
    Domain domain;
    Type elem;
    bool arg;          ///< takes a task argument
    bool transition;   ///< ranges over the transition's events
};
const DomainDef kDomains[] = {
    {"tasks", Domain::Tasks, Type::Task, false, false},
    {"processes", Domain::Processes, Type::Task, false, false},
    {"pidfds", Domain::Pidfds, Type::File, false, false},
    {"pids", Domain::Pids, Type::Pid, false, false},
    {"threads", Domain::Threads, Type::Task, true, false},
    {"children", Domain::Children, Type::Task, true, false},
    {"tracees", Domain::Tracees, Type::Task, true, false},
    {"ancestors", Domain::Ancestors, Type::Task, true, false},
    {"events", Domain::Events, Type::Event, false, true},
    {"notifies", Domain::Notifies, Type::Event, false, true},
    {"reparents", Domain::Reparents, Type::Event, false, true},
    {"reaps", Domain::Reaps, Type::Event, false, true},
    {"autokills", Domain::Autokills, Type::Event, false, true},
    {"handoffs", Domain::Handoffs, Type::Event, false, true},
};

std::string about_names() {
    std::string o;
    for (int i = 0; i < kAbouts; ++i) o += (o.empty() ? "" : ", ") + std::string(about_name(About(i)));
    return o;
}

std::string domain_names() {
    std::string o;
    for (const DomainDef& d : kDomains) o += (o.empty() ? "" : ", ") + std::string(d.name) + (d.arg ? "(t)" : "");
    return o;
}

const char* const kKeywords[] = {"and", "or", "not", "forall", "exists", "count", "first", "if", "then", "else", "in", "pre", "post", "has",
                                 "same_process", "call", "result", "profile", "next_pid_nr"};

// --- tokens ---------------------------------------------------------------------------

enum class Tk : uint8_t { Name, Int, String, Punct, End };

struct Tok {
    Tk kind = Tk::End;
    std::string text;
    int line = 0, col = 0;
    int64_t value = 0;
};

class Lexer {
public:
    Lexer(std::string_view text, const std::string& file) : t_(text), file_(file) {}

    std::vector<Tok> run() {
        std::vector<Tok> out;
        for (;;) {
            skip();
            Tok k;
            k.line = line_;
            k.col = col();
            if (i_ >= t_.size()) {
                k.kind = Tk::End;
                out.push_back(k);
                return out;
            }
            const char ch = t_[i_];
            if (std::isalpha((unsigned char)ch) || ch == '_') {
                const std::size_t b = i_;
                while (i_ < t_.size() && (std::isalnum((unsigned char)t_[i_]) || t_[i_] == '_')) ++i_;
                k.kind = Tk::Name;
                k.text = std::string(t_.substr(b, i_ - b));
            } else if (std::isdigit((unsigned char)ch)) {
                const std::size_t b = i_;
                while (i_ < t_.size() && (std::isalnum((unsigned char)t_[i_]) || t_[i_] == '_')) ++i_;
                k.kind = Tk::Int;
                k.text = std::string(t_.substr(b, i_ - b));
                std::string_view d = k.text;
                int base = 10;
                if (d.size() > 2 && d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) { base = 16; d.remove_prefix(2); }
                uint64_t u = 0;
                auto [p, ec] = std::from_chars(d.data(), d.data() + d.size(), u, base);
                if (ec != std::errc() || p != d.data() + d.size() || u > uint64_t(INT64_MAX))
                    fail(k, "bad number '" + k.text + "'");
                k.value = int64_t(u);
            } else if (ch == '"') {
                ++i_;
                k.kind = Tk::String;
                for (;;) {
                    if (i_ >= t_.size() || t_[i_] == '\n') fail(k, "unterminated string");
                    char c = t_[i_++];
                    if (c == '"') break;
                    if (c == '\\') {
                        if (i_ >= t_.size() || (t_[i_] != '"' && t_[i_] != '\\'))
                            fail(Tok{Tk::String, "", line_, col() - 1}, "unknown escape (only \\\" and \\\\)");
                        c = t_[i_++];
                    }
                    k.text += c;
                }
            } else {
                static const char* const two[] = {"==", "!=", "<=", ">=", "=>"};
                k.kind = Tk::Punct;
                for (const char* p : two)
                    if (t_.substr(i_, 2) == p) k.text = p;
                if (k.text.empty()) {
                    if (std::string_view("{}(),:.<>&|+-").find(ch) == std::string_view::npos) {
                        std::string shown = (unsigned char)ch < 0x20 || (unsigned char)ch >= 0x7f
                                                ? "byte " + std::to_string(int((unsigned char)ch))
                                                : std::string(1, ch);
                        fail(k, "unexpected character '" + shown + "'");
                    }
                    k.text = std::string(1, ch);
                }
                i_ += k.text.size();
            }
            out.push_back(std::move(k));
        }
    }

private:
    [[noreturn]] void fail(const Tok& k, const std::string& msg) const {
        throw ParseError(file_ + ":" + std::to_string(k.line) + ":" + std::to_string(k.col) + ": " + msg);
    }
    int col() const { return int(i_ - line_start_) + 1; }
    void skip() {
        while (i_ < t_.size()) {
            const char ch = t_[i_];
            if (ch == '\n') {
                ++i_;
                ++line_;
                line_start_ = i_;
            } else if (ch == ' ' || ch == '\t' || ch == '\r') {
                ++i_;
            } else if (ch == '#') {
                while (i_ < t_.size() && t_[i_] != '\n') ++i_;
            } else {
                return;
            }
        }
    }
    std::string_view t_;
    const std::string& file_;
    std::size_t i_ = 0, line_start_ = 0;
    int line_ = 1;
};

// --- the evaluator object a catalog entry points to ----------------------------------

struct Applies {
    std::vector<std::string> profiles;   ///< names; empty = any
    bool autoreap = false, autokill = false, nnp = false;
};

class TextEvaluator final : public Evaluator {
public:
    TextEvaluator(Program prog, bool state, Applies ap, std::string origin)
        : prog_(std::move(prog)), state_(state), ap_(std::move(ap)), origin_(std::move(origin)) {}
    bool reads_state() const override { return state_; }
    bool state(const Profile& p, const State& s) const override { return run_state(prog_, p, s); }
    bool step(const StepView& v) const override { return run_step(prog_, v); }
    bool applies(const Profile& p) const override {
        if (ap_.autoreap && !p.has_autoreap) return false;
        if (ap_.autokill && !p.has_autokill) return false;
        if (ap_.nnp && !p.has_nnp) return false;
        if (ap_.profiles.empty()) return true;
        for (const auto& n : ap_.profiles)
            if (n == p.name) return true;
        return false;
    }
    std::string origin() const override { return origin_; }
    const Program* program() const override { return &prog_; }

private:
    Program prog_;
    bool state_;
    Applies ap_;
    std::string origin_;
};

// --- the parser -------------------------------------------------------------------------

struct Typed {
    int32_t node;
    Type type;
    const Tok* at;   ///< where the expression starts, for messages
};

class Parser {
public:
    /// `known`: the ids defined so far (this file's, and in catalog mode
    /// the earlier files'), with where.
    Parser(std::vector<Tok> toks, const std::string& file, Mode mode, std::map<std::string, std::string>& known)
        : toks_(std::move(toks)), file_(file), mode_(mode), known_(known) {}

    std::vector<std::unique_ptr<TextProperty>> file() {
        std::vector<std::unique_ptr<TextProperty>> out;
        while (peek().kind != Tk::End) out.push_back(property(known_));
        return out;
    }

private:
    // --- helpers ---
    const Tok& peek(std::size_t k = 0) const { return toks_[std::min(pos_ + k, toks_.size() - 1)]; }
    const Tok& take() { return toks_[std::min(pos_++, toks_.size() - 1)]; }
    std::string loc(const Tok& t) const {
        return file_ + ":" + std::to_string(t.line) + ":" + std::to_string(t.col);
    }
    [[noreturn]] void fail(const Tok& t, const std::string& msg) const { throw ParseError(loc(t) + ": " + msg); }
    static std::string shown(const Tok& t) {
        switch (t.kind) {
        case Tk::End: return "end of file";
        case Tk::String: return "a string";
        default: return "'" + t.text + "'";
        }
    }
    [[noreturn]] void expected(const std::string& what) const {
        fail(peek(), "expected " + what + ", found " + shown(peek()));
    }
    bool is(const char* punct_or_name) const {
        return (peek().kind == Tk::Punct || peek().kind == Tk::Name) && peek().text == punct_or_name;
    }
    bool accept(const char* s) {
        if (!is(s)) return false;
        ++pos_;
        return true;
    }
    const Tok& expect(const char* s) {
        if (!is(s)) expected(std::string("'") + s + "'");
        return take();
    }
    std::string string(const char* what) {
        if (peek().kind != Tk::String) expected(std::string("a string (") + what + ")");
        std::string out = take().text;
        while (peek().kind == Tk::String) out += take().text;   // "adjacent" "strings" join, as in C
        return out;
    }
    /// A dotted id: name ('.' name)*.
    std::string dotted_id(const char* what) {
        if (peek().kind != Tk::Name) expected(what);
        std::string id = take().text;
        while (is(".") && peek(1).kind == Tk::Name) {
            ++pos_;
            id += "." + take().text;
        }
        return id;
    }

    int32_t add(Node n) {
        const Tok& last = toks_[pos_ > 0 ? std::min(pos_ - 1, toks_.size() - 1) : 0];
        prog_.where.emplace_back(int32_t(last.line), int32_t(last.col));
        prog_.nodes.push_back(n);
        return int32_t(prog_.nodes.size() - 1);
    }
    Typed make(Op op, Type t, const Tok* at, int32_t a = -1, int32_t b = -1) {
        Node n;
        n.op = op;
        n.type = t;
        n.a = a;
        n.b = b;
        return Typed{add(n), t, at};
    }
    void want(const Typed& e, Type t, const std::string& where) const {
        if (e.type != t) fail(*e.at, "type mismatch: " + where + " needs " + type_name(t) + ", found " + type_name(e.type));
    }
    static bool comparable(Type a, Type b) {
        auto ref = [](Type t) { return t == Type::Task || t == Type::File || t == Type::Pid || t == Type::Null; };
        return a == b || (a == Type::Null && ref(b)) || (b == Type::Null && ref(a));
    }
    void transition_only(const Tok& t, const std::string& what) {
        if (kind_ == Kind::Always || kind_ == Kind::Eventually)
            fail(t, std::string("kind mismatch: ") + what + " reads a transition; an " + to_string(kind_) +
                        " property reads one state (use a step or sometimes property)");
        uses_transition_ = true;
    }

    // --- a property ---
    std::unique_ptr<TextProperty> property(std::map<std::string, std::string>& here) {
        const Tok& head = peek();
        if (head.kind != Tk::Name) expected("a property kind (always, step, sometimes, eventually)");
        Kind kind;
        if (head.text == "always") kind = Kind::Always;
        else if (head.text == "step") kind = Kind::Step;
        else if (head.text == "sometimes") kind = Kind::Sometimes;
        else if (head.text == "eventually") kind = Kind::Eventually;
        else fail(head, "unknown property kind '" + head.text + "' (expected always, step, sometimes, eventually)");
        ++pos_;
        const Tok& idt = peek();
        auto p = std::make_unique<TextProperty>();
        p->kind = kind;
        p->id = dotted_id("a property id");
        p->origin = loc(idt);
        // The catalog is read before anything is registered: only its own ids count.
        if (mode_ == Mode::User)
            if (const Property* q = props::find(p->id))
                fail(idt, "duplicate property id '" + p->id + "' (" +
                              (q->text->origin().rfind("properties/catalog/", 0) == 0
                                   ? "a built-in property, " + q->text->origin()
                                   : "already defined at " + q->text->origin()) +
                              ")");
        if (auto it = here.find(p->id); it != here.end())
            fail(idt, "duplicate property id '" + p->id + "' (already defined at " + it->second + ")");
        here[p->id] = p->origin;
        expect("{");
        kind_ = kind;
        uses_transition_ = false;
        prog_ = Program{};
        prog_.file = file_;
        scope_.clear();
        Applies ap;
        bool have_holds = false, have_claim = false, have_source = false;
        while (!is("}")) {
            const Tok& cl = peek();
            if (cl.kind != Tk::Name) expected("a clause (claim, source, refines, note, applies, about, holds) or '}'");
            ++pos_;
            if (cl.text == "claim") {
                p->claim = string("the claim in words");
                have_claim = true;
            } else if (cl.text == "source") {
                p->source = string("where the claim comes from");
                have_source = true;
            } else if (cl.text == "note") {
                p->note = string("why the refinement");
            } else if (cl.text == "refines") {
                const Tok& rt = peek();
                p->refines = dotted_id("the id of the property it refines");
                if ((mode_ == Mode::Catalog || !props::find(p->refines)) && !here.count(p->refines))
                    fail(rt, "refines: unknown property id '" + p->refines + "'");
            } else if (cl.text == "applies") {
                do {
                    const Tok& a = peek();
                    if (a.kind == Tk::String) {
                        if (!find_profile(a.text))
                            fail(a, "applies: unknown profile '" + a.text + "' (expected one of " + profile_names() + ")");
                        ap.profiles.push_back(take().text);
                    } else if (a.kind == Tk::Name && a.text == "autoreap") {
                        ap.autoreap = true;
                        ++pos_;
                    } else if (a.kind == Tk::Name && a.text == "autokill") {
                        ap.autokill = true;
                        ++pos_;
                    } else if (a.kind == Tk::Name && a.text == "nnp") {
                        ap.nnp = true;
                        ++pos_;
                    } else {
                        expected("a feature (autoreap, autokill, nnp) or a profile name in quotes");
                    }
                } while (accept(","));
            } else if (cl.text == "about") {
                if (kind == Kind::Sometimes)
                    fail(cl, "a cover ('sometimes') has no 'about' clause: it is its own measure of vacuity");
                if (p->has_about) fail(cl, "a property has one 'about' clause");
                p->has_about = true;
                if (is("every_state") && peek().kind == Tk::Name) {
                    ++pos_;
                } else {
                    do {
                        const Tok& a = peek();
                        int found = -1;
                        for (int i = 0; i < kAbouts; ++i)
                            if (a.kind == Tk::Name && a.text == about_name(About(i))) found = i;
                        if (found < 0) expected("a fact the property is about (" + about_names() + ") or every_state");
                        ++pos_;
                        p->about.push_back(About(found));
                    } while (accept(","));
                }
            } else if (cl.text == "holds") {
                if (have_holds) fail(cl, "a property has one 'holds' clause");
                const Typed e = expr();
                want(e, Type::Bool, "the predicate");
                prog_.root = e.node;
                have_holds = true;
            } else {
                fail(cl, "unknown clause '" + cl.text + "' (expected claim, source, refines, note, applies, about, holds)");
            }
        }
        const Tok& close = take();
        if (!have_claim) fail(close, "property '" + p->id + "' has no 'claim'");
        if (!have_source) fail(close, "property '" + p->id + "' has no 'source'");
        if (!have_holds) fail(close, "property '" + p->id + "' has no 'holds' predicate");
        if (!p->note.empty() && p->refines.empty()) fail(close, "a 'note' says why a refinement: give 'refines' too");
        const bool state = kind == Kind::Always || kind == Kind::Eventually ||
                           (kind == Kind::Sometimes && !uses_transition_);
        if (!state) find_guard();
        p->eval = std::make_unique<TextEvaluator>(std::move(prog_), state, std::move(ap), p->origin);
        return p;
    }

    // --- expressions, lowest precedence first ---
    /// Bounds the recursion (of the parser, and so of the evaluator): a
    /// hostile file is an error, not a stack overflow.
    struct Deeper {
        Deeper(Parser& p, const Tok& at) : p_(p) {
            if (++p_.depth_ > kMaxDepth)
                p_.fail(at, "expression nested too deeply (more than " + std::to_string(kMaxDepth) + " levels)");
        }
        ~Deeper() { --p_.depth_; }
        Deeper(const Deeper&) = delete;
        Deeper& operator=(const Deeper&) = delete;
        Parser& p_;
    };
    static constexpr int kMaxDepth = 1000;

    Typed expr() {
        Deeper d(*this, peek());
        return implies();
    }

    Typed implies() {
        Deeper d(*this, peek());
        Typed l = disj();
        if (is("=>")) {
            const Tok& op = take();
            (void)op;
            want(l, Type::Bool, "'=>'");
            Typed r = implies();
            want(r, Type::Bool, "'=>'");
            return make(Op::Implies, Type::Bool, l.at, l.node, r.node);
        }
        return l;
    }
    /// a or b or c: one n-ary node (the evaluator loops instead of recursing).
    Typed disj() { return chain("or", Op::OrN, [&] { return conj(); }); }
    Typed conj() { return chain("and", Op::AndN, [&] { return negation(); }); }
    template <class Next>
    Typed chain(const char* word, Op op, Next next) {
        Typed first = next();
        if (!is(word)) return first;
        std::vector<int32_t> ops{first.node};
        want(first, Type::Bool, std::string("'") + word + "'");
        while (is(word)) {
            ++pos_;
            Typed r = next();
            want(r, Type::Bool, std::string("'") + word + "'");
            ops.push_back(r.node);
        }
        Node n;
        n.op = op;
        n.type = Type::Bool;
        n.a = int32_t(prog_.kids.size());
        n.b = int32_t(ops.size());
        prog_.kids.insert(prog_.kids.end(), ops.begin(), ops.end());
        return Typed{add(n), Type::Bool, first.at};
    }

    /// `call.kind == K` (either way round), or -1.
    int call_kind_test(int32_t i) const {
        const Node& n = prog_.nodes[std::size_t(i)];
        if (n.op != Op::Eq) return -1;
        const Node& l = prog_.nodes[std::size_t(n.a)];
        const Node& r = prog_.nodes[std::size_t(n.b)];
        if (l.op == Op::Fact && l.fact == Fact::CKind && r.op == Op::Const) return int(r.value);
        if (r.op == Op::Fact && r.fact == Fact::CKind && l.op == Op::Const) return int(l.value);
        return -1;
    }
    /// A conjunct `call.kind == K` of node i (itself, or one of an AndN's).
    int call_kind_conjunct(int32_t i) const {
        const Node& n = prog_.nodes[std::size_t(i)];
        if (n.op != Op::AndN) return call_kind_test(i);
        for (int32_t k = n.a; k < n.a + n.b; ++k)
            if (int g = call_kind_test(prog_.kids[std::size_t(k)]); g >= 0) return g;
        return -1;
    }
    /// The guard of Program: `A => B` with `call.kind == K` among A's
    /// conjuncts is true for another call; `A` (a cover) with it is false.
    void find_guard() {
        const Node& root = prog_.nodes[std::size_t(prog_.root)];
        if (root.op == Op::Implies) {
            prog_.guard_kind = call_kind_conjunct(root.a);
            prog_.guard_value = true;
        } else {
            prog_.guard_kind = call_kind_conjunct(prog_.root);
            prog_.guard_value = false;
        }
    }
    Typed negation() {
        Deeper d(*this, peek());
        if (is("not")) {
            const Tok* at = &take();
            Typed e = negation();
            want(e, Type::Bool, "'not'");
            return make(Op::Not, Type::Bool, at, e.node);
        }
        if (is("forall") || is("exists")) return quantifier();
        if (is("if")) return conditional();
        return comparison();
    }
    /// forall|exists NAME in DOMAIN ':' expr (the body extends as far as it can).
    Typed quantifier() {
        const Tok* at = &take();
        const Op op = at->text == "forall" ? Op::Forall : Op::Exists;
        return binder(op, at, [&] { return expr(); });
    }
    /// if COND then A else B (the else branch extends as far as it can).
    Typed conditional() {
        const Tok* at = &take();
        Typed c = expr();
        want(c, Type::Bool, "'if'");
        expect("then");
        Typed a = expr();
        const Tok& et = expect("else");
        Typed b = expr();
        if (!comparable(a.type, b.type))
            fail(et, std::string("type mismatch: 'then' gives ") + type_name(a.type) + ", 'else' " + type_name(b.type));
        const Type t = a.type == Type::Null ? b.type : a.type;
        Node n;
        n.op = Op::Ite;
        n.type = t;
        n.a = c.node;
        n.b = a.node;
        n.c = b.node;
        return Typed{add(n), t, at};
    }
    template <class Body>
    Typed binder(Op op, const Tok* at, Body body) {
        const Tok& var = peek();
        if (var.kind != Tk::Name) expected("a variable name");
        for (const char* k : kKeywords)
            if (var.text == k) fail(var, "'" + var.text + "' is a keyword, not a variable name");
        if (constants().count(var.text) || kProfileFlags.count(var.text))
            fail(var, "'" + var.text + "' is a constant, not a variable name");
        ++pos_;
        expect("in");
        const Tok& dt = peek();
        const DomainDef* dom = nullptr;
        for (const DomainDef& d : kDomains)
            if (dt.kind == Tk::Name && dt.text == d.name) dom = &d;
        if (!dom) expected("a domain (" + domain_names() + ")");
        ++pos_;
        Node n;
        n.op = op;
        n.domain = dom->domain;
        if (dom->transition) transition_only(dt, "'" + dt.text + "'");
        if (dom->arg) {
            expect("(");
            Typed a = expr();
            want(a, Type::Task, std::string("'") + dom->name + "'");
            expect(")");
            n.a = a.node;
        } else if (is("(")) {
            fail(peek(), std::string("wrong arity: '") + dom->name + "' takes no argument");
        }
        expect(":");
        if (int(scope_.size()) >= kMaxVars) fail(var, "too many nested quantifiers (at most 16)");
        n.slot = uint8_t(scope_.size());
        prog_.vars = std::max(prog_.vars, int(scope_.size()) + 1);
        scope_.push_back({var.text, dom->elem});
        Typed b = body();
        scope_.pop_back();
        want(b, Type::Bool, "the body of '" + at->text + "'");
        n.b = b.node;
        n.type = op == Op::Count ? Type::Int : op == Op::First ? dom->elem : Type::Bool;
        const int32_t i = add(n);
        prog_.where.back() = {int32_t(at->line), int32_t(at->col)};   // the quantifier's keyword
        return Typed{i, n.type, at};
    }
    Typed comparison() {
        Typed l = bitor_();
        static const std::pair<const char*, Op> ops[] = {{"==", Op::Eq}, {"!=", Op::Ne}, {"<=", Op::Le},
                                                         {">=", Op::Ge}, {"<", Op::Lt},  {">", Op::Gt}};
        for (const auto& [s, op] : ops) {
            if (!is(s) || peek().kind != Tk::Punct) continue;
            const Tok& ot = take();
            Typed r = bitor_();
            if (op == Op::Eq || op == Op::Ne) {
                if (!comparable(l.type, r.type))
                    fail(ot, std::string("type mismatch: '") + s + "' compares " + type_name(l.type) + " with " +
                                 type_name(r.type));
            } else {
                want(l, Type::Int, std::string("'") + s + "'");
                want(r, Type::Int, std::string("'") + s + "'");
            }
            return make(op, Type::Bool, l.at, l.node, r.node);
        }
        return l;
    }
    Typed bitor_() {
        Typed l = bitand_();
        while (is("|")) {
            ++pos_;
            want(l, Type::Int, "'|'");
            Typed r = bitand_();
            want(r, Type::Int, "'|'");
            l = make(Op::BitOr, Type::Int, l.at, l.node, r.node);
        }
        return l;
    }
    Typed bitand_() {
        Typed l = additive();
        while (is("&")) {
            ++pos_;
            want(l, Type::Int, "'&'");
            Typed r = additive();
            want(r, Type::Int, "'&'");
            l = make(Op::BitAnd, Type::Int, l.at, l.node, r.node);
        }
        return l;
    }
    Typed additive() {
        Typed l = unary();
        while (is("+") || is("-")) {
            const Op op = take().text == "+" ? Op::Add : Op::Sub;
            want(l, Type::Int, op == Op::Add ? "'+'" : "'-'");
            Typed r = unary();
            want(r, Type::Int, op == Op::Add ? "'+'" : "'-'");
            l = make(op, Type::Int, l.at, l.node, r.node);
        }
        return l;
    }
    Typed unary() {
        Deeper d(*this, peek());
        if (is("-")) {
            const Tok* at = &take();
            Typed e = unary();
            want(e, Type::Int, "'-'");
            return make(Op::Neg, Type::Int, at, e.node);
        }
        return postfix();
    }
    Typed postfix() {
        // call / result / profile are subjects without a value
        if (peek().kind == Tk::Name && (is("call") || is("result") || is("profile"))) {
            const Tok& st = take();
            const Subject subj = st.text == "call" ? Subject::Call : st.text == "result" ? Subject::Result : Subject::Profile;
            if (subj != Subject::Profile) transition_only(st, "'" + st.text + "'");
            if (!is(".")) fail(peek(), "expected '.' and a fact of " + std::string(subject_name(subj)) + " (" + facts_of(subj) + ")");
            ++pos_;
            Typed e = fact(subj, -1, &st);
            return more_facts(e);
        }
        return more_facts(primary());
    }
    Typed more_facts(Typed e) {
        while (is(".")) {
            ++pos_;
            Subject subj;
            switch (e.type) {
            case Type::Task: subj = Subject::Task; break;
            case Type::File: subj = Subject::File; break;
            case Type::Pid: subj = Subject::Pid; break;
            case Type::Event: subj = Subject::Event; break;
            default: fail(toks_[pos_ - 1], std::string("unknown fact: ") + type_name(e.type) + " has no facts");
            }
            e = fact(subj, e.node, e.at);
        }
        return e;
    }
    Typed fact(Subject subj, int32_t subject_node, const Tok* at) {
        const Tok& ft = peek();
        if (ft.kind != Tk::Name) expected(std::string("a fact of ") + subject_name(subj));
        for (const FactDef& f : kFacts)
            if (f.subject == subj && ft.text == f.name) {
                ++pos_;
                Node n;
                n.op = Op::Fact;
                n.fact = f.fact;
                n.type = f.type;
                n.a = subject_node;
                return Typed{add(n), f.type, at};
            }
        fail(ft, "unknown fact '" + ft.text + "' of " + subject_name(subj) + " (facts: " + facts_of(subj) + ")");
    }
    std::vector<Typed> args(const Tok& fn, std::size_t n) {
        expect("(");
        std::vector<Typed> out;
        if (!is(")")) {
            out.push_back(expr());
            while (accept(",")) out.push_back(expr());
        }
        if (!is(")")) expected("',' or ')'");
        ++pos_;
        if (out.size() != n)
            fail(fn, "wrong arity: '" + fn.text + "' takes " + std::to_string(n) + " argument" + (n == 1 ? "" : "s") +
                         ", found " + std::to_string(out.size()));
        return out;
    }
    Typed primary() {
        const Tok& t = peek();
        if (t.kind == Tk::Int) {
            ++pos_;
            Node n;
            n.op = Op::Const;
            n.type = Type::Int;
            n.value = t.value;
            return Typed{add(n), Type::Int, &t};
        }
        if (accept("(")) {
            Typed e = expr();
            expect(")");
            return e;
        }
        if (t.kind != Tk::Name) expected("an expression");
        if (t.text == "forall" || t.text == "exists") return quantifier();
        if (t.text == "if") return conditional();
        if (t.text == "count" || t.text == "first") {
            ++pos_;
            expect("(");
            Typed e = binder(t.text == "count" ? Op::Count : Op::First, &t, [&] { return expr(); });
            expect(")");
            return e;
        }
        if (t.text == "pre" || t.text == "post") {
            transition_only(t, "'" + t.text + "(...)'");
            ++pos_;
            auto a = args(t, 1);
            return make(t.text == "pre" ? Op::Pre : Op::Post, a[0].type, &t, a[0].node);
        }
        if (t.text == "has") {
            ++pos_;
            auto a = args(t, 2);
            want(a[0], Type::Int, "'has'");
            want(a[1], Type::Int, "'has'");
            return make(Op::Has, Type::Bool, &t, a[0].node, a[1].node);
        }
        if (t.text == "same_process") {
            ++pos_;
            auto a = args(t, 2);
            want(a[0], Type::Task, "'same_process'");
            want(a[1], Type::Task, "'same_process'");
            return make(Op::SameProcess, Type::Bool, &t, a[0].node, a[1].node);
        }
        for (std::size_t i = scope_.size(); i-- > 0;)
            if (scope_[i].first == t.text) {
                ++pos_;
                Node n;
                n.op = Op::Var;
                n.type = scope_[i].second;
                n.slot = uint8_t(i);
                return Typed{add(n), n.type, &t};
            }
        if (auto it = constants().find(t.text); it != constants().end()) {
            ++pos_;
            Node n;
            n.op = Op::Const;
            n.type = it->second.type;
            n.value = it->second.value;
            return Typed{add(n), n.type, &t};
        }
        if (t.text == "next_pid_nr") {   // the state's next pid number (alloc_pid)
            ++pos_;
            Node n;
            n.op = Op::Fact;
            n.fact = Fact::SNextPidNr;
            n.type = Type::Int;
            return Typed{add(n), Type::Int, &t};
        }
        if (auto it = kProfileFlags.find(t.text); it != kProfileFlags.end()) {
            ++pos_;
            Node n;
            n.op = Op::Fact;
            n.fact = it->second;
            n.type = Type::Int;
            return Typed{add(n), Type::Int, &t};
        }
        if (t.text.rfind("SIG", 0) == 0 && signal_from_name(t.text) > 0) {
            ++pos_;
            Node n;
            n.op = Op::Const;
            n.type = Type::Int;
            n.value = signal_from_name(t.text);
            return Typed{add(n), Type::Int, &t};
        }
        if (t.text.size() > 1 && t.text[0] == 'E' && errno_from_name(t.text) > 0) {
            ++pos_;
            Node n;
            n.op = Op::Const;
            n.type = Type::Int;
            n.value = errno_from_name(t.text);
            return Typed{add(n), Type::Int, &t};
        }
        for (const DomainDef& d : kDomains)
            if (t.text == d.name) fail(t, "'" + t.text + "' is a domain: use it after 'forall x in', 'exists x in', 'count(x in' or 'first(x in'");
        if (peek(1).kind == Tk::Punct && peek(1).text == "(")
            fail(t, "unknown function '" + t.text + "' (functions: pre, post, has, same_process, count, first)");
        fail(t, "unknown name '" + t.text + "'");
    }

    std::vector<Tok> toks_;
    const std::string& file_;
    Mode mode_;
    int depth_ = 0;
    std::size_t pos_ = 0;
    Kind kind_ = Kind::Always;
    bool uses_transition_ = false;
    Program prog_;
    std::vector<std::pair<std::string, Type>> scope_;
    std::map<std::string, std::string>& known_;
};

/// The properties loaded from files, for the life of the program.
std::deque<std::unique_ptr<TextProperty>>& loaded() {
    static std::deque<std::unique_ptr<TextProperty>> d;
    return d;
}

}  // namespace

Property TextProperty::entry() const {
    Property p{id, kind, claim, source, refines, note, eval.get(), std::span<const About>(about), has_about};
    return p;
}

std::vector<std::unique_ptr<TextProperty>> parse_text(std::string_view text, const std::string& filename) {
    std::map<std::string, std::string> known;
    std::vector<Tok> toks = Lexer(text, filename).run();
    return Parser(std::move(toks), filename, Mode::User, known).file();
}

std::vector<std::unique_ptr<TextProperty>> parse_catalog(const std::vector<CatalogFile>& files) {
    std::map<std::string, std::string> known;
    std::vector<std::unique_ptr<TextProperty>> out;
    for (const CatalogFile& f : files) {
        std::vector<Tok> toks = Lexer(f.text, f.path).run();
        for (auto& p : Parser(std::move(toks), f.path, Mode::Catalog, known).file()) out.push_back(std::move(p));
    }
    return out;
}

namespace {
std::string read_text(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_directory(path, ec)) throw ParseError(path + ":0:0: is a directory, not a property file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ParseError(path + ":0:0: cannot open the property file");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    if (text.find('\0') != std::string::npos) throw ParseError(path + ":0:0: not a text file (NUL byte)");
    return text;
}
}  // namespace

std::vector<std::unique_ptr<TextProperty>> read_catalog_text(const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw ParseError(dir + ":0:0: not a directory of property files");
    std::vector<std::string> paths;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".rcp") paths.push_back(e.path().string());
    if (paths.empty()) throw ParseError(dir + ":0:0: no .rcp file in the directory");
    std::sort(paths.begin(), paths.end());
    std::vector<std::string> texts;
    for (const auto& f : paths) texts.push_back(read_text(f));
    std::vector<CatalogFile> files;
    for (std::size_t i = 0; i < paths.size(); ++i) files.push_back({paths[i], texts[i]});
    return parse_catalog(files);
}

std::vector<std::string> use_catalog_text(const std::string& dir) {
    auto props = read_catalog_text(dir);
    clear_loaded();
    // Kept for the life of the program (the registry views them), apart
    // from the user properties that clear_loaded() forgets.
    static std::deque<std::unique_ptr<TextProperty>> catalog_texts;
    std::vector<Property> entries;
    std::vector<std::string> ids;
    for (auto& p : props) {
        ids.push_back(p->id);
        catalog_texts.push_back(std::move(p));
        entries.push_back(catalog_texts.back()->entry());
    }
    replace_catalog(std::move(entries));
    return ids;
}

std::vector<std::string> load_file(const std::string& path) {
    auto props = parse_text(read_text(path), path);
    std::vector<std::string> ids;
    for (auto& p : props) {
        ids.push_back(p->id);
        loaded().push_back(std::move(p));
        add_user(loaded().back()->entry());
    }
    return ids;
}

void clear_loaded() {
    clear_user();
    loaded().clear();
}

}  // namespace reapcheck::props::lang
