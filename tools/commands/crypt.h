// tools/commands: the encrypt and decrypt commands (the small tools and
// `envelope encrypt` / `envelope decrypt` run this same code).
#ifndef ENVELOPE_TOOLS_COMMANDS_CRYPT_H_
#define ENVELOPE_TOOLS_COMMANDS_CRYPT_H_

#include <optional>
#include <span>
#include <string>

#include "commands/crypt_options.h"
#include "commands/files.h"
#include "commands/metadata.h"
#include "commands/sizes.h"
#include "envelope/chunked.hpp"
#include "envelope/message.hpp"
#include "envelope/secret.hpp"

namespace envelope::cli {

// RunCrypt runs encrypt or decrypt (options.direction) over every input and
// returns the exit code. Inputs are processed in order; the first failure
// stops the run, leaving that job's output untouched (files) and earlier
// outputs complete.
int RunCrypt(const std::string& tool, const CryptOptions& options);

// EncryptOne encrypts one job's input into its output.
// `metadata` (may be null) gets the job's --metadata-output record.
int EncryptOne(const std::string& tool, const CryptOptions& options,
               const CryptoMaterialsManager& cmm, const EncryptOptions& encrypt_options,
               const Job& job, MetadataOutput* metadata = nullptr);

// EncryptC2spOne encrypts one job's input into a C2SP chunked file under
// `key` (the customer key).
int EncryptC2spOne(const std::string& tool, const CryptOptions& options, const SecretBytes& key,
                   const ChunkedOptions& chunked, const Job& job,
                   MetadataOutput* metadata = nullptr);

// DecryptSetup is what every decrypt job of a run shares.
struct DecryptSetup {
  const CryptoMaterialsManager* cmm = nullptr;  // for envelope (ESDK) messages
  DecryptOptions options;
  EncryptionContext required;              // --require-context KEY=VALUE
  std::vector<std::string> required_keys;  // --require-context KEY (any value)
  const SecretBytes* c2sp_key = nullptr;   // the customer key, for C2SP files
  ChunkedOptions chunked;
  std::optional<ByteRange> range;      // --range
  MetadataOutput* metadata = nullptr;  // --metadata-output, if given
};

// DecryptOne decrypts one job: an envelope message or a C2SP file (the
// format is detected unless --format says it), all of it or --range.
int DecryptOne(const std::string& tool, const CryptOptions& options, const DecryptSetup& setup,
               const Job& job);

// Format is what a decrypt input holds.
enum class Format { esdk, c2sp };

// DetectFormat tells an envelope (ESDK) message from a C2SP chunked file by
// its first bytes: a v2 header starts 02 04 78 or 02 05 78, a v1 header 01
// 80 and a v1 suite id; a C2SP file starts with its random salt (which looks
// like an ESDK header with a chance of about 2^-23; --format c2sp settles
// it). Fewer than 4 bytes are taken as ESDK, whose decoder then reports them
// truncated.
Format DetectFormat(std::span<const uint8_t> head);

// RunCryptMain is the whole main() of the small tools.
int RunCryptMain(Direction direction, int argc, char** argv);

}  // namespace envelope::cli

#endif  // ENVELOPE_TOOLS_COMMANDS_CRYPT_H_
