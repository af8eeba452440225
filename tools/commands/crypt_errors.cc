// The errors of encrypt and decrypt in the tools' words: every limit names
// the option that changes it, never a library setting.
#include <cstring>

#include "cli/exit_codes.h"
#include "commands/crypt_internal.h"

namespace envelope::cli {
namespace {

bool Has(const Error& e, const char* text) { return e.message().find(text) != std::string::npos; }

// Limit returns the parsed value of a size option, or its text when it does
// not parse (RunCrypt refuses that before any job runs).
std::string Limit(const std::string& text, const char* option) {
  auto size = ParseSize(text, option);
  return size ? FormatSize(*size) : text;
}

}  // namespace

int FailOutput(const std::string& tool, const Error& e) {
  const std::string& m = e.message();
  if (m.find(" exists") != std::string::npos) {
    return Fail(tool, e, {"pass --force to overwrite it"});
  }
  if (m.find("terminal") != std::string::npos) {
    return Fail(tool, e, {"use -o FILE, redirect to a file or a pipe, or pass --armor"});
  }
  return Fail(tool, e);
}

int FailCrypto(const std::string& tool, const Error& e, bool encrypt, const CryptOptions& o) {
  if (encrypt) return Fail(tool, e);
  switch (e.code()) {
    case ErrorCode::auth_failed:
      return Fail(tool, e, {"the key or the encryption context is wrong, or the file was changed"});
    case ErrorCode::not_found:
      return Fail(tool, e, {"the message names its keys: see them with 'envelope inspect FILE'"});
    case ErrorCode::truncated:
      return Fail(tool, e, {"the file is incomplete: was it fully copied?"});
    case ErrorCode::unsupported:
      if (Has(e, "commitment policy requires")) {
        const std::string& m = e.message();
        return Fail(tool, Error(e.code(), m.substr(0, m.find("; use"))),
                    {"a legacy (v1) message: pass --commitment-policy "
                     "require-encrypt-allow-decrypt to read it"});
      }
      return Fail(tool, e);
    case ErrorCode::limit_exceeded:
      if (Has(e, "encrypted data keys")) {
        return Fail(tool, e, {"raise --max-edks if you trust the message"});
      }
      if (Has(e, "max_buffered_plaintext")) {
        return Fail(tool,
                    Error(e.code(),
                          "a signed message to a pipe is held in memory until its "
                          "signature verifies, and this one is over --max-buffer " +
                              Limit(o.max_buffer, "--max-buffer")),
                    {"raise --max-buffer, or write to a file with -o (kept only if it verifies)"});
      }
      if (Has(e, "max_frame_length") || (Has(e, "frame length") && Has(e, "over the limit"))) {
        std::string m = e.message();
        const size_t cut = m.find(" is over");
        if (cut != std::string::npos) m.resize(cut);
        return Fail(tool,
                    Error(e.code(), m + " is over --max-frame-size " +
                                        Limit(o.max_frame_size, "--max-frame-size")),
                    {"raise --max-frame-size if you trust the message (each thread holds a "
                     "frame in memory)"});
      }
      return Fail(tool, e);
    case ErrorCode::malformed:
      return Fail(tool, e, {"the file is damaged or not an envelope message"});
    default:
      return Fail(tool, e);
  }
}

Result<void> CheckRequiredContext(const EncryptionContext& context, const DecryptSetup& setup) {
  for (const std::string& key : setup.required_keys) {
    if (context.find(key) == context.end()) {
      return MakeError(ErrorCode::auth_failed,
                       "encryption context has no \"" + key + "\" (required by --require-context)");
    }
  }
  for (const auto& [key, value] : setup.required) {
    auto it = context.find(key);
    if (it == context.end()) {
      return MakeError(ErrorCode::auth_failed,
                       "encryption context has no \"" + key + "\" (required by --require-context)");
    }
    if (it->second != value) {
      return MakeError(ErrorCode::auth_failed, "encryption context \"" + key + "\" is \"" +
                                                   it->second + "\", not \"" + value + "\"");
    }
  }
  return {};
}

Format DetectFormat(std::span<const uint8_t> head) {
  if (head.size() < 4) return Format::esdk;
  const unsigned suite = (unsigned{head[1]} << 8) | head[2];
  if (head[0] == 0x02 && (suite == 0x0478 || suite == 0x0578)) return Format::esdk;
  if (head[0] == 0x01 && head[1] == 0x80) {
    const unsigned v1 = (unsigned{head[2]} << 8) | head[3];
    for (unsigned id :
         {0x0014u, 0x0046u, 0x0078u, 0x0114u, 0x0146u, 0x0178u, 0x0214u, 0x0346u, 0x0378u}) {
      if (v1 == id) return Format::esdk;
    }
  }
  return Format::c2sp;
}

Error C2spKeyMissing(const std::string& input) {
  return Error(ErrorCode::malformed,
               "\"" + input +
                   "\" does not start like an envelope message (damaged?); if it "
                   "is a C2SP chunked file, give its 256-bit key: --customer-key-file, "
                   "--customer-key-fd or --customer-key-env");
}

}  // namespace envelope::cli
