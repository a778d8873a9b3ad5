// The MPI engine of `check` (mpi_check.hpp, docs/distributed.md).
//
// Every rank holds the states it owns (owner = a hash of the packed
// canonical words modulo K) in its own tree-compressed store
// (checker/explicit/tree_store.hpp), with a parent link per state: the
// parent's rank and local id and the action index. A BFS level:
//  1. each rank decodes the states of the level it owns, evaluates the
//     properties on them and their transitions (engine::CheckVisitor, as the
//     single-process engine) and computes every successor's canonical words;
//     a successor it owns itself is inserted at once; one owned by another
//     rank is added, with its parent's local id and the action index, to
//     that rank's batch, unless this rank has sent it before (a set of the
//     root keys it sent);
//  2. each batch is encoded (wire.hpp: sorted, each record XORed with the
//     one before, about a sixth of the packed size), one MPI_Alltoall of the
//     sizes and one MPI_Alltoallv of the bytes; each rank inserts what it
//     received, in rank order, the sender's rank completing each link;
//  3. one MPI_Allreduce: the new states, the transitions, stop requests
//     (interrupt, time and memory limits) and errors; no new state anywhere
//     ends the search (exhausted).
// Local ids are dense and in BFS order on each rank, so the first place a
// rank settles a property is a shallowest one of that rank; the ranks'
// places are compared by (depth, rank, place) and the winner's path is
// followed back from owner to owner (one MPI_Bcast per step). Liveness
// (`eventually`) needs the graph: after an exhausted search every rank sends
// each transition to the owner of its target, which keeps it as a reverse
// edge; a level-synchronous backward search from the good states then marks
// every state that can reach one. Rank 0 builds the verdicts with the same
// code as the single-process engine (engine::settle) and replays the traces.
#include "checker/distributed/mpi_check.hpp"

// The C API only: OpenMPI's deprecated C++ bindings do not compile warning-free.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <csignal>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "checker/distributed/collective.hpp"
#include "checker/distributed/mpi_checkpoint.hpp"
#include "checker/distributed/wire.hpp"
#include "checker/engine/check_parts.hpp"
#include "checker/engine/kernel_model.hpp"
#include "checker/explicit/explorer.hpp"
#include "checker/explicit/tree_store.hpp"

namespace reapcheck::dist {

using engine::CheckOptions;
using engine::CheckResult;
using engine::CheckVisitor;
using engine::KernelModel;
using engine::Outcome;
using engine::Stats;
using props::Kind;
using props::Property;
using refimpl::State;

bool launched_by_mpi() {
    for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
        if (std::getenv(v)) return true;
    return false;
}

namespace {

// A parent link: the parent's rank (16 bits), its local id (32 bits) and the
// action index (16 bits). The initial state has none.
constexpr uint64_t kNoLink = UINT64_MAX;
constexpr int kMaxRanks = 65535;   // rank 65535 with id and action all ones would be kNoLink
constexpr std::size_t kMaxActions = 65536;
uint64_t make_link(int rank, uint32_t id, uint32_t action) {
    return uint64_t(rank) << 48 | uint64_t(id) << 16 | action;
}
int link_rank(uint64_t l) { return int(l >> 48); }
uint32_t link_id(uint64_t l) { return uint32_t(l >> 16); }
uint32_t link_action(uint64_t l) { return uint32_t(l & 0xffff); }

/// The rank that owns the state with these packed words.
int owner_of(const uint64_t* w, std::size_t n, int ranks) {
    uint64_t h = 0x243f6a8885a308d3ULL;
    for (std::size_t i = 0; i < n; ++i) h = xplicit::mix64(h ^ w[i]);
    return int(h % uint64_t(ranks));
}

[[noreturn]] void die(int rank, const std::string& what) {
    std::fprintf(stderr, "reapcheck: internal error on rank %d: %s\n", rank, what.c_str());
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 4);
    std::abort();
}

uint64_t all_sum(uint64_t x) {
    uint64_t r = 0;
    MPI_Allreduce(&x, &r, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    return r;
}
uint64_t all_max(uint64_t x) {
    uint64_t r = 0;
    MPI_Allreduce(&x, &r, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    return r;
}

/// What one exchange delivered: rank k's message is bytes[begin[k]] up to
/// bytes[begin[k + 1]].
struct Delivery {
    std::vector<uint8_t> bytes;
    std::vector<std::size_t> begin;
    const uint8_t* from(std::size_t k) const { return bytes.data() + begin[k]; }
    std::size_t size(std::size_t k) const { return begin[k + 1] - begin[k]; }
};

/// Sends out[k] to rank k (and empties it) in one MPI_Alltoallv, after an
/// MPI_Alltoall of the sizes. `sent` grows by the bytes sent to other ranks.
Delivery exchange(std::vector<std::vector<uint8_t>>& out, int me, uint64_t& sent) {
    const std::size_t ranks = out.size();
    auto sc = std::vector<int>(ranks), rc = sc, sd = sc, rd = sc;
    std::size_t total = 0;
    for (std::size_t k = 0; k < ranks; ++k) {
        sd[k] = int(total);
        sc[k] = int(out[k].size());
        total += out[k].size();
        if (total > std::size_t(INT_MAX))
            die(me, "one level sends more than 2 GiB from one rank; use more ranks");
    }
    std::vector<uint8_t> send;
    send.reserve(total);
    for (std::size_t k = 0; k < ranks; ++k) {
        if (int(k) != me) sent += out[k].size();
        send.insert(send.end(), out[k].begin(), out[k].end());
        std::vector<uint8_t>().swap(out[k]);
    }
    MPI_Alltoall(sc.data(), 1, MPI_INT, rc.data(), 1, MPI_INT, MPI_COMM_WORLD);
    Delivery d;
    d.begin.assign(ranks + 1, 0);
    for (std::size_t k = 0; k < ranks; ++k) {
        rd[k] = int(d.begin[k]);
        d.begin[k + 1] = d.begin[k] + std::size_t(rc[k]);
        if (d.begin[k + 1] > std::size_t(INT_MAX))
            die(me, "one level sends more than 2 GiB to one rank; use more ranks");
    }
    d.bytes.resize(d.begin[ranks]);
    MPI_Alltoallv(send.data(), sc.data(), sd.data(), MPI_BYTE, d.bytes.data(), rc.data(), rd.data(), MPI_BYTE,
                  MPI_COMM_WORLD);
    return d;
}

/// Encodes each rank's batch (wire.hpp) and exchanges them.
Delivery exchange(std::vector<wire::Batch>& out, int me, uint64_t& sent) {
    std::vector<std::vector<uint8_t>> msgs(out.size());
    for (std::size_t k = 0; k < out.size(); ++k) out[k].encode(msgs[k]);
    return exchange(msgs, me, sent);
}

/// One level's figures on rank 0: per rank, the states expanded, the records
/// and bytes sent to other ranks, the states inserted.
struct LevelFigure {
    uint32_t depth = 0;
    std::vector<uint64_t> expanded, records, bytes, inserted;
    /// Per rank: CPU seconds of the level outside the exchange (expanding,
    /// inserting what arrived), and wall seconds in it (encoding, waiting for
    /// the slowest rank, the transfer, the reductions).
    std::vector<double> compute, exchange;
    double seconds = 0;
};

/// A level's split into compute and exchange (LevelFigure), from the
/// rank's thread CPU clock and the wall clock.
class LevelClock {
public:
    LevelClock() : cpu0_(thread_cpu()) {}
    void exchange_begins() {
        at_ = std::chrono::steady_clock::now();
        cpu_at_ = thread_cpu();
    }
    void exchange_ends() {
        wall_ += std::chrono::steady_clock::now() - at_;
        cpu_exchange_ += thread_cpu() - cpu_at_;
    }
    uint64_t cpu_us() const { return uint64_t(std::max(0.0, thread_cpu() - cpu0_ - cpu_exchange_) * 1e6); }
    uint64_t exchange_us() const { return uint64_t(std::chrono::duration<double>(wall_).count() * 1e6); }

private:
    static double thread_cpu() {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
    }
    double cpu0_, cpu_at_ = 0, cpu_exchange_ = 0;
    std::chrono::steady_clock::time_point at_;
    std::chrono::steady_clock::duration wall_{};
};

/// For liveness' sub-exploration on rank 0: the model, started from a state.
struct FromModel : KernelModel {
    State start;
    State initial() const { return start; }
};
struct NullVisitor {
    void on_level(uint32_t, uint32_t, uint32_t) {}
    void on_state(uint32_t, const State&) {}
    void on_edge(uint32_t, uint32_t, const State&, const engine::Action&, const engine::Transition&, bool) {}
    bool done() const { return false; }
};

class Rank {
public:
    Rank(const KernelModel& m, const CheckOptions& opts, int me, int ranks)
        : m_(m), opts_(opts), me_(me), ranks_(ranks), out_(std::size_t(ranks)) {}

    /// The search; `vis` sees the states this rank owns. Collective.
    Stats run(CheckVisitor& vis, std::vector<LevelFigure>& figs, std::string& error, bool& model_error);
    /// The first place each property was settled, over all ranks. Collective.
    std::vector<Outcome> outcomes(const CheckVisitor& vis, bool exhausted, const engine::Bounds& bounds);
    uint64_t liveness_bytes() const { return liveness_sent_; }
    uint64_t sent_bytes() const { return sent_; }
    uint32_t size() const { return roots_.size(); }
    uint64_t packed_words() const { return packed_words_; }
    uint64_t visited_bytes() const { return roots_.bytes() + trees_.bytes() + sent_roots_.bytes(); }
    uint64_t link_bytes() const { return links_.size() * sizeof(uint64_t); }

    /// Checkpoints (mpi_checkpoint.hpp, docs/checkpoint.md): null without.
    engine::ckpt::Session* checkpoints = nullptr;
    /// Fills this fresh rank and its visitor from its part of a checkpoint;
    /// run() then continues at the checkpoint's level.
    void restore(const engine::ckpt::FileReader& in, CheckVisitor& vis);

private:
    /// The level's end: from the exchange to the checkpoint, this rank waits
    /// for the others (see on_term).
    void waiting_at(uint32_t depth) const;
    static void waiting_done();
    /// This rank's part of the checkpoint before level `next` (a boundary:
    /// the levels before it are expanded and exchanged).
    void save(uint32_t next, const Stats& st, uint64_t total_states, uint64_t level_states, CheckVisitor& vis,
              engine::ckpt::FileSet& out, nlohmann::json& figures) const;
    double elapsed() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count(); }
    bool insert(uint64_t root, uint64_t link, std::size_t nwords) {
        bool fresh = false;
        const uint32_t id = roots_.intern(root, fresh);
        if (!fresh) return false;
        if (id != links_.size()) die(me_, "root ids are not dense");
        links_.push_back(link);
        packed_words_ += nwords;
        return true;
    }
    uint32_t depth_of(uint32_t id) const {
        return uint32_t(std::upper_bound(level_begin_.begin(), level_begin_.end(), id) - level_begin_.begin()) - 1;
    }
    /// Action indices from the initial state to (rank, id). Collective.
    std::vector<uint32_t> path(int rank, uint32_t id) const;
    /// Every transition's (target local id, source) at the target's owner. Collective.
    std::vector<std::pair<uint32_t, uint64_t>> reverse_edges(xplicit::Builder& b);
    /// The marks of the states that can reach a `good` one. Collective.
    std::vector<uint8_t> can_reach(const std::vector<uint32_t>& offsets, const std::vector<uint64_t>& sources,
                                   std::vector<uint8_t> marked);

    const KernelModel& m_;
    const CheckOptions& opts_;
    int me_, ranks_;
    xplicit::TreeTables trees_;
    xplicit::InternTable<uint64_t> roots_;
    /// The root keys of the successors this rank sent to other ranks (their
    /// pairs are in trees_): each is sent once, which keeps the bytes sent
    /// per state near the packed state's size (docs/distributed.md).
    xplicit::InternTable<uint64_t> sent_roots_;
    std::vector<uint64_t> links_;
    std::vector<uint32_t> level_begin_;
    /// Per destination rank: the records of this level (wire.hpp).
    std::vector<wire::Batch> out_;
    uint64_t packed_words_ = 0, sent_ = 0, liveness_sent_ = 0;   ///< sent_: bytes
    /// Decodes every rank's records; f(sender rank, words, tail) for each.
    template <class F>
    void read_records(const Delivery& d, F&& f) const {
        std::vector<uint64_t> words;
        uint64_t tail = 0;
        for (std::size_t k = 0; k < d.begin.size() - 1; ++k) {
            try {
                wire::Reader rd(d.from(k), d.size(k));
                while (rd.next(words, tail)) f(int(k), words, tail);
            } catch (const wire::WireError& e) {
                die(me_, fmt::format("a malformed message from rank {}: {}", k, e.what()));
            }
        }
    }
    std::chrono::steady_clock::time_point t0_;
    // a resumed run: where it continues
    bool resumed_ = false;
    uint32_t resume_depth_ = 0;
    uint64_t resume_transitions_ = 0, resume_total_ = 0, resume_level_ = 0;
    double prior_seconds_ = 0;
};

Stats Rank::run(CheckVisitor& vis, std::vector<LevelFigure>& figs, std::string& error, bool& model_error) {
    t0_ = std::chrono::steady_clock::now();
    auto last_progress = t0_;
    Stats st;
    xplicit::Builder b(trees_);
    std::vector<uint64_t> words, swords;
    std::vector<engine::Action> acts;
    State canon;
    uint64_t level_states = 1, total_states = 1;
    uint32_t first_depth = 0;
    if (resumed_) {
        first_depth = resume_depth_;
        st.transitions = resume_transitions_;
        total_states = resume_total_;
        level_states = resume_level_;
    } else {
        m_.canonical(m_.initial(), canon, words);
        if (owner_of(words.data(), words.size(), ranks_) == me_) insert(b.reference(words), kNoLink, words.size());
        level_begin_ = {0, size()};
    }
    const uint32_t max_depth = opts_.bounds.depth ? uint32_t(opts_.bounds.depth) : opts_.limits.max_depth;
    const engine::Limits& lim = opts_.limits;
    for (uint32_t depth = first_depth;; ++depth) {
        if (level_states == 0) {
            st.exhausted = true;
            st.depth = depth == 0 ? 0 : depth - 1;
            break;
        }
        const auto tl = std::chrono::steady_clock::now();
        LevelClock clock;
        const uint32_t lo = level_begin_[depth], hi = level_begin_[depth + 1];
        const bool expand = !(max_depth && depth >= max_depth);
        vis.on_level(depth, lo, hi);
        uint64_t transitions = 0, records = 0, failed = 0;
        const uint64_t sent_before = sent_;
        {
            try {
                for (uint32_t id = lo; id < hi; ++id) {
                    trees_.decode(roots_.key(id), words);
                    const State s = m_.unpack(words);
                    vis.on_state(id, s);
                    if (!expand) continue;
                    b.reference(words);
                    m_.actions(s, acts);
                    if (acts.size() > kMaxActions) throw std::runtime_error("more than 65536 actions in one state");
                    for (uint32_t ai = 0; ai < acts.size(); ++ai) {
                        const engine::Transition t = m_.step(s, acts[ai]);
                        const bool changed = !m_.unchanged(s, t);
                        ++transitions;
                        vis.on_edge(id, ai, s, acts[ai], t, changed);
                        if (!changed) continue;
                        m_.canonical(t.post, canon, swords);
                        const int o = owner_of(swords.data(), swords.size(), ranks_);
                        const uint64_t link = make_link(me_, id, ai);
                        if (o == me_) {
                            insert(b.root(swords), link, swords.size());
                            continue;
                        }
                        // Sent before (this level or an earlier one): its owner has it.
                        bool fresh = false;
                        sent_roots_.intern(b.root(swords), fresh);
                        if (!fresh) continue;
                        out_[std::size_t(o)].add(swords.data(), swords.size(), uint64_t(id) << 16 | ai);
                        ++records;
                    }
                }
            } catch (const engine::ModelError& e) {
                failed = 1;
                error = e.what();
            } catch (const refimpl::ContractError& e) {
                failed = 1;
                error = e.what();
            } catch (const std::exception& e) {
                failed = 2;
                error = e.what();
            }
        }
        // The exchange runs on every rank, also after an error, so that no rank waits alone.
        waiting_at(depth);
        clock.exchange_begins();
        const Delivery delivered = exchange(out_, me_, sent_);
        clock.exchange_ends();
        read_records(delivered, [&](int from, const std::vector<uint64_t>& w, uint64_t tail) {
            insert(b.root(w), make_link(from, uint32_t(tail >> 16), uint32_t(tail & 0xffff)), w.size());
        });
        level_begin_.push_back(size());
        clock.exchange_begins();
        // Stop requests: 1 interrupted, 2 time limit, 3 memory limit.
        uint64_t stop = 0;
        if (lim.interrupt && *lim.interrupt) stop = 1;
        else if ((lim.max_seconds && elapsed() > lim.max_seconds) ||
                 (lim.deadline != std::chrono::steady_clock::time_point{} &&
                  std::chrono::steady_clock::now() >= lim.deadline))
            stop = 2;
        else if (lim.max_memory_mb && (visited_bytes() + link_bytes()) > (lim.max_memory_mb << 20))
            stop = 3;
        uint64_t sums[3] = {size() - uint64_t(hi), transitions, size()}, gsums[3] = {};
        MPI_Allreduce(sums, gsums, 3, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
        uint64_t maxs[2] = {failed, stop}, gmaxs[2] = {};
        MPI_Allreduce(maxs, gmaxs, 2, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
        clock.exchange_ends();
        constexpr std::size_t kFig = 6;
        uint64_t mine[kFig] = {uint64_t(hi - lo), records, sent_ - sent_before, size() - uint64_t(hi),
                               clock.cpu_us(), clock.exchange_us()};
        std::vector<uint64_t> all(std::size_t(ranks_) * kFig);
        MPI_Gather(mine, int(kFig), MPI_UINT64_T, all.data(), int(kFig), MPI_UINT64_T, 0, MPI_COMM_WORLD);
        if (me_ == 0) {
            LevelFigure f;
            f.depth = depth;
            for (std::size_t k = 0; k < std::size_t(ranks_); ++k) {
                f.expanded.push_back(all[k * kFig]);
                f.records.push_back(all[k * kFig + 1]);
                f.bytes.push_back(all[k * kFig + 2]);
                f.inserted.push_back(all[k * kFig + 3]);
                f.compute.push_back(double(all[k * kFig + 4]) / 1e6);
                f.exchange.push_back(double(all[k * kFig + 5]) / 1e6);
            }
            f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - tl).count();
            figs.push_back(std::move(f));
        }
        st.transitions += gsums[1];
        total_states = gsums[2];
        level_states = gsums[0];
        if (gmaxs[0]) {   // a rank's transition broke a contract, or failed otherwise
            model_error = gmaxs[0] == 1;
            st.stop_reason = "model error (a refimpl contract broke)";
            st.depth = depth;
            break;
        }
        if (!expand) {
            st.stop_reason = "depth bound " + std::to_string(max_depth) + " reached";
            st.depth = depth;
            break;
        }
        // A checkpoint before the next level: when due, and when a limit stops the run here.
        if (checkpoints && level_states > 0) {
            const bool final = gmaxs[1] || (lim.max_states && total_states >= lim.max_states);
            if (checkpoint_due(*checkpoints, depth + 1, final, me_))
                write_checkpoint(*checkpoints, depth + 1, me_, ranks_, [&](engine::ckpt::FileSet& f, nlohmann::json& j) {
                    save(depth + 1, st, total_states, level_states, vis, f, j);
                });
        }
        if (gmaxs[1]) {
            st.stop_reason = gmaxs[1] == 1   ? "interrupted"
                             : gmaxs[1] == 2 ? fmt::format("time limit {:g} s", lim.max_seconds)
                                             : std::string("memory limit");
            st.depth = depth;
            break;
        }
        if (lim.max_states && total_states >= lim.max_states) {
            st.stop_reason = "state limit";
            st.depth = depth;
            break;
        }
        waiting_done();
        if (me_ == 0 && opts_.progress) {
            const auto now = std::chrono::steady_clock::now();
            if (std::chrono::duration<double>(now - last_progress).count() >= 5) {
                last_progress = now;
                const double s = elapsed();
                std::fprintf(stderr, "%s\n",
                             fmt::format("{} ({} ranks): {:.0f} s, {} states, {} transitions, {:.0f} states/s, "
                                         "depth {} done, next level {} states",
                                         opts_.progress_label.empty() ? "check" : opts_.progress_label, ranks_, s,
                                         total_states, st.transitions, double(total_states - resume_total_) / s, depth, level_states)
                                 .c_str());
            }
        }
    }
    waiting_done();   // a loop's break
    st.states = total_states;
    st.key_bytes = all_sum(visited_bytes());
    st.link_bytes = all_sum(link_bytes());
    st.seconds = prior_seconds_ + elapsed();
    return st;
}

// ---- a rank that dies (docs/checkpoint.md). mpirun notices a rank's
// death and sends SIGTERM to the others; they are then usually blocked in a
// collective at the level's end, waiting for the dead one, where no flag is
// ever polled. So the engine's SIGTERM handler ends a rank that waits there
// at once, rank 0 with one line (prepared before the wait: a handler may only
// write(2)); a rank that computes sets the interrupt flag as before.

std::array<char, 1024> g_term_line{};
std::size_t g_term_len = 0;
std::atomic<bool> g_waiting{false};
void (*g_prev_term)(int) = nullptr;

extern "C" void on_term(int sig) {
    if (g_waiting.load()) {
        if (g_term_len) {
            const ssize_t n = ::write(2, g_term_line.data(), g_term_len);
            (void)n;
        }
        ::_exit(4);
    }
    if (g_prev_term && g_prev_term != SIG_IGN && g_prev_term != SIG_DFL) g_prev_term(sig);
}

void Rank::waiting_at(uint32_t depth) const {
    if (me_ == 0) {
        std::string last = "none was written";
        if (checkpoints && checkpoints->last_level() != UINT32_MAX)
            last = "the last, " + (checkpoints->dir() / engine::ckpt::name_of(checkpoints->last_level())).string() +
                   ", is intact";
        const std::string line = fmt::format(
            "reapcheck: stopped by mpirun while rank 0 waited for the other ranks at the end of level {} (a rank died, "
            "or the job was cancelled); no report; checkpoint: {}\n",
            depth, last);
        g_term_len = std::min(line.size(), g_term_line.size());
        std::memcpy(g_term_line.data(), line.data(), g_term_len);
    }
    g_waiting = true;
}

void Rank::waiting_done() { g_waiting = false; }

// ---- checkpoints: this rank's part (the protocol is in mpi_checkpoint.cpp)

void Rank::save(uint32_t next, const Stats& st, uint64_t total_states, uint64_t level_states, CheckVisitor& vis,
                engine::ckpt::FileSet& out, nlohmann::json& figures) const {
    const uint32_t states = level_begin_.at(next + 1);
    const double seconds = prior_seconds_ + elapsed();
    figures = {{"level", next},         {"states", total_states},  {"level_states", level_states},
               {"transitions", st.transitions}, {"seconds", seconds}, {"packed_words", packed_words_},
               {"sent", sent_},         {"rank_states", states}};
    figures["level_begin"] = std::vector<uint32_t>(level_begin_.begin(), level_begin_.begin() + next + 2);
    const std::string meta = figures.dump();
    out.open("meta.json");
    out.write(meta.data(), meta.size());
    out.open("leaves.bin");
    trees_.leaves.for_each_run(trees_.leaves.size(), [&](const xplicit::Key128* k, uint32_t n) {
        out.write(k, n * sizeof(xplicit::Key128));
    });
    out.open("nodes.bin");
    trees_.nodes.for_each_run(trees_.nodes.size(), [&](const uint64_t* k, uint32_t n) { out.write(k, n * 8); });
    out.open("roots.bin");
    roots_.for_each_run(states, [&](const uint64_t* k, uint32_t n) { out.write(k, n * 8); });
    out.open("sent.bin");
    sent_roots_.for_each_run(sent_roots_.size(), [&](const uint64_t* k, uint32_t n) { out.write(k, n * 8); });
    out.open("links.bin");
    out.write(links_.data(), std::size_t(states) * sizeof(uint64_t));
    vis.keep_start();   // the visitor as it is now, at the boundary
    engine::ckpt::save_visitor(vis, level_begin_.at(next), out);
}

void Rank::restore(const engine::ckpt::FileReader& in, CheckVisitor& vis) {
    const std::vector<char> mj = in.read("meta.json");
    const nlohmann::json meta = nlohmann::json::parse(std::string(mj.begin(), mj.end()));
    auto load = [&](auto& table, const char* name, std::size_t size) {
        const std::vector<char> data = in.read(name);
        if (data.size() % size) throw std::runtime_error(std::string(name) + ": not whole keys");
        if (!table.reintern(reinterpret_cast<const unsigned char*>(data.data()), uint32_t(data.size() / size)))
            throw std::runtime_error(std::string(name) + " repeats a key");
        return uint32_t(data.size() / size);
    };
    load(trees_.leaves, "leaves.bin", sizeof(xplicit::Key128));
    load(trees_.nodes, "nodes.bin", sizeof(uint64_t));
    const uint32_t states = load(roots_, "roots.bin", sizeof(uint64_t));
    load(sent_roots_, "sent.bin", sizeof(uint64_t));
    const std::vector<char> lb = in.read("links.bin");
    if (lb.size() != std::size_t(states) * sizeof(uint64_t)) throw std::runtime_error("links.bin: not one link per state");
    links_.resize(states);
    std::memcpy(links_.data(), lb.data(), lb.size());
    level_begin_ = meta.at("level_begin").get<std::vector<uint32_t>>();
    resume_depth_ = meta.at("level").get<uint32_t>();
    if (level_begin_.size() != resume_depth_ + 2u || level_begin_.back() != states)
        throw std::runtime_error("meta.json's levels do not fit roots.bin");
    resume_transitions_ = meta.at("transitions").get<uint64_t>();
    resume_total_ = meta.at("states").get<uint64_t>();
    resume_level_ = meta.at("level_states").get<uint64_t>();
    prior_seconds_ = meta.at("seconds").get<double>();
    packed_words_ = meta.at("packed_words").get<uint64_t>();
    sent_ = meta.at("sent").get<uint64_t>();
    engine::ckpt::restore_visitor(vis, level_begin_.at(resume_depth_), in);
    resumed_ = true;
}

std::vector<uint32_t> Rank::path(int rank, uint32_t id) const {
    std::vector<uint32_t> p;
    for (;;) {
        uint64_t l = 0;
        if (rank == me_) l = links_.at(id);
        MPI_Bcast(&l, 1, MPI_UINT64_T, rank, MPI_COMM_WORLD);
        if (l == kNoLink) break;
        p.push_back(link_action(l));
        rank = link_rank(l);
        id = link_id(l);
    }
    return {p.rbegin(), p.rend()};
}

std::vector<std::pair<uint32_t, uint64_t>> Rank::reverse_edges(xplicit::Builder& b) {
    std::vector<std::pair<uint32_t, uint64_t>> rev;
    constexpr uint32_t kBlock = 1u << 14;
    const uint64_t blocks = all_max((uint64_t(size()) + kBlock - 1) / kBlock);
    std::vector<uint64_t> words, swords;
    std::vector<engine::Action> acts;
    State canon;
    auto target = [&](const std::vector<uint64_t>& w) {
        const uint32_t to = roots_.find_unlocked(b.root(w));
        if (to == xplicit::InternTable<uint64_t>::kNone) die(me_, "a transition leads out of the exhausted state space");
        return to;
    };
    for (uint64_t blk = 0; blk < blocks; ++blk) {
        const uint64_t lo = std::min<uint64_t>(blk * kBlock, size()), hi = std::min<uint64_t>(lo + kBlock, size());
        for (auto id = uint32_t(lo); id < hi; ++id) {
            trees_.decode(roots_.key(id), words);
            const State s = m_.unpack(words);
            b.reference(words);
            m_.actions(s, acts);
            for (const engine::Action& a : acts) {
                const engine::Transition t = m_.step(s, a);
                if (m_.unchanged(s, t)) continue;
                m_.canonical(t.post, canon, swords);
                const int o = owner_of(swords.data(), swords.size(), ranks_);
                const uint64_t from = uint64_t(me_) << 32 | id;
                if (o == me_) {
                    rev.emplace_back(target(swords), from);
                    continue;
                }
                out_[std::size_t(o)].add(swords.data(), swords.size(), uint64_t(id) << 16);
            }
        }
        read_records(exchange(out_, me_, liveness_sent_),
                     [&](int src, const std::vector<uint64_t>& w, uint64_t tail) {
                         rev.emplace_back(target(w), uint64_t(src) << 32 | (tail >> 16));
                     });
    }
    return rev;
}

std::vector<uint8_t> Rank::can_reach(const std::vector<uint32_t>& offsets, const std::vector<uint64_t>& sources,
                                     std::vector<uint8_t> marked) {
    std::vector<uint32_t> frontier, next, got;
    auto ids = std::vector<std::vector<uint32_t>>(std::size_t(ranks_));
    auto msgs = std::vector<std::vector<uint8_t>>(std::size_t(ranks_));
    for (uint32_t id = 0; id < marked.size(); ++id)
        if (marked[id]) frontier.push_back(id);
    for (;;) {
        next.clear();
        got.clear();
        for (uint32_t v : frontier)
            for (uint32_t e = offsets[v]; e < offsets[v + 1]; ++e) {
                const auto r = int(sources[e] >> 32);
                const auto id = uint32_t(sources[e]);
                if (r != me_) {
                    ids[std::size_t(r)].push_back(id);
                } else if (!marked[id]) {
                    marked[id] = 1;
                    next.push_back(id);
                }
            }
        for (std::size_t k = 0; k < ids.size(); ++k) wire::encode_ids(ids[k], msgs[k]);
        const Delivery d = exchange(msgs, me_, liveness_sent_);
        try {
            for (std::size_t k = 0; k < std::size_t(ranks_); ++k) wire::decode_ids(d.from(k), d.size(k), got);
        } catch (const wire::WireError& e) {
            die(me_, fmt::format("a malformed id message: {}", e.what()));
        }
        for (const uint32_t id : got)
            if (!marked.at(id)) {
                marked[id] = 1;
                next.push_back(id);
            }
        if (all_sum(next.size()) == 0) break;
        frontier.swap(next);
    }
    return marked;
}

std::vector<Outcome> Rank::outcomes(const CheckVisitor& vis, bool exhausted, const engine::Bounds& bounds) {
    const std::size_t np = vis.props.size();
    std::vector<Outcome> out(np);
    // Each rank's first place, as (depth << 16 | rank, place), for the safety
    // properties and covers; the minimum over the ranks is a shallowest.
    std::vector<uint64_t> mine(np * 2, UINT64_MAX), all(np * 2 * std::size_t(ranks_));
    for (std::size_t i = 0; i < np; ++i) {
        if (vis.props[i]->kind == Kind::Eventually) continue;
        const engine::Found f = engine::found_of(vis.found[i].load());
        if (!f.yes) continue;
        mine[2 * i] = uint64_t(depth_of(f.node)) << 16 | uint64_t(me_);
        mine[2 * i + 1] = vis.found[i].load();
    }
    MPI_Allgather(mine.data(), int(np * 2), MPI_UINT64_T, all.data(), int(np * 2), MPI_UINT64_T, MPI_COMM_WORLD);
    for (std::size_t i = 0; i < np; ++i) {
        std::pair<uint64_t, uint64_t> best{UINT64_MAX, UINT64_MAX};
        for (std::size_t k = 0; k < std::size_t(ranks_); ++k)
            best = std::min(best, std::pair{all[k * np * 2 + 2 * i], all[k * np * 2 + 2 * i + 1]});
        if (best.first == UINT64_MAX) continue;
        const engine::Found f = engine::found_of(best.second);
        Outcome& o = out[i];
        o.found = true;
        o.actions = path(int(best.first & 0xffff), f.node);
        if (f.edge) o.actions.push_back(f.action);
        o.steps = int(o.actions.size());
    }
    bool liveness = false;
    for (const Property* pr : vis.props) liveness = liveness || pr->kind == Kind::Eventually;
    if (!liveness || !exhausted) return out;

    // Liveness: reverse edges grouped by target (CSR), then per property a
    // backward search from its good states.
    xplicit::Builder b(trees_);
    std::vector<uint32_t> offsets(std::size_t(size()) + 1, 0);
    std::vector<uint64_t> sources;
    {
        auto rev = reverse_edges(b);
        for (const auto& e : rev) ++offsets[e.first + 1];
        for (std::size_t v = 0; v < size(); ++v) offsets[v + 1] += offsets[v];
        sources.resize(rev.size());
        std::vector<uint32_t> at(offsets.begin(), offsets.end() - 1);
        for (const auto& e : rev) sources[at[e.first]++] = e.second;
    }
    for (std::size_t i = 0; i < np; ++i) {
        if (vis.props[i]->kind != Kind::Eventually) continue;
        std::vector<uint8_t> good = vis.good[i];
        good.resize(size());
        const std::vector<uint8_t> reach = can_reach(offsets, sources, std::move(good));
        uint64_t key = UINT64_MAX;   // (depth, rank, id) of this rank's first bad state
        for (uint32_t id = 0; id < reach.size(); ++id)
            if (!reach[id]) {
                key = uint64_t(depth_of(id)) << 48 | uint64_t(me_) << 32 | id;
                break;
            }
        uint64_t best = 0;
        MPI_Allreduce(&key, &best, 1, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD);
        if (best == UINT64_MAX) continue;
        const int r = int((best >> 32) & 0xffff);
        const auto id = uint32_t(best);
        Outcome& o = out[i];
        o.found = true;
        o.actions = path(r, id);
        o.steps = int(o.actions.size());
        // The bad state's words to rank 0, which explores what it leads into.
        std::vector<uint64_t> w;
        if (r == me_) trees_.decode(roots_.key(id), w);
        uint64_t n = w.size();
        MPI_Bcast(&n, 1, MPI_UINT64_T, r, MPI_COMM_WORLD);
        w.resize(n);
        MPI_Bcast(w.data(), int(n), MPI_UINT64_T, r, MPI_COMM_WORLD);
        if (me_ != 0) continue;
        FromModel fm{{m_.p, bounds, m_.symmetry}, m_.unpack(w)};
        xplicit::Options xo;
        xo.record_edges = true;
        xplicit::Explorer<FromModel> sub(fm, xo);
        NullVisitor nv;
        sub.run(nv);
        std::vector<std::pair<uint32_t, uint32_t>> edges;
        for (const xplicit::Edge& e : sub.edges()) edges.emplace_back(e.from, e.to);
        o.trap = engine::trap_of(sub.size(), edges, 0);
    }
    return out;
}

/// The coverage of every rank, merged on rank 0 in the counter's fixed order
/// of action classes (coverage.cpp: by system call, then AUTOREAP).
engine::Coverage merge_coverage(const engine::Coverage& mine, int me, int ranks) {
    nlohmann::json j;
    j["facts"] = mine.facts;
    j["actions"] = nlohmann::json::array();
    for (const auto& a : mine.actions) j["actions"].push_back({a.action, a.enabled, a.changed, a.errors});
    const std::vector<std::string> parts = gather_strings(j.dump(), me, ranks);
    engine::Coverage merged;
    for (const std::string& s : parts) {
        const nlohmann::json p = nlohmann::json::parse(s);
        engine::Coverage c;
        c.facts = p["facts"].get<uint32_t>();
        for (const auto& a : p["actions"])
            c.actions.push_back({a[0].get<std::string>(), a[1].get<uint64_t>(), a[2].get<uint64_t>(),
                                 a[3].get<uint64_t>()});
        merged.merge(c);
    }
    auto order = [](const std::string& name) {
        std::string_view base = name;
        const bool autoreap = base.ends_with(" AUTOREAP");
        if (autoreap) base.remove_suffix(9);
        if (base.starts_with("kernel ")) base.remove_prefix(7);
        for (int s = 0; s <= int(scn::Sys::KUnhash); ++s)
            if (base == scn::to_string(scn::Sys(s))) return s * 2 + (autoreap ? 1 : 0);
        return INT_MAX;
    };
    std::stable_sort(merged.actions.begin(), merged.actions.end(),
                     [&](const auto& x, const auto& y) { return order(x.action) < order(y.action); });
    return merged;
}

void write_figures(const std::string& file, const std::vector<LevelFigure>& figs, const Rank& rank, int ranks,
                   const Stats& st, double seconds) {
    // Totals per rank: states, packed words, bytes sent in the search and in
    // the liveness pass, CPU microseconds (user + system) of the process.
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    const auto cpu_us = uint64_t(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
                        uint64_t(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
    uint64_t mine[5] = {rank.size(), rank.packed_words(), rank.sent_bytes(), rank.liveness_bytes(), cpu_us};
    std::vector<uint64_t> all(std::size_t(ranks) * 5);
    MPI_Gather(mine, 5, MPI_UINT64_T, all.data(), 5, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    if (file.empty() || all.empty() || figs.empty()) return;   // rank 0 only from here
    nlohmann::json j;
    j["ranks"] = ranks;
    j["states"] = st.states;
    j["transitions"] = st.transitions;
    j["seconds"] = seconds;
    uint64_t words = 0, bytes = 0, live = 0, most = 0;
    double cpu = 0;
    for (std::size_t k = 0; k < std::size_t(ranks); ++k) {
        j["states_per_rank"].push_back(all[k * 5]);
        words += all[k * 5 + 1];
        bytes += all[k * 5 + 2];
        live += all[k * 5 + 3];
        j["cpu_seconds_per_rank"].push_back(double(all[k * 5 + 4]) / 1e6);
        cpu += double(all[k * 5 + 4]) / 1e6;
        most = std::max(most, all[k * 5]);
    }
    j["cpu_seconds"] = cpu;   // all ranks, MPI_Init included
    const double n = double(std::max<uint64_t>(st.states, 1));
    j["packed_bytes_per_state"] = double(words) * 8 / n;
    j["bytes_sent"] = bytes;
    j["bytes_sent_per_state"] = double(bytes) / n;
    j["bytes_sent_per_packed_state"] = words ? double(bytes) / double(words * 8) : 0.0;
    j["liveness_bytes_sent"] = live;
    j["imbalance"] = double(most) * ranks / n;   // the largest rank's share over the mean
    for (const LevelFigure& f : figs)
        j["levels"].push_back({{"depth", f.depth}, {"expanded", f.expanded}, {"records", f.records},
                               {"bytes", f.bytes}, {"inserted", f.inserted}, {"compute_cpu_seconds", f.compute},
                               {"exchange_seconds", f.exchange}, {"seconds", f.seconds}});
    std::ofstream o(file);
    o << j.dump(1) << "\n";
    if (!o) std::fprintf(stderr, "reapcheck: cannot write %s\n", file.c_str());
}

}  // namespace

Session::Session() {
    MPI_Init(nullptr, nullptr);
    g_prev_term = std::signal(SIGTERM, on_term);   // after MPI_Init, which may install its own
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks_);
}
Session::~Session() { MPI_Finalize(); }

void idle_barrier() {
    MPI_Request rq = MPI_REQUEST_NULL;
    MPI_Ibarrier(MPI_COMM_WORLD, &rq);
    for (int done = 0;;) {
        MPI_Test(&rq, &done, MPI_STATUS_IGNORE);
        if (done) return;
        const timespec ms{0, 1000000};
        nanosleep(&ms, nullptr);
    }
}

int broadcast(int value) {
    MPI_Bcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return value;
}

CheckResult check_on_ranks(const refimpl::Profile& profile, const CheckOptions& opts, const MpiOptions& mo) {
    if (opts.por) throw std::invalid_argument("--por: not under mpirun (the MPI engine does not reduce)");
    int me = 0, ranks = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &me);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    if (ranks > kMaxRanks) throw std::invalid_argument(fmt::format("at most {} ranks (got {})", kMaxRanks, ranks));
    CheckResult res;
    res.profile = profile.name;
    res.options = opts;
    const KernelModel model{profile, opts.bounds, opts.symmetry};
    engine::CoverageCounter coverage(profile);
    std::vector<const Property*> skipped;
    CheckVisitor vis(profile, engine::selected_properties(profile, opts, skipped), coverage, {});
    std::vector<Outcome> outcomes;
    int code = 0;
    // Checkpoints (mpi_checkpoint.hpp): a session on every rank; a resume
    // fills each rank from its part. Bad checkpoints: one line, exit 2.
    std::optional<engine::ckpt::Session> cp;
    auto refuse = [&](const std::string& error) {
        if (me == 0) std::fprintf(stderr, "reapcheck: %s\n", error.c_str());
        throw RefusedError(error);
    };
    if (opts.checkpoint.active()) {
        std::string error;
        try {
            nlohmann::json fp = engine::ckpt::fingerprint(profile, opts, vis.props);
            fp["ranks"] = ranks;
            cp.emplace(opts.checkpoint, fp);
        } catch (const engine::ckpt::Error& e) {
            error = e.what();
        }
        if (all_max(error.empty() ? 0 : 1)) refuse(error.empty() ? "--checkpoint: refused on another rank" : error);
    }
    {
        Rank rank(model, opts, me, ranks);
        if (cp) {
            rank.checkpoints = &*cp;
            if (cp->resuming()) {
                const std::string error = resume_checkpoint(
                    *cp, me, ranks, [&](const engine::ckpt::FileReader& in, const nlohmann::json&) { rank.restore(in, vis); });
                if (!error.empty()) refuse(error);
                if (me == 0 && !cp->quiet())
                    std::fprintf(stderr, "resumed from %s: level %u (%d ranks)\n",
                                 (cp->dir() / engine::ckpt::name_of(cp->last_level())).c_str(), cp->last_level(), ranks);
            }
        }
        std::vector<LevelFigure> figs;
        std::string error;
        bool model_error = false;
        res.stats = rank.run(vis, figs, error, model_error);
        const std::vector<std::string> errors = gather_strings(error, me, ranks);
        res.coverage = merge_coverage(coverage.result(), me, ranks);
        if (!res.stats.stop_reason.starts_with("model error"))
            outcomes = rank.outcomes(vis, res.stats.exhausted, opts.bounds);
        write_figures(me == 0 ? mo.stats_file : std::string(), figs, rank, ranks, res.stats, res.stats.seconds);
        if (me == 0 && res.stats.stop_reason.starts_with("model error")) {
            for (const std::string& e : errors)
                if (!e.empty() && model_error) res.model_errors.push_back(e);
            if (!model_error) {
                for (const std::string& e : errors)
                    if (!e.empty()) std::fprintf(stderr, "reapcheck: internal error: %s\n", e.c_str());
                code = 4;
            }
            outcomes.assign(vis.props.size(), Outcome{});
        }
    }
    if (me == 0 && code == 0) {
        try {
            engine::settle(profile, opts, vis.props, skipped, outcomes, res);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "reapcheck: internal error: %s\n", e.what());
            code = 4;
        }
    }
    if (broadcast(code) != 0) throw InternalError("a rank's exploration failed (rank 0 printed why)");
    return res;
}

int run_check(const refimpl::Profile& profile, const CheckOptions& opts, const MpiOptions& mo,
              const std::function<int(const CheckResult&)>& report) {
    const Session session;
    const int me = session.rank(), ranks = session.ranks();
    if (ranks > kMaxRanks || opts.por) {
        if (me == 0 && opts.por)
            std::fprintf(stderr, "reapcheck: --por: not under mpirun (the MPI engine does not reduce)\n");
        else if (me == 0)
            std::fprintf(stderr, "reapcheck: at most %d ranks (got %d)\n", kMaxRanks, ranks);
        return 2;
    }
    int code = 0;
    try {
        const CheckResult res = check_on_ranks(profile, opts, mo);
        if (me == 0) {
            try {
                code = report(res);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "reapcheck: internal error: %s\n", e.what());
                code = 4;
            }
        }
    } catch (const InternalError&) {
        code = 4;
    } catch (const RefusedError&) {
        code = 2;
    }
    idle_barrier();
    return broadcast(code);
}

}  // namespace reapcheck::dist
