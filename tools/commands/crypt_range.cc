// decrypt --range on a regular file: random access through
// RandomAccessDecryptor (unsigned v2 envelope messages) or
// ChunkedRandomAccessReader (C2SP files), reading the header, the final
// frame or chunk (which authenticates the length) and those of the range.
// The reads are counted; -v prints the count, so a test can see that a range
// of a large message read only a few frames.
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>

#include "cli/exit_codes.h"
#include "commands/crypt_internal.h"
#include "envelope/armor.hpp"

namespace envelope::cli {
namespace {

constexpr size_t kPiece = size_t{4} << 20;

// CountingSource reads a regular file with pread(2) and counts the bytes.
class CountingSource final : public PositionedSource {
 public:
  explicit CountingSource(int fd) : file_(fd) {}
  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) override {
    auto n = file_.ReadAt(offset, out);
    if (n) Count(*n);
    return n;
  }
  Result<size_t> ReadAtV(uint64_t offset, std::span<const std::span<uint8_t>> outs) override {
    auto n = file_.ReadAtV(offset, outs);
    if (n) Count(*n);
    return n;
  }
  Result<uint64_t> Size() override { return file_.Size(); }
  uint64_t bytes() const { return bytes_; }
  uint64_t reads() const { return reads_; }

 private:
  void Count(size_t n) {
    bytes_ += n;
    ++reads_;
  }
  FdPositionedSource file_;
  uint64_t bytes_ = 0;
  uint64_t reads_ = 0;
};

// Plaintext is what a range is read from: either random-access reader.
struct Plaintext {
  std::unique_ptr<RandomAccessDecryptor> message;
  std::unique_ptr<ChunkedRandomAccessReader> chunked;
  uint64_t size = 0;
  Result<void> ReadAt(uint64_t offset, std::span<uint8_t> out) {
    auto n = message ? message->ReadAt(offset, out) : chunked->ReadAt(offset, out);
    ENVELOPE_RETURN_IF_ERROR(n);
    if (*n != out.size()) return MakeError(ErrorCode::truncated, "decrypt: the file ended early");
    return {};
  }
};

bool RegularFile(int fd) {
  struct stat st;
  return ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

std::optional<int> DecryptRangeAt(const std::string& tool, const CryptOptions& o,
                                  const DecryptSetup& setup, const Job& job, InputFile& in) {
  if (!RegularFile(in.fd()) || o.decode) return std::nullopt;
  if (auto pos = in.Position(); !pos || *pos != 0) return std::nullopt;
  CountingSource source(in.fd());
  std::vector<uint8_t> head(64);
  auto got = source.ReadAt(0, head);
  if (!got) return Fail(tool, got.error());
  head.resize(*got);
  if (LooksArmored(head)) return std::nullopt;
  const Format format = o.format == "c2sp"   ? Format::c2sp
                        : o.format == "esdk" ? Format::esdk
                                             : DetectFormat(head);
  Plaintext plain;
  if (format == Format::c2sp) {
    if (setup.c2sp_key == nullptr) return Fail(tool, C2spKeyMissing(job.input));
    if (!setup.required.empty() || !setup.required_keys.empty()) {
      return Fail(tool, Error(ErrorCode::invalid_argument,
                              "--require-context: \"" + job.input +
                                  "\" is a C2SP chunked file, which has no encryption context"));
    }
    auto r = ChunkedRandomAccessReader::New(*setup.c2sp_key, source, setup.chunked);
    if (!r) return FailCrypto(tool, r.error(), false, o);
    auto size = (*r)->Size();  // verifies the final chunk: the length is authentic
    if (!size) return FailCrypto(tool, size.error(), false, o);
    plain.chunked = std::move(*r);
    plain.size = *size;
  } else {
    auto r = RandomAccessDecryptor::New(source, *setup.cmm, setup.options);
    // Signed, v1 and non-framed messages are decrypted whole (signed: the
    // signature covers all of it, so it is verified before the range goes out).
    if (!r && r.error().code() == ErrorCode::unsupported &&
        r.error().message().find("random access") != std::string::npos) {
      if (o.verbose) {
        std::fprintf(stderr,
                     "%s: \"%s\" is signed, v1 or non-framed: decrypting all of it for the "
                     "range\n",
                     tool.c_str(), job.input.c_str());
      }
      return std::nullopt;
    }
    if (!r) return FailCrypto(tool, r.error(), false, o);
    if (auto c = CheckRequiredContext((*r)->header().context, setup); !c) {
      return Fail(tool, c.error(), {kContextHint});
    }
    plain.size = (*r)->plaintext_size();
    plain.message = std::move(*r);
  }
  auto window = RangeWithin(*setup.range, plain.size);
  if (!window) return Fail(tool, window.error());
  auto out = OpenOutput(job, in, o.force, false, true);
  if (!out) return FailOutput(tool, out.error());
  std::vector<uint8_t> buf(static_cast<size_t>(std::min<uint64_t>(kPiece, window->second)));
  for (uint64_t done = 0; done < window->second;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), window->second - done));
    std::span<uint8_t> piece(buf.data(), n);
    if (auto r = plain.ReadAt(window->first + done, piece); !r) {
      return FailCrypto(tool, r.error(), false, o);
    }
    if (auto r = out->Write(piece); !r) return Fail(tool, r.error());
    done += n;
  }
  SecureZero(buf);
  if (auto r = out->Commit(); !r) return Fail(tool, r.error());
  if (setup.metadata != nullptr) {
    MetadataRecord m{.mode = "decrypt",
                     .format = plain.message ? "esdk" : "c2sp",
                     .input = job.input,
                     .output = job.output,
                     .bytes_read = source.bytes(),
                     .bytes_written = out->bytes_written(),
                     .range = *window};
    if (plain.message) m.header = plain.message->header();
    if (auto r = setup.metadata->Write(m); !r) return Fail(tool, r.error());
  }
  if (o.verbose) {
    std::fprintf(stderr, "%s: read %llu of %llu bytes of \"%s\" in %llu reads\n", tool.c_str(),
                 static_cast<unsigned long long>(source.bytes()),
                 static_cast<unsigned long long>(in.size()), job.input.c_str(),
                 static_cast<unsigned long long>(source.reads()));
  }
  return kExitOk;
}

}  // namespace envelope::cli
