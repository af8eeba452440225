// test/stream: the Wycheproof C2SP chunked-encryption vectors, loaded once
// (ciphertexts inflated from their zlib form).
#ifndef ENVELOPE_TEST_STREAM_C2SP_VECTORS_H_
#define ENVELOPE_TEST_STREAM_C2SP_VECTORS_H_

#include <doctest/doctest.h>
#include <zlib.h>

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/digest.h"
#include "support/vectors.h"

namespace envelope::stream::vectors {

using Bytes = std::vector<uint8_t>;

inline Bytes Inflate(const Bytes& in) {
  z_stream z{};
  if (inflateInit(&z) != Z_OK) throw std::runtime_error("inflateInit failed");
  Bytes out;
  uint8_t buf[1 << 16];
  z.next_in = const_cast<uint8_t*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = buf;
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&z);
      throw std::runtime_error("bad zlib data in vector");
    }
    out.insert(out.end(), buf, buf + (sizeof buf - z.avail_out));
  }
  inflateEnd(&z);
  return out;
}

struct Vector {
  int id = 0;
  std::string result;
  std::set<std::string> flags;
  Bytes key, ctx, ct, aead_key, base_nonce, msg_sha512;
  uint64_t msg_length = 0;
  bool has_msg = false;

  bool Has(const char* flag) const { return flags.count(flag) != 0; }
  bool valid() const { return result == "valid"; }
  // expected_prefix is what streaming may release of an invalid vector.
  uint64_t expected_prefix() const { return Has("PartialPlaintext") ? msg_length : 0; }
};

struct VectorFile {
  std::vector<Vector> vectors;
  int number_of_tests = 0;
};

inline const VectorFile& Vectors() {
  static const VectorFile file = [] {
    const auto doc = testing::LoadJson(
        testing::VectorPath("wycheproof/c2sp_chunked_encryption_aes_256_gcm_test.json"));
    VectorFile f;
    f.number_of_tests = doc["numberOfTests"];
    for (const auto& group : doc["testGroups"]) {
      REQUIRE(group["aead"] == "AEAD_AES_256_GCM");
      REQUIRE(group["sha"] == "SHA-512");
      for (const auto& t : group["tests"]) {
        Vector v;
        v.id = t["tcId"];
        v.result = t["result"];
        for (const auto& f2 : t["flags"]) v.flags.insert(f2.get<std::string>());
        v.key = testing::Hex(t["key"].get<std::string>());
        v.ctx = testing::Hex(t["ctx"].get<std::string>());
        v.ct = Inflate(testing::Hex(t["ct"].get<std::string>()));
        if (t.contains("aeadKey")) v.aead_key = testing::Hex(t["aeadKey"].get<std::string>());
        if (t.contains("baseNonce")) v.base_nonce = testing::Hex(t["baseNonce"].get<std::string>());
        if (t.contains("msgLength")) {
          v.has_msg = true;
          v.msg_length = t["msgLength"];
          v.msg_sha512 = testing::Hex(t["msgSha512"].get<std::string>());
        }
        f.vectors.push_back(std::move(v));
      }
    }
    return f;
  }();
  return file;
}

// IsMessage: `out` is the vector's message (msgLength bytes, SHA-512 msgSha512).
inline bool IsMessage(const Vector& v, std::span<const uint8_t> out) {
  if (!v.has_msg || out.size() != v.msg_length) return false;
  auto digest = crypto::Hash(crypto::HashAlg::sha512, out);
  return digest && *digest == v.msg_sha512;
}

}  // namespace envelope::stream::vectors

#endif  // ENVELOPE_TEST_STREAM_C2SP_VECTORS_H_
