// Every way a message can be malformed, truncated, extended or tampered
// with, the error code the library gives for it, and the exit code the tools
// turn that into: 3 for all of them (4 only where the message names a key we
// do not have, which a flipped key name and a message for another key both
// produce), never 2, which is kept for the caller's own arguments.
#include <doctest/doctest.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "cli/exit_codes.h"
#include "envelope/keyring.hpp"
#include "envelope/kms.hpp"

namespace envelope::cli {
namespace {

using Bytes = std::vector<uint8_t>;

constexpr uint32_t kFrame = 64;

// Layout is where each field of a v2 header and its frames start.
struct Layout {
  size_t suite = 1, message_id = 3, aad_len = 35, aad = 37, edk_count = 0;
  size_t provider_id = 0, provider_info = 0, edk_ciphertext = 0;
  size_t content_type = 0, frame_length = 0, suite_data = 0, header_tag = 0, body = 0;
};

size_t U16At(const Bytes& m, size_t at) { return size_t{m[at]} << 8 | m[at + 1]; }

// Walk finds the fields of `m`, a v2 message with one EDK.
Layout Walk(const Bytes& m) {
  Layout l;
  l.edk_count = l.aad + U16At(m, l.aad_len);
  REQUIRE(U16At(m, l.edk_count) == 1);
  l.provider_id = l.edk_count + 2;  // at its length
  l.provider_info = l.provider_id + 2 + U16At(m, l.provider_id);
  l.edk_ciphertext = l.provider_info + 2 + U16At(m, l.provider_info);
  l.content_type = l.edk_ciphertext + 2 + U16At(m, l.edk_ciphertext);
  l.frame_length = l.content_type + 1;
  l.suite_data = l.frame_length + 4;
  l.header_tag = l.suite_data + 32;
  l.body = l.header_tag + 16;
  return l;
}

Bytes WrappingKey() { return Bytes(32, 0x42); }

std::shared_ptr<const Keyring> RawKeyring() {
  auto k = NewRawAesKeyring("ns", "key", KeyView(WrappingKey()));
  REQUIRE(k);
  return *k;
}

Bytes Plaintext() {
  Bytes p(kFrame * 2 + 10);
  for (size_t i = 0; i < p.size(); ++i) p[i] = uint8_t(i * 7);
  return p;
}

Bytes Message(const Keyring& keyring) {
  EncryptOptions o;
  o.context = {{"purpose", "test"}};
  o.frame_length = kFrame;
  auto m = Encrypt(Plaintext(), keyring, o);
  REQUIRE(m);
  return *m;
}

struct Case {
  const char* name;
  std::function<void(Bytes&, const Layout&)> mutate;
  ErrorCode code;
  int exit_code;
  DecryptOptions options = {};
};

void Put16(Bytes& m, size_t at, uint16_t v) {
  m[at] = uint8_t(v >> 8);
  m[at + 1] = uint8_t(v);
}

void Put32(Bytes& m, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) m[at + i] = uint8_t(v >> (24 - 8 * i));
}

void Expect(const Keyring& keyring, const Bytes& good, const Case& c) {
  const std::string name = c.name;
  CAPTURE(name);
  Bytes m = good;
  c.mutate(m, Walk(good));
  auto r = Decrypt(m, keyring, c.options);
  REQUIRE_FALSE(r);
  const std::string message = r.error().ToString();
  CAPTURE(message);
  CHECK(r.error().code() == c.code);
  CHECK(ExitCodeFor(r.error()) == c.exit_code);
}

TEST_CASE("Decrypt errors: every malformed, tampered or extended message is exit 3") {
  auto keyring = RawKeyring();
  const Bytes good = Message(*keyring);
  REQUIRE(Decrypt(good, *keyring));
  const Layout l = Walk(good);
  REQUIRE(good[l.content_type] == 2);
  const size_t frame_tag = l.body + 4 + 12 + kFrame;  // the first frame's tag
  DecryptOptions wrong_context;
  wrong_context.reproduced_context = {{"purpose", "other"}};

  const Case cases[] = {
      {"version 3", [](Bytes& m, const Layout&) { m[0] = 3; }, ErrorCode::malformed, kExitAuth},
      {"version 1 with a v2 layout", [](Bytes& m, const Layout&) { m[0] = 1; },
       ErrorCode::malformed, kExitAuth},
      {"unknown suite 0x0479", [](Bytes& m, const Layout& x) { m[x.suite + 1] = 0x79; },
       ErrorCode::malformed, kExitAuth},
      {"v1 suite 0x0078 in a v2 header", [](Bytes& m, const Layout& x) { m[x.suite] = 0; },
       ErrorCode::malformed, kExitAuth},
      {"signed suite without a public key", [](Bytes& m, const Layout& x) { m[x.suite] = 5; },
       ErrorCode::malformed, kExitAuth},
      {"message id flipped", [](Bytes& m, const Layout& x) { m[x.message_id] ^= 1; },
       ErrorCode::auth_failed, kExitAuth},
      {"context length over the limit",
       [](Bytes& m, const Layout& x) { Put16(m, x.aad_len, 0xffff); }, ErrorCode::limit_exceeded,
       kExitAuth},
      {"context length one short", [](Bytes& m, const Layout& x) { m[x.aad_len + 1] -= 1; },
       ErrorCode::malformed, kExitAuth},
      {"context pair count 0", [](Bytes& m, const Layout& x) { Put16(m, x.aad, 0); },
       ErrorCode::malformed, kExitAuth},
      {"context value flipped", [](Bytes& m, const Layout& x) { m[x.edk_count - 1] ^= 1; },
       ErrorCode::auth_failed, kExitAuth},
      {"no EDKs", [](Bytes& m, const Layout& x) { Put16(m, x.edk_count, 0); }, ErrorCode::malformed,
       kExitAuth},
      {"EDK count over the limit", [](Bytes& m, const Layout& x) { m[x.edk_count] = 1; },
       ErrorCode::limit_exceeded, kExitAuth},
      {"EDK provider id not UTF-8", [](Bytes& m, const Layout& x) { m[x.provider_id + 2] = 0xff; },
       ErrorCode::malformed, kExitAuth},
      // A key name we do not have: a flipped byte and a message for another
      // key are the same thing, and the tools say "key not found".
      {"EDK provider id flipped", [](Bytes& m, const Layout& x) { m[x.provider_id + 2] ^= 1; },
       ErrorCode::not_found, kExitKey},
      {"EDK ciphertext flipped", [](Bytes& m, const Layout& x) { m[x.edk_ciphertext + 2] ^= 1; },
       ErrorCode::auth_failed, kExitAuth},
      {"content type 3", [](Bytes& m, const Layout& x) { m[x.content_type] = 3; },
       ErrorCode::malformed, kExitAuth},
      {"content type 0", [](Bytes& m, const Layout& x) { m[x.content_type] = 0; },
       ErrorCode::malformed, kExitAuth},
      {"non-framed with a frame length", [](Bytes& m, const Layout& x) { m[x.content_type] = 1; },
       ErrorCode::malformed, kExitAuth},
      {"frame length 0", [](Bytes& m, const Layout& x) { Put32(m, x.frame_length, 0); },
       ErrorCode::malformed, kExitAuth},
      {"frame length over the limit", [](Bytes& m, const Layout& x) { m[x.frame_length] ^= 0x80; },
       ErrorCode::limit_exceeded, kExitAuth},
      {"frame length changed", [](Bytes& m, const Layout& x) { m[x.frame_length + 3] ^= 1; },
       ErrorCode::auth_failed, kExitAuth},
      {"commitment flipped", [](Bytes& m, const Layout& x) { m[x.suite_data] ^= 1; },
       ErrorCode::auth_failed, kExitAuth},
      {"header tag flipped", [](Bytes& m, const Layout& x) { m[x.header_tag] ^= 1; },
       ErrorCode::auth_failed, kExitAuth},
      {"frame sequence number changed", [](Bytes& m, const Layout& x) { m[x.body + 3] = 2; },
       ErrorCode::auth_failed, kExitAuth},
      {"frame IV flipped", [](Bytes& m, const Layout& x) { m[x.body + 4] ^= 1; },
       ErrorCode::auth_failed, kExitAuth},
      {"frame tag flipped", [frame_tag](Bytes& m, const Layout&) { m[frame_tag] ^= 1; },
       ErrorCode::auth_failed, kExitAuth},
      {"final frame longer than the frame length",
       [](Bytes& m, const Layout&) { Put32(m, m.size() - 16 - 10 - 4, kFrame + 1); },
       ErrorCode::malformed, kExitAuth},
      // The tag is then read one byte early and does not verify.
      {"final frame shortened", [](Bytes& m, const Layout&) { m[m.size() - 16 - 10 - 1] -= 1; },
       ErrorCode::auth_failed, kExitAuth},
      {"one byte after the end", [](Bytes& m, const Layout&) { m.push_back(0); },
       ErrorCode::malformed, kExitAuth},
      {"a second message after the end",
       [&good](Bytes& m, const Layout&) { m.insert(m.end(), good.begin(), good.end()); },
       ErrorCode::malformed, kExitAuth},
      {"empty input", [](Bytes& m, const Layout&) { m.clear(); }, ErrorCode::truncated, kExitAuth},
      {"wrong encryption context", [](Bytes&, const Layout&) {}, ErrorCode::auth_failed, kExitAuth,
       wrong_context},
  };
  for (const Case& c : cases) Expect(*keyring, good, c);
}

TEST_CASE("Decrypt errors: truncated at every byte is exit 3") {
  auto keyring = RawKeyring();
  const Bytes good = Message(*keyring);
  for (size_t n = 0; n < good.size(); ++n) {
    CAPTURE(n);
    auto r = Decrypt(std::span(good).first(n), *keyring);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::truncated);
    CHECK(ExitCodeFor(r.error()) == kExitAuth);
  }
}

TEST_CASE("Decrypt errors: a KMS blob with a flipped version byte is exit 3") {
  namespace fs = std::filesystem;
  std::string dir = (fs::temp_directory_path() / "envelope-errors-XXXXXX").string();
  REQUIRE(mkdtemp(dir.data()) != nullptr);
  {
    kms::KmsOptions options;
    options.directory = dir;
    options.argon2id = {.passes = 1, .memory_kib = 8};
    auto opened = kms::Kms::Open(std::move(options));
    REQUIRE(opened);
    auto kms = std::make_shared<kms::Kms>(std::move(*opened));
    auto key = kms->CreateKey();
    REQUIRE(key);
    auto keyring = NewKmsKeyring(kms::NewKmsClient(kms), key->key_id);
    REQUIRE(keyring);
    const Bytes good = Message(**keyring);
    REQUIRE(Decrypt(good, **keyring));
    const Layout l = Walk(good);
    const size_t blob = l.edk_ciphertext + 2;  // "EK", then the format version
    for (const auto& [offset, code] :
         {std::pair{blob, ErrorCode::malformed}, std::pair{blob + 2, ErrorCode::malformed}}) {
      const size_t at = offset;
      CAPTURE(at);
      Bytes m = good;
      m[at] ^= 0x01;
      auto r = Decrypt(m, **keyring);
      REQUIRE_FALSE(r);
      const std::string message = r.error().ToString();
      CAPTURE(message);
      CHECK(r.error().code() == code);
      CHECK(ExitCodeFor(r.error()) == kExitAuth);
    }
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace envelope::cli
