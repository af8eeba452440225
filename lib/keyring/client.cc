// The public entry points of message.hpp and the keyring overloads of
// keyring.hpp: materials from a CMM, then lib/message does the format
// (EncryptStream and DecryptStream in client_stream.cc).
#include <algorithm>
#include <cstring>

#include "envelope/keyring.hpp"
#include "envelope/message.hpp"
#include "keyring/default_cmm.h"
#include "message/decryptor.h"
#include "message/encryptor.h"
#include "message/random_access.h"

namespace envelope {
namespace {

// Piece is how much a reader pulls from its source at a time.
constexpr size_t kPiece = 256 * 1024;

// QueueSink keeps what a stream wrote until a reader takes it.
class QueueSink final : public Sink {
 public:
  Result<void> Write(std::span<const uint8_t> data) override {
    bytes_.insert(bytes_.end(), data.begin(), data.end());
    return {};
  }
  size_t Take(std::span<uint8_t> out) {
    const size_t n = std::min(out.size(), bytes_.size() - pos_);
    if (n > 0) std::memcpy(out.data(), bytes_.data() + pos_, n);
    pos_ += n;
    if (pos_ == bytes_.size()) {
      SecureZero(bytes_);
      bytes_.clear();
      pos_ = 0;
    }
    return n;
  }
  bool empty() const { return pos_ == bytes_.size(); }
  ~QueueSink() override { SecureZero(bytes_); }

 private:
  std::vector<uint8_t> bytes_;
  size_t pos_ = 0;
};

// NewEncryptor asks `cmm` for materials; `plaintext_size` is the exact
// length when the caller has the whole plaintext (a caching CMM needs it).
Result<std::unique_ptr<message::Encryptor>> NewEncryptor(
    const CryptoMaterialsManager& cmm, const EncryptOptions& options, Sink& sink,
    std::optional<uint64_t> plaintext_size = std::nullopt) {
  EncryptionMaterialsRequest request;
  request.max_plaintext_length = plaintext_size;
  request.context = options.context;
  request.suite = options.suite;
  request.commitment_policy = options.commitment_policy;
  auto materials = cmm.GetEncryptionMaterials(request);
  ENVELOPE_RETURN_IF_ERROR(materials);
  if (materials->suite != options.suite) {
    return MakeError(ErrorCode::invalid_argument,
                     "encrypt: the materials manager chose another suite than asked for");
  }
  message::EncryptorConfig config;
  config.frame_length = options.frame_length;
  config.threads = options.threads;
  config.commitment_policy = options.commitment_policy;
  config.limits = options.limits;
  return message::Encryptor::New(std::move(*materials), config, sink);
}

// Pump drives a push stream from a Source for the pull readers.
template <typename Stream>
Result<size_t> Pump(Stream& stream, Source& source, QueueSink& queue, bool& ended,
                    std::vector<uint8_t>& piece, std::span<uint8_t> out) {
  while (queue.empty() && !ended) {
    auto n = source.Read(piece);
    ENVELOPE_RETURN_IF_ERROR(n);
    if (*n == 0) {
      ended = true;
      ENVELOPE_RETURN_IF_ERROR(stream.Finish());
    } else {
      ENVELOPE_RETURN_IF_ERROR(stream.Update(std::span(piece).first(*n)));
    }
  }
  return queue.Take(out);
}

class EncryptingReaderImpl final : public EncryptingReader {
 public:
  EncryptingReaderImpl(Source& source) : source_(source), piece_(kPiece) {}
  Result<void> Init(const CryptoMaterialsManager& cmm, const EncryptOptions& options) {
    auto e = NewEncryptor(cmm, options, queue_);
    ENVELOPE_RETURN_IF_ERROR(e);
    encryptor_ = std::move(*e);
    return {};
  }
  Result<size_t> Read(std::span<uint8_t> out) override {
    if (error_) return tl::unexpected(*error_);
    auto n = Pump(*encryptor_, source_, queue_, ended_, piece_, out);
    if (!n) error_ = n.error();
    return n;
  }

 private:
  Source& source_;
  QueueSink queue_;
  std::unique_ptr<message::Encryptor> encryptor_;
  std::vector<uint8_t> piece_;
  bool ended_ = false;
  std::optional<Error> error_;
};

class DecryptingReaderImpl final : public DecryptingReader {
 public:
  DecryptingReaderImpl(const CryptoMaterialsManager& cmm, const DecryptOptions& options,
                       Source& source)
      : source_(source), decryptor_(cmm, options, queue_), piece_(kPiece) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    if (error_) return tl::unexpected(*error_);
    auto n = Pump(decryptor_, source_, queue_, ended_, piece_, out);
    if (!n) error_ = n.error();
    return n;
  }
  const HeaderInfo* header() const override { return decryptor_.header(); }

 private:
  Source& source_;
  QueueSink queue_;  // declared before decryptor_, which writes into it
  message::Decryptor decryptor_;
  std::vector<uint8_t> piece_;
  bool ended_ = false;
  std::optional<Error> error_;
};

// BorrowedCmm is a default CMM over a keyring the caller owns.
keyring::DefaultCmm BorrowedCmm(const Keyring& keyring) {
  return keyring::DefaultCmm(std::shared_ptr<const Keyring>(std::shared_ptr<void>(), &keyring));
}

}  // namespace

Result<std::unique_ptr<MessageEncryptor>> MessageEncryptor::New(const CryptoMaterialsManager& cmm,
                                                                const EncryptOptions& options,
                                                                Sink& sink) {
  auto e = NewEncryptor(cmm, options, sink);
  ENVELOPE_RETURN_IF_ERROR(e);
  return std::unique_ptr<MessageEncryptor>(std::move(*e));
}

Result<std::unique_ptr<MessageDecryptor>> MessageDecryptor::New(const CryptoMaterialsManager& cmm,
                                                                const DecryptOptions& options,
                                                                Sink& sink) {
  if (options.threads > 256) {
    return MakeError(ErrorCode::invalid_argument, "decrypt: at most 256 threads");
  }
  return std::unique_ptr<MessageDecryptor>(new message::Decryptor(cmm, options, sink));
}

Result<std::unique_ptr<EncryptingReader>> EncryptingReader::New(const CryptoMaterialsManager& cmm,
                                                                const EncryptOptions& options,
                                                                Source& plaintext) {
  auto reader = std::make_unique<EncryptingReaderImpl>(plaintext);
  ENVELOPE_RETURN_IF_ERROR(reader->Init(cmm, options));
  return std::unique_ptr<EncryptingReader>(std::move(reader));
}

Result<std::unique_ptr<DecryptingReader>> DecryptingReader::New(const CryptoMaterialsManager& cmm,
                                                                const DecryptOptions& options,
                                                                Source& ciphertext) {
  if (options.threads > 256) {
    return MakeError(ErrorCode::invalid_argument, "decrypt: at most 256 threads");
  }
  return std::unique_ptr<DecryptingReader>(
      std::make_unique<DecryptingReaderImpl>(cmm, options, ciphertext));
}

Result<std::vector<uint8_t>> Encrypt(std::span<const uint8_t> plaintext,
                                     const CryptoMaterialsManager& cmm,
                                     const EncryptOptions& options) {
  std::vector<uint8_t> out;
  MemorySink sink(out);
  auto e = NewEncryptor(cmm, options, sink, plaintext.size());
  ENVELOPE_RETURN_IF_ERROR(e);
  out.reserve(plaintext.size() +
              plaintext.size() / std::max<uint32_t>(options.frame_length, 1) *
                  message::kRegularFrameOverhead +
              4096);
  ENVELOPE_RETURN_IF_ERROR((*e)->Update(plaintext));
  ENVELOPE_RETURN_IF_ERROR((*e)->Finish());
  return out;
}

Result<DecryptResult> Decrypt(std::span<const uint8_t> message, const CryptoMaterialsManager& cmm,
                              const DecryptOptions& options) {
  DecryptResult result;
  MemorySink sink(result.plaintext);
  DecryptOptions opts = options;
  // The output stays in this function until everything verified, so a
  // signed message's plaintext need not be held twice.
  opts.allow_unverified_streaming = true;
  message::Decryptor d(cmm, opts, sink);
  result.plaintext.reserve(message.size());
  auto r = d.Update(message);
  if (r) r = d.Finish();
  if (!r) {
    SecureZero(result.plaintext);
    return tl::unexpected(r.error());
  }
  result.header = *d.header();
  return result;
}

Result<std::unique_ptr<RandomAccessDecryptor>> RandomAccessDecryptor::New(
    PositionedSource& source, const CryptoMaterialsManager& cmm, const DecryptOptions& options) {
  auto r = message::RandomAccessReader::New(source, cmm, options);
  ENVELOPE_RETURN_IF_ERROR(r);
  return std::unique_ptr<RandomAccessDecryptor>(std::move(*r));
}

Result<std::vector<uint8_t>> Encrypt(std::span<const uint8_t> plaintext, const Keyring& keyring,
                                     const EncryptOptions& options) {
  const auto cmm = BorrowedCmm(keyring);
  return Encrypt(plaintext, cmm, options);
}

Result<DecryptResult> Decrypt(std::span<const uint8_t> message, const Keyring& keyring,
                              const DecryptOptions& options) {
  const auto cmm = BorrowedCmm(keyring);
  return Decrypt(message, cmm, options);
}

Result<uint64_t> EncryptStream(Source& plaintext, Sink& ciphertext, const Keyring& keyring,
                               const EncryptOptions& options) {
  const auto cmm = BorrowedCmm(keyring);
  return EncryptStream(plaintext, ciphertext, cmm, options);
}

Result<DecryptStreamResult> DecryptStream(Source& ciphertext, Sink& plaintext,
                                          const Keyring& keyring, const DecryptOptions& options) {
  const auto cmm = BorrowedCmm(keyring);
  return DecryptStream(ciphertext, plaintext, cmm, options);
}

}  // namespace envelope
