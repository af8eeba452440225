// tools/commands: pieces shared by the encrypt and decrypt paths
// (crypt_run.cc, crypt_range.cc, c2sp_run.cc); not used elsewhere.
#ifndef ENVELOPE_TOOLS_COMMANDS_CRYPT_INTERNAL_H_
#define ENVELOPE_TOOLS_COMMANDS_CRYPT_INTERNAL_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "cli/progress.h"
#include "commands/crypt.h"
#include "commands/files.h"
#include "commands/read_ahead.h"

namespace envelope::cli {

// kContextHint follows a --require-context failure.
inline constexpr const char* kContextHint =
    "the message was encrypted with another context: see it with 'envelope inspect FILE'";

// Reader returns the ReadAhead for `in`: a regular file larger than one
// piece is read ahead on a thread of its own; anything else on the caller's
// thread (see crypt_run.cc).
std::unique_ptr<ReadAhead> Reader(InputFile& in);

// ReadByThreads says whether `in` is read by the threads that encrypt or
// decrypt it (FeedSlices) rather than by a ReadAhead: a regular file larger
// than one read-ahead piece, with more than one thread.
bool ReadByThreads(const InputFile& in, unsigned threads);

// SliceUpdate is MessageEncryptor::UpdateFrom or MessageDecryptor::UpdateFrom.
using SliceUpdate = std::function<Result<void>(PositionedSource&, uint64_t, uint64_t)>;

// FeedError is a FeedSlices failure: from `update` (an encryption or
// decryption error) or from the file.
struct FeedError {
  Error error;
  bool from_update = false;
};

// FeedSlices passes `in` from its current position to its size at open to
// `update` in slices (so that `progress` moves), adding to `read`, then
// leaves the descriptor after them and returns the ReadAhead for whatever
// the file grew by since it was opened (normally nothing), read in turn.
[[nodiscard]] tl::expected<std::unique_ptr<ReadAhead>, FeedError> FeedSlices(
    InputFile& in, Progress& progress, uint64_t& read, const SliceUpdate& update);

// OpenOutput opens the job's output with the input's permission bits
// (masked by the umask when decrypting; see crypt_run.cc).
[[nodiscard]] Result<Output> OpenOutput(const Job& job, const InputFile& in, bool force,
                                        bool binary, bool decrypt);

// FailOutput prints an Output::Open failure with its hint (--force, -o).
int FailOutput(const std::string& tool, const Error& e);

// FailCrypto prints an encryption (`encrypt`) or decryption failure with a
// hint, naming the tool's own option for every limit (--max-edks,
// --max-frame-size, --max-buffer) and for the commitment policy.
int FailCrypto(const std::string& tool, const Error& e, bool encrypt, const CryptOptions& options);

// CheckRequiredContext fails with auth_failed unless `context` holds every
// --require-context pair and key.
[[nodiscard]] Result<void> CheckRequiredContext(const EncryptionContext& context,
                                                const DecryptSetup& setup);

// DecryptRangeAt writes --range of a regular file reading only what it
// needs: the header, the frames or chunks of the range and the final one
// (which authenticates the length). Returns nullopt, having written
// nothing, when the input cannot be read that way (a pipe, armor, a signed,
// v1 or non-framed message): DecryptOne then decrypts all of it.
std::optional<int> DecryptRangeAt(const std::string& tool, const CryptOptions& options,
                                  const DecryptSetup& setup, const Job& job, InputFile& in);

// C2spKeyMissing is the error (malformed: exit 3) for an input that is no
// envelope message, given without a customer key to read it as C2SP.
Error C2spKeyMissing(const std::string& input);

}  // namespace envelope::cli

#endif  // ENVELOPE_TOOLS_COMMANDS_CRYPT_INTERNAL_H_
