// fuzz: a structure-aware mutator for keystore files and payloads
// (keystore_load's LLVMFuzzerCustomMutator).
//
// A byte mutation of a keystore file fails its AES-GCM tag, so the payload
// decoder behind OpenKeystore sees only the seeds' payloads through that
// path (mode odd feeds the decoder directly). This mutator opens a file
// under the harness's root key (kms_fuzz_keys.h), changes the payload (the
// JSON as JSON: a member removed, a value of another type or an edge value,
// an array element repeated; or its bytes; or the key material table: a row
// added, dropped or swapped) or the header (mode, Argon2id costs and salt),
// and seals it again under the same root key, so the decoder, the header
// rules and the re-seal check see authentic files whose contents are
// wrong. A payload input (mode odd) is changed the same way and, one time in
// four, sealed into a file (mode even).
#ifndef ENVELOPE_FUZZ_KEYSTORE_MUTATOR_H_
#define ENVELOPE_FUZZ_KEYSTORE_MUTATOR_H_

#include <cstddef>
#include <cstdint>

namespace envelope::fuzz {

// MutateKeystore mutates the input in data[0, size) in place (at most
// max_size bytes) and returns its new size. Half of the time, and for a
// file that does not open, it applies libFuzzer's byte mutations
// (LLVMFuzzerMutate) instead.
size_t MutateKeystore(uint8_t* data, size_t size, size_t max_size, unsigned seed);

}  // namespace envelope::fuzz

#endif  // ENVELOPE_FUZZ_KEYSTORE_MUTATOR_H_
