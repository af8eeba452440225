#include <filesystem>

#include "cli/exit_codes.h"
#include "cli/parse.h"
#include "commands/crypt.h"
#include "commands/keys.h"
#include "envelope/atomic_file.hpp"
#include "envelope/version.hpp"

namespace envelope::cli {
namespace {

bool SamePath(const std::string& a, const std::string& b) {
  std::error_code ec;
  return a != "-" && b != "-" && std::filesystem::equivalent(a, b, ec);
}

}  // namespace

int RunCrypt(const std::string& tool, const CryptOptions& o) {
  const bool enc = o.direction == Direction::encrypt;
  auto context = ParseContext(o.context, "--context");
  if (!context) return Fail(tool, context.error());
  auto required = ParseContext(o.require_context, "--require-context");
  if (!required) return Fail(tool, required.error());
  auto policy = ParseCommitmentPolicy(o.commitment_policy);
  if (!policy) return Fail(tool, policy.error());
  if (auto r = CheckPkcs11Options(o.pkcs11, false); !r) return Fail(tool, r.error());

  for (const std::string& in : o.inputs) {
    std::error_code ec;
    if (!o.recursive && in != "-" && std::filesystem::is_directory(in, ec)) {
      PrintError(tool, "input \"" + in + "\" is a folder",
                 {"pass --recursive to " + std::string(enc ? "encrypt" : "decrypt") +
                  " every file in it"});
      return kExitUsage;
    }
  }
  auto jobs = PlanJobs(o.inputs, o.output, enc, o.recursive, o.suffix);
  if (!jobs) return Fail(tool, jobs.error());
  for (const Job& job : *jobs) {
    if (SamePath(job.input, job.output)) {
      return Fail(tool, Error(ErrorCode::invalid_argument,
                              "input and output are the same file \"" + job.input + "\""),
                  {"write to another file, then rename it"});
    }
  }

  Keystore keystore(o.keystore);
  auto keyring = BuildKeyring(o, keystore);
  if (!keyring) return Fail(tool, keyring.error());
  auto cmm = NewDefaultCmm(*keyring);
  if (!cmm) return Fail(tool, cmm.error());

  EncryptOptions eo;
  eo.context = *context;
  eo.frame_length = o.frame_size;
  eo.threads = o.threads;
  eo.commitment_policy = *policy;
  eo.limits.max_encrypted_data_keys = o.max_edks;
  if (o.suite == "signed") eo.suite = AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key_ecdsa_p384;
  DecryptOptions d;
  d.commitment_policy = *policy;
  d.threads = o.threads;
  d.limits.max_encrypted_data_keys = o.max_edks;

  for (const Job& job : *jobs) {
    const int rc = enc ? EncryptOne(tool, o, **cmm, eo, job)
                       : DecryptOne(tool, o, **cmm, d, *required, job);
    if (rc != kExitOk) return rc;
  }
  return kExitOk;
}

namespace {

// CryptMain parses the command line and runs; RunCryptMain guards it.
int CryptMain(Direction direction, const std::string& tool, int argc, char** argv) {
  const bool enc = direction == Direction::encrypt;
  // SIGINT, SIGTERM, SIGHUP remove a named temporary output (AtomicFile).
  if (auto r = InstallTemporaryFileCleanup(); !r) return Fail(tool, r.error());
  if (auto refused = RefuseLiteralSecrets(tool, argc, argv)) return *refused;
  CLI::App app{enc ? "encrypt: encrypt files or standard input into envelope messages "
                     "(AWS Encryption SDK format)"
                   : "decrypt: decrypt envelope messages (AWS Encryption SDK format, binary or "
                     "base64)"};
  app.set_version_flag("--version", tool + " (envelope) " + envelope::Version() +
                                        "\naes-gcm: " + envelope::AesGcmBackend());
  CryptOptions options;
  AddCryptOptions(app, options, direction, tool);
  if (auto done = ParseArgs(app, tool, argc, argv)) return *done;
  return RunCrypt(tool, options);
}

}  // namespace

int RunCryptMain(Direction direction, int argc, char** argv) {
  HardenProcess();
  const std::string tool = direction == Direction::encrypt ? "encrypt" : "decrypt";
  return RunMain(tool, [&] { return CryptMain(direction, tool, argc, argv); });
}

}  // namespace envelope::cli
