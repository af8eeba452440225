// EncryptStream / DecryptStream (message.hpp, keyring.hpp) from a Source to
// a Sink, and the text overloads: the same messages as the one-shot calls,
// one error code per kind of failure, nothing claimed for a failed stream.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "envelope/customer_key.hpp"
#include "envelope/keyring.hpp"
#include "envelope/message.hpp"
#include "envelope/passphrase.hpp"

namespace envelope {
namespace {

std::shared_ptr<const Keyring> Aes(uint8_t fill) {
  auto k = NewRawAesKeyring("ns", "stream", KeyView(std::vector<uint8_t>(32, fill)));
  REQUIRE(k);
  return *k;
}

std::vector<uint8_t> Pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 31 + 7);
  return v;
}

// ShortSource hands out at most 1000 bytes per Read, to cut the stream at
// places that are no frame boundary.
class ShortSource final : public Source {
 public:
  explicit ShortSource(std::span<const uint8_t> data) : inner_(data) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    return inner_.Read(out.first(std::min<size_t>(out.size(), 1000)));
  }

 private:
  MemorySource inner_;
};

TEST_CASE("EncryptStream/DecryptStream: round trips through sources and sinks") {
  const auto keyring = Aes(1);
  for (size_t size : {0u, 1u, 4096u, 300000u}) {
    CAPTURE(size);
    const auto plain = Pattern(size);
    ShortSource source(plain);
    MemorySink sink;
    EncryptOptions options;
    options.frame_length = 4096;
    options.context = {{"purpose", "stream"}};
    auto written = EncryptStream(source, sink, *keyring, options);
    REQUIRE(written);
    CHECK(*written == size);
    const std::vector<uint8_t> message = sink.Take();

    // The one-shot decryption reads what the stream wrote ...
    auto one_shot = Decrypt(message, *keyring);
    REQUIRE(one_shot);
    CHECK(one_shot->plaintext == plain);
    // ... and the stream reads it too, reporting the header.
    MemorySource ct(message);
    MemorySink out;
    auto read = DecryptStream(ct, out, *keyring);
    REQUIRE(read);
    CHECK(read->plaintext_size == size);
    CHECK(read->header.context.at("purpose") == "stream");
    CHECK(out.data() == plain);
  }
}

TEST_CASE("DecryptStream: a wrong context or key is auth_failed, a cut message truncated") {
  const auto keyring = Aes(1);
  const auto plain = Pattern(20000);
  auto message = Encrypt(plain, *keyring, {.context = {{"team", "web"}}, .frame_length = 4096});
  REQUIRE(message);

  DecryptOptions wrong_context;
  wrong_context.reproduced_context = {{"team", "db"}};
  MemorySource a(*message);
  MemorySink sink_a;
  auto r = DecryptStream(a, sink_a, *keyring, wrong_context);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::auth_failed);
  CHECK(sink_a.data().empty());

  MemorySource b(*message);
  MemorySink sink_b;
  auto wrong_key = DecryptStream(b, sink_b, *Aes(2));
  REQUIRE_FALSE(wrong_key);
  CHECK(wrong_key.error().code() == ErrorCode::auth_failed);

  const std::span<const uint8_t> all_but_last = std::span(*message).first(message->size() - 1);
  MemorySource c(all_but_last);
  MemorySink sink_c;
  auto cut = DecryptStream(c, sink_c, *keyring);
  REQUIRE_FALSE(cut);
  CHECK(cut.error().code() == ErrorCode::truncated);
}

TEST_CASE("Required context: a reproduced context without the key is auth_failed everywhere") {
  auto cmm = NewRequiredEncryptionContextCmm(*NewDefaultCmm(Aes(3)), {"tenant"});
  REQUIRE(cmm);
  auto message = Encrypt("text", **cmm, {.context = {{"tenant", "a"}}});
  REQUIRE(message);
  CHECK(Decrypt(*message, **cmm).error().code() == ErrorCode::auth_failed);
  MemorySource source(*message);
  MemorySink sink;
  CHECK(DecryptStream(source, sink, **cmm).error().code() == ErrorCode::auth_failed);
  DecryptOptions right;
  right.reproduced_context = {{"tenant", "a"}};
  auto ok = Decrypt(*message, **cmm, right);
  REQUIRE(ok);
  CHECK(std::string(ok->plaintext.begin(), ok->plaintext.end()) == "text");
}

TEST_CASE("Text overloads: the same bytes as the span calls") {
  const std::string text = "attack at dawn \xc3\xa9";
  const auto keyring = Aes(4);
  auto message = Encrypt(text, *keyring);
  REQUIRE(message);
  auto back = Decrypt(*message, *keyring);
  REQUIRE(back);
  CHECK(std::string(back->plaintext.begin(), back->plaintext.end()) == text);
  CHECK(AsBytes(text).size() == text.size());
  CHECK(AsBytes(text)[15] == 0xc3);  // a byte >= 0x80 stays itself

  const std::string base64 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
  auto key = ParseCustomerKey(std::string_view(base64));
  REQUIRE(key);
  CHECK(key->size() == kCustomerKeySize);
  CHECK_FALSE(ParseCustomerKey(std::string_view("not a key")));

  PassphraseOptions cheap;
  cheap.passes = 1;
  cheap.memory_kib = 8;
  auto by_text = NewPassphraseKeyring(std::string_view("correct horse"), cheap);
  auto by_bytes = NewPassphraseKeyring(AsBytes("correct horse"), cheap);
  REQUIRE(by_text);
  REQUIRE(by_bytes);
  auto sealed = Encrypt("diary", **by_text);
  REQUIRE(sealed);
  CHECK(Decrypt(*sealed, **by_bytes));
}

}  // namespace
}  // namespace envelope
