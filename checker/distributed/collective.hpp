// Small collectives over MPI_COMM_WORLD shared by the MPI commands
// (mpi_check.cpp, mpi_simulate.cpp). Include after <mpi.h>.
#pragma once

#include <string>
#include <vector>

namespace reapcheck::dist {

/// Every rank's string, on rank 0 in rank order (empty elsewhere). Collective.
std::vector<std::string> gather_strings(const std::string& s, int me, int ranks);

}  // namespace reapcheck::dist
