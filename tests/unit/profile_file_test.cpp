// Profile files (docs/profiles.md): the six built-in files give exactly the
// profiles refimpl/profile.cpp built in C++ before they became files (pinned
// below), and the parser accepts good files and reports every kind of error
// at its line and column.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "refimpl/profile_file.hpp"

using namespace reapcheck::refimpl;

namespace {

/// The six profiles as refimpl/profile.cpp built them in C++ (commit 07592c2),
/// copied here unchanged: the files must give these values.
std::vector<Profile> pinned_profiles() {
    std::vector<Profile> v;
    Profile p;
    p.name = "linux-6.18";
    v.push_back(p);

    p = Profile{};
    p.name = "rfc-v1";
    p.allowed_new = kBit34;
    p.has_autoreap = true;
    p.autoreap_requires_pidfd = true;
    p.autoreap_parent_zero_exit_signal = true;
    v.push_back(p);

    p = Profile{};
    p.name = "rfc-v3";
    p.autokill_bit = kBit35;
    p.nnp_bit = kBit36;
    p.allowed_new = kBit34 | kBit35;
    p.has_autoreap = true;
    p.autoreap_parent_zero_exit_signal = true;
    p.has_autokill = true;
    p.autokill_by_pointer = true;
    v.push_back(p);

    p = Profile{};
    p.name = "v4";
    p.autokill_bit = kBit35;
    p.nnp_bit = kBit36;
    p.allowed_new = kBit34 | kBit35;
    p.has_autoreap = true;
    p.autoreap_rejects_parent = true;
    p.has_autokill = true;
    p.autokill_sets_nnp = true;
    v.push_back(p);

    p = Profile{};
    p.name = "v5";
    p.autokill_bit = kBit35;
    p.nnp_bit = kBit36;
    p.allowed_new = kBit34 | kBit35 | kBit36;
    p.has_autoreap = true;
    p.autoreap_rejects_parent = true;
    p.has_autokill = true;
    p.autokill_needs_nnp_or_cap = true;
    p.has_nnp = true;
    v.push_back(p);

    p = Profile{};
    p.name = "mainline";
    p.autokill_bit = kBit36;
    p.nnp_bit = kBit35;
    p.allowed_new = kBit34 | kBit35 | kBit36;
    p.has_autoreap = true;
    p.autoreap_rejects_parent = true;
    p.parent_rejected_while_autoreap = true;
    p.has_autokill = true;
    p.autokill_needs_nnp_or_cap = true;
    p.has_nnp = true;
    v.push_back(p);
    return v;
}

/// Every field, one by one (so a failure names the switch).
void check_equal(const Profile& got, const Profile& want) {
    INFO("profile " << want.name);
    CHECK(got.name == want.name);
    CHECK(got.autoreap_bit == want.autoreap_bit);
    CHECK(got.nnp_bit == want.nnp_bit);
    CHECK(got.autokill_bit == want.autokill_bit);
    CHECK(got.allowed_new == want.allowed_new);
    CHECK(got.has_autoreap == want.has_autoreap);
    CHECK(got.autoreap_requires_pidfd == want.autoreap_requires_pidfd);
    CHECK(got.autoreap_rejects_parent == want.autoreap_rejects_parent);
    CHECK(got.autoreap_parent_zero_exit_signal == want.autoreap_parent_zero_exit_signal);
    CHECK(got.parent_rejected_while_autoreap == want.parent_rejected_while_autoreap);
    CHECK(got.has_autokill == want.has_autokill);
    CHECK(got.autokill_needs_nnp_or_cap == want.autokill_needs_nnp_or_cap);
    CHECK(got.autokill_sets_nnp == want.autokill_sets_nnp);
    CHECK(got.autokill_by_pointer == want.autokill_by_pointer);
    CHECK(got.has_nnp == want.has_nnp);
    CHECK(got.fault == want.fault);
    CHECK(same_switches(got, want));
}

Profile parse(const std::string& text) { return parse_profile_text(text, "t.profile", all_profiles()); }

/// The error message of parsing `text` ("" when it parses).
std::string error_of(const std::string& text) {
    try {
        (void)parse(text);
    } catch (const ProfileError& e) {
        return e.what();
    }
    return "";
}

/// A complete file without a base: mainline's switches.
const char* kFull =
    "name = full\n"
    "autoreap_bit = 34\n"
    "nnp_bit = 35\n"
    "autokill_bit = 36\n"
    "allowed_new = 34, 35, 36\n"
    "has_autoreap = true\n"
    "autoreap_requires_pidfd = false\n"
    "autoreap_rejects_parent = true\n"
    "autoreap_parent_zero_exit_signal = false\n"
    "parent_rejected_while_autoreap = true\n"
    "has_autokill = true\n"
    "autokill_needs_nnp_or_cap = true\n"
    "autokill_sets_nnp = false\n"
    "autokill_by_pointer = false\n"
    "has_nnp = true\n";

}  // namespace

TEST_CASE("profile files: the six built-in files give exactly the pinned C++ profiles, in patch order") {
    const auto want = pinned_profiles();
    REQUIRE(all_profiles().size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) check_equal(all_profiles()[i], want[i]);
    for (const auto& p : all_profiles()) {
        CHECK(p.source == "profiles/" + p.name + ".profile");
        CHECK(!p.description.empty());
    }
}

TEST_CASE("profile files: the embedded text is the repository's profiles/*.profile") {
    for (const auto& t : builtin_profile_texts()) {
        std::ifstream in(std::string(REAPCHECK_SOURCE_DIR) + "/" + t.path, std::ios::binary);
        REQUIRE(in);
        const std::string disk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        CHECK_MESSAGE(disk == t.text, t.path);
    }
}

TEST_CASE("profile files: format_profile parses back to the same switches") {
    for (const auto& p : all_profiles()) {
        const Profile q = parse_profile_text(format_profile(p), "x.profile", {});
        CHECK(same_switches(p, q));
        CHECK(q.name == p.name);
        CHECK(q.description == p.description);
    }
}

TEST_CASE("profile files: good files") {
    SUBCASE("every switch, no base; comments, blank lines, CRLF, tabs") {
        const Profile p = parse(std::string("# a comment\n\n") + kFull + "\tdescription = \"a \\\"quoted\\\" # text\"  # c\r\n");
        CHECK(p.name == "full");
        CHECK(p.description == "a \"quoted\" # text");
        CHECK(p.source == "t.profile");
        CHECK(same_switches(p, *find_profile("mainline")));
    }
    SUBCASE("base and a change") {
        const Profile p = parse("base = mainline\nautoreap_rejects_parent = false\n");
        CHECK(p.name == "t");   // from the file name
        CHECK(p.description == "mainline with changes");
        CHECK_FALSE(p.autoreap_rejects_parent);
        Profile want = *find_profile("mainline");
        want.autoreap_rejects_parent = false;
        CHECK(same_switches(p, want));
    }
    SUBCASE("base alone is the base") {
        CHECK(same_switches(parse("base = rfc-v3 # same\n"), *find_profile("rfc-v3")));
    }
    SUBCASE("bits in any order, none") {
        CHECK(parse("base = v5\nallowed_new = 36,34 , 35\n").allowed_new == (kBit34 | kBit35 | kBit36));
        const Profile p = parse(
            "base = mainline\nallowed_new = none\nhas_autoreap = false\nhas_autokill = false\nhas_nnp = false\n"
            "autoreap_rejects_parent = false\nparent_rejected_while_autoreap = false\nautokill_needs_nnp_or_cap = false\n");
        CHECK(p.allowed_new == 0);
        CHECK(same_switches(p, *find_profile("linux-6.18")));   // mainline's bits are 6.18's would-be bits
    }
}

TEST_CASE("profile files: every error kind, with its line and column") {
    // Syntax.
    CHECK(error_of("base = mainline\n  = true\n") == "t.profile:2:3: expected a switch name, found '='");
    CHECK(error_of("base = mainline\nhas_nnp true\n") == "t.profile:2:9: expected '=' after 'has_nnp', found 't'");
    CHECK(error_of("base = mainline\nhas_nnp\n") == "t.profile:2:8: expected '=' after 'has_nnp', found end of line");
    CHECK(error_of("base = mainline\nhas_nnp =   # nothing\n") ==
          "t.profile:2:13: expected a value for 'has_nnp' at end of line");
    CHECK(error_of("description = \"open\n") == "t.profile:1:15: the quoted text has no closing '\"'");
    CHECK(error_of("description = plain\n") == "t.profile:1:15: expected a quoted description (\"...\"), found 'plain'");
    CHECK(error_of("description = \"a\\nb\"\n") == "t.profile:1:17: unknown escape '\\n' (only \\\" and \\\\)");
    // Unknown or forbidden switches.
    CHECK(error_of("base = mainline\nhas_autoreep = true\n") ==
          "t.profile:2:1: unknown switch 'has_autoreep' (did you mean 'has_autoreap'?): refimpl has no such "
          "behaviour (switches: docs/profiles.md)");
    CHECK(error_of("base = mainline\nautoreap_with_thread = true\n").starts_with(
        "t.profile:2:1: unknown switch 'autoreap_with_thread'"));
    CHECK(error_of("base = mainline\n fault = none\n").starts_with("t.profile:2:2: 'fault' is not a profile switch"));
    CHECK(error_of("base = mainline\nhas_nnp = true\nhas_nnp = false\n") ==
          "t.profile:3:1: 'has_nnp' is set twice (first on line 2)");
    // Values out of range.
    CHECK(error_of("base = mainline\nhas_nnp = yes\n") == "t.profile:2:11: expected true or false for 'has_nnp', found 'yes'");
    CHECK(error_of("base = mainline\nautoreap_bit = 37\n") ==
          "t.profile:2:16: expected a bit number 34, 35 or 36 for 'autoreap_bit' (refimpl knows the new clone3 flags "
          "only there), found '37'");
    CHECK(error_of("base = mainline\nallowed_new = 34, 40\n").starts_with(
        "t.profile:2:19: expected a bit number 34, 35 or 36 for 'allowed_new'"));
    CHECK(error_of("base = mainline\nallowed_new = 34, 34\n") == "t.profile:2:19: bit 34 is listed twice in 'allowed_new'");
    CHECK(error_of("base = mainline\nallowed_new = 34 35\n") == "t.profile:2:18: expected ',' between bits, found '3'");
    CHECK(error_of("base = mainline\nallowed_new = 34,\n").starts_with("t.profile:2:18: expected a bit number"));
    CHECK(error_of("name = v 6\nbase = mainline\n").starts_with("t.profile:1:9: expected a profile name"));
    CHECK(error_of("base = v9\n") ==
          "t.profile:1:8: unknown base profile 'v9' (expected one of linux-6.18, rfc-v1, rfc-v3, v4, v5, mainline)");
    // Incomplete without a base.
    CHECK(error_of("name = x\nhas_nnp = false\n").starts_with(
        "t.profile:1:1: no 'base' and no value for autoreap_bit, nnp_bit, autokill_bit, allowed_new, has_autoreap"));
    // Combinations refimpl cannot run, at the latest line involved.
    CHECK(error_of("base = mainline\nautokill_bit = 35\n") ==
          "t.profile:2:1: nnp_bit and autokill_bit are both bit 35: each flag needs its own bit");
    CHECK(error_of("base = mainline\nallowed_new = 34, 35\n") ==
          "t.profile:2:1: has_autokill = true but allowed_new lacks autokill_bit 36: clone3_args_valid would refuse "
          "every CLONE_PIDFD_AUTOKILL, so the flag could never be used");
    CHECK(error_of("base = rfc-v1\nallowed_new = 34, 35\n") ==
          "t.profile:2:1: allowed_new lets bit 35 (nnp_bit) through clone3_args_valid but has_nnp = false: refimpl "
          "has no CLONE_NNP that is accepted and then ignored");
    CHECK(error_of("base = linux-6.18\nautoreap_requires_pidfd = true\n") ==
          "t.profile:2:1: autoreap_requires_pidfd = true needs has_autoreap = true (a CLONE_AUTOREAP check; without "
          "it the switch would change nothing)");
    CHECK(error_of("base = rfc-v1\nautokill_sets_nnp = true\n").starts_with(
        "t.profile:2:1: autokill_sets_nnp = true needs has_autokill = true"));
    CHECK(error_of("base = mainline\nhas_autoreap = false\nallowed_new = 35, 36\n") ==
          "t.profile:2:1: autoreap_rejects_parent = true needs has_autoreap = true (a CLONE_AUTOREAP check; without "
          "it the switch would change nothing)");
    CHECK(error_of("base = v4\nautoreap_parent_zero_exit_signal = true\n") ==
          "t.profile:2:1: autoreap_rejects_parent and autoreap_parent_zero_exit_signal contradict each other: a "
          "CLONE_AUTOREAP|CLONE_PARENT child that is refused gets no exit_signal");
    // Not text.
    CHECK(error_of(std::string("base = mainline\n\0", 17)) == "t.profile:0:0: not a text file (NUL byte)");
}

TEST_CASE("profile files: files on disk, and adding one by name") {
    const auto dir = std::filesystem::temp_directory_path() / "reapcheck_profile_test";
    std::filesystem::create_directories(dir);
    const std::string good = (dir / "pt-v6.profile").string();
    std::ofstream(good) << "base = mainline\nautoreap_rejects_parent = false\n";
    const Profile& p = load_profile_file(good);
    CHECK(p.name == "pt-v6");
    CHECK(find_profile("pt-v6") == &p);
    CHECK(&load_profile_file(good) == &p);   // again: the same one
    // Known by name now, but not a built-in.
    CHECK(all_profiles().size() == 6);
    CHECK(known_profiles().back() == &p);
    // The same name with other switches.
    const std::string other = (dir / "other.profile").string();
    std::ofstream(other) << "# x\nname = pt-v6\nbase = v5\n";
    try {
        (void)load_profile_file(other);
        FAIL("no error");
    } catch (const ProfileError& e) {
        CHECK(std::string(e.what()) == other + ":2:1: profile 'pt-v6' is already loaded from " + good +
                                           " with other switches; give this one its own name");
    }
    const std::string clash = (dir / "mainline.profile").string();
    std::ofstream(clash) << "base = mainline\nhas_nnp = false\nallowed_new = 34, 36\n";
    try {
        (void)load_profile_file(clash);
        FAIL("no error");
    } catch (const ProfileError& e) {
        CHECK(std::string(e.what()).starts_with(clash + ":1:1: 'mainline' is a built-in profile's name"));
    }
    try {
        (void)parse_profile_file((dir / "missing.profile").string(), all_profiles());
        FAIL("no error");
    } catch (const ProfileError& e) {
        CHECK(std::string(e.what()) == (dir / "missing.profile").string() + ":0:0: no such file");
    }
    std::filesystem::remove_all(dir);
    forget_added_profiles();   // the other tests see the six built-in profiles only
    CHECK(find_profile("pt-v6") == nullptr);
    CHECK(known_profiles().size() == 6);
}

TEST_CASE("profile files: every truncation and one-byte change of a built-in file parses or is a ProfileError") {
    // The parser never throws anything else, never crashes (the ASan build),
    // and a change it accepts still gives a profile refimpl can run.
    const std::string text = builtin_profile_texts().back().text;   // mainline
    size_t accepted = 0, refused = 0;
    const auto run = [&](const std::string& t) {
        try {
            const Profile p = parse(t);
            CHECK(find_contradiction(p).message.empty());
            ++accepted;
        } catch (const ProfileError& e) {
            CHECK(std::string(e.what()).starts_with("t.profile:"));
            ++refused;
        }
    };
    for (size_t i = 0; i <= text.size(); ++i) run(text.substr(0, i));
    for (size_t i = 0; i < text.size(); ++i)
        for (const char c : {'=', '"', '#', '\n', 'x', ' ', '\\', ',', '5', '\0'}) {
            std::string t = text;
            t[i] = c;
            run(t);
        }
    CHECK(accepted > 0);
    CHECK(refused > 0);
}
