// Encrypting one input to one output, streaming: large reads into the push
// API (MessageEncryptor, or ChunkedEncryptor for --format c2sp), frames out
// as they complete, so memory stays bounded at any input size. Decrypting is
// crypt_decrypt.cc.
#include <algorithm>
#include <filesystem>
#include <memory>
#include <vector>

#include "cli/exit_codes.h"
#include "cli/progress.h"
#include "commands/crypt_internal.h"
#include "commands/files.h"
#include "commands/read_ahead.h"
#include "envelope/armor.hpp"
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

}  // namespace

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

// ReadByThreads: on two cores, reading a large regular file in the threads
// that encrypt or decrypt it beats reading ahead on a thread of its own, as
// the reading is spread over both and each frame is still in cache when AES
// reads it. With --threads 1 the read-ahead thread is the only parallelism
// left, so it stays.
bool ReadByThreads(const InputFile& in, unsigned threads) {
  return in.size() > kReadSize && threads != 1;
}

tl::expected<std::unique_ptr<ReadAhead>, FeedError> FeedSlices(InputFile& in, Progress& progress,
                                                               uint64_t& read,
                                                               const SliceUpdate& update) {
  auto start = in.Position();
  if (!start) return tl::unexpected(FeedError{start.error(), false});
  FdPositionedSource at(in.fd());
  uint64_t pos = *start;
  while (pos < in.size()) {
    const uint64_t n = std::min(kSliceSize, in.size() - pos);
    if (auto r = update(at, pos, n); !r) return tl::unexpected(FeedError{r.error(), true});
    pos += n;
    read += n;
    progress.Add(n);
  }
  // Whatever was appended since it was opened follows, read in turn.
  if (auto r = in.SeekTo(pos); !r) return tl::unexpected(FeedError{r.error(), false});
  return std::make_unique<ReadAhead>(in, kTailReadSize, false);
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
    if (ec)
      return MakeError(ErrorCode::io,
                       "cannot create a folder for \"" + job.output + "\": " + ec.message());
  }
  return Output::Open(
      job.output, {.force = force, .binary = binary, .mode = in.mode(), .apply_umask = decrypt});
}

int EncryptOne(const std::string& tool, const CryptOptions& o, const CryptoMaterialsManager& cmm,
               const EncryptOptions& eo, const Job& job, MetadataOutput* metadata) {
  auto in = InputFile::Open(job.input);
  if (!in) return Fail(tool, in.error());
  auto out = OpenOutput(job, *in, o.force, !o.armor, false);
  if (!out) return FailOutput(tool, out.error());
  OutputSink sink(*out);
  ArmorSink armor(sink);
  auto encryptor = MessageEncryptor::New(cmm, eo, o.armor ? static_cast<Sink&>(armor) : sink);
  if (!encryptor) return FailCrypto(tool, encryptor.error(), true, o);
  Progress progress(tool, in->size(), o.quiet);
  uint64_t read = 0;
  std::unique_ptr<ReadAhead> reader;
  if (ReadByThreads(*in, o.threads)) {
    // The threads that seal the frames read them (MessageEncryptor::UpdateFrom).
    auto fed = FeedSlices(*in, progress, read, [&](PositionedSource& at, uint64_t pos, uint64_t n) {
      return (*encryptor)->UpdateFrom(at, pos, n);
    });
    if (!fed) {
      return fed.error().from_update ? FailCrypto(tool, fed.error().error, true, o)
                                     : Fail(tool, fed.error().error);
    }
    reader = std::move(*fed);
  } else {
    reader = Reader(*in);
  }
  for (;;) {
    auto piece = reader->Next();
    if (!piece) return Fail(tool, piece.error());
    if (piece->empty()) break;
    if (auto r = (*encryptor)->Update(*piece); !r) return FailCrypto(tool, r.error(), true, o);
    read += piece->size();
    progress.Add(piece->size());
  }
  if (auto r = (*encryptor)->Finish(); !r) return FailCrypto(tool, r.error(), true, o);
  if (o.armor) {
    if (auto r = armor.Close(); !r) return Fail(tool, r.error());
  }
  progress.Finish();
  if (auto r = out->Commit(); !r) return Fail(tool, r.error());
  if (metadata != nullptr) {
    MetadataRecord m{.mode = "encrypt",
                     .format = "esdk",
                     .input = job.input,
                     .output = job.output,
                     .header = (*encryptor)->header(),
                     .bytes_read = read,
                     .bytes_written = out->bytes_written()};
    if (auto r = metadata->Write(m); !r) return Fail(tool, r.error());
  }
  return kExitOk;
}

int EncryptC2spOne(const std::string& tool, const CryptOptions& o, const SecretBytes& key,
                   const ChunkedOptions& chunked, const Job& job, MetadataOutput* metadata) {
  auto in = InputFile::Open(job.input);
  if (!in) return Fail(tool, in.error());
  auto out = OpenOutput(job, *in, o.force, !o.armor, false);
  if (!out) return FailOutput(tool, out.error());
  OutputSink sink(*out);
  ArmorSink armor(sink);
  auto encryptor = ChunkedEncryptor::New(key, o.armor ? static_cast<Sink&>(armor) : sink, chunked);
  if (!encryptor) return Fail(tool, encryptor.error());
  Progress progress(tool, in->size(), o.quiet);
  uint64_t read = 0;
  auto reader = Reader(*in);
  for (;;) {
    auto piece = reader->Next();
    if (!piece) return Fail(tool, piece.error());
    if (piece->empty()) break;
    if (auto r = (*encryptor)->Write(*piece); !r) return Fail(tool, r.error());
    read += piece->size();
    progress.Add(piece->size());
  }
  if (auto r = (*encryptor)->Finish(); !r) return Fail(tool, r.error());
  if (o.armor) {
    if (auto r = armor.Close(); !r) return Fail(tool, r.error());
  }
  progress.Finish();
  if (auto r = out->Commit(); !r) return Fail(tool, r.error());
  if (metadata != nullptr) {
    MetadataRecord m{.mode = "encrypt",
                     .format = "c2sp",
                     .input = job.input,
                     .output = job.output,
                     .bytes_read = read,
                     .bytes_written = out->bytes_written()};
    if (auto r = metadata->Write(m); !r) return Fail(tool, r.error());
  }
  return kExitOk;
}

}  // namespace envelope::cli
