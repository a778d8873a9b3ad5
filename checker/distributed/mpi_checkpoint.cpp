#include "checker/distributed/mpi_checkpoint.hpp"

#include "checker/distributed/collective.hpp"

// The C API only, as mpi_check.cpp.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <vector>

#include <fmt/format.h>

namespace reapcheck::dist {

namespace ckpt = engine::ckpt;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// The first non-empty string of any rank (rank order), on every rank.
std::string first_error(const std::string& mine, int me, int ranks) {
    std::string first;
    for (const std::string& e : gather_strings(mine, me, ranks))
        if (first.empty() && !e.empty()) first = e;
    int n = int(first.size());
    MPI_Bcast(&n, 1, MPI_INT, 0, MPI_COMM_WORLD);
    first.resize(std::size_t(n));
    MPI_Bcast(first.data(), n, MPI_CHAR, 0, MPI_COMM_WORLD);
    return first;
}

std::string rank_dir(int r) { return fmt::format("rank-{}", r); }

}  // namespace

bool checkpoint_due(const ckpt::Session& s, uint32_t level, bool final, int me) {
    int due = me == 0 && s.due(level, final) ? 1 : 0;
    MPI_Bcast(&due, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return due != 0;
}

void write_checkpoint(ckpt::Session& s, uint32_t level, int me, int ranks,
                      const std::function<void(ckpt::FileSet&, json&)>& fill) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::string name = ckpt::name_of(level);
    const fs::path tmp = s.dir() / (name + ".tmp");
    std::string error;
    if (me == 0) {   // a leftover of an interrupted write goes first
        std::error_code ec;
        fs::remove_all(tmp, ec);
        fs::create_directories(tmp, ec);
        if (ec) error = tmp.string() + ": cannot create (" + ec.message() + ")";
    }
    error = first_error(error, me, ranks);
    json mine;
    if (error.empty()) {
        try {
            ckpt::FileSet files(tmp / rank_dir(me));
            json figures;
            fill(files, figures);
            ckpt::sync_dir(files.dir());
            mine = {{"files", files.listing()}, {"bytes", files.bytes()}, {"figures", figures}};
        } catch (const std::exception& e) {
            error = fmt::format("rank {}: {}", me, e.what());
        }
        error = first_error(error, me, ranks);
    }
    // Every rank's part is synced: rank 0 commits.
    const std::vector<std::string> parts = gather_strings(mine.dump(), me, ranks);
    if (me == 0 && error.empty()) {
        try {
            json m;
            m["format"] = 1;
            m["fingerprint"] = s.fingerprint();
            m["level"] = level;
            m["ranks"] = ranks;
            uint64_t bytes = 0;
            for (const std::string& p : parts) {
                json part = json::parse(p);
                bytes += part["bytes"].get<uint64_t>();
                m["rank_files"].push_back(part["files"]);
                m["rank_figures"].push_back(part["figures"]);
            }
            m["bytes"] = bytes;
            const json& f0 = m["rank_figures"][0];
            for (const char* k : {"states", "transitions", "seconds"})
                if (f0.contains(k)) m[k] = f0[k];
            ckpt::commit(s.dir(), name, m);
            if (!s.quiet())
                std::fprintf(stderr, "%s\n",
                             fmt::format("checkpoint: {} ({} ranks, {} states, {} bytes, {:.2f} s)",
                                         (s.dir() / name).string(), ranks, m.value("states", uint64_t{0}), bytes,
                                         std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count())
                                 .c_str());
        } catch (const std::exception& e) {
            error = e.what();
        }
    }
    if (me == 0 && !error.empty())
        std::fprintf(stderr, "reapcheck: checkpoint %s not written: %s (the previous one stays)\n",
                     (s.dir() / name).c_str(), error.c_str());
    s.written(level);
}

std::string resume_checkpoint(ckpt::Session& s, int me, int ranks,
                              const std::function<void(const ckpt::FileReader&, const json&)>& load) {
    std::string error;
    try {
        const ckpt::Latest l = s.open();   // the fingerprint has "ranks"
        const json& files = l.manifest.at("rank_files").at(std::size_t(me));
        load(ckpt::FileReader(l.path / rank_dir(me), files), l.manifest);
        s.written(l.manifest.at("level").get<uint32_t>());
    } catch (const ckpt::Error& e) {
        error = e.what();
    } catch (const std::exception& e) {
        error = fmt::format("--resume {}: rank {}: {}", s.dir().string(), me, e.what());
    }
    return first_error(error, me, ranks);
}

}  // namespace reapcheck::dist
