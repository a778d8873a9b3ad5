// A hand-written line parser for profile files (docs/profiles.md): one
// `key = value` per line, `#` comments, exact columns in every error.
#include "refimpl/profile_file.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

namespace reapcheck::refimpl {

namespace {

using Kind = ProfileSwitch::Kind;

constexpr uint64_t kNewBits = kBit34 | kBit35 | kBit36;

}  // namespace

const std::vector<ProfileSwitch>& profile_switches() {
    static const std::vector<ProfileSwitch> v = {
        {"autoreap_bit", Kind::Bit, &Profile::autoreap_bit, nullptr,
         "include/uapi/linux/sched.h; clone3_args_valid (kernel/fork.c)",
         "bit of CLONE_AUTOREAP (34..36); for a profile without the flag, the bit a caller would pass"},
        {"nnp_bit", Kind::Bit, &Profile::nnp_bit, nullptr,
         "include/uapi/linux/sched.h; clone3_args_valid (kernel/fork.c)",
         "bit of CLONE_NNP (34..36); for a profile without the flag, the bit a caller would pass"},
        {"autokill_bit", Kind::Bit, &Profile::autokill_bit, nullptr,
         "include/uapi/linux/sched.h; clone3_args_valid (kernel/fork.c)",
         "bit of CLONE_PIDFD_AUTOKILL (34..36); for a profile without the flag, the bit a caller would pass"},
        {"allowed_new", Kind::BitSet, &Profile::allowed_new, nullptr, "clone3_args_valid (kernel/fork.c)",
         "the bits of 34..36 clone3 accepts; any other of them is EINVAL"},
        {"has_autoreap", Kind::Bool, nullptr, &Profile::has_autoreap,
         "copy_process (kernel/fork.c), do_notify_parent (kernel/signal.c), __ptrace_detach (kernel/ptrace.c)",
         "CLONE_AUTOREAP exists: signal->autoreap is set, and an untraced autoreap child reaps itself silently"},
        {"autoreap_requires_pidfd", Kind::Bool, nullptr, &Profile::autoreap_requires_pidfd,
         "copy_process (kernel/fork.c)", "CLONE_AUTOREAP without CLONE_PIDFD is EINVAL"},
        {"autoreap_rejects_parent", Kind::Bool, nullptr, &Profile::autoreap_rejects_parent,
         "copy_process (kernel/fork.c)", "CLONE_AUTOREAP with CLONE_PARENT is EINVAL"},
        {"autoreap_parent_zero_exit_signal", Kind::Bool, nullptr, &Profile::autoreap_parent_zero_exit_signal,
         "copy_process (kernel/fork.c)", "a CLONE_AUTOREAP|CLONE_PARENT child gets exit_signal 0 (not the caller's leader's)"},
        {"parent_rejected_while_autoreap", Kind::Bool, nullptr, &Profile::parent_rejected_while_autoreap,
         "copy_process (kernel/fork.c)", "CLONE_PARENT from a process whose signal->autoreap is set is EINVAL"},
        {"has_autokill", Kind::Bool, nullptr, &Profile::has_autokill,
         "copy_process (kernel/fork.c), pidfs_file_release (fs/pidfs.c)",
         "CLONE_PIDFD_AUTOKILL exists (needs CLONE_PIDFD and CLONE_AUTOREAP, not CLONE_THREAD); the last close of its pidfd SIGKILLs the child"},
        {"autokill_needs_nnp_or_cap", Kind::Bool, nullptr, &Profile::autokill_needs_nnp_or_cap,
         "copy_process (kernel/fork.c)", "CLONE_PIDFD_AUTOKILL without CLONE_NNP and without CAP_SYS_ADMIN is EPERM"},
        {"autokill_sets_nnp", Kind::Bool, nullptr, &Profile::autokill_sets_nnp, "copy_process (kernel/fork.c)",
         "CLONE_PIDFD_AUTOKILL sets the child's no_new_privs"},
        {"autokill_by_pointer", Kind::Bool, nullptr, &Profile::autokill_by_pointer,
         "copy_process (kernel/fork.c), pidfs_file_release (fs/pidfs.c)",
         "the AUTOKILL file is known by signal->autokill_pidfd (else by the PIDFD_AUTOKILL f_flag of the file)"},
        {"has_nnp", Kind::Bool, nullptr, &Profile::has_nnp, "copy_process (kernel/fork.c)",
         "CLONE_NNP exists: with CLONE_THREAD it is EINVAL, else it sets the child's no_new_privs"},
    };
    return v;
}

bool same_switches(const Profile& a, const Profile& b) {
    for (const auto& s : profile_switches())
        if (s.kind == Kind::Bool ? a.*s.flag != b.*s.flag : a.*s.bits != b.*s.bits) return false;
    return a.fault == b.fault;
}

std::string format_bits(uint64_t bits) {
    std::string s;
    for (int b = 0; b < 64; ++b)
        if (bits & (1ULL << b)) s += (s.empty() ? "" : ", ") + std::to_string(b);
    return s.empty() ? "none" : s;
}

namespace {

int bit_number(uint64_t bit) {
    for (int b = 0; b < 64; ++b)
        if (bit == (1ULL << b)) return b;
    return -1;
}

}  // namespace

Contradiction find_contradiction(const Profile& p) {
    const struct {
        const char* name;
        const char* bit_key;
        const char* has_key;
        uint64_t bit;
        bool has;
    } flags[] = {
        {"CLONE_AUTOREAP", "autoreap_bit", "has_autoreap", p.autoreap_bit, p.has_autoreap},
        {"CLONE_NNP", "nnp_bit", "has_nnp", p.nnp_bit, p.has_nnp},
        {"CLONE_PIDFD_AUTOKILL", "autokill_bit", "has_autokill", p.autokill_bit, p.has_autokill},
    };
    for (const auto& f : flags)
        if (!(f.bit & kNewBits) || bit_number(f.bit) < 0)
            return {std::string(f.bit_key) + " is not one of the bits 34, 35, 36 (refimpl knows the new flags only there)",
                    {f.bit_key}};
    if (p.allowed_new & ~kNewBits)
        return {"allowed_new holds a bit outside 34..36 (bit 37 and above are never allowed)", {"allowed_new"}};
    for (size_t i = 0; i < 3; ++i)
        for (size_t j = i + 1; j < 3; ++j)
            if (flags[i].bit == flags[j].bit)
                return {std::string(flags[i].bit_key) + " and " + flags[j].bit_key + " are both bit " +
                            std::to_string(bit_number(flags[i].bit)) + ": each flag needs its own bit",
                        {flags[i].bit_key, flags[j].bit_key}};
    for (const auto& f : flags) {
        const bool allowed = p.allowed_new & f.bit;
        const std::string bit = std::to_string(bit_number(f.bit));
        if (f.has && !allowed)
            return {std::string(f.has_key) + " = true but allowed_new lacks " + f.bit_key + " " + bit +
                        ": clone3_args_valid would refuse every " + f.name + ", so the flag could never be used",
                    {f.has_key, "allowed_new", f.bit_key}};
        if (!f.has && allowed)
            return {"allowed_new lets bit " + bit + " (" + f.bit_key + ") through clone3_args_valid but " + f.has_key +
                        " = false: refimpl has no " + f.name + " that is accepted and then ignored",
                    {"allowed_new", f.has_key, f.bit_key}};
    }
    const struct {
        const char* key;
        bool on;
        const char* needs_key;
        bool needs;
        const char* why;
    } needs[] = {
        {"autoreap_requires_pidfd", p.autoreap_requires_pidfd, "has_autoreap", p.has_autoreap, "a CLONE_AUTOREAP check"},
        {"autoreap_rejects_parent", p.autoreap_rejects_parent, "has_autoreap", p.has_autoreap, "a CLONE_AUTOREAP check"},
        {"autoreap_parent_zero_exit_signal", p.autoreap_parent_zero_exit_signal, "has_autoreap", p.has_autoreap,
         "a CLONE_AUTOREAP behaviour"},
        {"parent_rejected_while_autoreap", p.parent_rejected_while_autoreap, "has_autoreap", p.has_autoreap,
         "about signal->autoreap, which only CLONE_AUTOREAP sets"},
        {"has_autokill", p.has_autokill, "has_autoreap", p.has_autoreap,
         "copy_process refuses CLONE_PIDFD_AUTOKILL without CLONE_AUTOREAP"},
        {"autokill_needs_nnp_or_cap", p.autokill_needs_nnp_or_cap, "has_autokill", p.has_autokill,
         "a CLONE_PIDFD_AUTOKILL check"},
        {"autokill_sets_nnp", p.autokill_sets_nnp, "has_autokill", p.has_autokill, "a CLONE_PIDFD_AUTOKILL behaviour"},
        {"autokill_by_pointer", p.autokill_by_pointer, "has_autokill", p.has_autokill,
         "a CLONE_PIDFD_AUTOKILL behaviour"},
    };
    for (const auto& n : needs)
        if (n.on && !n.needs)
            return {std::string(n.key) + " = true needs " + n.needs_key + " = true (" + n.why +
                        "; without it the switch would change nothing)",
                    {n.key, n.needs_key}};
    if (p.autoreap_rejects_parent && p.autoreap_parent_zero_exit_signal)
        return {"autoreap_rejects_parent and autoreap_parent_zero_exit_signal contradict each other: a "
                "CLONE_AUTOREAP|CLONE_PARENT child that is refused gets no exit_signal",
                {"autoreap_rejects_parent", "autoreap_parent_zero_exit_signal"}};
    return {};
}

namespace {

struct Setting {
    int line = 0;
    int col = 0;   ///< of the key
};

class Parser {
public:
    Parser(std::string_view text, const std::string& file, const std::vector<Profile>& bases)
        : text_(text), file_(file), bases_(bases) {}

    Profile run() {
        int line = 0;
        size_t pos = 0;
        while (pos <= text_.size()) {
            size_t nl = text_.find('\n', pos);
            if (nl == std::string_view::npos) nl = text_.size();
            std::string_view l = text_.substr(pos, nl - pos);
            if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
            ++line;
            parse_line(l, line);
            pos = nl + 1;
        }
        return finish();
    }

private:
    [[noreturn]] void fail(int line, int col, const std::string& msg) const {
        throw ProfileError(file_, line, col, msg);
    }

    static bool key_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }
    static bool name_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
               c == '.';
    }

    /// The value's text: up to a `#` outside quotes, trailing blanks cut.
    void parse_line(std::string_view l, int line) {
        size_t i = 0;
        auto skip_ws = [&] {
            while (i < l.size() && (l[i] == ' ' || l[i] == '\t')) ++i;
        };
        auto col = [](size_t k) { return int(k) + 1; };
        skip_ws();
        if (i == l.size() || l[i] == '#') return;
        const size_t kstart = i;
        while (i < l.size() && key_char(l[i])) ++i;
        if (i == kstart)
            fail(line, col(i), "expected a switch name, found '" + std::string(l.substr(i, 1)) + "'");
        const std::string key(l.substr(kstart, i - kstart));
        skip_ws();
        if (i == l.size() || l[i] != '=')
            fail(line, col(i), "expected '=' after '" + key + "', found " +
                                   (i == l.size() ? std::string("end of line") : "'" + std::string(l.substr(i, 1)) + "'"));
        ++i;
        skip_ws();
        // Value: to a comment or the end of the line (a quoted string may hold '#').
        const size_t vstart = i;
        size_t vend = i;
        bool quoted = false;
        for (size_t k = i; k < l.size(); ++k) {
            if (l[k] == '"' && (k == vstart || quoted)) {
                if (quoted) {
                    vend = k + 1;
                    quoted = false;
                    continue;
                }
                quoted = true;
            } else if (quoted && l[k] == '\\' && k + 1 < l.size()) {
                ++k;
            } else if (!quoted && l[k] == '#') {
                break;
            }
            if (l[k] != ' ' && l[k] != '\t') vend = k + 1;
        }
        if (quoted) fail(line, col(vstart), "the quoted text has no closing '\"'");
        const std::string_view value = l.substr(vstart, vend - vstart);
        if (value.empty()) fail(line, col(vstart), "expected a value for '" + key + "' at end of line");
        set(key, value, line, col(kstart), col(vstart));
    }

    const ProfileSwitch* find_switch(const std::string& key) const {
        for (const auto& s : profile_switches())
            if (key == s.key) return &s;
        return nullptr;
    }

    static size_t distance(const std::string& a, const std::string& b) {
        std::vector<size_t> d(b.size() + 1);
        for (size_t j = 0; j <= b.size(); ++j) d[j] = j;
        for (size_t i = 1; i <= a.size(); ++i) {
            size_t prev = d[0];
            d[0] = i;
            for (size_t j = 1; j <= b.size(); ++j) {
                const size_t cur = d[j];
                d[j] = std::min({d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1)});
                prev = cur;
            }
        }
        return d[b.size()];
    }

    [[noreturn]] void unknown_key(const std::string& key, int line, int col) const {
        if (key == "fault")
            fail(line, col, "'fault' is not a profile switch: the semantic mutants are chosen with `reapcheck mutate "
                            "--mutant ID`, never by a profile");
        std::string best;
        size_t best_d = 4;
        std::vector<std::string> keys = {"name", "description", "base"};
        for (const auto& s : profile_switches()) keys.emplace_back(s.key);
        for (const auto& k : keys)
            if (const size_t d = distance(key, k); d < best_d) best_d = d, best = k;
        fail(line, col, "unknown switch '" + key + "'" + (best.empty() ? "" : " (did you mean '" + best + "'?)") +
                            ": refimpl has no such behaviour (switches: docs/profiles.md)");
    }

    void set(const std::string& key, std::string_view v, int line, int kcol, int vcol) {
        if (auto it = seen_.find(key); it != seen_.end())
            fail(line, kcol, "'" + key + "' is set twice (first on line " + std::to_string(it->second.line) + ")");
        const std::string value(v);
        if (key == "name") {
            check_name(value, line, vcol, "a profile name");
            name_ = value;
        } else if (key == "base") {
            check_name(value, line, vcol, "a built-in profile's name");
            const auto it = std::find_if(bases_.begin(), bases_.end(), [&](const Profile& p) { return p.name == value; });
            if (it == bases_.end()) {
                std::string names;
                for (const auto& p : bases_) names += (names.empty() ? "" : ", ") + p.name;
                fail(line, vcol, "unknown base profile '" + value + "' (expected one of " +
                                     (names.empty() ? std::string("none: built-in files have no base") : names) + ")");
            }
            base_ = &*it;
        } else if (key == "description") {
            description_ = unquote(v, line, vcol);
        } else if (const ProfileSwitch* s = find_switch(key)) {
            switch (s->kind) {
            case Kind::Bool:
                if (value == "true") p_.*s->flag = true;
                else if (value == "false") p_.*s->flag = false;
                else fail(line, vcol, "expected true or false for '" + key + "', found '" + value + "'");
                break;
            case Kind::Bit:
                p_.*s->bits = bit(value, line, vcol, key);
                break;
            case Kind::BitSet:
                p_.*s->bits = bit_set(v, line, vcol, key);
                break;
            }
        } else {
            unknown_key(key, line, kcol);
        }
        seen_[key] = Setting{line, kcol};
    }

    void check_name(const std::string& v, int line, int col, const char* what) const {
        for (size_t k = 0; k < v.size(); ++k)
            if (!name_char(v[k]))
                fail(line, col + int(k), std::string("expected ") + what + " (letters, digits, '-', '_', '.'), found '" + v + "'");
        if (v.size() > 64) fail(line, col, std::string(what) + " longer than 64 characters");
    }

    std::string unquote(std::string_view v, int line, int col) const {
        if (v.size() < 2 || v.front() != '"' || v.back() != '"')
            fail(line, col, "expected a quoted description (\"...\"), found '" + std::string(v) + "'");
        std::string out;
        for (size_t k = 1; k + 1 < v.size(); ++k) {
            if (v[k] == '\\') {
                ++k;
                if (v[k] != '"' && v[k] != '\\')
                    fail(line, col + int(k) - 1, "unknown escape '\\" + std::string(1, v[k]) + "' (only \\\" and \\\\)");
            } else if (v[k] == '"') {
                fail(line, col + int(k), "text after the closing '\"'");
            }
            out += v[k];
        }
        return out;
    }

    uint64_t bit(const std::string& v, int line, int col, const std::string& key) const {
        if (v == "34") return kBit34;
        if (v == "35") return kBit35;
        if (v == "36") return kBit36;
        fail(line, col, "expected a bit number 34, 35 or 36 for '" + key +
                            "' (refimpl knows the new clone3 flags only there), found '" + v + "'");
    }

    uint64_t bit_set(std::string_view v, int line, int col, const std::string& key) const {
        if (v == "none") return 0;
        uint64_t bits = 0;
        size_t i = 0;
        while (true) {
            while (i < v.size() && v[i] == ' ') ++i;
            size_t e = i;
            while (e < v.size() && v[e] != ',' && v[e] != ' ') ++e;
            const std::string tok(v.substr(i, e - i));
            if (tok.empty())
                fail(line, col + int(i), "expected a bit number 34, 35 or 36 in '" + key + "' (or none), found " +
                                             (i < v.size() ? "','" : std::string("end of line")));
            const uint64_t b = bit(tok, line, col + int(i), key);
            if (bits & b) fail(line, col + int(i), "bit " + tok + " is listed twice in '" + key + "'");
            bits |= b;
            i = e;
            while (i < v.size() && v[i] == ' ') ++i;
            if (i == v.size()) break;
            if (v[i] != ',') fail(line, col + int(i), "expected ',' between bits, found '" + std::string(v.substr(i, 1)) + "'");
            ++i;
        }
        return bits;
    }

    Profile finish() {
        // Start from the base (or nothing), then the file's switches on top.
        Profile out = base_ ? *base_ : Profile{};
        std::string missing;
        for (const auto& s : profile_switches()) {
            if (!seen_.count(s.key)) {
                if (!base_) missing += (missing.empty() ? "" : ", ") + std::string(s.key);
                continue;
            }
            if (s.kind == Kind::Bool) out.*s.flag = p_.*s.flag;
            else out.*s.bits = p_.*s.bits;
        }
        if (!missing.empty())
            fail(1, 1, "no 'base' and no value for " + missing +
                           " (a profile without a base gives every switch; docs/profiles.md)");
        if (!name_.empty()) {
            out.name = name_;
        } else {
            std::string stem = std::filesystem::path(file_).filename().string();
            if (stem.size() > 8 && stem.ends_with(".profile")) stem.resize(stem.size() - 8);
            const bool ok = !stem.empty() && stem.size() <= 64 && std::all_of(stem.begin(), stem.end(), name_char);
            if (!ok) fail(1, 1, "the file name gives no profile name ('" + stem + "'); give one with 'name = ...'");
            out.name = stem;
        }
        out.description = description_.empty() && base_ ? base_->name + " with changes" : description_;
        out.source = file_;
        out.base = base_ ? base_->name : std::string();
        out.fault = Fault::None;
        const Contradiction c = find_contradiction(out);
        if (!c.message.empty()) {
            // At the latest line that set one of the switches involved.
            Setting at{1, 1};
            for (const char* k : c.keys)
                if (auto it = seen_.find(k); it != seen_.end() && it->second.line >= at.line) at = it->second;
            if (at.line == 1 && at.col == 1 && seen_.count("base")) at = seen_["base"];
            fail(at.line, at.col, c.message);
        }
        return out;
    }

    std::string_view text_;
    const std::string& file_;
    const std::vector<Profile>& bases_;
    Profile p_;
    const Profile* base_ = nullptr;
    std::string name_, description_;
    std::map<std::string, Setting> seen_;
};

}  // namespace

Profile parse_profile_text(std::string_view text, const std::string& filename, const std::vector<Profile>& bases) {
    if (text.find('\0') != std::string_view::npos) throw ProfileError(filename, 0, 0, "not a text file (NUL byte)");
    return Parser(text, filename, bases).run();
}

Profile parse_profile_file(const std::string& path, const std::vector<Profile>& bases) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw ProfileError(path, 0, 0, "no such file");
    if (std::filesystem::is_directory(path, ec)) throw ProfileError(path, 0, 0, "is a directory, not a profile file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ProfileError(path, 0, 0, "cannot open the file");
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_profile_text(ss.str(), path, bases);
}

const Profile& load_profile_file(const std::string& path) {
    Profile p = parse_profile_file(path, all_profiles());
    const std::string name = p.name;
    try {
        return add_profile(std::move(p));
    } catch (const std::invalid_argument& e) {
        // At the `name` line when the file has one, else at its start.
        std::ifstream in(path);
        std::string l;
        for (int line = 1; std::getline(in, l); ++line) {
            const size_t k = l.find_first_not_of(" \t");
            const size_t eq = k == std::string::npos ? k : l.find_first_not_of(" \t", k + 4);
            if (k != std::string::npos && l.compare(k, 4, "name") == 0 && eq != std::string::npos && l[eq] == '=')
                throw ProfileError(path, line, int(k) + 1, e.what());
        }
        throw ProfileError(path, 1, 1, std::string(e.what()) + " (the name comes from the file name '" + name +
                                           ".profile'; give another with 'name = ...')");
    }
}

std::string format_profile(const Profile& p) {
    std::string s = "name = " + p.name + "\n";
    if (!p.description.empty()) {
        std::string d;
        for (char c : p.description) {
            if (c == '"' || c == '\\') d += '\\';
            d += c;
        }
        s += "description = \"" + d + "\"\n";
    }
    size_t width = 0;
    for (const auto& sw : profile_switches()) width = std::max(width, std::string(sw.key).size());
    for (const auto& sw : profile_switches()) {
        std::string v;
        switch (sw.kind) {
        case Kind::Bool: v = p.*sw.flag ? "true" : "false"; break;
        case Kind::Bit: v = std::to_string(bit_number(p.*sw.bits)); break;
        case Kind::BitSet: v = format_bits(p.*sw.bits); break;
        }
        s += std::string(sw.key) + std::string(width - std::string(sw.key).size(), ' ') + " = " + v + "\n";
    }
    return s;
}

}  // namespace reapcheck::refimpl
