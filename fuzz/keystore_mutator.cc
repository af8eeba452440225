// fuzz: the structure-aware keystore mutator (keystore_mutator.h).
#include "keystore_mutator.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "kms/keystore_file.h"
#include "kms_fuzz_keys.h"

// libFuzzer's byte mutator; weak, so builds with another engine (or the
// replay main) link, and the mutator then only does its own changes.
extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size)
    __attribute__((weak));

namespace envelope::fuzz {
namespace {

using Bytes = std::vector<uint8_t>;
using nlohmann::json;
namespace kmsi = envelope::kms::internal;
using Rng = std::minstd_rand;

constexpr size_t kRow = 32;  // a key material table row

size_t ByteMutate(uint8_t* data, size_t size, size_t max_size) {
  return LLVMFuzzerMutate ? LLVMFuzzerMutate(data, size, max_size) : size;
}

const SecretBytes& RootKey() {
  static const SecretBytes key = [] {
    auto k = SecretBytes::CopyFrom(kKeystoreRootKey);
    return k ? std::move(*k) : SecretBytes();
  }();
  return key;
}

// Payload is a payload split into its JSON text and its table.
struct Payload {
  std::string json_text;
  Bytes table;
};

Payload Split(std::span<const uint8_t> p) {
  Payload out;
  if (p.size() < 4) {
    out.table.assign(p.begin(), p.end());
    return out;
  }
  const size_t m = std::min<size_t>(
      size_t{p[0]} << 24 | size_t{p[1]} << 16 | size_t{p[2]} << 8 | p[3], p.size() - 4);
  out.json_text.assign(p.begin() + 4, p.begin() + 4 + static_cast<std::ptrdiff_t>(m));
  out.table.assign(p.begin() + 4 + static_cast<std::ptrdiff_t>(m), p.end());
  return out;
}

Bytes Join(const Payload& p) {
  Bytes out;
  const size_t m = p.json_text.size();
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(m >> shift));
  out.insert(out.end(), p.json_text.begin(), p.json_text.end());
  out.insert(out.end(), p.table.begin(), p.table.end());
  return out;
}

void Collect(const json& j, const json::json_pointer& at, std::vector<json::json_pointer>& out) {
  out.push_back(at);
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) Collect(*it, at / it.key(), out);
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) Collect(j[i], at / i, out);
  }
}

json EdgeValue(Rng& rng) {
  switch (rng() % 12) {
    case 0:
      return 0;
    case 1:
      return -1;
    case 2:
      return 1;
    case 3:
      return 4294967296ll;
    case 4:
      return 9007199254740993ll;
    case 5:
      return 1.5;
    case 6:
      return "";
    case 7:
      return std::string(1 + rng() % 300, 'a');
    case 8:
      return true;
    case 9:
      return nullptr;
    case 10:
      return json::object();
    default:
      return json::array();
  }
}

// ChangeJson changes one node of the JSON text, as JSON.
void ChangeJson(std::string& text, Rng& rng) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return;
  std::vector<json::json_pointer> nodes;
  Collect(j, json::json_pointer(), nodes);
  const json::json_pointer at = nodes[rng() % nodes.size()];
  if (at.empty()) return;
  json& parent = j[at.parent_pointer()];
  const std::string last = at.back();
  switch (rng() % 4) {
    case 0:  // remove it
      if (parent.is_object()) {
        parent.erase(last);
      } else {
        parent.erase(static_cast<size_t>(std::stoul(last)));
      }
      break;
    case 1:  // repeat an array element, or copy a member under another name
      if (json copy = j[at]; parent.is_array()) {
        parent.push_back(std::move(copy));
      } else {
        parent[last + "x"] = std::move(copy);
      }
      break;
    default:  // another type or an edge value
      j[at] = EdgeValue(rng);
      break;
  }
  text = j.dump();
}

void ChangeTable(Bytes& table, Rng& rng) {
  const size_t rows = table.size() / kRow;
  switch (rng() % 4) {
    case 0:
      table.insert(table.end(), kRow, static_cast<uint8_t>(rng()));
      break;
    case 1:
      if (rows > 0) table.resize((rows - 1) * kRow);
      break;
    case 2:
      if (rows >= 2) {
        std::swap_ranges(table.begin(), table.begin() + kRow,
                         table.begin() + static_cast<std::ptrdiff_t>(kRow * (rng() % rows)));
      }
      break;
    default:
      table.push_back(static_cast<uint8_t>(rng()));  // not whole rows
      break;
  }
}

void ChangeHeader(kmsi::KeystoreHeader& h, Rng& rng) {
  if (rng() % 2 == 0) {
    h.mode = h.mode == kmsi::RootKeyMode::managed ? kmsi::RootKeyMode::passphrase
                                                  : kmsi::RootKeyMode::managed;
  }
  const uint32_t costs[] = {0, 1, 3, 8, 1u << 16, 1u << 21, 0xffffffffu};
  h.argon2id.ops = costs[rng() % 7];
  h.argon2id.mem_kib = costs[rng() % 7];
  for (auto& b : h.salt) b = rng() % 4 == 0 ? 0 : static_cast<uint8_t>(rng());
}

}  // namespace

size_t MutateKeystore(uint8_t* data, size_t size, size_t max_size, unsigned seed) {
  Rng rng(seed);
  if (size < 1 || rng() % 2 == 0) return ByteMutate(data, size, max_size);
  const bool payload_mode = data[0] & 1;
  const std::span<const uint8_t> rest(data + 1, size - 1);
  kmsi::KeystoreHeader header;
  Bytes payload;
  if (payload_mode) {
    payload.assign(rest.begin(), rest.end());
  } else {
    auto h = kmsi::ParseKeystoreHeader(rest);
    auto opened = kmsi::OpenKeystore(rest, RootKey());
    if (!h || !opened) return ByteMutate(data, size, max_size);
    header = *h;
    payload.assign(opened->span().begin(), opened->span().end());
  }
  Payload p = Split(payload);
  switch (rng() % 5) {
    case 0:
    case 1:
      ChangeJson(p.json_text, rng);
      break;
    case 2: {  // the JSON's bytes (the length prefix follows)
      p.json_text.resize(p.json_text.size() + 64);
      const size_t n = ByteMutate(reinterpret_cast<uint8_t*>(p.json_text.data()),
                                  p.json_text.size() - 64, p.json_text.size());
      p.json_text.resize(n);
      break;
    }
    case 3:
      ChangeTable(p.table, rng);
      break;
    default:
      if (payload_mode) {
        ChangeJson(p.json_text, rng);
      } else {
        ChangeHeader(header, rng);
      }
      break;
  }
  Bytes out;
  if (payload_mode && rng() % 4 != 0) {
    out = {data[0]};
    const Bytes joined = Join(p);
    out.insert(out.end(), joined.begin(), joined.end());
  } else {
    auto sealed = kmsi::SealKeystore(header, RootKey(), Join(p));
    if (!sealed) return ByteMutate(data, size, max_size);
    out = {static_cast<uint8_t>(payload_mode ? data[0] - 1 : data[0])};
    out.insert(out.end(), sealed->begin(), sealed->end());
  }
  if (out.size() > max_size) return ByteMutate(data, size, max_size);
  std::memcpy(data, out.data(), out.size());
  return out.size();
}

}  // namespace envelope::fuzz
