#include "service/kms_api.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "aws/arn.h"
#include "aws/error_shapes.h"
#include "crypto/random.h"
#include "kms/ciphertext_blob.h"
#include "kms/key_id.h"
#include "message/base64.h"
#include "service/json_request.h"
#include "service/kms_invocation.h"

namespace envelope::service {
namespace {

using internal::Base64;
using internal::GrantTokens;
using internal::Handler;
using internal::Invocation;
using internal::kSymmetricDefault;
using internal::Page;
using internal::Seconds;

// RequireSymmetric refuses an EncryptionAlgorithm other than ours.
Step<void> RequireSymmetric(const Request& request, const char* member) {
  auto algorithm = request.String(member, 64);
  ENVELOPE_RETURN_IF_ERROR(algorithm);
  if (*algorithm && **algorithm != kSymmetricDefault) {
    return Fail("InvalidKeyUsageException", "this server's keys are SYMMETRIC_DEFAULT keys; " +
                                                **algorithm + " is not supported");
  }
  return {};
}

// DataKeySize reads GenerateDataKey's KeySpec or NumberOfBytes (one of them).
Step<size_t> DataKeySize(const Request& request) {
  auto spec = request.String("KeySpec", 16);
  ENVELOPE_RETURN_IF_ERROR(spec);
  auto bytes = request.Integer("NumberOfBytes", 1, 1024);
  ENVELOPE_RETURN_IF_ERROR(bytes);
  if (*spec && *bytes) {
    return Fail("ValidationException", "Please specify either number of bytes or key spec.");
  }
  if (*bytes) return static_cast<size_t>(**bytes);
  if (!*spec)
    return Fail("ValidationException", "Please specify either number of bytes or key spec.");
  if (**spec == "AES_256") return size_t{32};
  if (**spec == "AES_128") return size_t{16};
  return Invalid("KeySpec", "'" + **spec + "'",
                 "Member must satisfy enum value set: [AES_256, AES_128]");
}

Step<json> CreateKey(Invocation& call) {
  const Request& r = call.request;
  auto policy = r.String("Policy", 131072);
  ENVELOPE_RETURN_IF_ERROR(policy);
  for (const char* member : {"KeySpec", "CustomerMasterKeySpec"}) {
    auto spec = r.String(member, 64);
    ENVELOPE_RETURN_IF_ERROR(spec);
    if (*spec && **spec != kSymmetricDefault) {
      return Fail("UnsupportedOperationException",
                  "only SYMMETRIC_DEFAULT keys are supported, not " + **spec);
    }
  }
  auto usage = r.String("KeyUsage", 64);
  ENVELOPE_RETURN_IF_ERROR(usage);
  if (*usage && **usage != "ENCRYPT_DECRYPT") {
    return Fail("UnsupportedOperationException", "only ENCRYPT_DECRYPT keys are supported");
  }
  auto origin = r.String("Origin", 64);
  ENVELOPE_RETURN_IF_ERROR(origin);
  if (*origin && **origin != "AWS_KMS") {
    return Fail("UnsupportedOperationException", "only keys of origin AWS_KMS are supported");
  }
  for (const char* member : {"CustomKeyStoreId", "XksKeyId"}) {
    auto value = r.String(member, 2048);
    ENVELOPE_RETURN_IF_ERROR(value);
    if (*value)
      return Fail("UnsupportedOperationException", std::string(member) + " is not supported");
  }
  auto multi_region = r.Boolean("MultiRegion");
  ENVELOPE_RETURN_IF_ERROR(multi_region);
  auto bypass = r.Boolean("BypassPolicyLockoutSafetyCheck");
  ENVELOPE_RETURN_IF_ERROR(bypass);
  auto description = r.String("Description", 8192);
  ENVELOPE_RETURN_IF_ERROR(description);
  auto tags = r.Tags("Tags");
  ENVELOPE_RETURN_IF_ERROR(tags);
  kms::CreateKeyRequest request;
  request.description = description->value_or("");
  request.tags = std::move(*tags);
  // A multi-Region key's replicas are copies of this keystore served with
  // another --region (no ReplicateKey yet).
  request.multi_region = *multi_region;
  request.policy = policy->value_or("");
  request.bypass_policy_lockout_safety_check = *bypass;
  auto key = call.K().CreateKey(request);
  if (!key) return FromError(key.error());
  call.Use(key->key_id);
  return json{{"KeyMetadata", call.Metadata(*key)}};
}

Step<json> DescribeKey(Invocation& call) {
  auto key = call.RequiredKey();
  ENVELOPE_RETURN_IF_ERROR(key);
  auto tokens = GrantTokens(call.request);
  ENVELOPE_RETURN_IF_ERROR(tokens);
  kms::ScopedGrantTokens grant_tokens(std::move(*tokens));
  auto m = call.K().DescribeKey(*key);
  if (!m) return FromError(m.error());
  call.Use(m->key_id);
  return json{{"KeyMetadata", call.Metadata(*m)}};
}

Step<json> ListKeys(Invocation& call) {
  auto keys = call.K().ListKeys();
  if (!keys) return FromError(keys.error());
  return Page<kms::KeyMetadata>(call.request, *keys, "Keys", [&](const kms::KeyMetadata& m) {
    return json{{"KeyId", m.key_id}, {"KeyArn", call.api.KeyArn(m.key_id)}};
  });
}

Step<json> ListAliases(Invocation& call) {
  auto key_id = call.request.String("KeyId", aws::kMaxKeyIdSize);
  ENVELOPE_RETURN_IF_ERROR(key_id);
  std::string key;
  if (*key_id) {
    auto resolved = call.Key(**key_id);
    ENVELOPE_RETURN_IF_ERROR(resolved);
    key = *resolved;
  }
  auto aliases = call.K().ListAliases(key);
  if (!aliases) return FromError(aliases.error());
  const KmsApiConfig& config = call.api.config();
  return Page<kms::AliasEntry>(call.request, *aliases, "Aliases", [&](const kms::AliasEntry& a) {
    return json{{"AliasName", a.alias_name},
                {"AliasArn", "arn:" + config.partition + ":kms:" + config.region + ":" +
                                 config.account + ":" + a.alias_name},
                {"TargetKeyId", a.target_key_id},
                {"CreationDate", Seconds(a.creation_date)},
                {"LastUpdatedDate", Seconds(a.last_updated_date)}};
  });
}

// AliasCall runs CreateAlias or UpdateAlias.
Step<json> AliasCall(Invocation& call, bool create) {
  auto alias = call.request.RequiredString("AliasName", 256);
  ENVELOPE_RETURN_IF_ERROR(alias);
  auto target = call.RequiredKey("TargetKeyId");
  ENVELOPE_RETURN_IF_ERROR(target);
  // The target must be a key id or key ARN, as in AWS KMS (the Kms refuses
  // an alias with ValidationException).
  auto done =
      create ? call.K().CreateAlias(*alias, *target) : call.K().UpdateAlias(*alias, *target);
  if (!done) return FromError(done.error());
  return json::object();
}
Step<json> CreateAlias(Invocation& call) { return AliasCall(call, true); }
Step<json> UpdateAlias(Invocation& call) { return AliasCall(call, false); }

Step<json> DeleteAlias(Invocation& call) {
  auto alias = call.request.RequiredString("AliasName", 256);
  ENVELOPE_RETURN_IF_ERROR(alias);
  if (auto done = call.K().DeleteAlias(*alias); !done) return FromError(done.error());
  return json::object();
}

// KeyCall runs an operation that takes only a KeyId and answers nothing.
// (Operations call the Kms once, so a request is one audit line.)
template <Result<void> (kms::Kms::*Method)(std::string_view)>
Step<json> KeyCall(Invocation& call) {
  auto key = call.RequiredKey();
  ENVELOPE_RETURN_IF_ERROR(key);
  if (auto done = (call.K().*Method)(*key); !done) return FromError(done.error());
  return json::object();
}

Step<json> ScheduleKeyDeletion(Invocation& call) {
  auto key = call.RequiredKey();
  ENVELOPE_RETURN_IF_ERROR(key);
  auto days = call.request.Integer("PendingWindowInDays", kms::kMinPendingWindowDays,
                                   kms::kMaxPendingWindowDays);
  ENVELOPE_RETURN_IF_ERROR(days);
  auto schedule = call.K().ScheduleKeyDeletion(
      *key, static_cast<int>(days->value_or(kms::kDefaultPendingWindowDays)));
  if (!schedule) return FromError(schedule.error());
  return json{{"KeyId", call.Use(schedule->key_id)},
              {"DeletionDate", Seconds(schedule->deletion_date)},
              {"KeyState", "PendingDeletion"},
              {"PendingWindowInDays", schedule->pending_window_days}};
}

Step<json> CancelKeyDeletion(Invocation& call) {
  auto key = call.RequiredKey();
  ENVELOPE_RETURN_IF_ERROR(key);
  auto m = call.K().CancelKeyDeletion(*key);
  if (!m) return FromError(m.error());
  return json{{"KeyId", call.Use(m->key_id)}};
}

Step<json> EnableKeyRotation(Invocation& call) {
  auto key = call.RequiredKey();
  ENVELOPE_RETURN_IF_ERROR(key);
  auto period = call.request.Integer("RotationPeriodInDays", kms::kMinRotationPeriodDays,
                                     kms::kMaxRotationPeriodDays);
  ENVELOPE_RETURN_IF_ERROR(period);
  auto done = call.K().EnableKeyRotation(
      *key, static_cast<int>(period->value_or(kms::kDefaultRotationPeriodDays)));
  if (!done) return FromError(done.error());
  return json::object();
}

Step<json> GetKeyRotationStatus(Invocation& call) {
  auto key = call.RequiredKey();
  ENVELOPE_RETURN_IF_ERROR(key);
  auto status = call.K().GetKeyRotationStatus(*key);
  if (!status) return FromError(status.error());
  json answer = {{"KeyRotationEnabled", status->enabled}, {"KeyId", call.Use(status->key_id)}};
  if (status->enabled) answer["RotationPeriodInDays"] = status->period_days;
  if (status->next_rotation_date) answer["NextRotationDate"] = Seconds(*status->next_rotation_date);
  if (status->on_demand_rotation_start_date) {
    answer["OnDemandRotationStartDate"] = Seconds(*status->on_demand_rotation_start_date);
  }
  return answer;
}

Step<json> RotateKeyOnDemand(Invocation& call) {
  auto key = call.RequiredKey();
  ENVELOPE_RETURN_IF_ERROR(key);
  auto rotation = call.K().RotateKeyOnDemand(*key);
  if (!rotation) return FromError(rotation.error());
  return json{{"KeyId", call.Use(rotation->key_id)}};
}

Step<json> ListKeyRotations(Invocation& call) {
  auto key = call.RequiredKey();
  ENVELOPE_RETURN_IF_ERROR(key);
  auto rotations = call.K().ListKeyRotations(*key);
  if (!rotations) return FromError(rotations.error());
  return Page<kms::RotationEntry>(
      call.request, *rotations, "Rotations", [&](const kms::RotationEntry& e) {
        call.Use(e.key_id);
        return json{
            {"KeyId", e.key_id},
            {"RotationDate", Seconds(e.rotation_date)},
            {"RotationType", e.type == kms::RotationType::automatic ? "AUTOMATIC" : "ON_DEMAND"}};
      });
}

Step<json> Encrypt(Invocation& call) {
  const Request& r = call.request;
  auto key = call.RequiredKey();
  ENVELOPE_RETURN_IF_ERROR(key);
  auto plaintext = r.RequiredBlob("Plaintext", 1, kms::kMaxPlaintextSize);
  ENVELOPE_RETURN_IF_ERROR(plaintext);
  auto context = r.Context("EncryptionContext");
  ENVELOPE_RETURN_IF_ERROR(context);
  ENVELOPE_RETURN_IF_ERROR(RequireSymmetric(r, "EncryptionAlgorithm"));
  auto tokens = GrantTokens(r);
  ENVELOPE_RETURN_IF_ERROR(tokens);
  kms::ScopedGrantTokens grant_tokens(std::move(*tokens));
  auto ct = call.K().Encrypt(*key, *plaintext, *context);
  SecureZero(*plaintext);
  if (!ct) return FromError(ct.error());
  return json{{"CiphertextBlob", Base64(ct->blob)},
              {"KeyId", call.Use(ct->key_id)},
              {"EncryptionAlgorithm", kSymmetricDefault}};
}

Step<json> Decrypt(Invocation& call) {
  const Request& r = call.request;
  auto blob = r.RequiredBlob("CiphertextBlob", 1, 6144);
  ENVELOPE_RETURN_IF_ERROR(blob);
  auto context = r.Context("EncryptionContext");
  ENVELOPE_RETURN_IF_ERROR(context);
  ENVELOPE_RETURN_IF_ERROR(RequireSymmetric(r, "EncryptionAlgorithm"));
  auto tokens = GrantTokens(r);
  ENVELOPE_RETURN_IF_ERROR(tokens);
  kms::ScopedGrantTokens grant_tokens(std::move(*tokens));
  auto key_id = r.String("KeyId", aws::kMaxKeyIdSize);
  ENVELOPE_RETURN_IF_ERROR(key_id);
  std::string expected;
  if (*key_id) {
    auto resolved = call.Key(**key_id);
    ENVELOPE_RETURN_IF_ERROR(resolved);
    expected = *resolved;
  }
  auto plaintext = call.K().Decrypt(*blob, *context, expected);
  if (!plaintext) return FromError(plaintext.error());
  return json{{"KeyId", call.Use(plaintext->key_id)},
              {"Plaintext", Base64(plaintext->plaintext.span())},
              {"EncryptionAlgorithm", kSymmetricDefault}};
}

// DataKey runs GenerateDataKey and its WithoutPlaintext twin. AES_256 keys
// come from the Kms's own data-key call; other sizes are random bytes
// encrypted under the key, which is what a data key is.
Step<json> DataKey(Invocation& call, bool with_plaintext) {
  const Request& r = call.request;
  auto key = call.RequiredKey();
  ENVELOPE_RETURN_IF_ERROR(key);
  auto context = r.Context("EncryptionContext");
  ENVELOPE_RETURN_IF_ERROR(context);
  auto size = DataKeySize(r);
  ENVELOPE_RETURN_IF_ERROR(size);
  auto tokens = GrantTokens(r);
  ENVELOPE_RETURN_IF_ERROR(tokens);
  kms::ScopedGrantTokens grant_tokens(std::move(*tokens));
  SecretBytes plaintext;
  kms::Ciphertext ciphertext;
  if (*size == kms::kDataKeySize && !with_plaintext) {
    auto ct = call.K().GenerateDataKeyWithoutPlaintext(*key, *context);
    if (!ct) return FromError(ct.error());
    ciphertext = std::move(*ct);
  } else if (*size == kms::kDataKeySize) {
    auto dk = call.K().GenerateDataKey(*key, *context);
    if (!dk) return FromError(dk.error());
    plaintext = std::move(dk->plaintext);
    ciphertext = std::move(dk->ciphertext);
  } else {
    auto random = SecretBytes::Random(*size);
    if (!random) return FromError(random.error());
    auto ct = call.K().Encrypt(*key, random->span(), *context);
    if (!ct) return FromError(ct.error());
    plaintext = std::move(*random);
    ciphertext = std::move(*ct);
  }
  json answer = {{"CiphertextBlob", Base64(ciphertext.blob)},
                 {"KeyId", call.Use(ciphertext.key_id)}};
  if (with_plaintext) answer["Plaintext"] = Base64(plaintext.span());
  return answer;
}
Step<json> GenerateDataKey(Invocation& call) { return DataKey(call, true); }
Step<json> GenerateDataKeyWithoutPlaintext(Invocation& call) { return DataKey(call, false); }

Step<json> ReEncrypt(Invocation& call) {
  const Request& r = call.request;
  auto blob = r.RequiredBlob("CiphertextBlob", 1, 6144);
  ENVELOPE_RETURN_IF_ERROR(blob);
  auto source_context = r.Context("SourceEncryptionContext");
  ENVELOPE_RETURN_IF_ERROR(source_context);
  auto destination = call.RequiredKey("DestinationKeyId");
  ENVELOPE_RETURN_IF_ERROR(destination);
  auto destination_context = r.Context("DestinationEncryptionContext");
  ENVELOPE_RETURN_IF_ERROR(destination_context);
  for (const char* member : {"SourceEncryptionAlgorithm", "DestinationEncryptionAlgorithm"}) {
    ENVELOPE_RETURN_IF_ERROR(RequireSymmetric(r, member));
  }
  auto tokens = GrantTokens(r);
  ENVELOPE_RETURN_IF_ERROR(tokens);
  kms::ScopedGrantTokens grant_tokens(std::move(*tokens));
  auto source_key = r.String("SourceKeyId", aws::kMaxKeyIdSize);
  ENVELOPE_RETURN_IF_ERROR(source_key);
  std::string source;  // checked by the Kms before anything is decrypted
  if (*source_key) {
    auto resolved = call.Key(**source_key);
    ENVELOPE_RETURN_IF_ERROR(resolved);
    source = std::move(*resolved);
  }
  auto re = call.K().ReEncrypt(*blob, *source_context, *destination, *destination_context, source);
  if (!re) return FromError(re.error());
  return json{{"CiphertextBlob", Base64(re->ciphertext.blob)},
              {"SourceKeyId", call.api.KeyArn(re->source_key_id)},
              {"KeyId", call.Use(re->ciphertext.key_id)},
              {"SourceEncryptionAlgorithm", kSymmetricDefault},
              {"DestinationEncryptionAlgorithm", kSymmetricDefault}};
}

Step<json> GenerateRandom(Invocation& call) {
  auto bytes = call.request.Integer("NumberOfBytes", 1, 1024);
  ENVELOPE_RETURN_IF_ERROR(bytes);
  if (!*bytes) return Invalid("NumberOfBytes", "null", "Member must not be null");
  for (const char* member : {"CustomKeyStoreId", "Recipient"}) {
    auto value = call.request.String(member, 4096);
    ENVELOPE_RETURN_IF_ERROR(value);
    if (*value)
      return Fail("UnsupportedOperationException", std::string(member) + " is not supported");
  }
  auto random = SecretBytes::Random(static_cast<size_t>(**bytes));
  if (!random) return FromError(random.error());
  return json{{"Plaintext", Base64(random->span())}};
}

Step<json> TagResource(Invocation& call) {
  auto key = call.RequiredKey();
  ENVELOPE_RETURN_IF_ERROR(key);
  auto tags = call.request.Tags("Tags");
  ENVELOPE_RETURN_IF_ERROR(tags);
  if (auto done = call.K().TagResource(*key, *tags); !done) return FromError(done.error());
  return json::object();
}

Step<json> UntagResource(Invocation& call) {
  auto key = call.RequiredKey();
  ENVELOPE_RETURN_IF_ERROR(key);
  auto names = call.request.StringList("TagKeys", 50);
  ENVELOPE_RETURN_IF_ERROR(names);
  if (auto done = call.K().UntagResource(*key, *names); !done) return FromError(done.error());
  return json::object();
}

Step<json> ListResourceTags(Invocation& call) {
  auto key = call.RequiredKey();
  ENVELOPE_RETURN_IF_ERROR(key);
  auto tags = call.K().ListResourceTags(*key);
  if (!tags) return FromError(tags.error());
  const std::vector<std::pair<std::string, std::string>> rows(tags->begin(), tags->end());
  using Row = std::pair<std::string, std::string>;
  return Page<Row>(call.request, rows, "Tags", [](const Row& tag) {
    return json{{"TagKey", tag.first}, {"TagValue", tag.second}};
  });
}

struct Operation {
  std::string_view name;
  Handler handler;
};

// kOperations is every operation this server answers.
constexpr Operation kOperations[] = {
    {"CancelKeyDeletion", CancelKeyDeletion},
    {"CreateAlias", CreateAlias},
    {"CreateGrant", internal::CreateGrant},
    {"CreateKey", CreateKey},
    {"Decrypt", Decrypt},
    {"DeleteAlias", DeleteAlias},
    {"DescribeKey", DescribeKey},
    {"DisableKey", KeyCall<&kms::Kms::DisableKey>},
    {"DisableKeyRotation", KeyCall<&kms::Kms::DisableKeyRotation>},
    {"EnableKey", KeyCall<&kms::Kms::EnableKey>},
    {"EnableKeyRotation", EnableKeyRotation},
    {"Encrypt", Encrypt},
    {"GenerateDataKey", GenerateDataKey},
    {"GenerateDataKeyWithoutPlaintext", GenerateDataKeyWithoutPlaintext},
    {"GenerateRandom", GenerateRandom},
    {"GetKeyPolicy", internal::GetKeyPolicy},
    {"GetKeyRotationStatus", GetKeyRotationStatus},
    {"ListAliases", ListAliases},
    {"ListGrants", internal::ListGrants},
    {"ListKeyPolicies", internal::ListKeyPolicies},
    {"ListKeyRotations", ListKeyRotations},
    {"ListKeys", ListKeys},
    {"ListResourceTags", ListResourceTags},
    {"PutKeyPolicy", internal::PutKeyPolicy},
    {"ReEncrypt", ReEncrypt},
    {"RetireGrant", internal::RetireGrant},
    {"RevokeGrant", internal::RevokeGrant},
    {"RotateKeyOnDemand", RotateKeyOnDemand},
    {"ScheduleKeyDeletion", ScheduleKeyDeletion},
    {"TagResource", TagResource},
    {"UntagResource", UntagResource},
    {"UpdateAlias", UpdateAlias},
};

KmsApiResult Answer(const Failure& failure, std::string key_arn) {
  KmsApiResult result;
  const aws::AwsErrorShape* shape = aws::FindAwsErrorShape(failure.type);
  result.http_status = shape ? shape->http_status : 400;
  result.error_type = failure.type;
  result.error_message = failure.message;
  result.body = aws::RenderJsonError(failure.type, failure.message);
  result.key_arn = std::move(key_arn);
  return result;
}

}  // namespace

std::string KmsApi::KeyArn(std::string_view key_id) const {
  return "arn:" + config_.partition + ":kms:" + config_.region + ":" + config_.account + ":key/" +
         std::string(key_id);
}

KmsApiResult KmsApi::Call(std::string_view operation, std::string_view body) noexcept {
  try {
    const auto* op = std::find_if(std::begin(kOperations), std::end(kOperations),
                                  [&](const Operation& o) { return o.name == operation; });
    if (op == std::end(kOperations)) {
      return Answer({"UnsupportedOperationException",
                     "operation " + std::string(operation) + " is not supported by this server"},
                    {});
    }
    const std::optional<Request> request = Request::Parse(body);
    if (!request) {
      return Answer({"SerializationException", "the request body is not a JSON object"}, {});
    }
    Invocation call{kms_, *this, *request, {}};
    Step<json> answer = op->handler(call);
    if (!answer) {
      KmsApiResult failed = Answer(answer.error(), std::move(call.key_arn));
      failed.reached_kms = call.reached_kms;
      return failed;
    }
    KmsApiResult result = SuccessAnswer(*answer);
    result.key_arn = std::move(call.key_arn);
    return result;
  } catch (const std::exception&) {
    return Answer({"KMSInternalException", "internal error"}, {});
  }
}

}  // namespace envelope::service
