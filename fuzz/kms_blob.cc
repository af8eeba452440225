// fuzz target kms_blob: the KMS ciphertext blob parser and opener
// (lib/kms/ciphertext_blob).
//
// Input: one selector byte (which of four encryption contexts), then the
// blob. Properties:
//  - ParseBlob of anything returns, and an accepted blob's view is exactly
//    the input: header (35 bytes) + 1..4096 bytes of ciphertext + tag, the
//    key id and version read from the header;
//  - a blob that opens under the fixed material round-trips: sealed again,
//    it parses, opens to the same plaintext, and a one-bit change of the
//    fresh blob fails with the one fixed authentication message;
//  - no error message contains the key material (raw or hex) or the
//    plaintext, and every authentication failure has the same message;
//  - (once per process) SealBlob refuses an empty plaintext, one of 4097
//    bytes, a context with an empty key and one over 8 KiB serialized, with
//    `invalid_argument`, and SerializeContext refuses those contexts too.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "kms/ciphertext_blob.h"
#include "kms_fuzz_keys.h"

namespace {

using namespace envelope;
namespace kmsi = envelope::kms::internal;

const std::string& AuthMessage() {
  // The message of a blob that cannot verify, learnt once.
  static const std::string message = [] {
    uint8_t blob[kmsi::kBlobMinSize] = {'E', 'K', 1};
    blob[22] = 1;  // key version 1
    auto view = kmsi::ParseBlob(blob);
    FUZZ_CHECK(view.has_value());
    auto opened = kmsi::OpenBlob(*view, fuzz::kBlobMaterial, {});
    FUZZ_CHECK(!opened && opened.error().code() == ErrorCode::auth_failed);
    return opened.error().message();
  }();
  return message;
}

// g_material_in_input: the fuzzer wrote the material into the input itself,
// so a message that quotes the input would contain it legitimately.
bool g_material_in_input = false;

void CheckMessage(const Error& e, std::span<const uint8_t> plaintext) {
  const std::string& m = e.message();
  if (!g_material_in_input) {
    FUZZ_CHECK(!fuzz::Contains(m, fuzz::kBlobMaterial));
    FUZZ_CHECK(m.find(fuzz::Hex(fuzz::kBlobMaterial)) == std::string::npos);
  }
  if (plaintext.size() >= 8) FUZZ_CHECK(!fuzz::Contains(m, plaintext));
  if (e.code() == ErrorCode::auth_failed) FUZZ_CHECK(m == AuthMessage());
}

bool CheckSealRefusals() {
  const kmsi::KeyIdBytes key_id{};
  const std::vector<uint8_t> empty, too_long(kms::kMaxPlaintextSize + 1, 'p'), one(1, 'p');
  const kms::EncryptionContext big = {{"k", std::string(kmsi::kMaxContextSize, 'v')}};
  const kms::EncryptionContext bad = fuzz::BlobContext(3);
  auto refused = [](const auto& r) {
    FUZZ_CHECK(!r.has_value() && r.error().code() == ErrorCode::invalid_argument);
  };
  refused(kmsi::SealBlob(key_id, 1, fuzz::kBlobMaterial, empty, {}));
  refused(kmsi::SealBlob(key_id, 1, fuzz::kBlobMaterial, too_long, {}));
  refused(kmsi::SealBlob(key_id, 1, fuzz::kBlobMaterial, one, big));
  refused(kmsi::SealBlob(key_id, 1, fuzz::kBlobMaterial, one, bad));
  refused(kmsi::SerializeContext(big));
  refused(kmsi::SerializeContext(bad));
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool refusals_checked = CheckSealRefusals();
  (void)refusals_checked;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  g_material_in_input = fuzz::Contains(text, fuzz::kBlobMaterial) ||
                        text.find(fuzz::Hex(fuzz::kBlobMaterial)) != std::string_view::npos;
  fuzz::FuzzInput input(data, size);
  const kms::EncryptionContext context = fuzz::BlobContext(input.U8());
  const std::span<const uint8_t> blob = input.Rest();

  auto view = kmsi::ParseBlob(blob);
  if (!view) {
    CheckMessage(view.error(), {});
    return 0;
  }
  FUZZ_CHECK(blob.size() >= kmsi::kBlobMinSize && blob.size() <= kmsi::kBlobMaxSize);
  FUZZ_CHECK(view->header.data() == blob.data() && view->header.size() == kmsi::kBlobHeaderSize);
  FUZZ_CHECK(view->iv.data() == blob.data() + 23 && view->iv.size() == 12);
  FUZZ_CHECK(view->ciphertext.data() == blob.data() + kmsi::kBlobHeaderSize);
  FUZZ_CHECK(!view->ciphertext.empty() && view->ciphertext.size() <= kms::kMaxPlaintextSize);
  FUZZ_CHECK(view->tag.data() + view->tag.size() == blob.data() + blob.size());
  FUZZ_CHECK(view->header.size() + view->ciphertext.size() + view->tag.size() == blob.size());
  FUZZ_CHECK(std::equal(view->key_id.begin(), view->key_id.end(), blob.begin() + 3));
  FUZZ_CHECK(view->key_version != 0);

  auto opened = kmsi::OpenBlob(*view, fuzz::kBlobMaterial, context);
  if (!opened) {
    CheckMessage(opened.error(), {});
    return 0;
  }
  const std::span<const uint8_t> plaintext = opened->span();
  FUZZ_CHECK(plaintext.size() == view->ciphertext.size());

  // A valid blob round-trips through a fresh seal.
  auto sealed =
      kmsi::SealBlob(view->key_id, view->key_version, fuzz::kBlobMaterial, plaintext, context);
  FUZZ_CHECK(sealed.has_value() && sealed->size() == blob.size());
  FUZZ_CHECK(std::equal(sealed->begin(), sealed->begin() + 23, blob.begin()));
  auto again = kmsi::ParseBlob(*sealed);
  FUZZ_CHECK(again.has_value());
  auto reopened = kmsi::OpenBlob(*again, fuzz::kBlobMaterial, context);
  FUZZ_CHECK(reopened.has_value() && reopened->Equals(*opened));

  // Any changed byte of it fails, with the fixed message.
  std::vector<uint8_t> bad = *sealed;
  const uint64_t bit = fuzz::Mix(blob) % (bad.size() * 8);
  bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  auto bad_view = kmsi::ParseBlob(bad);
  if (bad_view) {
    auto bad_open = kmsi::OpenBlob(*bad_view, fuzz::kBlobMaterial, context);
    FUZZ_CHECK(!bad_open.has_value());
    CheckMessage(bad_open.error(), plaintext);
  } else {
    CheckMessage(bad_view.error(), plaintext);
  }
  // The wrong context fails too.
  auto other = kmsi::OpenBlob(*again, fuzz::kBlobMaterial, fuzz::BlobContext(data[0] + 1));
  FUZZ_CHECK(!other.has_value());
  CheckMessage(other.error(), plaintext);
  return 0;
}
