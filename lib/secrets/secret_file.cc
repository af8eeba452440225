#include "secrets/secret_file.h"

#include <nlohmann/json.hpp>

#include "crypto/aes_gcm.h"
#include "crypto/random.h"
#include "kms/file_io.h"
#include "message/base64.h"

namespace envelope::secrets::internal {
namespace {

using json = nlohmann::json;
constexpr char kFormat[] = "envelope secrets v1";
constexpr char kFileName[] = "secrets.json";
constexpr char kLockName[] = "secrets.lock";
constexpr size_t kMaxFile = size_t{256} << 20;
constexpr size_t kIvSize = 12;
constexpr size_t kTagSize = 16;

tl::unexpected<Error> Damaged(const std::string& what) {
  return MakeError(ErrorCode::malformed,
                   std::string("secrets: ") + kFileName + " is damaged: " + what);
}

tl::unexpected<Error> BadSealed() {
  return MakeError(ErrorCode::auth_failed, "secrets: a stored secret value does not verify");
}

kms::EncryptionContext Context(const std::string& arn, const std::string& id) {
  return {{"SecretARN", arn}, {"SecretVersionId", id}};
}

std::vector<uint8_t> Aad(const std::string& arn, const std::string& id) {
  std::string text = arn + "\n" + id;
  return {text.begin(), text.end()};
}

Result<std::string> Encode(const SecretTable& table) {
  try {
    json secrets = json::object();
    for (const auto& [name, s] : table) {
      json versions = json::array();
      for (const auto& v : s.versions) {
        versions.push_back({{"id", v.id},
                            {"stages", v.stages},
                            {"created_ms", v.created_ms},
                            {"binary", v.binary},
                            {"sealed", v.sealed}});
      }
      secrets[name] = {{"arn", s.arn},
                       {"description", s.description},
                       {"key_id", s.key_id},
                       {"created_ms", s.created_ms},
                       {"changed_ms", s.changed_ms},
                       {"rotated_ms", s.rotated_ms},
                       {"deletion_ms", s.deletion_ms},
                       {"rotation_command", s.rotation_command},
                       {"rotation_days", s.rotation_days},
                       {"next_rotation_ms", s.next_rotation_ms},
                       {"versions", std::move(versions)}};
    }
    return json{{"format", kFormat}, {"secrets", std::move(secrets)}}.dump(1);
  } catch (const std::exception&) {
    return MakeError(ErrorCode::internal, "secrets: cannot encode the secrets file");
  }
}

Result<SecretTable> Decode(std::string_view bytes) {
  json file = json::parse(bytes, nullptr, false);
  if (file.is_discarded() || !file.is_object()) return Damaged("not a JSON object");
  try {
    if (file.value("format", "") != kFormat) return Damaged("unknown format");
    SecretTable table;
    for (const auto& [name, j] : file.at("secrets").items()) {
      StoredSecret s;
      s.arn = j.at("arn").get<std::string>();
      s.description = j.at("description").get<std::string>();
      s.key_id = j.at("key_id").get<std::string>();
      s.created_ms = j.at("created_ms").get<int64_t>();
      s.changed_ms = j.at("changed_ms").get<int64_t>();
      s.rotated_ms = j.at("rotated_ms").get<int64_t>();
      s.deletion_ms = j.at("deletion_ms").get<int64_t>();
      s.rotation_command = j.at("rotation_command").get<std::string>();
      s.rotation_days = j.at("rotation_days").get<int>();
      s.next_rotation_ms = j.at("next_rotation_ms").get<int64_t>();
      for (const json& v : j.at("versions")) {
        s.versions.push_back({v.at("id").get<std::string>(),
                              v.at("stages").get<std::vector<std::string>>(),
                              v.at("created_ms").get<int64_t>(), v.at("binary").get<bool>(),
                              v.at("sealed").get<std::string>()});
      }
      table.emplace(name, std::move(s));
    }
    return table;
  } catch (const std::exception&) {
    return Damaged("a member is missing or of the wrong type");
  }
}

}  // namespace

Result<SecretTable> ReadSecretTable(const std::string& dir) {
  auto bytes = kms::internal::ReadPrivateFile(dir + "/" + kFileName, kMaxFile);
  ENVELOPE_RETURN_IF_ERROR(bytes);
  if (!*bytes) return SecretTable{};
  const auto& b = **bytes;
  return Decode(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

Result<void> UpdateSecretTable(const std::string& dir,
                               const std::function<Result<bool>(SecretTable&)>& body) {
  auto lock = kms::internal::FileLock::Acquire(dir + "/" + kLockName);
  ENVELOPE_RETURN_IF_ERROR(lock);
  kms::internal::RemoveStaleTemporaries(dir, kFileName);
  auto table = ReadSecretTable(dir);
  ENVELOPE_RETURN_IF_ERROR(table);
  auto changed = body(*table);
  ENVELOPE_RETURN_IF_ERROR(changed);
  if (!*changed) return {};
  auto bytes = Encode(*table);
  ENVELOPE_RETURN_IF_ERROR(bytes);
  return kms::internal::WriteFileAtomically(
      dir, kFileName, std::span(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()));
}

Result<std::pair<std::string, std::string>> SealSecretValue(kms::Kms& kms, std::string_view key,
                                                            const std::string& arn,
                                                            const std::string& id,
                                                            const SecretBytes& value) {
  auto data_key = kms.GenerateDataKey(key, Context(arn, id));
  ENVELOPE_RETURN_IF_ERROR(data_key);
  const std::vector<uint8_t>& blob = data_key->ciphertext.blob;
  std::vector<uint8_t> out(2 + blob.size() + kIvSize + value.size() + kTagSize);
  out[0] = static_cast<uint8_t>(blob.size() >> 8);
  out[1] = static_cast<uint8_t>(blob.size());
  std::copy(blob.begin(), blob.end(), out.begin() + 2);
  auto iv = std::span(out).subspan(2 + blob.size(), kIvSize);
  ENVELOPE_RETURN_IF_ERROR(crypto::RandomBytes(iv));
  if (auto ok = crypto::AesGcmSeal(data_key->plaintext.span(), iv, Aad(arn, id), value.span(),
                                   std::span(out).subspan(2 + blob.size() + kIvSize));
      !ok) {
    return tl::unexpected(ok.error());
  }
  return std::pair{message::Base64Encode(out), data_key->ciphertext.key_id};
}

Result<SecretBytes> OpenSecretValue(kms::Kms& kms, const std::string& arn, const std::string& id,
                                    std::string_view sealed) {
  auto bytes = message::Base64Decode(sealed);
  if (!bytes || bytes->size() < 2) return BadSealed();
  const size_t n = size_t{(*bytes)[0]} << 8 | (*bytes)[1];
  if (bytes->size() < 2 + n + kIvSize + kTagSize) return BadSealed();
  const auto all = std::span<const uint8_t>(*bytes);
  auto data_key = kms.Decrypt(all.subspan(2, n), Context(arn, id));
  ENVELOPE_RETURN_IF_ERROR(data_key);
  const auto body = all.subspan(2 + n + kIvSize);
  auto value = SecretBytes::Allocate(body.size() - kTagSize);
  ENVELOPE_RETURN_IF_ERROR(value);
  if (auto ok = crypto::AesGcmOpen(data_key->plaintext.span(), all.subspan(2 + n, kIvSize),
                                   Aad(arn, id), body, value->span());
      !ok) {
    return BadSealed();
  }
  return value;
}

}  // namespace envelope::secrets::internal
