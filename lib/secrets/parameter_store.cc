// ParameterStore: Put, Get, GetByPath, History over the
// parameters file (parameter_file.h) and the Kms.
#include <algorithm>
#include <chrono>

#include "crypto/utf8.h"
#include "envelope/secrets.hpp"
#include "message/base64.h"
#include "secrets/parameter_file.h"
#include "secrets/parameter_names.h"
#include "secrets/service_audit.h"

namespace envelope::secrets {
namespace {

using internal::ParameterTable;
using internal::StoredParameter;
using internal::StoredVersion;

constexpr char kContextKey[] = "PARAMETER_ARN";

int64_t ToMs(kms::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

kms::TimePoint FromMs(int64_t ms) { return kms::TimePoint(std::chrono::milliseconds(ms)); }

std::string_view Text(const SecretBytes& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

tl::unexpected<Error> NotFound(std::string_view name) { return internal::ParameterNotFound(name); }

Result<const StoredParameter*> Find(const ParameterTable& table, std::string_view name) {
  auto it = table.find(std::string(name));
  if (it == table.end()) return NotFound(name);
  return &it->second;
}

// EnsureDefaultKey returns the managed key of SecureString parameters,
// creating it (yearly rotation, as the KMS's own default key) on first use.
// Called under the parameters lock, so two writers never both create it.
Result<std::string> EnsureDefaultKey(kms::Kms& k) {
  auto existing = k.DescribeKey(kDefaultParameterKeyAlias);
  if (existing) return existing->key_id;
  if (existing.error().code() != ErrorCode::not_found) return tl::unexpected(existing.error());
  // The key and its alias in one transaction: a refused alias leaves no key.
  auto key = k.CreateKey({.description = "envelope: default key of SecureString parameters",
                          .alias = std::string(kDefaultParameterKeyAlias)});
  ENVELOPE_RETURN_IF_ERROR(key);
  ENVELOPE_RETURN_IF_ERROR(k.EnableKeyRotation(key->key_id));
  return key->key_id;
}

Result<void> CheckPut(const PutParameterRequest& r) {
  if (auto ok = internal::CheckParameterName(r.name); !ok) return ok;
  if (r.value.empty() || r.value.size() > kMaxParameterValueSize) {
    return MakeError(ErrorCode::invalid_argument,
                     "ValidationException: Standard tier parameters support a value of 1 to " +
                         std::to_string(kMaxParameterValueSize) + " characters");
  }
  if (!crypto::IsValidUtf8(Text(r.value))) {
    return MakeError(ErrorCode::invalid_argument,
                     "ValidationException: the parameter value is not valid UTF-8");
  }
  if (r.description.size() > kMaxDescriptionSize) {
    return MakeError(ErrorCode::invalid_argument,
                     "ValidationException: the description is over 1024 characters");
  }
  if (auto ok = crypto::CheckUtf8(r.description, "ValidationException: the description"); !ok) {
    return ok;
  }
  if (r.type != ParameterType::secure_string && !r.key.empty()) {
    return MakeError(
        ErrorCode::invalid_argument,
        "ValidationException: KeyId is required for SecureString type parameter only.");
  }
  return crypto::CheckUtf8(r.modified_by, "the modifying user");
}

}  // namespace

std::string_view ParameterTypeName(ParameterType type) noexcept {
  switch (type) {
    case ParameterType::string:
      return "String";
    case ParameterType::string_list:
      return "StringList";
    case ParameterType::secure_string:
      return "SecureString";
  }
  return "String";
}

Result<ParameterType> ParseParameterType(std::string_view name) {
  for (ParameterType t :
       {ParameterType::string, ParameterType::string_list, ParameterType::secure_string}) {
    if (name == ParameterTypeName(t)) return t;
  }
  return MakeError(ErrorCode::invalid_argument,
                   "ValidationException: the type must be String, StringList or SecureString");
}

Result<ParameterStore> ParameterStore::Open(kms::Kms& kms, ArnConfig config) {
  return ParameterStore(kms, std::move(config));
}

std::string ParameterStore::Arn(std::string_view name) const {
  return "arn:" + config_.partition + ":ssm:" + config_.region + ":" + config_.account +
         ":parameter" + (name.starts_with('/') ? "" : "/") + std::string(name);
}

Result<int64_t> ParameterStore::Put(const PutParameterRequest& r) {
  auto outcome = [&]() -> Result<int64_t> {
    ENVELOPE_RETURN_IF_ERROR(CheckPut(r));
    int64_t version = 0;
    auto done = internal::UpdateParameterTable(
        kms_->directory(), [&](ParameterTable& table) -> Result<bool> {
          auto it = table.find(r.name);
          if (it != table.end() && !r.overwrite) {
            return MakeError(
                ErrorCode::invalid_argument,
                "ParameterAlreadyExists: The parameter already exists. To overwrite this "
                "request value, set the overwrite option in the request to true.");
          }
          if (it != table.end() && it->second.type != r.type) {
            return MakeError(ErrorCode::invalid_argument,
                             "ValidationException: " + r.name + " is a " +
                                 std::string(ParameterTypeName(it->second.type)) +
                                 " parameter; delete it to store another type under its name");
          }
          if (it != table.end() && it->second.versions.size() >= kMaxParameterVersions &&
              !it->second.versions.front().labels.empty()) {
            return MakeError(
                ErrorCode::limit_exceeded,
                "ParameterMaxVersionLimitExceeded: the oldest of the 100 versions of " + r.name +
                    " has labels; move them before adding a version");
          }
          StoredVersion v;
          v.version = it == table.end() ? 1 : it->second.versions.back().version + 1;
          v.modified_ms = ToMs(std::chrono::system_clock::now());
          v.modified_by = r.modified_by;
          v.description = r.description.empty() && it != table.end()
                              ? it->second.versions.back().description
                              : r.description;
          if (r.type == ParameterType::secure_string) {
            std::string key = r.key;
            if (key.empty()) {
              auto default_key = EnsureDefaultKey(*kms_);
              ENVELOPE_RETURN_IF_ERROR(default_key);
              key = *default_key;
            }
            auto blob = kms_->Encrypt(key, r.value.span(), {{kContextKey, Arn(r.name)}});
            ENVELOPE_RETURN_IF_ERROR(blob);
            v.value = message::Base64Encode(blob->blob);
            v.key_id = blob->key_id;
          } else {
            v.value = std::string(Text(r.value));
          }
          version = v.version;
          StoredParameter& p = table[r.name];
          p.type = r.type;
          if (p.versions.size() >= kMaxParameterVersions) p.versions.erase(p.versions.begin());
          p.versions.push_back(std::move(v));
          return true;
        });
    ENVELOPE_RETURN_IF_ERROR(done);
    return version;
  }();
  kms::ServiceCall call{internal::kSsmSource,
                        "PutParameter",
                        internal::kParameterResource,
                        Arn(r.name),
                        {{"name", r.name},
                         {"type", std::string(ParameterTypeName(r.type))},
                         {"overwrite", internal::Bool(r.overwrite)}}};
  if (!r.key.empty()) call.request["key_id"] = r.key;
  return internal::Audited(*kms_, call, std::move(outcome));
}

namespace {

// Materialize turns a stored version into what Get returns, decrypting a
// SecureString value through the Kms when asked (its audit line names the
// caller).
Result<Parameter> Materialize(kms::Kms& k, const std::string& name, const std::string& arn,
                              ParameterType type, const StoredVersion& v, bool with_decryption) {
  Parameter p;
  p.name = name;
  p.type = type;
  p.version = v.version;
  p.last_modified = FromMs(v.modified_ms);
  p.arn = arn;
  p.key_id = v.key_id;
  p.description = v.description;
  p.modified_by = v.modified_by;
  p.labels = v.labels;
  if (type == ParameterType::secure_string && with_decryption) {
    auto blob = message::Base64Decode(v.value);
    if (!blob) {
      return MakeError(ErrorCode::malformed,
                       "parameters: the stored value of " + name + " is not base64");
    }
    auto plain = k.Decrypt(*blob, {{kContextKey, arn}});
    ENVELOPE_RETURN_IF_ERROR(plain);
    p.value = std::move(plain->plaintext);
    return p;
  }
  auto value = SecretBytes::CopyFrom(
      std::span(reinterpret_cast<const uint8_t*>(v.value.data()), v.value.size()));
  ENVELOPE_RETURN_IF_ERROR(value);
  p.value = std::move(*value);
  return p;
}

}  // namespace

Result<Parameter> ParameterStore::Read(std::string_view text, bool with_decryption) {
  auto parts = internal::SplitSelector(text);
  ENVELOPE_RETURN_IF_ERROR(parts);
  if (auto ok = internal::CheckParameterName(parts->name); !ok) return NotFound(parts->name);
  auto table = internal::ReadParameterTable(kms_->directory());
  ENVELOPE_RETURN_IF_ERROR(table);
  auto p = Find(*table, parts->name);
  ENVELOPE_RETURN_IF_ERROR(p);
  const StoredVersion* chosen = &(*p)->versions.back();
  if (!parts->selector.empty()) {
    auto it =
        std::find_if((*p)->versions.begin(), (*p)->versions.end(), [&](const StoredVersion& v) {
          return parts->label.empty()
                     ? v.version == parts->version
                     : std::count(v.labels.begin(), v.labels.end(), parts->label) > 0;
        });
    if (it == (*p)->versions.end()) {
      return MakeError(ErrorCode::not_found,
                       "ParameterVersionNotFound: Systems Manager could not "
                       "find version " +
                           parts->selector.substr(1) + " of " + parts->name +
                           ". Verify the version and try again.");
    }
    chosen = &*it;
  }
  auto out =
      Materialize(*kms_, parts->name, Arn(parts->name), (*p)->type, *chosen, with_decryption);
  if (out) out->selector = parts->selector;
  return out;
}

Result<Parameter> ParameterStore::Get(std::string_view text, bool with_decryption) {
  auto outcome = Read(text, with_decryption);
  if (!with_decryption) return outcome;
  kms::ServiceCall call{internal::kSsmSource,
                        "GetParameter",
                        internal::kParameterResource,
                        outcome ? outcome->arn : std::string(),
                        {{"name", std::string(text)}, {"with_decryption", "true"}}};
  return internal::Audited(*kms_, call, std::move(outcome));
}

Result<ParameterBatch> ParameterStore::GetMany(const std::vector<std::string>& names,
                                               bool with_decryption) {
  auto outcome = [&]() -> Result<ParameterBatch> {
    ParameterBatch batch;
    for (const std::string& name : names) {
      auto p = Read(name, with_decryption);
      if (p) {
        batch.found.push_back(std::move(*p));
      } else if (p.error().code() == ErrorCode::not_found &&
                 !p.error().message().starts_with("NotFoundException")) {
        batch.invalid.push_back(name);  // not the KMS's: the key is gone
      } else {
        return tl::unexpected(p.error());
      }
    }
    return batch;
  }();
  if (!with_decryption) return outcome;
  // Names are letters, digits and "_.-/" (a selector adds ":"): "," joins.
  std::string listed;
  for (const std::string& name : names) listed += (listed.empty() ? "" : ",") + name;
  kms::ServiceCall call{internal::kSsmSource,
                        "GetParameters",
                        {},
                        {},
                        {{"names", listed}, {"with_decryption", "true"}}};
  return internal::Audited(*kms_, call, std::move(outcome));
}

Result<std::vector<Parameter>> ParameterStore::GetByPath(std::string_view path, bool recursive,
                                                         bool with_decryption) {
  auto outcome = [&]() -> Result<std::vector<Parameter>> {
    auto base = internal::CheckParameterPath(path);
    ENVELOPE_RETURN_IF_ERROR(base);
    const std::string prefix = *base == "/" ? "/" : *base + "/";
    auto table = internal::ReadParameterTable(kms_->directory());
    ENVELOPE_RETURN_IF_ERROR(table);
    std::vector<Parameter> out;
    for (auto it = table->lower_bound(prefix); it != table->end() && it->first.starts_with(prefix);
         ++it) {
      if (!recursive && it->first.find('/', prefix.size()) != std::string::npos) continue;
      auto p = Materialize(*kms_, it->first, Arn(it->first), it->second.type,
                           it->second.versions.back(), with_decryption);
      ENVELOPE_RETURN_IF_ERROR(p);
      out.push_back(std::move(*p));
    }
    return out;
  }();
  if (!with_decryption) return outcome;
  kms::ServiceCall call{internal::kSsmSource,
                        "GetParametersByPath",
                        {},
                        {},
                        {{"path", std::string(path)},
                         {"recursive", internal::Bool(recursive)},
                         {"with_decryption", "true"}}};
  return internal::Audited(*kms_, call, std::move(outcome));
}

Result<std::vector<Parameter>> ParameterStore::History(std::string_view name,
                                                       bool with_decryption) {
  auto outcome = [&]() -> Result<std::vector<Parameter>> {
    auto table = internal::ReadParameterTable(kms_->directory());
    ENVELOPE_RETURN_IF_ERROR(table);
    auto p = Find(*table, name);
    ENVELOPE_RETURN_IF_ERROR(p);
    std::vector<Parameter> out;
    for (const StoredVersion& v : (*p)->versions) {
      auto one = Materialize(*kms_, std::string(name), Arn(name), (*p)->type, v, with_decryption);
      ENVELOPE_RETURN_IF_ERROR(one);
      out.push_back(std::move(*one));
    }
    return out;
  }();
  if (!with_decryption) return outcome;
  kms::ServiceCall call{internal::kSsmSource,
                        "GetParameterHistory",
                        internal::kParameterResource,
                        Arn(name),
                        {{"name", std::string(name)}, {"with_decryption", "true"}}};
  return internal::Audited(*kms_, call, std::move(outcome));
}

}  // namespace envelope::secrets
