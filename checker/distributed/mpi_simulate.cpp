// The swarm under MPI (mpi_simulate.hpp). One round of collectives after
// the walks: the per-property first places (MPI_Reduce, min) and cover hits
// (sum), the walk and step counts, the times, and each rank's stop reason,
// model error and internal error as strings (gathered to rank 0). The
// walks themselves exchange nothing: each is a function of (seed, index).
#include "checker/distributed/mpi_simulate.hpp"

#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "checker/distributed/collective.hpp"

namespace reapcheck::dist {

int run_simulate(const refimpl::Profile& profile, engine::SimulateOptions o,
                 const std::function<int(const engine::SimulateResult&, const engine::SimulateOptions&)>& report) {
    MPI_Init(nullptr, nullptr);
    int me = 0, ranks = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &me);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    o.threads = 1;   // the ranks are the parallelism
    engine::SimulateOptions mine = o;
    mine.walk_first = uint64_t(me);
    mine.walk_stride = uint64_t(ranks);
    // --stop-when-found sees only this rank's findings: each rank stops when
    // it has found every property itself.
    const std::size_t np = engine::checked_property_count(profile, o);
    engine::WalkTally t;
    t.found.assign(np, UINT64_MAX);
    t.hits.assign(np, 0);
    std::string error;
    try {
        t = engine::run_walks(profile, mine);
    } catch (const std::exception& e) {
        error = e.what();
    }
    // Numbers: reduced to rank 0.
    std::vector<uint64_t> found(np, UINT64_MAX), hits(np, 0);
    MPI_Reduce(t.found.data(), found.data(), int(np), MPI_UINT64_T, MPI_MIN, 0, MPI_COMM_WORLD);
    MPI_Reduce(t.hits.data(), hits.data(), int(np), MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    uint64_t counts[2] = {t.walks, t.steps}, total[2] = {};
    MPI_Reduce(counts, total, 2, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    double cpu = 0, wall = 0;
    MPI_Reduce(&t.cpu_seconds, &cpu, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(&t.seconds, &wall, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    auto me_walk = std::vector<uint64_t>(std::size_t(ranks));
    MPI_Gather(&t.model_error_walk, 1, MPI_UINT64_T, me_walk.data(), 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    // Strings: gathered to rank 0.
    const std::vector<std::string> errors = gather_strings(error, me, ranks);
    const std::vector<std::string> stops = gather_strings(t.stop_reason, me, ranks);
    const std::vector<std::string> model_errors = gather_strings(t.model_error, me, ranks);
    int code = 0;
    if (me == 0) {
        engine::WalkTally m;
        m.found = found;
        m.hits = hits;
        m.walks = total[0];
        m.steps = total[1];
        m.cpu_seconds = cpu;
        m.seconds = wall;
        for (std::size_t k = 0; k < std::size_t(ranks); ++k) {
            if (m.stop_reason.empty()) m.stop_reason = stops[k];
            if (me_walk[k] < m.model_error_walk) {
                m.model_error_walk = me_walk[k];
                m.model_error = model_errors[k];
            }
            if (!errors[k].empty() && code == 0) {
                std::fprintf(stderr, "reapcheck: internal error on rank %zu: %s\n", k, errors[k].c_str());
                code = 4;
            }
        }
        if (code == 0) {
            try {
                engine::SimulateResult r = engine::finish_simulation(profile, o, m);
                r.ranks = ranks;
                code = report(r, o);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "reapcheck: internal error: %s\n", e.what());
                code = 4;
            }
        }
    }
    MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Finalize();
    return code;
}

}  // namespace reapcheck::dist
