// The encoding of the MPI engine's messages (docs/distributed.md, "The
// messages"). A level's message from one rank to another is a batch of
// records, each a packed canonical state (engine::pack_state's words, word 0
// their count) and a tail: the sender's local id of the parent and the
// action's index (id << 16 | action). The sender's rank is not sent: the
// receiver knows whom a batch came from.
//
// Encoding: the records are sorted by their words, so that neighbours share
// most of them (states of one level that go to one owner differ in a few
// fields); each word is XORed with the same word of the record before (0
// past its end) and written as one byte of flags (which of its 8 bytes are
// not zero) and those bytes; the tail as two LEB128 varints (id, action).
//
// State ids (the liveness pass's backward search) are sent sorted, as
// varints of their differences.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace reapcheck::dist::wire {

/// Malformed input: a truncated record, a word count of 0, a varint too long.
struct WireError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The records bound for one rank in one level.
class Batch {
public:
    /// Appends a record: n words (w[0] == n) and its tail (< 2^48).
    void add(const uint64_t* w, std::size_t n, uint64_t tail);
    std::size_t records() const { return starts_.size(); }
    /// Appends the encoding of every record to `out` and empties the batch.
    void encode(std::vector<uint8_t>& out);

private:
    std::vector<uint64_t> flat_;     ///< per record: its words, then the tail
    std::vector<uint32_t> starts_;   ///< where each record starts in flat_
};

/// Reads the records of one encoded batch, in the order they were encoded.
class Reader {
public:
    Reader(const uint8_t* p, std::size_t n) : p_(p), end_(p + n) {}
    /// The next record; false at the end of the batch. Throws WireError.
    bool next(std::vector<uint64_t>& words, uint64_t& tail);

private:
    const uint8_t* p_;
    const uint8_t* end_;
    std::vector<uint64_t> prev_;
};

/// Sorts and de-duplicates `ids` and appends them to `out` as varints of
/// their differences (the first from 0).
void encode_ids(std::vector<uint32_t>& ids, std::vector<uint8_t>& out);
/// Appends the ids of one encoded list to `ids`. Throws WireError.
void decode_ids(const uint8_t* p, std::size_t n, std::vector<uint32_t>& ids);

}  // namespace reapcheck::dist::wire
