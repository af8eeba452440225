// fuzz/make_corpus: writes (or checks) the generated seed corpus of every
// target in fuzz/corpus/<target>/: files named gen-*, from the library
// itself, plus copies of a few dozen ESDK vector ciphertexts named esdk-*.
// Regression inputs (regress-*) are written by hand and left alone.
//
//   make_corpus --write CORPUS_DIR VECTORS_DIR   (re)generate
//   make_corpus --check CORPUS_DIR VECTORS_DIR   fail unless identical
//
// The message seeds are in corpus_messages.cc. Only a fuzzing build (-Dfuzzing=enabled) has the
// deterministic RNG that makes the output reproducible, so only it builds this program. Signed and
// RSA-wrapped messages draw on OpenSSL's own RNG and are not generated (the
// ESDK vectors bring them, and v1 framed messages); v1 non-framed messages,
// which the library only reads, are assembled here.
#include "make_corpus.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "envelope/chunked.hpp"
#include "kms/ciphertext_blob.h"
#include "kms/keystore_file.h"
#include "kms/keystore_state.h"
#include "kms_fuzz_keys.h"

#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#error "make_corpus needs the deterministic RNG of -Dfuzzing=enabled"
#endif

namespace {

using namespace envelope;
using namespace envelope::fuzz::corpus;

void Chunked(Corpus& c) {
  const uint8_t key[32] = {'e', 'n', 'v', 'e', 'l', 'o', 'p', 'e', '-', 'f', 'u',
                           'z', 'z', '-', 'c', 'h', 'u', 'n', 'k', 'e', 'd', '-',
                           'k', 'e', 'y', '-', '0', '1', '2', '3', '4', '5'};
  const size_t sizes[] = {0, 1, 100, 16383, 16384, 16385, 40000};
  for (size_t n : sizes) {
    for (uint8_t flags : {0, 1, 2}) {
      if (n > 100 && flags == 2) continue;
      ChunkedOptions o;
      o.threads = 1;
      if (flags & 1) o.context = {'f', 'u', 'z', 'z', '-', 'c', 'o', 'n', 't', 'e', 'x', 't'};
      auto ct = Must(ChunkedEncrypt(KeyView(key), Pattern(n, 3), o), "chunked");
      c["chunked_decrypt"]["gen-" + std::to_string(n) + "-flags" + std::to_string(flags)] =
          Concat({{flags}, ct});
    }
  }
}

void Blobs(Corpus& c) {
  const kms::internal::KeyIdBytes id = {0x6b, 0x65, 0x79, 0x2d, 0x69, 0x64, 0x40, 0x01,
                                        0x80, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
  struct Case {
    const char* name;
    uint32_t version;
    size_t size;
    uint8_t selector;
  };
  const Case cases[] = {{"v1-1-noctx", 1, 1, 0},
                        {"v1-32-ctx1", 1, 32, 1},
                        {"v7-64-ctx2", 7, 64, 2},
                        {"vmax-4096-ctx1", 0xffffffff, 4096, 1}};
  for (const Case& k : cases) {
    auto blob = Must(kms::internal::SealBlob(id, k.version, fuzz::kBlobMaterial, Pattern(k.size, 5),
                                             fuzz::BlobContext(k.selector)),
                     k.name);
    c["kms_blob"][std::string("gen-") + k.name] = Concat({{k.selector}, blob});
  }
}

kms::internal::KeystoreState State(int keys) {
  namespace ki = kms::internal;
  ki::KeystoreState s;
  s.generation = 3 + keys;
  for (int i = 0; i < keys; ++i) {
    ki::KeyRecord k;
    for (int j = 0; j < 16; ++j) k.id[j] = static_cast<uint8_t>(i * 16 + j);
    k.id[6] = 0x40;
    k.id[8] = 0x80;
    k.description = "key " + std::to_string(i);
    k.tags = {{"team", "fuzz"}};
    k.created_ms = 1700000000000 + i;
    k.state = i == 2   ? kms::KeyState::pending_deletion
              : i == 1 ? kms::KeyState::disabled
                       : kms::KeyState::enabled;
    if (i == 2) {
      k.deletion_ms = 1800000000000;
      k.pending_window_days = 7;
    }
    k.rotation_enabled = i == 0;
    k.rotation_period_days = 365;
    k.next_rotation_ms = 1731536000000;
    for (int v = 0; v <= i; ++v) {
      ki::KeyVersion kv;
      kv.version = static_cast<uint32_t>(v + 1);
      kv.created_ms = 1700000000000 + v;
      kv.origin = v == 0 ? ki::VersionOrigin::create : ki::VersionOrigin::on_demand;
      kv.owned = Must(SecretBytes::CopyFrom(Pattern(32, static_cast<uint8_t>(40 + i * 4 + v))),
                      "material");
      k.versions.push_back(std::move(kv));
    }
    const std::string id = ki::FormatKeyId(k.id);
    if (i == 0) s.aliases["alias/app"] = {id, 1700000000001, 1700000000002};
    s.keys.emplace(id, std::move(k));
  }
  if (keys > 1) s.deleted["00000000-0000-4000-8000-00000000dead"] = 1690000000000;
  return s;
}

void Keystores(Corpus& c) {
  namespace ki = kms::internal;
  auto root = Must(SecretBytes::CopyFrom(fuzz::kKeystoreRootKey), "root key");
  for (int keys : {0, 1, 3}) {
    auto payload = Must(ki::EncodePayload(State(keys)), "payload");
    const Bytes p(payload.span().begin(), payload.span().end());
    ki::KeystoreHeader managed;
    auto file = Must(ki::SealKeystore(managed, root, p), "seal");
    const std::string n = std::to_string(keys) + "-keys";
    c["keystore_load"]["gen-file-managed-" + n] = Concat({{0}, file});
    c["keystore_load"]["gen-payload-" + n] = Concat({{1}, p});
    if (keys == 1) {
      ki::KeystoreHeader pass;
      pass.mode = ki::RootKeyMode::passphrase;
      pass.argon2id = {2, 19456};
      pass.salt.fill(0x5a);
      c["keystore_load"]["gen-file-passphrase-" + n] =
          Concat({{0}, Must(ki::SealKeystore(pass, root, p), "seal")});
    }
  }
}

void Roundtrips(Corpus& c) {
  // suite | frame length (4) | flags | pair count | pairs | plaintext
  const Bytes seeds[] = {
      {0, 0, 0, 0, 64, 0, 0},
      {0,   0,   0,   0,   7,   4,   1,   1,   'k', 1,   'v', 'h',
       'e', 'l', 'l', 'o', ',', ' ', 'w', 'o', 'r', 'l', 'd'},
      {1, 0, 0, 1, 0, 0, 0, 'a', 'b', 'c'},
      {2, 0, 0, 0, 16, 2, 0, 'x', 'y', 'z'},
      {7,   0,   0,   0, 100, 1, 2,   3,   'o', 'n', 'e', 3,
       't', 'w', 'o', 1, 'z', 0, 'p', 'l', 'a', 'i', 'n'},
      {9, 0x80, 0, 0x10, 0, 0, 0, 'q'},
      {0, 0, 0, 0, 1, 0, 1, 11, 'a', 'w', 's', '-', 'c', 'r', 'y', 'p', 't', 'o', '-', 1, 'x'},
      {0, 0, 0, 0, 0, 0, 0, 'z', 'e', 'r', 'o'},
  };
  int i = 0;
  for (const Bytes& s : seeds) c["roundtrip"]["gen-" + std::to_string(i++)] = s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 || (std::string(argv[1]) != "--write" && std::string(argv[1]) != "--check")) {
    std::fprintf(stderr, "usage: make_corpus --write|--check CORPUS_DIR VECTORS_DIR\n");
    return 2;
  }
  const bool write = std::string(argv[1]) == "--write";
  const fs::path root(argv[2]);
  Corpus c;
  // The order fixes the RNG stream: never reorder these calls.
  Messages(c);
  Chunked(c);
  Blobs(c);
  Keystores(c);
  Roundtrips(c);
  Vectors(c, argv[3]);
  LargeMessages(c);
  // inspect walks the same messages.
  c["inspect"] = c["message_decrypt"];

  int problems = 0;
  size_t files = 0, bytes = 0;
  for (const auto& [target, entries] : c) {
    const fs::path dir = root / target;
    if (write) fs::create_directories(dir);
    // Generated files no longer produced are stale.
    if (fs::is_directory(dir)) {
      for (const auto& e : fs::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        if ((name.starts_with("gen-") || name.starts_with("esdk-")) && !entries.count(name)) {
          if (write) {
            fs::remove(e.path());
          } else {
            std::fprintf(stderr, "make_corpus: stale %s/%s\n", target.c_str(), name.c_str());
            ++problems;
          }
        }
      }
    }
    for (const auto& [name, data] : entries) {
      const fs::path p = dir / name;
      ++files;
      bytes += data.size();
      if (write) {
        std::ofstream out(p, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data.data()),
                  static_cast<std::streamsize>(data.size()));
        if (!out) {
          std::fprintf(stderr, "make_corpus: cannot write %s\n", p.c_str());
          return 1;
        }
      } else if (!fs::exists(p) || ReadFile(p) != data) {
        std::fprintf(stderr, "make_corpus: %s/%s differs from what the generator makes\n",
                     target.c_str(), name.c_str());
        ++problems;
      }
    }
  }
  std::printf("make_corpus: %zu files, %zu bytes %s\n", files, bytes,
              write ? "written" : (problems ? "DIFFER" : "match"));
  return problems == 0 ? 0 : 1;
}
