#include "commands/metadata.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "commands/admin.h"
#include "envelope/io.hpp"

namespace envelope::cli {
namespace {

std::string Path(const std::string& path, const char* standard) {
  if (path == "-") return standard;
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

}  // namespace

nlohmann::json MetadataJson(const MetadataRecord& r) {
  nlohmann::json j = {{"mode", r.mode},
                      {"format", r.format},
                      {"input", Path(r.input, "<stdin>")},
                      {"output", Path(r.output, "<stdout>")},
                      {"bytes_read", r.bytes_read},
                      {"bytes_written", r.bytes_written}};
  if (r.range) j["range"] = {{"offset", r.range->first}, {"length", r.range->second}};
  if (r.header) {
    const HeaderInfo& h = *r.header;
    char suite[8];
    std::snprintf(suite, sizeof suite, "0x%04x", static_cast<unsigned>(h.suite));
    nlohmann::json context = nlohmann::json::object();
    bool is_signed = false;
    for (const auto& [k, v] : h.context) {
      if (k == kPublicKeyContextKey) {
        is_signed = true;
        continue;
      }
      context[k] = v;
    }
    nlohmann::json edks = nlohmann::json::array();
    for (const auto& e : h.encrypted_data_keys) {
      nlohmann::json provider = {{"provider_id", e.provider_id}};
      if (Printable(e.provider_info)) {
        provider["key_info"] = std::string(e.provider_info.begin(), e.provider_info.end());
      } else {
        provider["key_info_hex"] = Hex(e.provider_info);
      }
      edks.push_back({{"key_provider", provider}, {"size", e.ciphertext.size()}});
    }
    j["header"] = {{"version", h.version},
                   {"algorithm", suite},
                   {"signed", is_signed},
                   {"message_id", Hex(h.message_id)},
                   {"encryption_context", context},
                   {"encrypted_data_keys", edks},
                   {"framed", h.framed},
                   {"frame_length", h.frame_length},
                   {"header_size", h.header_size}};
  }
  return j;
}

Result<MetadataOutput> MetadataOutput::Open(const std::string& path) {
  if (path.empty()) return MetadataOutput(-1, false, path);
  if (path == "-") return MetadataOutput(STDOUT_FILENO, false, path);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
  if (fd < 0) {
    return MakeError(ErrorCode::io,
                     "--metadata-output: cannot open \"" + path + "\": " + std::strerror(errno));
  }
  return MetadataOutput(fd, true, path);
}

MetadataOutput::MetadataOutput(MetadataOutput&& other) noexcept
    : fd_(other.fd_), owned_(other.owned_), path_(std::move(other.path_)) {
  other.fd_ = -1;
  other.owned_ = false;
}

MetadataOutput::~MetadataOutput() {
  if (owned_) ::close(fd_);
}

Result<void> MetadataOutput::Write(const MetadataRecord& record) {
  if (fd_ < 0) return {};
  if (fd_ == STDOUT_FILENO) std::fflush(stdout);
  const std::string line = MetadataJson(record).dump() + "\n";
  return WriteFd(fd_, std::span(reinterpret_cast<const uint8_t*>(line.data()), line.size()),
                 path_ == "-" ? "standard output" : "--metadata-output \"" + path_ + "\"");
}

}  // namespace envelope::cli
