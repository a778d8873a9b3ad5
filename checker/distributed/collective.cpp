#include "checker/distributed/collective.hpp"

// The C API only: OpenMPI's deprecated C++ bindings do not compile warning-free.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

namespace reapcheck::dist {

std::vector<std::string> gather_strings(const std::string& s, int me, int ranks) {
    const int n = int(s.size());
    auto lens = std::vector<int>(std::size_t(ranks)), displs = std::vector<int>(std::size_t(ranks));
    MPI_Gather(&n, 1, MPI_INT, lens.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    std::string all;
    if (me == 0) {
        std::size_t total = 0;
        for (std::size_t k = 0; k < lens.size(); ++k) {
            displs[k] = int(total);
            total += std::size_t(lens[k]);
        }
        all.resize(total);
    }
    MPI_Gatherv(s.data(), n, MPI_CHAR, all.data(), lens.data(), displs.data(), MPI_CHAR, 0, MPI_COMM_WORLD);
    std::vector<std::string> out;
    if (me == 0)
        for (std::size_t k = 0; k < lens.size(); ++k)
            out.push_back(all.substr(std::size_t(displs[k]), std::size_t(lens[k])));
    return out;
}

}  // namespace reapcheck::dist
