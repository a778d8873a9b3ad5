// Checkpoints of the MPI engine (docs/checkpoint.md, "Under MPI"): the
// collective protocol around the files of checker/engine/checkpoint.hpp.
// Each rank writes its part into DIR/ckpt-N.tmp/rank-R/; after every rank
// has synced its files, rank 0 writes the manifest (K and every rank's file
// lengths and CRCs) and LATEST, so a checkpoint exists only when every
// rank's part does. A resume needs the same K (the fingerprint's "ranks").
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "checker/engine/checkpoint.hpp"

namespace reapcheck::dist {

/// Collective. Whether a checkpoint before `level` is due: rank 0's
/// session decides, every rank learns it.
bool checkpoint_due(const engine::ckpt::Session& s, uint32_t level, bool final, int me);

/// Collective. Writes the checkpoint before `level`: `fill` writes this
/// rank's files and figures (rank 0's go into the manifest). A rank that
/// fails to write makes every rank skip the commit (one line from rank 0);
/// the last checkpoint stays.
void write_checkpoint(engine::ckpt::Session& s, uint32_t level, int me, int ranks,
                      const std::function<void(engine::ckpt::FileSet&, nlohmann::json&)>& fill);

/// Collective. Opens the last checkpoint and lets `load` fill this rank
/// from its part (rank-R/). Returns the first error of any rank (in rank
/// order), the same on every rank; empty when every rank resumed.
std::string resume_checkpoint(engine::ckpt::Session& s, int me, int ranks,
                              const std::function<void(const engine::ckpt::FileReader&, const nlohmann::json&)>& load);

}  // namespace reapcheck::dist
