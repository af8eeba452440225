// examples/caching_cmm.cc: the caching materials manager, so that many small
// messages cost one keyring call instead of one each.
//
// Every message normally gets a fresh data key, wrapped by the keyring: with
// a KMS or an HSM behind it that is one request per message. A caching CMM
// reuses a data key for up to max_messages messages (and max_bytes, and
// max_age), each message still with its own message key and id. Read the
// trade-offs in <envelope/caching_cmm.hpp> before you turn it on.
//
// Here the keyring is a raw AES keyring behind a CountingKeyring, a keyring
// of our own that counts the calls that get through to it. 25 messages with
// max_messages = 10 need 3 data keys, and decrypting them 3 unwraps.
#include <atomic>
#include <cstdio>
#include <envelope/caching_cmm.hpp>
#include <envelope/envelope.hpp>
#include <memory>
#include <string>
#include <vector>

namespace {

// CountingKeyring passes every call to `inner` and counts them. A Keyring
// must be safe to share between threads, hence the atomics.
class CountingKeyring final : public envelope::Keyring {
 public:
  explicit CountingKeyring(std::shared_ptr<const envelope::Keyring> inner)
      : inner_(std::move(inner)) {}

  envelope::Result<void> OnEncrypt(envelope::EncryptionMaterials& materials) const override {
    ++wraps;
    return inner_->OnEncrypt(materials);
  }
  envelope::Result<void> OnDecrypt(
      envelope::DecryptionMaterials& materials,
      std::span<const envelope::EncryptedDataKey> edks) const override {
    ++unwraps;
    return inner_->OnDecrypt(materials, edks);
  }

  mutable std::atomic<int> wraps{0}, unwraps{0};

 private:
  std::shared_ptr<const envelope::Keyring> inner_;
};

// Fail prints the error and returns the exit status 1.
int Fail(const char* what, const envelope::Error& error) {
  std::fprintf(stderr, "caching_cmm: error: %s: %s\n", what, error.ToString().c_str());
  return 1;
}

// Check prints `what` when `ok` is false and returns whether it was true.
bool Check(bool ok, const char* what) {
  if (!ok) std::fprintf(stderr, "caching_cmm: error: %s\n", what);
  return ok;
}

}  // namespace

int main() {
  // A real program reads the wrapping key from a file (ReadSecret) or asks a
  // KMS or an HSM; here a fresh random key.
  auto key = envelope::SecretBytes::Random(32);
  if (!key) return Fail("key", key.error());
  auto raw = envelope::NewRawAesKeyring("example", "key-1", *key);
  if (!raw) return Fail("keyring", raw.error());
  auto counting = std::make_shared<CountingKeyring>(*raw);
  auto underlying = envelope::NewDefaultCmm(counting);
  if (!underlying) return Fail("materials manager", underlying.error());

  // One cache can serve several caching CMMs; capacity bounds its memory.
  auto cache = envelope::NewMaterialsCache(100);
  if (!cache) return Fail("cache", cache.error());
  envelope::CachingCmmOptions limits;
  limits.max_age = std::chrono::minutes(1);
  limits.max_messages = 10;
  auto cmm = envelope::NewCachingCmm(*underlying, *cache, limits);
  if (!cmm) return Fail("caching materials manager", cmm.error());

  // The one-shot Encrypt states the plaintext length, which caching needs
  // (a stream of unknown length always gets a fresh data key).
  envelope::EncryptOptions options;
  options.context = {{"tenant", "acme"}};
  std::vector<std::vector<uint8_t>> messages;
  for (int i = 0; i < 25; ++i) {
    const std::string text = "record " + std::to_string(i);
    auto message =
        envelope::Encrypt(std::vector<uint8_t>(text.begin(), text.end()), **cmm, options);
    if (!message) return Fail("encrypt", message.error());
    messages.push_back(std::move(*message));
  }
  const int wraps = counting->wraps;
  if (!Check(wraps == 3, "25 messages did not take exactly 3 data keys")) return 1;

  // Decrypting through the same caching CMM: messages that share a wrapped
  // data key (and context) share one unwrap.
  std::vector<envelope::EncryptedDataKey> first_edks;
  for (size_t i = 0; i < messages.size(); ++i) {
    auto result = envelope::Decrypt(messages[i], **cmm);
    if (!result) return Fail("decrypt", result.error());
    const std::string text(result->plaintext.begin(), result->plaintext.end());
    if (!Check(text == "record " + std::to_string(i), "a message decrypted wrongly")) return 1;
    // Messages 0..9 carry the same wrapped data key, message 10 a new one.
    if (i == 0) first_edks = result->header.encrypted_data_keys;
    if (!Check((result->header.encrypted_data_keys == first_edks) == (i < 10),
               "messages 0..9 do not share exactly one data key")) {
      return 1;
    }
  }
  const int unwraps = counting->unwraps;
  if (!Check(unwraps == 3, "25 messages did not take exactly 3 unwraps")) return 1;

  // Another context never shares an entry; Clear() drops (and wipes) every
  // cached key, so the next message asks the keyring again.
  options.context = {{"tenant", "globex"}};
  if (auto m = envelope::Encrypt(std::vector<uint8_t>{1, 2, 3}, **cmm, options); !m)
    return Fail("encrypt", m.error());
  (*cache)->Clear();
  if (auto m = envelope::Encrypt(std::vector<uint8_t>{1, 2, 3}, **cmm, options); !m)
    return Fail("encrypt", m.error());
  if (!Check(counting->wraps == 5, "a new context or a cleared cache reused a data key")) return 1;

  std::printf("caching_cmm: %zu messages, %d data keys wrapped, %d unwrapped\n", messages.size(),
              wraps, unwraps);
  return 0;
}
