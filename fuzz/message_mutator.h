// fuzz: a structure-aware mutator for ESDK messages (message_decrypt's
// LLVMFuzzerCustomMutator).
//
// Byte mutations of a message almost never get past the header tag. This
// mutator decodes a message into its parts (header fields, data key, frame
// plaintexts, footer), changes one thing, and seals it again under the raw
// AES key of fuzz_keys.h: a fresh EDK for the (possibly new) suite and
// context, the header tag, every frame's tag for the sequence number and
// kind it claims, and for the P-384 suites a fresh signature under the
// harness's own signing key. So the decryptor sees authentic messages whose
// structure is wrong (frames out of order, repeated or missing, a final
// frame too early, too long or missing, bytes after the end), or right in
// unusual ways (frame lengths of 1, other suites, non-framed v1 bodies,
// several EDKs, empty and full final frames).
#ifndef ENVELOPE_FUZZ_MESSAGE_MUTATOR_H_
#define ENVELOPE_FUZZ_MESSAGE_MUTATOR_H_

#include <cstddef>
#include <cstdint>

namespace envelope::fuzz {

// MutateMessage mutates the message in data[0, size) in place (at most
// max_size bytes) and returns its new size. Inputs that do not parse as a
// header get libFuzzer's byte mutations (LLVMFuzzerMutate), as do half of
// the others.
size_t MutateMessage(uint8_t* data, size_t size, size_t max_size, unsigned seed);

}  // namespace envelope::fuzz

#endif  // ENVELOPE_FUZZ_MESSAGE_MUTATOR_H_
