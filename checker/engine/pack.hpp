// A lossless fixed-width bit packing of canonical refimpl states (the output
// of canonicalize: compacted, pids numbered in order, list positions and exec
// ids compressed to ranks), the form in which the explicit engine stores
// states and keeps its frontier (checker/explicit/).
//
// Word 0 holds the number of words. Every task then starts on a word of its
// own (so a task that a transition leaves alone packs to the same words and
// its subtree in the tree store is shared); the processes, sighands, pids,
// files and descriptor tables follow in one stream. Fields that canonical
// states derive (pid numbers, next_pid_nr, next_seq) are not stored.
// A value that does not fit its field throws std::logic_error: the packing
// never loses information silently.
#pragma once

#include <cstdint>
#include <vector>

#include "refimpl/state.hpp"

namespace reapcheck::engine {

/// Packs a canonical state. require: s is canonical (canonicalize's output).
void pack_state(const refimpl::State& s, std::vector<uint64_t>& words);
/// pack_state as a plain field-by-field bit writer that checks each field as
/// it goes: the reference that pack_state must equal word for word (tested),
/// and the path that names the field when a value does not fit.
void pack_state_reference(const refimpl::State& s, std::vector<uint64_t>& words);
/// The inverse of pack_state.
refimpl::State unpack_state(const std::vector<uint64_t>& words);

}  // namespace reapcheck::engine
