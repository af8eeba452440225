// envelope inspect FILE: what a message's header and layout claim, without
// any key (InspectMessage), or the layout of a C2SP chunked file. Binary or
// armored input; --json for programs. The layout lines say where each frame
// or chunk lies, to plan a decrypt --range.
#include <cstdio>
#include <cstring>

#include "cli/exit_codes.h"
#include "commands/admin.h"
#include "commands/crypt.h"
#include "commands/files.h"
#include "commands/sizes.h"
#include "envelope/armor.hpp"
#include "envelope/chunked.hpp"
#include "envelope/message.hpp"

namespace envelope::cli {
namespace {

// DecodedSource reads a message from `file`, decoding the armor when the
// first bytes show it.
class DecodedSource final : public Source {
 public:
  explicit DecodedSource(InputFile& file) : file_(file) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    while (pos_ == buf_.size()) {
      raw_.resize(256 * 1024);
      auto n = file_.Read(raw_);
      if (!n) return n;
      if (*n == 0) {
        if (armor_) {
          ENVELOPE_RETURN_IF_ERROR(armor_->Finish());
        }
        return 0;
      }
      raw_.resize(*n);
      if (first_ && LooksArmored(raw_)) armor_.emplace();
      first_ = false;
      buf_.clear();
      pos_ = 0;
      if (armor_) {
        ENVELOPE_RETURN_IF_ERROR(armor_->Decode(raw_, buf_));
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

// PrefixSource replays the bytes read to tell the format, then the rest.
class PrefixSource final : public Source {
 public:
  PrefixSource(std::span<const uint8_t> prefix, Source& rest) : prefix_(prefix), rest_(rest) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    if (prefix_.empty()) return rest_.Read(out);
    const size_t n = std::min(out.size(), prefix_.size());
    std::memcpy(out.data(), prefix_.data(), n);
    prefix_ = prefix_.subspan(n);
    return n;
  }

 private:
  std::span<const uint8_t> prefix_;
  Source& rest_;
};

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
    case AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key_ecdsa_p384:
      return true;
    default:
      return false;
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
  return {{"version", h.version},
          {"suite", SuiteHex(h.suite)},
          {"signed", Signed(h.suite)},
          {"message_id", Hex(h.message_id)},
          {"context", h.context},
          {"encrypted_data_keys", edks},
          {"framed", h.framed},
          {"frame_length", h.frame_length},
          {"header_size", h.header_size},
          {"body_size", m.body_size},
          {"frame_count", m.frame_count},
          {"footer_size", m.footer_size},
          {"plaintext_size", m.plaintext_size}};
}

// Frame sizes on disk: a regular frame is its sequence number (4), IV (12),
// content and tag (16); the final frame adds its end marker (4) and its
// content length (4).
constexpr uint64_t kRegularFrameOverhead = 32;
constexpr uint64_t kFinalFrameOverhead = 40;

// FinalFrameBytes is the plaintext in the final frame of a framed message.
uint64_t FinalFrameBytes(const MessageInfo& m) {
  if (m.frame_count == 0) return m.plaintext_size;
  return m.plaintext_size - (m.frame_count - 1) * uint64_t{m.header.frame_length};
}

nlohmann::json LayoutJson(const MessageInfo& m) {
  return {{"first_frame_offset", m.header.header_size},
          {"regular_frame_size", uint64_t{m.header.frame_length} + kRegularFrameOverhead},
          {"final_frame_offset",
           m.header.header_size + (m.frame_count ? m.frame_count - 1 : 0) *
                                      (uint64_t{m.header.frame_length} + kRegularFrameOverhead)},
          {"final_frame_plaintext", FinalFrameBytes(m)}};
}

// C2spInfo is the layout of a C2SP chunked file (c2sp.org/chunked-encryption):
//   salt (24) | commitment (32) | chunk 0 | chunk 1 | ... | final chunk
// where every chunk is 16384 plaintext bytes + a 16-byte tag, and the final
// one is shorter (possibly empty).
struct C2spInfo {
  std::vector<uint8_t> salt;
  uint64_t size = 0;
  uint64_t plaintext_size = 0;
  uint64_t chunks = 0;
};

nlohmann::json ToJson(const C2spInfo& c) {
  const uint64_t chunk = kChunkedChunkSize + 16;
  return {{"format", "c2sp"},
          {"salt", Hex(c.salt)},
          {"header_size", kChunkedHeaderSize},
          {"chunk_length", kChunkedChunkSize},
          {"chunk_size", chunk},
          {"chunk_count", c.chunks},
          {"final_chunk_offset", kChunkedHeaderSize + (c.chunks - 1) * chunk},
          {"final_chunk_plaintext", c.plaintext_size - (c.chunks - 1) * kChunkedChunkSize},
          {"message_size", c.size},
          {"plaintext_size", c.plaintext_size}};
}

void PrintReadable(const C2spInfo& c) {
  const auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  std::printf("format:          C2SP chunked encryption (AES-256-GCM, HKDF-SHA-512)\n");
  std::printf("salt:            %s\n", Hex(c.salt).c_str());
  std::printf("chunk length:    %zu (%zu bytes on disk, from offset %zu)\n", kChunkedChunkSize,
              kChunkedChunkSize + 16, kChunkedHeaderSize);
  std::printf("chunks:          %llu (the final one holds %llu bytes, at offset %llu)\n",
              u(c.chunks), u(c.plaintext_size - (c.chunks - 1) * kChunkedChunkSize),
              u(kChunkedHeaderSize + (c.chunks - 1) * (kChunkedChunkSize + 16)));
  std::printf("plaintext size:  %llu bytes\n", u(c.plaintext_size));
  std::printf("message size:    %llu bytes (header %zu, chunks %llu)\n", u(c.size),
              kChunkedHeaderSize, u(c.size - kChunkedHeaderSize));
  std::printf(
      "range plan:      plaintext byte X is in chunk X / %zu, at offset %zu + "
      "(X / %zu) * %zu; decrypt --range also reads the final chunk\n",
      kChunkedChunkSize, kChunkedHeaderSize, kChunkedChunkSize, kChunkedChunkSize + 16);
  std::printf(
      "note: the layout follows from the size alone; nothing is authenticated "
      "until the file decrypts\n");
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
  if (h.framed && m.frame_count > 0) {
    const uint64_t regular = uint64_t{h.frame_length} + kRegularFrameOverhead;
    std::printf(
        "frame layout:    frame N (from 1) at offset %llu + (N - 1) * %llu; the final "
        "one (%llu bytes of plaintext, %llu on disk) at offset %llu\n",
        static_cast<unsigned long long>(h.header_size), static_cast<unsigned long long>(regular),
        static_cast<unsigned long long>(FinalFrameBytes(m)),
        static_cast<unsigned long long>(FinalFrameBytes(m) + kFinalFrameOverhead),
        static_cast<unsigned long long>(h.header_size + (m.frame_count - 1) * regular));
    std::printf(
        "range plan:      plaintext byte X is in frame X / %u + 1; decrypt --range "
        "reads the header, those frames and the final one%s\n",
        h.frame_length,
        Signed(h.suite) ? " (not for signed messages: they are "
                          "decrypted whole)"
                        : "");
  }
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
    std::string max_frame_size = "16M";
  };
  auto a = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "inspect",
      "show a message's or C2SP file's header and layout (no key needed; nothing is verified)");
  sub->add_option("file", a->file, "message file, binary or armored (default: standard input)");
  sub->add_flag("--json", a->json, "JSON object");
  sub->add_option("--max-frame-size", a->max_frame_size,
                  "largest frame accepted (default 16M), as in decrypt")
      ->type_name("SIZE");
  sub->footer(
      Examples("envelope inspect report.pdf.encrypted\n"
               "  envelope inspect --json report.pdf.encrypted | jq .context"));
  out.push_back({sub, [a]() -> int {
                   auto max_frame = ParseSize(a->max_frame_size, "--max-frame-size");
                   if (!max_frame) return Fail(kTool, max_frame.error());
                   if (*max_frame == 0 || *max_frame > UINT32_MAX) {
                     return Fail(kTool, Error(ErrorCode::invalid_argument,
                                              "--max-frame-size: must be 1 to 4294967295"));
                   }
                   DecodeLimits limits;
                   limits.max_frame_length = static_cast<uint32_t>(*max_frame);
                   auto in = InputFile::Open(a->file);
                   if (!in) return Fail(kTool, in.error());
                   DecodedSource source(*in);
                   std::vector<uint8_t> head(kChunkedHeaderSize);
                   auto got = ReadFull(source, head);
                   if (!got) return Fail(kTool, got.error().WithContext("\"" + a->file + "\""));
                   head.resize(*got);
                   if (DetectFormat(head) == Format::c2sp && head.size() == kChunkedHeaderSize) {
                     C2spInfo c;
                     c.salt.assign(head.begin(), head.begin() + 24);
                     c.size = head.size();
                     std::vector<uint8_t> buf(256 * 1024);
                     for (;;) {
                       auto n = source.Read(buf);
                       if (!n) return Fail(kTool, n.error().WithContext("\"" + a->file + "\""));
                       if (*n == 0) break;
                       c.size += *n;
                     }
                     auto plain = ChunkedPlaintextSize(c.size);
                     if (!plain) {
                       return Fail(kTool, Error(ErrorCode::malformed,
                                                "\"" + a->file +
                                                    "\": neither an envelope message nor a C2SP "
                                                    "chunked file (no C2SP file is " +
                                                    std::to_string(c.size) + " bytes long)"));
                     }
                     c.plaintext_size = *plain;
                     c.chunks = *plain / kChunkedChunkSize + 1;
                     if (a->json) {
                       PrintJson(ToJson(c));
                     } else {
                       PrintReadable(c);
                     }
                     return kExitOk;
                   }
                   PrefixSource replay(head, source);
                   auto info = InspectMessage(replay, limits);
                   if (!info) return Fail(kTool, info.error().WithContext("\"" + a->file + "\""));
                   if (a->json) {
                     nlohmann::json j = ToJson(*info);
                     j["format"] = "esdk";
                     j["layout"] = LayoutJson(*info);
                     PrintJson(j);
                   } else {
                     PrintReadable(*info);
                   }
                   return kExitOk;
                 }});
}

}  // namespace envelope::cli
