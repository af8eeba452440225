// Encrypting and decrypting one input to one output, streaming: large
// reads into the push API (MessageEncryptor / MessageDecryptor), frames out
// as they complete, so memory stays bounded at any input size.
#include <algorithm>
#include <filesystem>
#include <memory>
#include <vector>

#include "cli/exit_codes.h"
#include "cli/progress.h"
#include "commands/armor.h"
#include "commands/crypt.h"
#include "commands/files.h"
#include "commands/read_ahead.h"
#include "envelope/io.hpp"

namespace envelope::cli {
namespace {

constexpr size_t kReadSize = size_t{4} << 20;
// A large regular file is encrypted through UpdateFrom in slices of this
// size, so that the progress bar moves.
constexpr uint64_t kSliceSize = uint64_t{64} << 20;
// What a large file grew by after it was opened is read in pieces of this
// size (normally there is nothing).
constexpr size_t kTailReadSize = size_t{64} << 10;

// Reader returns the ReadAhead for `in`. A regular file larger than one
// piece is read one piece ahead on a thread of its own. Anything else is
// read on the caller's thread: a regular file of at most one piece in a
// single read into a buffer just over its size (a thread and a zero-filled
// 4 MiB buffer would cost a 1 KiB file more than its encryption), and a pipe
// or terminal because a read there can block for as long as the writer
// likes, and a failed run must not wait for it to finish (the process on the
// other side of a pipe runs in parallel anyway).
std::unique_ptr<ReadAhead> Reader(InputFile& in) {
  const uint64_t size = in.size();
  if (size > 0 && size < kReadSize) {
    return std::make_unique<ReadAhead>(in, static_cast<size_t>(size) + 1, false);
  }
  return std::make_unique<ReadAhead>(in, kReadSize, size > 0);
}

constexpr const char* kContextHint =
    "the message was encrypted with another context: see it with 'envelope inspect FILE'";

// ContextCheckSink refuses to release plaintext until the authenticated
// header holds every --require-context pair.
class ContextCheckSink final : public ByteSink {
 public:
  ContextCheckSink(ByteSink& next, const EncryptionContext& required)
      : next_(next), required_(required) {}
  void Watch(const MessageDecryptor* decryptor) { decryptor_ = decryptor; }
  Result<void> Write(std::span<const uint8_t> data) override {
    if (auto r = Check(); !r) return r;
    return next_.Write(data);
  }
  Result<void> Check() {
    if (checked_ || required_.empty()) return {};
    const HeaderInfo* header = decryptor_ ? decryptor_->header() : nullptr;
    if (header == nullptr) return MakeError(ErrorCode::internal, "no authenticated header");
    for (const auto& [key, value] : required_) {
      auto it = header->context.find(key);
      if (it == header->context.end()) {
        failed_ = true;
        return MakeError(ErrorCode::auth_failed,
                         "encryption context has no \"" + key + "\" (required by --require-context)");
      }
      if (it->second != value) {
        failed_ = true;
        return MakeError(ErrorCode::auth_failed, "encryption context \"" + key + "\" is \"" +
                                                     it->second + "\", not \"" + value + "\"");
      }
    }
    checked_ = true;
    return {};
  }
  bool failed() const { return failed_; }

 private:
  ByteSink& next_;
  const EncryptionContext& required_;
  const MessageDecryptor* decryptor_ = nullptr;
  bool checked_ = false;
  bool failed_ = false;
};

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

int FailCrypto(const std::string& tool, const Error& e, bool encrypt) {
  if (encrypt) return Fail(tool, e);
  switch (e.code()) {
    case ErrorCode::auth_failed:
      return Fail(tool, e, {"the key or the encryption context is wrong, or the file was changed"});
    case ErrorCode::not_found:
      return Fail(tool, e, {"the message names its keys: see them with 'envelope inspect FILE'"});
    case ErrorCode::truncated:
      return Fail(tool, e, {"the file is incomplete: was it fully copied?"});
    case ErrorCode::limit_exceeded:
      if (e.message().find("encrypted data keys") != std::string::npos) {
        return Fail(tool, e, {"raise --max-edks if you trust the message"});
      }
      if (e.message().find("signature verifies") != std::string::npos) {
        return Fail(tool, e,
                    {"a signed message to a pipe is held in memory until it "
                     "verifies: write it to a file with -o"});
      }
      return Fail(tool, e);
    case ErrorCode::malformed:
      return Fail(tool, e, {"the file is damaged or not an envelope message"});
    default: return Fail(tool, e);
  }
}

// OpenOutput opens the job's output. Its mode is the input's permission
// bits without setuid, setgid or sticky (InputFile::mode), masked by the
// umask when decrypting: ciphertext may be shared more widely than the
// plaintext it holds should be. Standard input gives 0666 & ~umask.
Result<Output> OpenOutput(const Job& job, const InputFile& in, bool force, bool binary,
                          bool decrypt) {
  if (job.create_parent) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(job.output).parent_path(), ec);
    if (ec) return MakeError(ErrorCode::io, "cannot create a folder for \"" + job.output + "\": " +
                                                ec.message());
  }
  return Output::Open(job.output, {.force = force,
                                   .binary = binary,
                                   .mode = in.mode(),
                                   .apply_umask = decrypt});
}

}  // namespace

int EncryptOne(const std::string& tool, const CryptOptions& o, const CryptoMaterialsManager& cmm,
               const EncryptOptions& eo, const Job& job) {
  auto in = InputFile::Open(job.input);
  if (!in) return Fail(tool, in.error());
  auto out = OpenOutput(job, *in, o.force, !o.armor, false);
  if (!out) return FailOutput(tool, out.error());
  OutputSink sink(*out);
  ArmorSink armor(sink);
  auto encryptor = MessageEncryptor::New(cmm, eo, o.armor ? static_cast<ByteSink&>(armor) : sink);
  if (!encryptor) return FailCrypto(tool, encryptor.error(), true);
  Progress progress(tool, in->size(), o.quiet);
  std::unique_ptr<ReadAhead> reader;
  if (in->size() > kReadSize && o.threads != 1) {
    // A large regular file is read by the threads that encrypt it (see
    // MessageEncryptor::UpdateFrom): on two cores that beats reading ahead
    // on a thread of its own, as the reading is spread over both and each
    // frame is still in cache when it is sealed. With --threads 1 the
    // read-ahead thread is the only parallelism left, so it stays.
    auto start = in->Position();
    if (!start) return Fail(tool, start.error());
    FdPositionedSource at(in->fd());
    uint64_t pos = *start;
    while (pos < in->size()) {
      const uint64_t n = std::min(kSliceSize, in->size() - pos);
      if (auto r = (*encryptor)->UpdateFrom(at, pos, n); !r) {
        return FailCrypto(tool, r.error(), true);
      }
      pos += n;
      progress.Add(n);
    }
    // Whatever was appended since it was opened follows, read in turn.
    if (auto r = in->SeekTo(pos); !r) return Fail(tool, r.error());
    reader = std::make_unique<ReadAhead>(*in, kTailReadSize, false);
  } else {
    reader = Reader(*in);
  }
  for (;;) {
    auto piece = reader->Next();
    if (!piece) return Fail(tool, piece.error());
    if (piece->empty()) break;
    if (auto r = (*encryptor)->Update(*piece); !r) return FailCrypto(tool, r.error(), true);
    progress.Add(piece->size());
  }
  if (auto r = (*encryptor)->Finish(); !r) return FailCrypto(tool, r.error(), true);
  if (o.armor) {
    if (auto r = armor.Close(); !r) return Fail(tool, r.error());
  }
  progress.Finish();
  if (auto r = out->Commit(); !r) return Fail(tool, r.error());
  return kExitOk;
}

int DecryptOne(const std::string& tool, const CryptOptions& o, const CryptoMaterialsManager& cmm,
               DecryptOptions d, const EncryptionContext& required, const Job& job) {
  auto in = InputFile::Open(job.input);
  if (!in) return Fail(tool, in.error());
  auto out = OpenOutput(job, *in, o.force, false, true);
  if (!out) return FailOutput(tool, out.error());
  // A file output is discarded unless everything verifies, so signed
  // messages may stream into it; a pipe may not see unverified bytes.
  d.allow_unverified_streaming = out->atomic();
  OutputSink sink(*out);
  ContextCheckSink checked(sink, required);
  auto decryptor = MessageDecryptor::New(cmm, d, checked);
  if (!decryptor) return FailCrypto(tool, decryptor.error(), false);
  checked.Watch(decryptor->get());
  Progress progress(tool, in->size(), o.quiet);
  auto reader = Reader(*in);
  std::vector<uint8_t> decoded;
  std::optional<ArmorDecoder> armor;
  bool first = true;
  for (;;) {
    auto piece = reader->Next();
    if (!piece) return Fail(tool, piece.error());
    if (piece->empty()) break;
    std::span<const uint8_t> chunk = *piece;
    if (first && LooksArmored(chunk)) armor.emplace();
    first = false;
    if (armor) {
      decoded.clear();
      if (auto r = armor->Decode(chunk, decoded); !r) return Fail(tool, r.error());
      chunk = decoded;
    }
    if (auto r = (*decryptor)->Update(chunk); !r) {
      if (checked.failed()) return Fail(tool, r.error(), {kContextHint});
      return FailCrypto(tool, r.error(), false);
    }
    progress.Add(piece->size());
  }
  if (armor) {
    if (auto r = armor->Finish(); !r) return Fail(tool, r.error());
  }
  if (auto r = (*decryptor)->Finish(); !r) return FailCrypto(tool, r.error(), false);
  if (auto r = checked.Check(); !r) return Fail(tool, r.error(), {kContextHint});
  progress.Finish();
  if (auto r = out->Commit(); !r) return Fail(tool, r.error());
  return kExitOk;
}

}  // namespace envelope::cli
