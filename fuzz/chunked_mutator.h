// fuzz: a structure-aware mutator for C2SP chunked ciphertexts
// (chunked_decrypt's LLVMFuzzerCustomMutator).
//
// A byte mutation of a chunked ciphertext fails the commitment or the first
// chunk tag it touches, so the decryptors' handling of authentic but
// misshapen messages is reached only by the seeds. This mutator decodes the
// input (flags byte, then salt, commitment and chunks) under the harness's
// key and context, opens every chunk it can (a chunk that does not open
// keeps its bytes as plaintext), changes one to three things and seals the
// result again: the commitment of the (possibly new) salt and context, and
// every chunk's tag for the index it is sealed at. So the decryptors see
// authentic chunks in the wrong place (swapped, repeated, dropped, sealed at
// another index), a full chunk at the end (no final chunk), a short chunk in
// the middle, chunks after the final one, bytes cut from or added after the
// end, a commitment of another context, and valid messages of every size
// around the chunk edges.
#ifndef ENVELOPE_FUZZ_CHUNKED_MUTATOR_H_
#define ENVELOPE_FUZZ_CHUNKED_MUTATOR_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace envelope::fuzz {

// MutateChunked mutates the input in data[0, size) in place (at most
// max_size bytes) and returns its new size. `key` is the harness's input
// key, `context` the context its flags bit 0 selects. Half of the time, and
// for inputs shorter than a header, it applies libFuzzer's byte mutations
// (LLVMFuzzerMutate) instead.
size_t MutateChunked(uint8_t* data, size_t size, size_t max_size, unsigned seed,
                     std::span<const uint8_t> key, std::string_view context);

}  // namespace envelope::fuzz

#endif  // ENVELOPE_FUZZ_CHUNKED_MUTATOR_H_
