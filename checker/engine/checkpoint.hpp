// Checkpoints of the explicit engines (`check --checkpoint DIR`, `--resume
// DIR`; docs/checkpoint.md): the files, their CRCs, the commit protocol and
// the fingerprint that a resume must match. The store's and the visitor's
// contents are written by their owners (Explorer::save in
// checker/explicit/explorer.hpp, save_visitor here); this file only moves
// bytes, so the single-process and the MPI engine share it.
//
// A checkpoint is the directory DIR/ckpt-NNNNNN (NNNNNN: the BFS level the
// run continues with), written as DIR/ckpt-NNNNNN.tmp, each file and the
// directory fsync()ed, then renamed; LATEST (one line: the name and the
// manifest's CRC-32C) is replaced by rename() of LATEST.tmp; only then are
// older checkpoints removed. A crash at any moment leaves LATEST naming a
// complete checkpoint.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "checker/engine/check.hpp"

namespace reapcheck::engine {
struct CheckVisitor;
}

namespace reapcheck::engine::ckpt {

/// A checkpoint that cannot be used (missing, corrupted, another run's):
/// the command prints it as one line and exits 2.
struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// CRC-32C (Castagnoli), continued from `crc` (0 to start).
uint32_t crc32c(uint32_t crc, const void* data, std::size_t n);
/// The GNU build id of the running executable (hex), or, without one, the
/// CRC-32C and size of /proc/self/exe.
const std::string& build_id();

/// Files written into one directory, each with its length and CRC-32C, each
/// fsync()ed when closed. Sink for Explorer::save and save_visitor.
class FileSet {
public:
    explicit FileSet(std::filesystem::path dir);   ///< creates it
    ~FileSet();
    FileSet(const FileSet&) = delete;
    FileSet& operator=(const FileSet&) = delete;
    void open(const std::string& name);
    void write(const void* data, std::size_t n);
    void close();
    /// {"name": {"bytes": n, "crc32c": "xxxxxxxx"}, ...}
    [[nodiscard]] const nlohmann::json& listing() const { return listing_; }
    [[nodiscard]] uint64_t bytes() const { return total_; }
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

private:
    void flush();
    std::filesystem::path dir_;
    int fd_ = -1;
    std::string name_;
    std::vector<char> buf_;
    uint32_t crc_ = 0;
    uint64_t len_ = 0, total_ = 0;
    nlohmann::json listing_ = nlohmann::json::object();
};

/// The files of a checkpoint (or of one rank's part), read and checked
/// against a listing of FileSet.
class FileReader {
public:
    FileReader(std::filesystem::path dir, nlohmann::json listing) : dir_(std::move(dir)), listing_(std::move(listing)) {}
    /// The whole file, its length and CRC checked (Error otherwise).
    [[nodiscard]] std::vector<char> read(const std::string& name) const;
    [[nodiscard]] bool has(const std::string& name) const { return listing_.contains(name); }

private:
    std::filesystem::path dir_;
    nlohmann::json listing_;
};

/// "ckpt-000012"
std::string name_of(uint32_t level);
/// Syncs a directory's entries to disk.
void sync_dir(const std::filesystem::path& dir);
/// Makes DIR/<name>.tmp the checkpoint <name>: writes manifest.json into it,
/// syncs, renames, replaces LATEST, removes older checkpoints and leftovers.
void commit(const std::filesystem::path& dir, const std::string& name, const nlohmann::json& manifest);

/// The last complete checkpoint of DIR: its directory and manifest (LATEST
/// and the manifest's CRC checked).
struct Latest {
    std::filesystem::path path;
    nlohmann::json manifest;
};
Latest open_latest(const std::filesystem::path& dir);
/// Refuses (Error) when any field of `want` differs from the manifest's
/// fingerprint, naming the first.
void check_fingerprint(const std::filesystem::path& dir, const nlohmann::json& manifest, const nlohmann::json& want);

/// What must be equal for a resume: the build, the command, the profile
/// (every switch), the bounds, symmetry, partial-order reduction, liveness,
/// the checked properties and their texts (the catalog's and the user's).
nlohmann::json fingerprint(const refimpl::Profile& profile, const CheckOptions& opts,
                           const std::vector<const props::Property*>& props);

/// The visitor's part (check_parts.hpp), as of the start of its current
/// level (CheckVisitor keeps that snapshot when `keep_level_start`):
/// found.bin, coverage.bin, good.<i>.bin (the first `states` entries).
void save_visitor(const CheckVisitor& v, uint32_t states, FileSet& out);
void restore_visitor(CheckVisitor& v, uint32_t states, const FileReader& in);

/// The checkpoint side of one run: when one is due, writing it, the line on
/// stderr, and the resume. `rank`/`ranks`: the MPI engine (rank R writes
/// into rank-R/, rank 0 commits).
class Session {
public:
    Session(const CheckpointOptions& o, nlohmann::json fingerprint);
    [[nodiscard]] bool resuming() const { return !o_.resume.empty(); }
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
    /// Whether to write one before `level`: a final one (the run stops)
    /// unless LATEST already names that level, else every `every` seconds.
    [[nodiscard]] bool due(uint32_t level, bool final) const;
    /// Writes and commits one (single process): `fill` writes the files and
    /// adds its figures to the manifest. A failure to write is one line on
    /// stderr; the run goes on and the last checkpoint stays.
    void write(uint32_t level, const std::function<void(FileSet&, nlohmann::json&)>& fill);
    /// Reads LATEST and checks the fingerprint (Error otherwise).
    Latest open();
    /// Marks `level` as written (after a resume from it, or an MPI commit).
    void written(uint32_t level);
    [[nodiscard]] bool quiet() const { return o_.quiet; }
    [[nodiscard]] const nlohmann::json& fingerprint() const { return fingerprint_; }
    /// The level of the last checkpoint written or resumed (UINT32_MAX: none).
    [[nodiscard]] uint32_t last_level() const { return last_level_; }

private:
    CheckpointOptions o_;
    std::filesystem::path dir_;
    nlohmann::json fingerprint_;
    std::chrono::steady_clock::time_point last_;
    uint32_t last_level_ = UINT32_MAX;
};

}  // namespace reapcheck::engine::ckpt
