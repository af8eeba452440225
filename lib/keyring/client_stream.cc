// EncryptStream and DecryptStream of message.hpp: a Source pumped through a
// MessageEncryptor or MessageDecryptor into a Sink, the message format's
// counterparts of ChunkedEncryptStream and ChunkedDecryptStream.
#include <vector>

#include "envelope/message.hpp"

namespace envelope {
namespace {

// kStreamPiece is how much a stream reads from its source at a time.
constexpr size_t kStreamPiece = 256 * 1024;

// CountingSink forwards to another sink (Reserve/Commit included, so the
// zero-copy path stays) and counts the bytes that became output.
class CountingSink final : public Sink {
 public:
  explicit CountingSink(Sink& inner) noexcept : inner_(inner) {}
  Result<void> Write(std::span<const uint8_t> data) override {
    ENVELOPE_RETURN_IF_ERROR(inner_.Write(data));
    count_ += data.size();
    return {};
  }
  std::span<uint8_t> Reserve(size_t n) override { return inner_.Reserve(n); }
  Result<void> Commit(size_t n) override {
    ENVELOPE_RETURN_IF_ERROR(inner_.Commit(n));
    count_ += n;
    return {};
  }
  uint64_t count() const noexcept { return count_; }

 private:
  Sink& inner_;
  uint64_t count_ = 0;
};

}  // namespace

Result<uint64_t> EncryptStream(Source& plaintext, Sink& ciphertext,
                               const CryptoMaterialsManager& cmm, const EncryptOptions& options) {
  ENVELOPE_ASSIGN_OR_RETURN(auto encryptor, MessageEncryptor::New(cmm, options, ciphertext));
  std::vector<uint8_t> piece(kStreamPiece);
  uint64_t total = 0;
  Result<void> status;
  for (;;) {
    auto n = plaintext.Read(piece);
    if (!n) {
      status = tl::unexpected(n.error());
      break;
    }
    if (*n == 0) {
      status = encryptor->Finish();
      break;
    }
    status = encryptor->Update(std::span(piece).first(*n));
    if (!status) break;
    total += *n;
  }
  SecureZero(piece);  // it held plaintext
  ENVELOPE_RETURN_IF_ERROR(status);
  return total;
}

Result<DecryptStreamResult> DecryptStream(Source& ciphertext, Sink& plaintext,
                                          const CryptoMaterialsManager& cmm,
                                          const DecryptOptions& options) {
  CountingSink counted(plaintext);
  ENVELOPE_ASSIGN_OR_RETURN(auto decryptor, MessageDecryptor::New(cmm, options, counted));
  std::vector<uint8_t> piece(kStreamPiece);
  for (;;) {
    ENVELOPE_ASSIGN_OR_RETURN(const size_t n, ciphertext.Read(piece));
    if (n == 0) break;
    ENVELOPE_RETURN_IF_ERROR(decryptor->Update(std::span(piece).first(n)));
  }
  ENVELOPE_RETURN_IF_ERROR(decryptor->Finish());
  DecryptStreamResult result;
  result.plaintext_size = counted.count();
  result.header = *decryptor->header();
  return result;
}

}  // namespace envelope
