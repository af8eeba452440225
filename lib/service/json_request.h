// lib/service: reading an AWS JSON 1.1 request body, member by member, with
// the errors AWS answers: a member of the wrong JSON type is a
// SerializationException, a missing required member or a value out of its
// range a ValidationException ("1 validation error detected: Value ... at
// 'keyId' failed to satisfy constraint: ..."). Shared by the APIs the server
// speaks, so every one of them refuses malformed requests the same way.
#ifndef ENVELOPE_LIB_SERVICE_JSON_REQUEST_H_
#define ENVELOPE_LIB_SERVICE_JSON_REQUEST_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/error_shapes.h"
#include "envelope/kms_types.hpp"
#include "message/base64.h"

namespace envelope::service {

using json = nlohmann::json;

// Failure is an AWS error on its way to the wire.
struct Failure {
  std::string type;
  std::string message;
};
template <typename T>
using Step = tl::expected<T, Failure>;

inline tl::unexpected<Failure> Fail(std::string type, std::string message) {
  return tl::unexpected(Failure{std::move(type), std::move(message)});
}
inline tl::unexpected<Failure> FromError(const Error& error) {
  aws::AwsError e = aws::ToAwsError(error);
  return tl::unexpected(Failure{std::move(e.type), std::move(e.message)});
}

// MemberPath is how AWS validation messages name a member: lowerCamelCase.
inline std::string MemberPath(std::string_view name) {
  std::string path(name);
  if (!path.empty() && path[0] >= 'A' && path[0] <= 'Z')
    path[0] = static_cast<char>(path[0] - 'A' + 'a');
  return path;
}

inline tl::unexpected<Failure> Invalid(std::string_view member, std::string_view value,
                                       std::string_view constraint) {
  return Fail("ValidationException",
              "1 validation error detected: Value " + std::string(value) + " at '" +
                  MemberPath(member) +
                  "' failed to satisfy constraint: " + std::string(constraint));
}

inline tl::unexpected<Failure> WrongType(std::string_view member, std::string_view expected) {
  return Fail("SerializationException",
              "member " + std::string(member) + " must be " + std::string(expected));
}

// Request gives typed access to the members of one request body, with
// AWS's errors for a wrong type (SerializationException), a missing member
// or a value out of range (ValidationException).
class Request {
 public:
  explicit Request(json body) : body_(std::move(body)) {}

  // Parse reads a request body that must be a JSON object (an empty body
  // is {}); nullopt for anything else.
  static std::optional<Request> Parse(std::string_view body) {
    json parsed = body.empty() ? json::object() : json::parse(body, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
    return Request(std::move(parsed));
  }

  Step<std::optional<std::string>> String(const char* name, size_t max_size = 8192) const {
    const json* v = Find(name);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string()) return WrongType(name, "a string");
    const std::string& s = v->get_ref<const std::string&>();
    if (s.empty() || s.size() > max_size) {
      return Invalid(name, "'" + std::to_string(s.size()) + " characters'",
                     "Member must have length between 1 and " + std::to_string(max_size));
    }
    return s;
  }

  Step<std::string> RequiredString(const char* name, size_t max_size = 8192) const {
    auto s = String(name, max_size);
    ENVELOPE_RETURN_IF_ERROR(s);
    if (!*s) return Invalid(name, "null", "Member must not be null");
    return std::move(**s);
  }

  Step<std::optional<int64_t>> Integer(const char* name, int64_t min, int64_t max) const {
    const json* v = Find(name);
    if (v == nullptr) return std::nullopt;
    if (!v->is_number_integer()) return WrongType(name, "an integer");
    if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(max)) {
      return Invalid(name, "'" + v->dump() + "'",
                     "Member must have value less than or equal to " + std::to_string(max));
    }
    const int64_t n = v->get<int64_t>();
    if (n < min) {
      return Invalid(name, "'" + std::to_string(n) + "'",
                     "Member must have value greater than or equal to " + std::to_string(min));
    }
    if (n > max) {
      return Invalid(name, "'" + std::to_string(n) + "'",
                     "Member must have value less than or equal to " + std::to_string(max));
    }
    return n;
  }

  Step<bool> Boolean(const char* name) const {
    const json* v = Find(name);
    if (v == nullptr) return false;
    if (!v->is_boolean()) return WrongType(name, "a boolean");
    return v->get<bool>();
  }

  // Blob decodes a base64 member of `min`..`max` bytes.
  Step<std::optional<std::vector<uint8_t>>> Blob(const char* name, size_t min, size_t max) const {
    const json* v = Find(name);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string()) return WrongType(name, "a base64 string");
    auto bytes = message::Base64Decode(v->get_ref<const std::string&>());
    if (!bytes)
      return Fail("SerializationException", "member " + std::string(name) + " is not valid base64");
    if (bytes->size() < min || bytes->size() > max) {
      return Invalid(
          name, "'" + std::to_string(bytes->size()) + " bytes'",
          "Member must have length between " + std::to_string(min) + " and " + std::to_string(max));
    }
    return bytes;
  }

  Step<std::vector<uint8_t>> RequiredBlob(const char* name, size_t min, size_t max) const {
    auto b = Blob(name, min, max);
    ENVELOPE_RETURN_IF_ERROR(b);
    if (!*b) return Invalid(name, "null", "Member must not be null");
    return std::move(**b);
  }

  // Context reads an EncryptionContext: an object of string values.
  Step<kms::EncryptionContext> Context(const char* name) const {
    kms::EncryptionContext context;
    const json* v = Find(name);
    if (v == nullptr) return context;
    if (!v->is_object()) return WrongType(name, "a map of strings");
    for (const auto& [key, value] : v->items()) {
      if (!value.is_string()) return WrongType(name, "a map of strings");
      context.emplace(key, value.get<std::string>());
    }
    return context;
  }

  // StringList reads a list of strings (GrantTokens, TagKeys).
  Step<std::vector<std::string>> StringList(const char* name, size_t max_items) const {
    std::vector<std::string> list;
    const json* v = Find(name);
    if (v == nullptr) return list;
    if (!v->is_array()) return WrongType(name, "a list of strings");
    if (v->size() > max_items) {
      return Invalid(name, "'" + std::to_string(v->size()) + " items'",
                     "Member must have length less than or equal to " + std::to_string(max_items));
    }
    for (const json& item : *v) {
      if (!item.is_string()) return WrongType(name, "a list of strings");
      list.push_back(item.get<std::string>());
    }
    return list;
  }

  // Tags reads [{"TagKey": ..., "TagValue": ...}, ...].
  Step<kms::Tags> Tags(const char* name) const {
    kms::Tags tags;
    const json* v = Find(name);
    if (v == nullptr) return tags;
    if (!v->is_array()) return WrongType(name, "a list of tags");
    for (const json& tag : *v) {
      if (!tag.is_object() || !tag.contains("TagKey") || !tag["TagKey"].is_string() ||
          !tag.contains("TagValue") || !tag["TagValue"].is_string()) {
        return WrongType(name, "a list of {TagKey, TagValue} objects");
      }
      tags[tag["TagKey"].get<std::string>()] = tag["TagValue"].get<std::string>();
    }
    return tags;
  }

  // Object returns nested structure member `name` (an empty one when
  // absent) as a Request of its own.
  Step<Request> Object(const char* name) const {
    const json* v = Find(name);
    if (v == nullptr) return Request(json::object());
    if (!v->is_object()) return WrongType(name, "a structure");
    return Request(*v);
  }

  // Has reports whether member `name` is present and not null, whatever its
  // type (for members an API refuses rather than ignores).
  bool Has(const char* name) const { return Find(name) != nullptr; }

 private:
  const json* Find(const char* name) const {
    auto it = body_.find(name);
    if (it == body_.end() || it->is_null()) return nullptr;
    return &*it;
  }
  json body_;
};

}  // namespace envelope::service

#endif  // ENVELOPE_LIB_SERVICE_JSON_REQUEST_H_
