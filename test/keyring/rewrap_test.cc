// Message rewrap on files: the body carried over byte for byte, the new key
// in and the old key out, in-place atomicity under a failing write, signed
// messages re-signed (and refused when tampered), malformed input refused
// with nothing changed, and a timing comparison of 1 KiB and 1 GiB bodies.
#include "envelope/rewrap.hpp"

#include <doctest/doctest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "envelope/customer_key.hpp"
#include "envelope/keyring.hpp"
#include "envelope/message.hpp"
#include "support/vectors.h"

namespace envelope {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "envelope-rewrap-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string operator/(std::string_view name) const { return (path_ / name).string(); }
  size_t entries() const {
    return static_cast<size_t>(std::distance(fs::directory_iterator(path_), {}));
  }

 private:
  fs::path path_;
};

std::vector<uint8_t> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void WriteAll(const std::string& path, std::span<const uint8_t> data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

std::vector<uint8_t> Pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 131 + (i >> 9));
  return v;
}

std::shared_ptr<const Keyring> Aes(std::string name, uint8_t fill) {
  return *NewRawAesKeyring("ns", name, KeyView(std::vector<uint8_t>(32, fill)));
}

std::shared_ptr<const Keyring> Ssec(uint8_t fill) {
  return *NewCustomerKeyKeyring(KeyView(std::vector<uint8_t>(32, fill)));
}

constexpr auto kSigned = AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key_ecdsa_p384;
constexpr auto kUnsigned = AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key;
const EncryptionContext kContext = {{"tenant", "t1"}};

// Written holds a message written to a file and its header size.
struct Written {
  std::vector<uint8_t> bytes;
  size_t header_size;
};

Written WriteMessage(const std::string& path, const Keyring& keyring, AlgorithmSuiteId suite,
                     std::span<const uint8_t> plaintext) {
  auto message =
      Encrypt(plaintext, keyring, {.suite = suite, .context = kContext, .frame_length = 4096});
  REQUIRE(message);
  WriteAll(path, *message);
  auto info = Decrypt(*message, keyring);
  REQUIRE(info);
  return {*message, static_cast<size_t>(info->header.header_size)};
}

TEST_CASE("Rewrap: the body is unchanged; the new key decrypts, the old one no longer does") {
  const auto plain = Pattern(100 * 1024 + 17);
  for (auto suite : {kUnsigned, kSigned}) {
    CAPTURE(static_cast<int>(suite));
    TempDir dir;
    auto old_key = Aes("old", 1);
    auto new_key = Ssec(2);
    const Written in = WriteMessage(dir / "in", *old_key, suite, plain);
    auto result = RewrapMessage(dir / "in", dir / "out", *old_key, *new_key);
    REQUIRE(result);
    const auto out = ReadAll(dir / "out");
    const size_t new_header = result->header.header_size;
    const size_t footer = suite == kSigned ? 2 + 104 : 0;  // at most
    CHECK(result->resigned == (suite == kSigned));
    // Frames: every byte after the header (up to the footer) is the same.
    const size_t frames = result->body_bytes;
    REQUIRE(frames + in.header_size <= in.bytes.size());
    REQUIRE(frames + in.header_size + footer >= in.bytes.size());
    CHECK(std::equal(in.bytes.begin() + in.header_size, in.bytes.begin() + in.header_size + frames,
                     out.begin() + new_header));
    if (suite == kUnsigned) CHECK(out.size() - new_header == in.bytes.size() - in.header_size);
    // Same message id and commit key.
    auto decrypted = Decrypt(out, *new_key);
    REQUIRE(decrypted);
    CHECK(decrypted->plaintext == plain);
    CHECK(decrypted->header.context.at("tenant") == "t1");
    auto original = Decrypt(in.bytes, *old_key);
    CHECK(decrypted->header.message_id == original->header.message_id);
    auto by_old = Decrypt(out, *old_key);
    REQUIRE_FALSE(by_old);
    CHECK(by_old.error().code() == ErrorCode::not_found);
    // The input was left as it was.
    CHECK(ReadAll(dir / "in") == in.bytes);
    if (suite == kSigned) {
      const auto old_pk = original->header.context.at(std::string(kPublicKeyContextKey));
      const auto new_pk = decrypted->header.context.at(std::string(kPublicKeyContextKey));
      CHECK(old_pk != new_pk);
    }
  }
}

TEST_CASE("Rewrap: a header of the same length keeps the body at the same offset") {
  // Same namespace and name lengths: the new header is as long as the old
  // one, so the body is shared block by block where the filesystem clones
  // (XFS, btrfs; TMPDIR decides) and copied where it does not. Bodies that
  // end on and off a block boundary, and one shorter than two blocks.
  for (size_t size : {size_t{300} * 1024 + 17, size_t{256} * 1024, size_t{5000}}) {
    CAPTURE(size);
    const auto plain = Pattern(size);
    TempDir dir;
    auto old_key = Aes("old", 1);
    auto new_key = Aes("new", 2);
    const Written in = WriteMessage(dir / "in", *old_key, kUnsigned, plain);
    auto result = RewrapMessage(dir / "in", dir / "out", *old_key, *new_key);
    REQUIRE(result);
    const auto out = ReadAll(dir / "out");
    CHECK(result->header.header_size == in.header_size);
    REQUIRE(out.size() == in.bytes.size());
    CHECK(std::equal(in.bytes.begin() + in.header_size, in.bytes.end(),
                     out.begin() + in.header_size));
    auto decrypted = Decrypt(out, *new_key);
    REQUIRE(decrypted);
    CHECK(decrypted->plaintext == plain);
    // In place too: the input is replaced, and still decrypts.
    REQUIRE(RewrapMessage(dir / "out", dir / "out", *new_key, *old_key));
    auto again = Decrypt(ReadAll(dir / "out"), *old_key);
    REQUIRE(again);
    CHECK(again->plaintext == plain);
  }
}

TEST_CASE("Rewrap: in place, to a multi-keyring, with a required context key") {
  TempDir dir;
  auto old_key = Aes("old", 1);
  auto cmm = *NewRequiredEncryptionContextCmm(*NewDefaultCmm(old_key), {"tenant"});
  const auto plain = Pattern(5000);
  auto message = Encrypt(plain, *cmm, {.context = kContext});
  REQUIRE(message);
  WriteAll(dir / "m", *message);
  auto multi = *NewMultiKeyring(Aes("a", 3), {Ssec(4)});
  RewrapOptions options;
  CHECK(RewrapMessage(dir / "m", dir / "m", *cmm, *multi, options).error().code() ==
        ErrorCode::auth_failed);  // the required key was not supplied
  options.reproduced_context = kContext;
  auto result = RewrapMessage(dir / "m", dir / "m", *cmm, *multi, options);
  REQUIRE(result);
  CHECK(result->header.encrypted_data_keys.size() == 2);
  CHECK(dir.entries() == 1);  // no temporary left behind
  const auto out = ReadAll(dir / "m");
  for (auto k : {Aes("a", 3), Ssec(4)}) {
    auto rcmm = *NewRequiredEncryptionContextCmm(*NewDefaultCmm(k), {"tenant"});
    CHECK(Decrypt(out, *rcmm, {.reproduced_context = kContext})->plaintext == plain);
    CHECK_FALSE(Decrypt(out, *rcmm));
  }
}

TEST_CASE("Rewrap: an in-place rewrap that fails while writing leaves the original intact") {
  TempDir dir;
  auto old_key = Aes("old", 1);
  const Written in = WriteMessage(dir / "m", *old_key, kUnsigned, Pattern(1 << 20));
  // A file size limit below the message size makes the copy fail midway.
  struct rlimit saved {};
  REQUIRE(getrlimit(RLIMIT_FSIZE, &saved) == 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit low = saved;
  low.rlim_cur = 256 * 1024;
  REQUIRE(setrlimit(RLIMIT_FSIZE, &low) == 0);
  auto result = RewrapMessage(dir / "m", dir / "m", *old_key, *Ssec(9));
  REQUIRE(setrlimit(RLIMIT_FSIZE, &saved) == 0);
  std::signal(SIGXFSZ, old_handler);
  REQUIRE_FALSE(result);
  CHECK(result.error().code() == ErrorCode::io);
  CHECK(ReadAll(dir / "m") == in.bytes);
  CHECK(dir.entries() == 1);
  CHECK(Decrypt(ReadAll(dir / "m"), *old_key));
}

TEST_CASE("Rewrap: refusals change nothing") {
  TempDir dir;
  auto old_key = Aes("old", 1);
  const Written in = WriteMessage(dir / "m", *old_key, kUnsigned, Pattern(9000));
  SUBCASE("wrong decrypting key") {
    auto r = RewrapMessage(dir / "m", dir / "m", *Aes("old", 2), *Ssec(1));
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::auth_failed);
  }
  SUBCASE("existing output without overwrite, then with it") {
    WriteAll(dir / "out", std::vector<uint8_t>{1, 2, 3});
    auto r = RewrapMessage(dir / "m", dir / "out", *old_key, *Ssec(1));
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::invalid_argument);
    CHECK(ReadAll(dir / "out") == std::vector<uint8_t>{1, 2, 3});
    REQUIRE(RewrapMessage(dir / "m", dir / "out", *old_key, *Ssec(1), {.overwrite = true}));
    CHECK(Decrypt(ReadAll(dir / "out"), *Ssec(1)));
    WriteAll(dir / "m", in.bytes);
  }
  SUBCASE("truncated body") {
    WriteAll(dir / "m", std::span(in.bytes).first(in.bytes.size() - 10));
    auto r = RewrapMessage(dir / "m", dir / "m", *old_key, *Ssec(1));
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::invalid_argument);
    WriteAll(dir / "m", in.bytes);
  }
  SUBCASE("trailing byte") {
    auto longer = in.bytes;
    longer.push_back(0);
    WriteAll(dir / "m", longer);
    CHECK_FALSE(RewrapMessage(dir / "m", dir / "m", *old_key, *Ssec(1)));
    CHECK(ReadAll(dir / "m") == longer);
    WriteAll(dir / "m", in.bytes);
  }
  SUBCASE("altered header") {
    auto altered = in.bytes;
    altered[in.header_size - 20] ^= 1;  // inside the commit key
    WriteAll(dir / "m", altered);
    auto r = RewrapMessage(dir / "m", dir / "m", *old_key, *Ssec(1));
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::auth_failed);
    CHECK(ReadAll(dir / "m") == altered);
    WriteAll(dir / "m", in.bytes);
  }
  SUBCASE("missing input") {
    CHECK(RewrapMessage(dir / "nope", dir / "x", *old_key, *Ssec(1)).error().code() ==
          ErrorCode::not_found);
  }
  CHECK(ReadAll(dir / "m") == in.bytes);
  CHECK(Decrypt(ReadAll(dir / "m"), *old_key));
}

TEST_CASE("Rewrap: a signed message whose frames or signature were altered is not re-signed") {
  TempDir dir;
  auto old_key = Aes("old", 1);
  const Written in = WriteMessage(dir / "m", *old_key, kSigned, Pattern(20000));
  for (size_t offset : {in.header_size + 100, in.bytes.size() - 5}) {
    CAPTURE(offset);
    auto altered = in.bytes;
    altered[offset] ^= 0x01;
    WriteAll(dir / "m", altered);
    auto r = RewrapMessage(dir / "m", dir / "m", *old_key, *Ssec(1));
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::auth_failed);
    CHECK(r.error().message().find("signature does not verify") != std::string::npos);
    CHECK(ReadAll(dir / "m") == altered);
    CHECK(dir.entries() == 1);
  }
}

TEST_CASE("Rewrap: version 1 messages are refused") {
  const auto folder = testing::VectorPath("esdk/v4-Net-4.0.1/ciphertexts");
  std::string v1;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const auto bytes = testing::ReadFile(entry.path());
    if (!bytes.empty() && bytes[0] == 0x01) {
      v1 = entry.path().string();
      break;
    }
  }
  REQUIRE_FALSE(v1.empty());
  TempDir dir;
  auto r = RewrapMessage(v1, dir / "out", *Aes("old", 1), *Ssec(1));
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::unsupported);
  CHECK(dir.entries() == 0);
}

// Run by hand (it writes 1 GiB to /tmp):
//   build/test/keyring/keyring_test -tc='Rewrap: 1 KiB*' --no-skip
TEST_CASE("Rewrap: 1 KiB and 1 GiB bodies take about as long (prints timings)" * doctest::skip()) {
  TempDir dir;
  auto old_key = Aes("old", 1);
  auto same_shape = Aes("new", 5);  // the header keeps its length
  auto new_key = Ssec(7);           // the header changes length
  auto cmm = *NewDefaultCmm(old_key);
  const auto small = Pattern(1024);
  WriteAll(dir / "small", *Encrypt(small, *old_key));
  {
    // The 1 GiB message is streamed to the file: every byte written, no holes.
    std::FILE* f = std::fopen((dir / "large").c_str(), "wb");
    REQUIRE(f != nullptr);
    struct FileSink final : Sink {
      std::FILE* f;
      Result<void> Write(std::span<const uint8_t> d) override {
        if (std::fwrite(d.data(), 1, d.size(), f) != d.size()) {
          return MakeError(ErrorCode::io, "write failed");
        }
        return {};
      }
    } sink;
    sink.f = f;
    auto enc = MessageEncryptor::New(*cmm, {}, sink);
    REQUIRE(enc);
    const auto piece = Pattern(size_t{8} << 20);
    for (int i = 0; i < 128; ++i) REQUIRE((*enc)->Update(piece));
    REQUIRE((*enc)->Finish());
    // On disk before timing, as a message at rest is: a clone of dirty
    // pages would time their writeback instead.
    REQUIRE(std::fflush(f) == 0);
    REQUIRE(::fsync(fileno(f)) == 0);
    REQUIRE(std::fclose(f) == 0);
  }
  REQUIRE(fs::file_size(dir / "large") > (uint64_t{1} << 30));
  auto time = [&](const std::string& name, const Keyring& from, const Keyring& to) {
    const auto start = std::chrono::steady_clock::now();
    auto r = RewrapMessage(dir / name, dir / name, from, to);
    const auto end = std::chrono::steady_clock::now();
    REQUIRE(r);
    return std::chrono::duration<double, std::milli>(end - start).count();
  };
  const double small_same = time("small", *old_key, *same_shape);
  const double large_same = time("large", *old_key, *same_shape);
  const double small_ms = time("small", *same_shape, *new_key);
  const double large_ms = time("large", *same_shape, *new_key);
  std::printf("rewrap in place, header keeps its length: 1 KiB %.2f ms, 1 GiB %.2f ms\n",
              small_same, large_same);
  std::printf(
      "rewrap in place, header changes length:   1 KiB %.2f ms, 1 GiB %.2f ms (%llu bytes)\n",
      small_ms, large_ms, static_cast<unsigned long long>(fs::file_size(dir / "large")));
  CHECK(Decrypt(ReadAll(dir / "small"), *new_key)->plaintext == small);
}

}  // namespace
}  // namespace envelope
