// Checkpoints (checker/engine/checkpoint.hpp, docs/checkpoint.md): the CRC,
// the files and their checks, Explorer::save/restore on a toy model, and a
// resumed `check` of the kernel model against an uninterrupted one.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "checker/engine/check.hpp"
#include "checker/engine/checkpoint.hpp"
#include "checker/explicit/explorer.hpp"
#include "tests/unit/grid_toy.hpp"

using namespace reapcheck;
using namespace reapcheck::engine;
namespace fs = std::filesystem;

namespace {

using toys::Grid;   // without wrap-around

struct NoVisitor {
    void on_level(uint32_t, uint32_t, uint32_t) {}
    void on_state(uint32_t, const Grid::State&) {}
    void on_edge(uint32_t, uint32_t, const Grid::State&, int, const Grid::Step&, bool) {}
    bool done() const { return false; }
};

struct TempDir {
    fs::path p;
    TempDir() {
        std::string t = (fs::temp_directory_path() / "reapcheck-ckpt-XXXXXX").string();
        p = ::mkdtemp(t.data());
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(p, ec);
    }
};

}  // namespace

TEST_CASE("crc32c: the check value of CRC-32C and incremental use") {
    const std::string s = "123456789";
    CHECK(ckpt::crc32c(0, s.data(), s.size()) == 0xe3069283u);
    CHECK(ckpt::crc32c(ckpt::crc32c(0, s.data(), 4), s.data() + 4, 5) == 0xe3069283u);
    CHECK(ckpt::crc32c(0, nullptr, 0) == 0);
    CHECK(!ckpt::build_id().empty());
}

TEST_CASE("explorer: a store saved at a level boundary and restored continues to the same ids and paths") {
    const Grid g{7};
    TempDir tmp;
    xplicit::Options o;
    o.threads = 2;
    o.record_edges = true;
    NoVisitor nv;
    xplicit::Explorer<Grid> full(g, o);
    const Stats fs_ = full.run(nv);
    REQUIRE(fs_.exhausted);
    REQUIRE(full.size() == 49);

    nlohmann::json listing;
    {
        xplicit::Explorer<Grid> first(g, o);
        first.run(nv, [&](const xplicit::Boundary& b, bool) {
            if (b.depth != 4) return;
            ckpt::FileSet files(tmp.p / "c");
            first.save(b, files);
            listing = files.listing();
        });
    }
    REQUIRE(listing.contains("roots.bin"));
    o.threads = 1;
    xplicit::Explorer<Grid> resumed(g, o);
    const ckpt::FileReader in(tmp.p / "c", listing);
    const xplicit::Boundary b = resumed.restore(in);
    CHECK(b.depth == 4);
    CHECK(resumed.size() == full.level_begin(5));
    const Stats rs = resumed.run(nv);
    CHECK(rs.exhausted);
    CHECK(rs.states == fs_.states);
    CHECK(rs.transitions == fs_.transitions);
    CHECK(rs.depth == fs_.depth);
    for (uint32_t id = 0; id < full.size(); ++id) {
        CHECK(resumed.state(id) == full.state(id));
        CHECK(resumed.path(id) == full.path(id));
    }
    CHECK(resumed.edges().size() == full.edges().size());

    // a flipped byte: the CRC says so
    {
        std::fstream f(tmp.p / "c" / "roots.bin", std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(3);
        f.put('\x5a');
    }
    xplicit::Explorer<Grid> broken(g, o);
    CHECK_THROWS_AS(broken.restore(in), ckpt::Error);
}

TEST_CASE("check: a resume from the last checkpoint settles what the uninterrupted run settles") {
    TempDir tmp;
    CheckOptions opts;
    opts.bounds.tasks = 3;
    opts.bounds.pidfds = 0;
    opts.bounds.exec = opts.bounds.kill = opts.bounds.autokill = opts.bounds.sigaction = false;
    opts.bounds.subreaper = opts.bounds.blocking = false;   // 2,150 states, exhaustive
    opts.threads = 2;
    const refimpl::Profile& p = *refimpl::find_profile("v5");
    const CheckResult want = check(p, opts);
    REQUIRE(want.stats.exhausted);

    opts.checkpoint.dir = (tmp.p / "ck").string();
    opts.checkpoint.every = 0;
    opts.checkpoint.quiet = true;
    const CheckResult written = check(p, opts);
    CHECK(written.stats.states == want.stats.states);
    const ckpt::Latest l = ckpt::open_latest(tmp.p / "ck");
    CHECK(l.manifest["level"].get<uint32_t>() == want.stats.depth);

    CheckOptions again = opts;
    again.checkpoint.dir.clear();
    again.checkpoint.resume = (tmp.p / "ck").string();
    again.threads = 1;
    const CheckResult got = check(p, again);
    CHECK(got.stats.states == want.stats.states);
    CHECK(got.stats.transitions == want.stats.transitions);
    CHECK(got.stats.depth == want.stats.depth);
    CHECK(got.stats.exhausted);
    REQUIRE(got.verdicts.size() == want.verdicts.size());
    for (std::size_t i = 0; i < got.verdicts.size(); ++i) {
        CHECK(got.verdicts[i].property == want.verdicts[i].property);
        CHECK(got.verdicts[i].kind == want.verdicts[i].kind);
        CHECK(got.verdicts[i].trace == want.verdicts[i].trace);
    }
    REQUIRE(got.coverage.actions.size() == want.coverage.actions.size());
    for (std::size_t i = 0; i < got.coverage.actions.size(); ++i)
        CHECK(got.coverage.actions[i].enabled == want.coverage.actions[i].enabled);

    again.bounds.tasks = 4;   // other bounds: refused
    CHECK_THROWS_AS(check(p, again), ckpt::Error);
    opts.checkpoint.quiet = true;   // a fresh run into a used directory: refused
    CHECK_THROWS_AS(check(p, opts), ckpt::Error);
}
