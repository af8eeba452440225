// envelope pkcs11 list: the tokens a PKCS#11 module offers (label, maker,
// model, serial, the mechanisms envelope uses) and, with a PIN, the AES
// keys of one token and whether a keyring can use them.
#include <algorithm>
#include <cstdio>
#include <tuple>

#include "commands/admin.h"
#include "commands/pkcs11_options.h"
#include "envelope/pkcs11.hpp"

namespace envelope::cli {
namespace {

struct ListArgs {
  Pkcs11Options pkcs11;
  bool json = false;
};

std::string Hex(const std::vector<uint8_t>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::vector<std::string> Mechanisms(const Pkcs11TokenInfo& t) {
  std::vector<std::string> out;
  if (t.supports_aes_gcm) out.push_back("CKM_AES_GCM");
  if (t.supports_aes_key_wrap_pad) out.push_back("CKM_AES_KEY_WRAP_PAD");
  return out;
}

std::string Rights(const Pkcs11KeyInfo& k) {
  std::string out;
  for (const auto& [on, name] :
       {std::pair{k.can_encrypt, "encrypt"}, std::pair{k.can_decrypt, "decrypt"},
        std::pair{k.can_wrap, "wrap"}, std::pair{k.can_unwrap, "unwrap"}}) {
    if (!on) continue;
    if (!out.empty()) out += ",";
    out += name;
  }
  return out.empty() ? "-" : out;
}

nlohmann::json TokenJson(const Pkcs11TokenInfo& t) {
  return {{"slot_id", t.slot_id},
          {"label", t.label},
          {"manufacturer", t.manufacturer},
          {"model", t.model},
          {"serial", t.serial},
          {"initialized", t.initialized},
          {"login_required", t.login_required},
          {"mechanisms", Mechanisms(t)}};
}

nlohmann::json Pkcs11KeyJson(const Pkcs11KeyInfo& k) {
  return {{"label", k.label},
          {"id", Hex(k.id)},
          {"bits", k.bits},
          {"can_encrypt", k.can_encrypt},
          {"can_decrypt", k.can_decrypt},
          {"can_wrap", k.can_wrap},
          {"can_unwrap", k.can_unwrap},
          {"usable", k.usable},
          {"uri", k.uri}};
}

void PrintToken(const Pkcs11TokenInfo& t) {
  const std::vector<std::string> mechanisms = Mechanisms(t);
  std::string mech;
  for (const auto& m : mechanisms) mech += (mech.empty() ? "" : " ") + m;
  std::printf("token \"%s\" (slot %lu%s)\n", t.label.c_str(), t.slot_id,
              t.initialized ? "" : ", not initialized");
  std::printf("  manufacturer  %s\n  model         %s\n  serial        %s\n",
              t.manufacturer.c_str(), t.model.c_str(), t.serial.c_str());
  std::printf("  mechanisms    %s\n", mech.empty() ? "none envelope can use" : mech.c_str());
}

void PrintKeys(const std::vector<Pkcs11KeyInfo>& keys) {
  if (keys.empty()) {
    std::printf("  keys          none (no AES secret key)\n");
    return;
  }
  std::printf("  keys:\n");
  for (const auto& k : keys) {
    std::printf("    %-20s id %-8s AES-%-4zu %-28s %s\n", k.label.c_str(),
                k.id.empty() ? "-" : Hex(k.id).c_str(), k.bits, Rights(k).c_str(),
                k.usable ? "usable" : "not usable");
    std::printf("      %s\n", k.uri.c_str());
  }
}

int Run(ListArgs& a) {
  const Pkcs11Options& o = a.pkcs11;
  if (o.module.empty()) {
    PrintError(kTool, "name the PKCS#11 module with --pkcs11-module PATH",
               {"SoftHSM2: --pkcs11-module /usr/lib/softhsm/libsofthsm2.so"});
    return kExitUsage;
  }
  if (o.has_pin() && o.token.empty()) {
    PrintError(kTool, "a PIN opens one token: name it with --pkcs11-token LABEL");
    return kExitUsage;
  }
  auto tokens = ListPkcs11Tokens(o.module);
  if (!tokens) return Fail(kTool, tokens.error());
  std::vector<Pkcs11TokenInfo> shown;
  for (const auto& t : *tokens) {
    if (o.token.empty() || t.label == o.token) shown.push_back(t);
  }
  if (!o.token.empty() && shown.empty()) {
    return Fail(kTool, Error(ErrorCode::not_found, "pkcs11: no token labelled '" + o.token + "'"),
                {"run without --pkcs11-token to see every token"});
  }
  std::optional<std::vector<Pkcs11KeyInfo>> keys;
  if (o.has_pin()) {
    Pkcs11Keys access(o);
    auto pin = access.Pin();
    if (!pin) return Fail(kTool, pin.error());
    auto listed = ListPkcs11Keys(o.module, o.token, **pin);
    if (!listed) return Fail(kTool, listed.error());
    // In the token's order keys move around as they are made: sort them.
    std::sort(listed->begin(), listed->end(), [](const auto& x, const auto& y) {
      return std::tie(x.label, x.id) < std::tie(y.label, y.id);
    });
    keys = std::move(*listed);
  }

  if (a.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& t : shown) {
      nlohmann::json j = TokenJson(t);
      if (keys) {
        j["keys"] = nlohmann::json::array();
        for (const auto& k : *keys) j["keys"].push_back(Pkcs11KeyJson(k));
      }
      list.push_back(std::move(j));
    }
    PrintJson({{"module", o.module}, {"tokens", std::move(list)}});
    return kExitOk;
  }
  for (size_t i = 0; i < shown.size(); ++i) {
    if (i > 0) std::printf("\n");
    PrintToken(shown[i]);
    if (keys) PrintKeys(*keys);
  }
  if (shown.empty()) std::printf("no token in module %s\n", o.module.c_str());
  return kExitOk;
}

}  // namespace

void RegisterPkcs11Commands(CLI::App& app, Commands& out) {
  CLI::App* pkcs11 = app.add_subcommand("pkcs11", "PKCS#11 hardware security modules (HSMs)");
  pkcs11->require_subcommand(1);
  auto a = std::make_shared<ListArgs>();
  CLI::App* list = pkcs11->add_subcommand(
      "list", "list a module's tokens and, with a PIN, one token's AES keys");
  AddPkcs11TokenOptions(*list, a->pkcs11);
  list->add_flag("--json", a->json, "print JSON");
  list->footer(Examples(
      "envelope pkcs11 list --pkcs11-module /usr/lib/softhsm/libsofthsm2.so\n"
      "  envelope pkcs11 list --pkcs11-module /usr/lib/softhsm/libsofthsm2.so --pkcs11-token prod "
      "\\\n      --pkcs11-pin-file pin.txt --json\n\n"
      "A key marked usable works with --pkcs11-key LABEL (or its URI with --pkcs11) in encrypt,\n"
      "decrypt and rewrap: AES-256 that may encrypt and decrypt, or wrap and unwrap."));
  out.push_back({list, [a] { return Run(*a); }});
}

}  // namespace envelope::cli
