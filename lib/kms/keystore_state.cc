#include "kms/keystore_state.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

namespace envelope::kms::internal {
namespace {

using nlohmann::json;

const char* StateName(KeyState s) {
  switch (s) {
    case KeyState::enabled:
      return "Enabled";
    case KeyState::disabled:
      return "Disabled";
    case KeyState::pending_deletion:
      return "PendingDeletion";
  }
  return "?";
}

KeyState StateFrom(const std::string& s) {
  if (s == "Enabled") return KeyState::enabled;
  if (s == "Disabled") return KeyState::disabled;
  if (s == "PendingDeletion") return KeyState::pending_deletion;
  throw std::invalid_argument("unknown key state " + s);
}

const char* OriginName(VersionOrigin o) {
  switch (o) {
    case VersionOrigin::create:
      return "create";
    case VersionOrigin::automatic:
      return "automatic";
    case VersionOrigin::on_demand:
      return "on_demand";
  }
  return "?";
}

VersionOrigin OriginFrom(const std::string& s) {
  if (s == "create") return VersionOrigin::create;
  if (s == "automatic") return VersionOrigin::automatic;
  if (s == "on_demand") return VersionOrigin::on_demand;
  throw std::invalid_argument("unknown version origin " + s);
}

void Require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(what);
}

// The integer in `j` as a T. json's get<T>() would accept a float (and
// converting one out of range is undefined behaviour) and silently wrap a
// number T cannot hold, so "format": 4294967297 would read as 1.
template <typename T>
T Int(const json& j, const char* field) {
  if (j.is_number_unsigned()) {
    const auto v = j.get<uint64_t>();
    if (std::in_range<T>(v)) return static_cast<T>(v);
  } else if (j.is_number_integer()) {
    const auto v = j.get<int64_t>();
    if (std::in_range<T>(v)) return static_cast<T>(v);
  }
  throw std::invalid_argument(std::string(field) + " is not an integer in range");
}

}  // namespace

Result<SecretBytes> EncodePayload(const KeystoreState& state) {
  json doc = {{"format", 1}, {"generation", state.generation}};
  json keys = json::array();
  std::vector<std::span<const uint8_t>> table;
  for (const auto& [id, k] : state.keys) {
    json versions = json::array();
    for (const auto& v : k.versions) {
      versions.push_back({{"version", v.version},
                          {"created", v.created_ms},
                          {"origin", OriginName(v.origin)},
                          {"material", table.size()}});
      table.push_back(v.material());
    }
    json key = {{"id", id},
                {"description", k.description},
                {"tags", k.tags},
                {"created", k.created_ms},
                {"state", StateName(k.state)},
                {"rotation",
                 {{"enabled", k.rotation_enabled},
                  {"period", k.rotation_period_days},
                  {"next", k.next_rotation_ms}}},
                {"on_demand", k.on_demand_rotations},
                {"versions", std::move(versions)}};
    if (k.state == KeyState::pending_deletion) {
      key["deletion"] = k.deletion_ms;
      key["window"] = k.pending_window_days;
    }
    keys.push_back(std::move(key));
  }
  doc["keys"] = std::move(keys);
  json aliases = json::object();
  for (const auto& [name, a] : state.aliases) {
    aliases[name] = {{"key", a.key_id}, {"created", a.created_ms}, {"updated", a.updated_ms}};
  }
  doc["aliases"] = std::move(aliases);
  doc["deleted"] = state.deleted;
  if (!state.access_keys.empty()) {
    json access_keys = json::object();
    for (const auto& [id, a] : state.access_keys) {
      access_keys[id] = {{"created", a.created_ms}, {"active", a.active}, {"secret", table.size()}};
      table.push_back(a.secret());
    }
    doc["access_keys"] = std::move(access_keys);
  }
  EncodeIam(
      state.iam, [&](const std::string& id) { return state.keys.count(id) == 1; }, doc);
  // Every string in `doc` was validated as UTF-8 when it entered the KMS
  // (or parsed, so validated, from the file); a throw here would be a bug,
  // reported as one instead of escaping the API.
  std::string text;
  try {
    text = doc.dump();
  } catch (const json::exception&) {
    return MakeError(ErrorCode::internal, "keystore: a stored text is not valid UTF-8");
  }
  const size_t size = 4 + text.size() + table.size() * kKeyMaterialSize;
  auto out = SecretBytes::Allocate(size);
  if (!out) return out;
  uint8_t* p = out->data();
  for (int i = 0; i < 4; ++i) *p++ = static_cast<uint8_t>(text.size() >> (24 - 8 * i));
  std::memcpy(p, text.data(), text.size());
  p += text.size();
  for (const auto m : table) {
    if (m.size() != kKeyMaterialSize) {
      return MakeError(ErrorCode::internal, "keystore: key material is not 32 bytes");
    }
    std::memcpy(p, m.data(), kKeyMaterialSize);
    p += kKeyMaterialSize;
  }
  return out;
}

Result<KeystoreState> DecodePayload(std::span<const uint8_t> payload) {
  if (payload.size() < 4) return MakeError(ErrorCode::invalid_argument, "keystore payload: empty");
  const size_t json_size = size_t{payload[0]} << 24 | size_t{payload[1]} << 16 |
                           size_t{payload[2]} << 8 | size_t{payload[3]};
  if (json_size > payload.size() - 4 || (payload.size() - 4 - json_size) % kKeyMaterialSize != 0) {
    return MakeError(ErrorCode::invalid_argument, "keystore payload: sizes do not add up");
  }
  const auto text = payload.subspan(4, json_size);
  const auto table = payload.subspan(4 + json_size);
  const size_t rows = table.size() / kKeyMaterialSize;
  KeystoreState state;
  auto copied = SecretBytes::CopyFrom(table);
  ENVELOPE_RETURN_IF_ERROR(copied);
  state.table = std::move(*copied);
  try {
    const json doc = json::parse(text.begin(), text.end());
    Require(Int<int>(doc.at("format"), "format") == 1, "unknown payload format");
    state.generation = Int<uint64_t>(doc.at("generation"), "generation");
    size_t next_row = 0;
    for (const json& jk : doc.at("keys")) {
      KeyRecord k;
      const auto id_text = jk.at("id").get<std::string>();
      const auto id = ParseKeyId(id_text);
      Require(id.has_value() && FormatKeyId(*id) == id_text, "bad key id");
      k.id = *id;
      k.description = jk.at("description").get<std::string>();
      k.tags = jk.at("tags").get<Tags>();
      k.created_ms = Int<int64_t>(jk.at("created"), "created");
      k.state = StateFrom(jk.at("state").get<std::string>());
      if (k.state == KeyState::pending_deletion) {
        k.deletion_ms = Int<int64_t>(jk.at("deletion"), "deletion");
        k.pending_window_days = Int<int>(jk.at("window"), "window");
      }
      const json& rot = jk.at("rotation");
      k.rotation_enabled = rot.at("enabled").get<bool>();
      k.rotation_period_days = Int<int>(rot.at("period"), "period");
      k.next_rotation_ms = Int<int64_t>(rot.at("next"), "next");
      k.on_demand_rotations = Int<int>(jk.at("on_demand"), "on_demand");
      for (const json& jv : jk.at("versions")) {
        KeyVersion v;
        v.version = Int<uint32_t>(jv.at("version"), "version");
        Require(v.version == k.versions.size() + 1, "key versions out of sequence");
        v.created_ms = Int<int64_t>(jv.at("created"), "created");
        v.origin = OriginFrom(jv.at("origin").get<std::string>());
        Require(Int<size_t>(jv.at("material"), "material") == next_row && next_row < rows,
                "key material table out of order");
        v.loaded = state.table.span().subspan(next_row++ * kKeyMaterialSize, kKeyMaterialSize);
        k.versions.push_back(std::move(v));
      }
      Require(!k.versions.empty(), "key without versions");
      Require(state.keys.emplace(id_text, std::move(k)).second, "duplicate key id");
    }
    if (doc.contains("access_keys")) {
      Require(doc.at("access_keys").is_object(), "access_keys must be an object");
      for (const auto& [id, ja] : doc.at("access_keys").items()) {
        AccessKeyRecord a;
        a.created_ms = Int<int64_t>(ja.at("created"), "created");
        a.active = ja.at("active").get<bool>();
        Require(Int<size_t>(ja.at("secret"), "secret") == next_row && next_row < rows,
                "key material table out of order");
        a.loaded = state.table.span().subspan(next_row++ * kKeyMaterialSize, kKeyMaterialSize);
        state.access_keys.emplace(id, std::move(a));
      }
    }
    state.iam = DecodeIam(doc);
    for (const auto& entry : state.iam.access_key_users) {
      Require(state.access_keys.count(entry.first) == 1, "a user of a missing access key");
    }
    Require(next_row == rows, "unused key material rows");
    Require(doc.at("aliases").is_object() && doc.at("deleted").is_object(),
            "aliases and deleted must be objects");
    for (const auto& [name, ja] : doc.at("aliases").items()) {
      AliasRecord a{ja.at("key").get<std::string>(), Int<int64_t>(ja.at("created"), "created"),
                    Int<int64_t>(ja.at("updated"), "updated")};
      Require(state.keys.count(a.key_id) == 1, "alias to a missing key");
      state.aliases.emplace(name, std::move(a));
    }
    for (const auto& [id, when] : doc.at("deleted").items()) {
      state.deleted.emplace(id, Int<int64_t>(when, "deleted"));
    }
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::invalid_argument,
                     std::string("keystore payload is malformed: ") + e.what());
  }
  return state;
}

}  // namespace envelope::kms::internal
