#include <cstdint>
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

// Limits are the parsed --max-frame-size and --max-buffer.
struct Limits {
  uint64_t max_frame = 0;
  uint64_t max_buffer = 0;
};

Result<Limits> ParseLimits(const CryptOptions& o) {
  auto frame = ParseSize(o.max_frame_size, "--max-frame-size");
  ENVELOPE_RETURN_IF_ERROR(frame);
  if (*frame == 0 || *frame > UINT32_MAX) {
    return MakeError(ErrorCode::invalid_argument,
                     "--max-frame-size " + o.max_frame_size +
                         ": must be 1 to 4294967295 (the format's largest frame)");
  }
  auto buffer = ParseSize(o.max_buffer, "--max-buffer");
  ENVELOPE_RETURN_IF_ERROR(buffer);
  if (*buffer > SIZE_MAX) {
    return MakeError(ErrorCode::invalid_argument, "--max-buffer " + o.max_buffer + ": too large");
  }
  if (o.direction == Direction::encrypt && o.frame_size > *frame) {
    return MakeError(ErrorCode::invalid_argument,
                     "--frame-size " + std::to_string(o.frame_size) + " is over --max-frame-size " +
                         FormatSize(*frame) +
                         "; hint: readers refuse such frames unless told "
                         "(decrypt --max-frame-size): raise --max-frame-size to write them");
  }
  return Limits{*frame, *buffer};
}

// C2spSetup reads the C2SP context options into `chunked`.
Result<void> C2spSetup(const CryptOptions& o, ChunkedOptions& chunked) {
  chunked.threads = o.threads;
  chunked.context.assign(o.c2sp_context.begin(), o.c2sp_context.end());
  if (!o.c2sp_context_hex.empty()) {
    const std::string& h = o.c2sp_context_hex;
    auto digit = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    chunked.context.clear();
    for (size_t i = 0; i + 1 < h.size(); i += 2) {
      const int hi = digit(h[i]), lo = digit(h[i + 1]);
      if (hi < 0 || lo < 0) break;
      chunked.context.push_back(static_cast<uint8_t>(hi * 16 + lo));
    }
    if (chunked.context.size() * 2 != h.size()) {
      return MakeError(ErrorCode::invalid_argument,
                       "--c2sp-context-hex: expected an even number of hex digits");
    }
  }
  if (chunked.context.size() > kChunkedMaxContextSize) {
    return MakeError(ErrorCode::invalid_argument, "--c2sp-context: more than 1024 bytes");
  }
  return {};
}

// C2spOnlyCustomerKey refuses encrypt --format c2sp with anything a C2SP
// file cannot hold.
Result<void> C2spOnlyCustomerKey(const CryptOptions& o) {
  const bool other_keys = !o.kms_keys.empty() || o.passphrase_prompt ||
                          !o.passphrase_file.empty() || o.passphrase_fd >= 0 ||
                          !o.passphrase_env.empty() || !o.wrapping_keys.empty() ||
                          o.pkcs11.names_key();
  if (other_keys) {
    return MakeError(ErrorCode::invalid_argument,
                     "--format c2sp: a C2SP file has one key, the customer key "
                     "(--customer-key-file, --customer-key-fd or --customer-key-env)");
  }
  if (!o.context.empty()) {
    return MakeError(ErrorCode::invalid_argument,
                     "--format c2sp: a C2SP file has no encryption context (--context); "
                     "--c2sp-context binds a string into its key instead");
  }
  if (o.suite != "unsigned") {
    return MakeError(ErrorCode::invalid_argument, "--format c2sp: C2SP files are not signed");
  }
  return {};
}

int RunCrypt(const std::string& tool, const CryptOptions& o) {
  const bool enc = o.direction == Direction::encrypt;
  auto context = ParseContext(o.context, "--context");
  if (!context) return Fail(tool, context.error());
  DecryptSetup setup;
  std::vector<std::string> pairs;
  for (const std::string& item : o.require_context) {
    if (item.find('=') == std::string::npos && !item.empty()) {
      setup.required_keys.push_back(item);  // KEY: present, any value
    } else {
      pairs.push_back(item);
    }
  }
  auto required = ParseContext(pairs, "--require-context");
  if (!required) return Fail(tool, required.error());
  setup.required = *required;
  auto policy = ParseCommitmentPolicy(o.commitment_policy);
  if (!policy) return Fail(tool, policy.error());
  if (auto r = CheckPkcs11Options(o.pkcs11, false); !r) return Fail(tool, r.error());
  auto limits = ParseLimits(o);
  if (!limits) return Fail(tool, limits.error());
  if (!o.range.empty()) {
    auto range = ParseRange(o.range);
    if (!range) return Fail(tool, range.error());
    setup.range = *range;
  }
  if (auto r = C2spSetup(o, setup.chunked); !r) return Fail(tool, r.error());
  const bool c2sp_out = enc && o.format == "c2sp";
  if (c2sp_out) {
    if (auto r = C2spOnlyCustomerKey(o); !r) return Fail(tool, r.error());
  }

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
      return Fail(tool,
                  Error(ErrorCode::invalid_argument,
                        "input and output are the same file \"" + job.input + "\""),
                  {"write to another file, then rename it"});
    }
  }

  for (const Job& job : *jobs) {
    if (o.metadata_output == "-" && job.output == "-") {
      return Fail(tool,
                  Error(ErrorCode::invalid_argument,
                        "--metadata-output - and the output both go to standard output"),
                  {"write the metadata or the output to a file"});
    }
  }
  auto metadata = MetadataOutput::Open(o.metadata_output);
  if (!metadata) return Fail(tool, metadata.error());
  MetadataOutput* meta = metadata->enabled() ? &*metadata : nullptr;
  setup.metadata = meta;

  // The customer key is read once: a descriptor cannot be read twice, and a
  // C2SP file needs its bytes besides the keyring.
  auto customer_key = ReadCustomerKey(o);
  if (!customer_key) return Fail(tool, customer_key.error());
  const SecretBytes* key = *customer_key ? &**customer_key : nullptr;
  if (c2sp_out) {
    if (key == nullptr) {
      return Fail(tool, Error(ErrorCode::invalid_argument,
                              "--format c2sp needs the 256-bit customer key: "
                              "--customer-key-file, --customer-key-fd or --customer-key-env"));
    }
    for (const Job& job : *jobs) {
      if (const int rc = EncryptC2spOne(tool, o, *key, setup.chunked, job, meta); rc != kExitOk) {
        return rc;
      }
    }
    return kExitOk;
  }

  Keystore keystore(o.keystore);
  Pkcs11Keys pkcs11(o.pkcs11);
  auto keyring = BuildKeyring(o, keystore, pkcs11, key);
  if (!keyring) return Fail(tool, keyring.error());
  auto cmm = NewDefaultCmm(*keyring);
  if (!cmm) return Fail(tool, cmm.error());

  EncryptOptions eo;
  eo.context = *context;
  eo.frame_length = o.frame_size;
  eo.threads = o.threads;
  eo.commitment_policy = *policy;
  eo.limits.max_encrypted_data_keys = o.max_edks;
  eo.limits.max_frame_length = static_cast<uint32_t>(limits->max_frame);
  if (o.suite == "signed")
    eo.suite = AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key_ecdsa_p384;
  setup.cmm = cmm->get();
  setup.c2sp_key = key;
  DecryptOptions& d = setup.options;
  d.commitment_policy = *policy;
  d.threads = o.threads;
  d.limits.max_encrypted_data_keys = o.max_edks;
  d.limits.max_frame_length = static_cast<uint32_t>(limits->max_frame);
  d.max_buffered_plaintext = static_cast<size_t>(limits->max_buffer);

  for (const Job& job : *jobs) {
    const int rc =
        enc ? EncryptOne(tool, o, **cmm, eo, job, meta) : DecryptOne(tool, o, setup, job);
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
