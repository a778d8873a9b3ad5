#include "checker/engine/checkpoint.hpp"

#include <fcntl.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "checker/engine/check_parts.hpp"
#include "refimpl/profile_file.hpp"

namespace reapcheck::engine::ckpt {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kFormat = 1;

std::array<uint32_t, 256> crc_table() {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
        t[i] = c;
    }
    return t;
}

__attribute__((target("sse4.2"))) uint32_t crc32c_hw(uint32_t crc, const unsigned char* p, std::size_t n) {
    uint64_t c = crc;
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        c = __builtin_ia32_crc32di(c, w);
    }
    auto c32 = uint32_t(c);
    for (; n; --n, ++p) c32 = __builtin_ia32_crc32qi(c32, *p);
    return c32;
}

std::string hex32(uint32_t x) { return fmt::format("{:08x}", x); }

[[noreturn]] void sys_fail(const std::string& what, const fs::path& p) {
    throw Error(fmt::format("{}: {} ({})", p.string(), what, std::strerror(errno)));
}

void write_all(int fd, const char* p, std::size_t n, const fs::path& path) {
    while (n) {
        const ssize_t w = ::write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            sys_fail("cannot write", path);
        }
        p += w;
        n -= std::size_t(w);
    }
}

/// Writes a small file durably: write, fsync, close.
void write_small(const fs::path& p, const std::string& text) {
    const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) sys_fail("cannot create", p);
    write_all(fd, text.data(), text.size(), p);
    if (::fsync(fd) != 0) sys_fail("cannot sync", p);
    ::close(fd);
}

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw Error(p.string() + ": cannot read");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

int note_build_id(dl_phdr_info* info, std::size_t, void* out) {
    // The first object dl_iterate_phdr reports is the executable itself.
    auto& id = *static_cast<std::string*>(out);
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const ElfW(Phdr)& ph = info->dlpi_phdr[i];
        if (ph.p_type != PT_NOTE) continue;
        const auto* p = reinterpret_cast<const unsigned char*>(info->dlpi_addr + ph.p_vaddr);
        const unsigned char* end = p + ph.p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            ElfW(Nhdr) nh;
            std::memcpy(&nh, p, sizeof nh);
            const unsigned char* name = p + sizeof nh;
            const unsigned char* desc = name + ((nh.n_namesz + 3) & ~3u);
            if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0 &&
                desc + nh.n_descsz <= end) {
                for (unsigned k = 0; k < nh.n_descsz; ++k) id += fmt::format("{:02x}", desc[k]);
                return 1;
            }
            p = desc + ((nh.n_descsz + 3) & ~3u);
        }
    }
    return 1;
}

}  // namespace

uint32_t crc32c(uint32_t crc, const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    crc = ~crc;
    if (__builtin_cpu_supports("sse4.2")) return ~crc32c_hw(crc, p, n);
    static const std::array<uint32_t, 256> t = crc_table();
    for (; n; --n, ++p) crc = t[(crc ^ *p) & 0xff] ^ (crc >> 8);
    return ~crc;
}

const std::string& build_id() {
    static const std::string id = [] {
        std::string s;
        dl_iterate_phdr(note_build_id, &s);
        if (!s.empty()) return "gnu:" + s;
        const std::string exe = read_text("/proc/self/exe");
        return fmt::format("exe:{}:{}", hex32(crc32c(0, exe.data(), exe.size())), exe.size());
    }();
    return id;
}

// ---------------------------------------------------------------- FileSet

FileSet::FileSet(fs::path dir) : dir_(std::move(dir)) {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) throw Error(dir_.string() + ": cannot create the directory (" + ec.message() + ")");
    buf_.reserve(1u << 20);
}

FileSet::~FileSet() {
    if (fd_ >= 0) ::close(fd_);
}

void FileSet::open(const std::string& name) {
    if (fd_ >= 0) close();
    name_ = name;
    const fs::path p = dir_ / name;
    fd_ = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) sys_fail("cannot create", p);
    crc_ = 0;
    len_ = 0;
}

void FileSet::flush() {
    write_all(fd_, buf_.data(), buf_.size(), dir_ / name_);
    buf_.clear();
}

void FileSet::write(const void* data, std::size_t n) {
    crc_ = crc32c(crc_, data, n);
    len_ += n;
    const auto* p = static_cast<const char*>(data);
    if (buf_.size() + n > buf_.capacity()) flush();
    if (n >= buf_.capacity()) {
        write_all(fd_, p, n, dir_ / name_);
        return;
    }
    buf_.insert(buf_.end(), p, p + n);
}

void FileSet::close() {
    if (fd_ < 0) return;
    flush();
    if (::fsync(fd_) != 0) sys_fail("cannot sync", dir_ / name_);
    ::close(fd_);
    fd_ = -1;
    listing_[name_] = {{"bytes", len_}, {"crc32c", hex32(crc_)}};
    total_ += len_;
}

// ---------------------------------------------------------------- reading

std::vector<char> FileReader::read(const std::string& name) const {
    const fs::path p = dir_ / name;
    if (!listing_.contains(name)) throw Error(p.string() + ": not in the checkpoint's manifest");
    const uint64_t want = listing_[name]["bytes"].get<uint64_t>();
    std::error_code ec;
    const auto size = fs::file_size(p, ec);
    if (ec) throw Error(p.string() + ": missing from the checkpoint (" + ec.message() + ")");
    if (size != want)
        throw Error(fmt::format("{}: {} bytes, the manifest says {}: the checkpoint is damaged", p.string(), size, want));
    std::vector<char> data(size);
    std::ifstream in(p, std::ios::binary);
    if (!in.read(data.data(), std::streamsize(size))) throw Error(p.string() + ": cannot read");
    const std::string crc = hex32(crc32c(0, data.data(), data.size()));
    if (crc != listing_[name]["crc32c"].get<std::string>())
        throw Error(fmt::format("{}: CRC-32C {} where the manifest says {}: the checkpoint is damaged", p.string(),
                                crc, listing_[name]["crc32c"].get<std::string>()));
    return data;
}

std::string name_of(uint32_t level) { return fmt::format("ckpt-{:06}", level); }

void sync_dir(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) sys_fail("cannot open", dir);
    if (::fsync(fd) != 0) sys_fail("cannot sync", dir);
    ::close(fd);
}

void commit(const fs::path& dir, const std::string& name, const json& manifest) {
    const fs::path tmp = dir / (name + ".tmp"), final_dir = dir / name;
    const std::string text = manifest.dump(1) + "\n";
    write_small(tmp / "manifest.json", text);
    for (const auto& e : fs::recursive_directory_iterator(tmp))
        if (e.is_directory()) sync_dir(e.path());
    sync_dir(tmp);
    std::error_code ec;
    fs::remove_all(final_dir, ec);   // a resume that rewrites its own level
    fs::rename(tmp, final_dir, ec);
    if (ec) throw Error(final_dir.string() + ": cannot rename the checkpoint (" + ec.message() + ")");
    sync_dir(dir);
    write_small(dir / "LATEST.tmp", name + " " + hex32(crc32c(0, text.data(), text.size())) + "\n");
    fs::rename(dir / "LATEST.tmp", dir / "LATEST", ec);
    if (ec) throw Error((dir / "LATEST").string() + ": cannot replace (" + ec.message() + ")");
    sync_dir(dir);
    // Only now the older checkpoints and leftovers of interrupted writes go.
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string n = e.path().filename().string();
        if (n.starts_with("ckpt-") && n != name) fs::remove_all(e.path(), ec);
    }
}

Latest open_latest(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw Error(dir.string() + ": no such checkpoint directory");
    const fs::path latest = dir / "LATEST";
    if (!fs::exists(latest, ec)) throw Error(latest.string() + ": missing (no complete checkpoint in this directory)");
    std::istringstream line(read_text(latest));
    std::string name, crc;
    line >> name >> crc;
    if (!name.starts_with("ckpt-") || name.find('/') != std::string::npos || crc.size() != 8)
        throw Error(latest.string() + ": not a checkpoint name and CRC");
    Latest l;
    l.path = dir / name;
    const fs::path mf = l.path / "manifest.json";
    if (!fs::exists(mf, ec)) throw Error(mf.string() + ": missing (LATEST names an incomplete checkpoint)");
    const std::string text = read_text(mf);
    if (hex32(crc32c(0, text.data(), text.size())) != crc)
        throw Error(mf.string() + ": its CRC-32C differs from the one in LATEST: the checkpoint is damaged");
    try {
        l.manifest = json::parse(text);
    } catch (const json::exception& e) {
        throw Error(mf.string() + ": not JSON (" + e.what() + ")");
    }
    if (!l.manifest.is_object() || l.manifest.value("format", 0) != kFormat)
        throw Error(mf.string() + ": not a checkpoint of this format (format " + std::to_string(kFormat) + ")");
    return l;
}

void check_fingerprint(const fs::path& dir, const json& manifest, const json& want) {
    const json& have = manifest.contains("fingerprint") ? manifest["fingerprint"] : json::object();
    for (const auto& [key, value] : want.items()) {
        const json h = have.contains(key) ? have[key] : json(nullptr);
        if (h == value) continue;
        auto show = [](const json& j) {
            std::string s = j.is_string() ? j.get<std::string>() : j.dump();
            return s.size() > 120 ? s.substr(0, 117) + "..." : s;
        };
        throw Error(fmt::format("--resume {}: the checkpoint was written with {} '{}', this run has '{}'; resume "
                                "with the same build and command line{}",
                                dir.string(), key, show(h), show(value),
                                key == "ranks" ? " and as many MPI ranks" : ""));
    }
}

json fingerprint(const refimpl::Profile& profile, const CheckOptions& opts,
                 const std::vector<const props::Property*>& props) {
    json f;
    f["build"] = build_id();
    f["command"] = "check";
    std::string sw;
    for (const auto& s : refimpl::profile_switches()) {
        using Kind = refimpl::ProfileSwitch::Kind;
        sw += std::string(s.key) + "=" +
              (s.kind == Kind::Bool ? std::to_string(int(profile.*s.flag)) : std::to_string(profile.*s.bits)) + ";";
    }
    f["profile"] = profile.name;
    f["profile_switches"] = hex32(crc32c(0, sw.data(), sw.size()));
    f["bounds"] = opts.bounds.describe();
    f["symmetry"] = opts.symmetry;
    f["por"] = opts.por || (opts.por_auto && opts.bounds.depth == 0);
    f["liveness"] = opts.liveness;
    json ids = json::array();
    std::string texts;
    for (const props::Property* p : props) {
        ids.push_back(std::string(p->id));
        texts += fmt::format("{}|{}|{}|{}|{}|{}\n", p->id, props::to_string(p->kind), p->claim, p->source,
                             p->origin(), p->refines);
    }
    f["properties"] = ids;
    texts += opts.checkpoint.inputs;
    f["property_texts"] = hex32(crc32c(0, texts.data(), texts.size()));
    return f;
}

// ---------------------------------------------------------------- visitor

void save_visitor(const CheckVisitor& v, uint32_t states, FileSet& out) {
    out.open("found.bin");
    out.write(v.start_found.data(), v.start_found.size() * sizeof(uint64_t));
    out.open("coverage.bin");
    out.write(v.start_coverage.data(), v.start_coverage.size() * sizeof(uint64_t));
    for (std::size_t i = 0; i < v.props.size(); ++i) {
        if (v.props[i]->kind != props::Kind::Eventually) continue;
        out.open(fmt::format("good.{}.bin", i));
        out.write(v.good[i].data(), std::min<std::size_t>(states, v.good[i].size()));
    }
    out.close();
}

void restore_visitor(CheckVisitor& v, uint32_t states, const FileReader& in) {
    const std::vector<char> f = in.read("found.bin");
    if (f.size() != v.props.size() * sizeof(uint64_t)) throw Error("found.bin: not one entry per checked property");
    for (std::size_t i = 0; i < v.props.size(); ++i) {
        uint64_t k;
        std::memcpy(&k, f.data() + i * sizeof k, sizeof k);
        v.found[i] = k;
    }
    const std::vector<char> c = in.read("coverage.bin");
    std::vector<uint64_t> cov(c.size() / sizeof(uint64_t));
    std::memcpy(cov.data(), c.data(), cov.size() * sizeof(uint64_t));
    v.coverage->add_raw(cov);
    for (std::size_t i = 0; i < v.props.size(); ++i) {
        if (v.props[i]->kind != props::Kind::Eventually) continue;
        const std::vector<char> g = in.read(fmt::format("good.{}.bin", i));
        if (g.size() != states) throw Error(fmt::format("good.{}.bin: not one byte per state", i));
        v.good[i].assign(g.begin(), g.end());
    }
}

// ---------------------------------------------------------------- Session

Session::Session(const CheckpointOptions& o, json fingerprint)
    : o_(o), dir_(o.dir.empty() ? o.resume : o.dir), fingerprint_(std::move(fingerprint)),
      last_(std::chrono::steady_clock::now()) {
    std::error_code ec;
    if (!resuming()) {
        fs::create_directories(dir_, ec);
        if (ec || ::access(dir_.c_str(), W_OK) != 0)
            throw Error("--checkpoint: cannot create or write the directory '" + dir_.string() + "'");
        if (fs::exists(dir_ / "LATEST", ec))
            throw Error("--checkpoint: '" + dir_.string() +
                        "' already holds a checkpoint (continue it with --resume, or remove it)");
    }
}

bool Session::due(uint32_t level, bool final) const {
    if (final) return level != last_level_;
    if (level == last_level_) return false;
    return o_.every <= 0 ||
           std::chrono::duration<double>(std::chrono::steady_clock::now() - last_).count() >= o_.every;
}

void Session::write(uint32_t level, const std::function<void(FileSet&, json&)>& fill) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::string name = name_of(level);
    try {
        std::error_code ec;
        fs::remove_all(dir_ / (name + ".tmp"), ec);
        json m;
        m["format"] = kFormat;
        m["fingerprint"] = fingerprint_;
        m["level"] = level;
        uint64_t bytes = 0;
        {
            FileSet files(dir_ / (name + ".tmp"));
            fill(files, m);
            m["files"] = files.listing();
            bytes = files.bytes();
        }
        m["bytes"] = bytes;
        commit(dir_, name, m);
        written(level);
        if (!o_.quiet)
            std::fprintf(stderr, "%s\n",
                         fmt::format("checkpoint: {} ({} states, {} bytes, {:.2f} s)", (dir_ / name).string(),
                                     m.value("states", uint64_t{0}), bytes,
                                     std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count())
                             .c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "reapcheck: checkpoint %s not written: %s (the previous one stays)\n",
                     (dir_ / name).c_str(), e.what());
    }
}

Latest Session::open() {
    Latest l = open_latest(dir_);
    check_fingerprint(dir_, l.manifest, fingerprint_);
    return l;
}

void Session::written(uint32_t level) {
    last_level_ = level;
    last_ = std::chrono::steady_clock::now();
}

}  // namespace reapcheck::engine::ckpt
