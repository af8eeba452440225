// envelope inspect FILE: what a message's header and layout claim, without
// any key (InspectMessage). Binary or armored input; --json for programs.
#include <cstdio>
#include <cstring>

#include "cli/exit_codes.h"
#include "commands/admin.h"
#include "commands/armor.h"
#include "commands/files.h"
#include "envelope/message.hpp"

namespace envelope::cli {
namespace {

// DecodedSource reads a message from `file`, decoding the armor when the
// first bytes show it.
class DecodedSource final : public ByteSource {
 public:
  explicit DecodedSource(InputFile& file) : file_(file) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    while (pos_ == buf_.size()) {
      raw_.resize(256 * 1024);
      auto n = file_.Read(raw_);
      if (!n) return n;
      if (*n == 0) {
        if (armor_) {
          if (auto r = armor_->Finish(); !r) return tl::unexpected(r.error());
        }
        return 0;
      }
      raw_.resize(*n);
      if (first_ && LooksArmored(raw_)) armor_.emplace();
      first_ = false;
      buf_.clear();
      pos_ = 0;
      if (armor_) {
        if (auto r = armor_->Decode(raw_, buf_); !r) return tl::unexpected(r.error());
      } else {
        buf_.swap(raw_);
      }
    }
    const size_t n = std::min(out.size(), buf_.size() - pos_);
    std::memcpy(out.data(), buf_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  InputFile& file_;
  std::vector<uint8_t> raw_, buf_;
  size_t pos_ = 0;
  bool first_ = true;
  std::optional<ArmorDecoder> armor_;
};

std::string Hex(std::span<const uint8_t> bytes) {
  static const char* const kDigits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : bytes) {
    s += kDigits[b >> 4];
    s += kDigits[b & 15];
  }
  return s;
}

bool Printable(std::span<const uint8_t> bytes) {
  for (uint8_t b : bytes) {
    if (b < 0x20 || b > 0x7e) return false;
  }
  return true;
}

std::string SuiteHex(AlgorithmSuiteId id) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", static_cast<unsigned>(id));
  return buf;
}

bool Signed(AlgorithmSuiteId id) {
  switch (id) {
    case AlgorithmSuiteId::aes_128_gcm_iv12_tag16_hkdf_sha256_ecdsa_p256:
    case AlgorithmSuiteId::aes_192_gcm_iv12_tag16_hkdf_sha384_ecdsa_p384:
    case AlgorithmSuiteId::aes_256_gcm_iv12_tag16_hkdf_sha384_ecdsa_p384:
    case AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key_ecdsa_p384: return true;
    default: return false;
  }
}

nlohmann::json ToJson(const MessageInfo& m) {
  const HeaderInfo& h = m.header;
  nlohmann::json edks = nlohmann::json::array();
  for (const auto& e : h.encrypted_data_keys) {
    nlohmann::json j = {{"provider_id", e.provider_id}, {"ciphertext_size", e.ciphertext.size()}};
    if (Printable(e.provider_info)) {
      j["provider_info"] = std::string(e.provider_info.begin(), e.provider_info.end());
    } else {
      j["provider_info_hex"] = Hex(e.provider_info);
    }
    edks.push_back(j);
  }
  return {{"version", h.version},          {"suite", SuiteHex(h.suite)},
          {"signed", Signed(h.suite)},     {"message_id", Hex(h.message_id)},
          {"context", h.context},          {"encrypted_data_keys", edks},
          {"framed", h.framed},            {"frame_length", h.frame_length},
          {"header_size", h.header_size},  {"body_size", m.body_size},
          {"frame_count", m.frame_count},  {"footer_size", m.footer_size},
          {"plaintext_size", m.plaintext_size}};
}

void PrintReadable(const MessageInfo& m) {
  const HeaderInfo& h = m.header;
  std::printf("version:         %u\n", h.version);
  std::printf("suite:           %s%s\n", SuiteHex(h.suite).c_str(),
              Signed(h.suite) ? " (signed)" : "");
  std::printf("message id:      %s\n", Hex(h.message_id).c_str());
  for (const auto& [k, v] : h.context) {
    if (k == kPublicKeyContextKey) continue;  // long and only meaningful to the verifier
    std::printf("context:         %s=%s\n", k.c_str(), v.c_str());
  }
  std::printf("data keys:       %zu\n", h.encrypted_data_keys.size());
  for (const auto& e : h.encrypted_data_keys) {
    const std::string info = Printable(e.provider_info)
                                 ? std::string(e.provider_info.begin(), e.provider_info.end())
                                 : Hex(e.provider_info);
    std::printf("  %s  %s\n", e.provider_id.c_str(), info.c_str());
  }
  std::printf("frame length:    %u\n", h.frame_length);
  std::printf("frames:          %llu\n", static_cast<unsigned long long>(m.frame_count));
  std::printf("plaintext size:  %llu bytes\n", static_cast<unsigned long long>(m.plaintext_size));
  std::printf("message size:    %llu bytes (header %llu, body %llu, footer %llu)\n",
              static_cast<unsigned long long>(h.header_size + m.body_size + m.footer_size),
              static_cast<unsigned long long>(h.header_size),
              static_cast<unsigned long long>(m.body_size),
              static_cast<unsigned long long>(m.footer_size));
  std::printf("note: nothing above is authenticated until the message decrypts\n");
}

}  // namespace

void RegisterInspectCommand(CLI::App& app, Commands& out) {
  struct Args {
    std::string file = "-";
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "inspect", "show a message's header and layout (no key needed; nothing is verified)");
  sub->add_option("file", a->file, "message file, binary or armored (default: standard input)");
  sub->add_flag("--json", a->json, "JSON object");
  sub->footer(Examples("envelope inspect report.pdf.encrypted\n"
                       "  envelope inspect --json report.pdf.encrypted | jq .context"));
  out.push_back({sub, [a]() -> int {
    auto in = InputFile::Open(a->file);
    if (!in) return Fail(kTool, in.error());
    DecodedSource source(*in);
    auto info = InspectMessage(source);
    if (!info) return Fail(kTool, info.error().WithContext("\"" + a->file + "\""));
    if (a->json) {
      PrintJson(ToJson(*info));
    } else {
      PrintReadable(*info);
    }
    return kExitOk;
  }});
}

}  // namespace envelope::cli
