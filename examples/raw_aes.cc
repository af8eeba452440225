// examples/raw_aes.cc: one-shot encryption with a raw AES key, as every AWS
// Encryption SDK reads it (same namespace, key name and key bytes).
#include <cstdio>
#include <envelope/envelope.hpp>
#include <string_view>
#include <vector>

int main() {
  // A real program reads the key from a file or descriptor (ReadSecret);
  // here a fresh random key in secret memory.
  auto key = envelope::SecretBytes::Random(32);
  if (!key) return 1;
  auto keyring = envelope::NewRawAesKeyring("example", "key-1", *key);
  if (!keyring) {
    std::fprintf(stderr, "raw_aes: error: %s\n", keyring.error().ToString().c_str());
    return 1;
  }
  constexpr std::string_view kText = "attack at dawn";
  const std::vector<uint8_t> plaintext(kText.begin(), kText.end());
  auto message = envelope::Encrypt(plaintext, **keyring, {.context = {{"purpose", "demo"}}});
  if (!message) {
    std::fprintf(stderr, "raw_aes: error: %s\n", message.error().ToString().c_str());
    return 1;
  }
  auto result = envelope::Decrypt(*message, **keyring);
  if (!result || result->plaintext != plaintext) {
    std::fprintf(stderr, "raw_aes: error: round trip failed\n");
    return 1;
  }
  // A flipped byte is refused, and no plaintext comes out.
  (*message)[message->size() / 2] ^= 1;
  auto tampered = envelope::Decrypt(*message, **keyring);
  if (tampered || tampered.error().code() != envelope::ErrorCode::auth_failed) {
    std::fprintf(stderr, "raw_aes: error: a tampered message was not refused\n");
    return 1;
  }
  std::printf("raw_aes: %zu-byte message, tampered copy refused\n", message->size());
  return 0;
}
