#include "kms/keystore_state.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

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
  const std::string text = doc.dump();
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
  if (!copied) return tl::unexpected(copied.error());
  state.table = std::move(*copied);
  try {
    const json doc = json::parse(text.begin(), text.end());
    Require(doc.at("format").get<int>() == 1, "unknown payload format");
    state.generation = doc.at("generation").get<uint64_t>();
    size_t next_row = 0;
    for (const json& jk : doc.at("keys")) {
      KeyRecord k;
      const auto id_text = jk.at("id").get<std::string>();
      const auto id = ParseKeyId(id_text);
      Require(id.has_value() && FormatKeyId(*id) == id_text, "bad key id");
      k.id = *id;
      k.description = jk.at("description").get<std::string>();
      k.tags = jk.at("tags").get<Tags>();
      k.created_ms = jk.at("created").get<int64_t>();
      k.state = StateFrom(jk.at("state").get<std::string>());
      if (k.state == KeyState::pending_deletion) {
        k.deletion_ms = jk.at("deletion").get<int64_t>();
        k.pending_window_days = jk.at("window").get<int>();
      }
      const json& rot = jk.at("rotation");
      k.rotation_enabled = rot.at("enabled").get<bool>();
      k.rotation_period_days = rot.at("period").get<int>();
      k.next_rotation_ms = rot.at("next").get<int64_t>();
      k.on_demand_rotations = jk.at("on_demand").get<int>();
      for (const json& jv : jk.at("versions")) {
        KeyVersion v;
        v.version = jv.at("version").get<uint32_t>();
        Require(v.version == k.versions.size() + 1, "key versions out of sequence");
        v.created_ms = jv.at("created").get<int64_t>();
        v.origin = OriginFrom(jv.at("origin").get<std::string>());
        Require(jv.at("material").get<size_t>() == next_row && next_row < rows,
                "key material table out of order");
        v.loaded = state.table.span().subspan(next_row++ * kKeyMaterialSize, kKeyMaterialSize);
        k.versions.push_back(std::move(v));
      }
      Require(!k.versions.empty(), "key without versions");
      Require(state.keys.emplace(id_text, std::move(k)).second, "duplicate key id");
    }
    Require(next_row == rows, "unused key material rows");
    for (const auto& [name, ja] : doc.at("aliases").items()) {
      AliasRecord a{ja.at("key").get<std::string>(), ja.at("created").get<int64_t>(),
                    ja.at("updated").get<int64_t>()};
      Require(state.keys.count(a.key_id) == 1, "alias to a missing key");
      state.aliases.emplace(name, std::move(a));
    }
    state.deleted = doc.at("deleted").get<std::map<std::string, int64_t>>();
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::invalid_argument,
                     std::string("keystore payload is malformed: ") + e.what());
  }
  return state;
}

}  // namespace envelope::kms::internal
