// test/message: encrypting and decrypting through lib/message directly.
#ifndef ENVELOPE_TEST_MESSAGE_MESSAGE_TEST_UTIL_H_
#define ENVELOPE_TEST_MESSAGE_MESSAGE_TEST_UTIL_H_

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "message/decryptor.h"
#include "message/encryptor.h"
#include "test_cmm.h"

namespace envelope::testing {

inline constexpr auto kUnsigned = AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key;
inline constexpr auto kSigned = AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key_ecdsa_p384;

// Pattern returns `n` bytes that differ from frame to frame.
inline std::vector<uint8_t> Pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = uint8_t((i * 131) ^ (i >> 9));
  return v;
}

struct EncryptParams {
  AlgorithmSuiteId suite = kUnsigned;
  uint32_t frame_length = 4096;
  unsigned threads = 1;
  EncryptionContext context;
  std::optional<std::vector<uint8_t>> message_id;
  size_t piece = 0;  // 0: one Update; else Update in pieces of this size
};

inline std::vector<uint8_t> EncryptWith(const FixedCmm& cmm, std::span<const uint8_t> plaintext,
                                        const EncryptParams& p = {}) {
  EncryptionMaterialsRequest request;
  request.suite = p.suite;
  request.context = p.context;
  auto materials = cmm.GetEncryptionMaterials(request);
  REQUIRE(materials);
  message::EncryptorConfig config;
  config.frame_length = p.frame_length;
  config.threads = p.threads;
  config.fixed_message_id = p.message_id;
  std::vector<uint8_t> out;
  MemorySink sink(out);
  auto e = message::Encryptor::New(std::move(*materials), config, sink);
  REQUIRE(e);
  if (p.piece == 0) {
    REQUIRE((*e)->Update(plaintext));
  } else {
    for (size_t i = 0; i < plaintext.size(); i += p.piece) {
      REQUIRE((*e)->Update(plaintext.subspan(i, std::min(p.piece, plaintext.size() - i))));
    }
  }
  REQUIRE((*e)->Finish());
  return out;
}

// DecryptWith pushes `message` (in pieces when piece > 0) and returns the
// result; `released` receives whatever reached the sink, even on failure.
inline Result<void> DecryptWith(const FixedCmm& cmm, std::span<const uint8_t> message,
                                std::vector<uint8_t>& released, DecryptOptions options = {},
                                size_t piece = 0) {
  released.clear();
  MemorySink sink(released);
  message::Decryptor d(cmm, options, sink);
  const size_t step = piece == 0 ? std::max<size_t>(message.size(), 1) : piece;
  for (size_t i = 0; i < message.size(); i += step) {
    if (auto r = d.Update(message.subspan(i, std::min(step, message.size() - i))); !r) return r;
  }
  return d.Finish();
}

// WriteOnlySink has no Reserve, so a writer fills its own buffer and
// calls Write.
class WriteOnlySink final : public Sink {
 public:
  explicit WriteOnlySink(std::vector<uint8_t>& out) : out_(out) {}
  Result<void> Write(std::span<const uint8_t> data) override {
    out_.insert(out_.end(), data.begin(), data.end());
    return {};
  }

 private:
  std::vector<uint8_t>& out_;
};

// TempFile holds `data` in a file under the system's temporary folder.
class TempFile {
 public:
  explicit TempFile(std::span<const uint8_t> data) {
    const char* tmp = std::getenv("TMPDIR");
    path_ = std::string(tmp != nullptr ? tmp : "/tmp") + "/update-from-XXXXXX";
    fd_ = mkstemp(path_.data());
    REQUIRE(fd_ >= 0);
    REQUIRE(write(fd_, data.data(), data.size()) == static_cast<ssize_t>(data.size()));
  }
  ~TempFile() {
    close(fd_);
    unlink(path_.c_str());
  }
  int fd() const { return fd_; }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace envelope::testing

#endif  // ENVELOPE_TEST_MESSAGE_MESSAGE_TEST_UTIL_H_
