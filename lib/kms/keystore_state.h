// lib/kms: the keys, aliases and tombstones a keystore holds, and the
// payload codec (the plaintext inside keystore_file.h's envelope).
//
// Payload format, version 1:
//
//   +----------------+----------------------------+-------------------------+
//   | JSON length m  | JSON metadata (m bytes)    | key material table      |
//   | (u32, BE)      | UTF-8, no secrets in it    | count x 32 bytes        |
//   +----------------+----------------------------+-------------------------+
//
//   {"format": 1, "generation": 7,
//    "keys": [{"id": "<uuid>", "description": "...", "tags": {...},
//              "created": <unix ms>, "state": "Enabled",
//              "deletion": <unix ms>, "window": 30,            (pending only)
//              "rotation": {"enabled": true, "period": 365, "next": <ms>},
//              "on_demand": 0,
//              "versions": [{"version": 1, "created": <ms>,
//                            "origin": "create|automatic|on_demand",
//                            "material": 0}]}],                 (table index)
//    "aliases": {"alias/app": {"key": "<uuid>", "created": <ms>, "updated": <ms>}},
//    "deleted": {"<uuid>": <unix ms>},
//    "access_keys": {"AKIA...": {"created": <ms>, "active": true,     (optional)
//                                "secret": 3}},                       (table index)
//    "iam": {...}}                                  (optional, iam_state.h)
//
// Key material never enters the JSON (so no std::string ever holds it); the
// JSON names a row of the binary table, and every row is used exactly once,
// in order. The whole payload lives in secret memory.
#ifndef ENVELOPE_LIB_KMS_KEYSTORE_STATE_H_
#define ENVELOPE_LIB_KMS_KEYSTORE_STATE_H_

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/kms_types.hpp"
#include "envelope/secret.hpp"
#include "kms/iam_state.h"
#include "kms/key_id.h"

namespace envelope::kms::internal {

inline constexpr size_t kKeyMaterialSize = 32;

// VersionOrigin says how a key version was made.
enum class VersionOrigin { create, automatic, on_demand };

// KeyVersion is one generation of a key's material.
struct KeyVersion {
  uint32_t version = 1;
  int64_t created_ms = 0;
  VersionOrigin origin = VersionOrigin::create;
  SecretBytes owned;                // made by this process (32 bytes), or
  std::span<const uint8_t> loaded;  // a row of KeystoreState::table

  // material returns the 32 key bytes, wherever they live.
  std::span<const uint8_t> material() const { return owned.empty() ? loaded : owned.span(); }
};

// KeyRecord is one key with all its versions (ascending; the last encrypts).
struct KeyRecord {
  KeyIdBytes id{};
  std::string description;
  Tags tags;
  int64_t created_ms = 0;
  KeyState state = KeyState::enabled;
  int64_t deletion_ms = 0;  // while pending deletion
  int pending_window_days = 0;
  bool rotation_enabled = false;
  int rotation_period_days = 0;
  int64_t next_rotation_ms = 0;
  int on_demand_rotations = 0;
  std::vector<KeyVersion> versions;
};

// AliasRecord is the target of an alias.
struct AliasRecord {
  std::string key_id;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

// AccessKeyRecord is one access key of the network service: its secret is
// a row of the material table, like key material.
struct AccessKeyRecord {
  int64_t created_ms = 0;
  bool active = true;
  SecretBytes owned;                // made by this process (32 bytes), or
  std::span<const uint8_t> loaded;  // a row of KeystoreState::table
  std::span<const uint8_t> secret() const { return owned.empty() ? loaded : owned.span(); }
};

// KeystoreState is everything a keystore holds. Move-only (key material).
struct KeystoreState {
  uint64_t generation = 0;
  std::map<std::string, KeyRecord> keys;               // by key id text
  std::map<std::string, AliasRecord> aliases;          // by alias name
  std::map<std::string, int64_t> deleted;              // key id -> deletion time
  std::map<std::string, AccessKeyRecord> access_keys;  // by access key id
  IamState iam;                                        // users, key policies, grants (iam_state.h)
  // table holds the material of every version read from the file in one
  // secret allocation (one allocation per load, not one per version); the
  // versions' `loaded` spans point into it and stay valid when the state
  // is moved, since the buffer itself never moves.
  SecretBytes table;
};

// EncodePayload serialises `state` into new secret memory.
[[nodiscard]] Result<SecretBytes> EncodePayload(const KeystoreState& state);

// DecodePayload parses a payload, rejecting anything out of shape (it has
// been authenticated, but we never guess): `invalid_argument` naming what is
// wrong.
[[nodiscard]] Result<KeystoreState> DecodePayload(std::span<const uint8_t> payload);

}  // namespace envelope::kms::internal

#endif  // ENVELOPE_LIB_KMS_KEYSTORE_STATE_H_
