#include "support/vectors.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "crypto/hex.h"

namespace envelope::testing {

std::filesystem::path VectorsDir() {
  const char* env = std::getenv("ENVELOPE_VECTORS_DIR");
  std::filesystem::path dir = env != nullptr && *env != '\0' ? env : ENVELOPE_VECTORS_DIR;
  if (!std::filesystem::is_directory(dir)) {
    throw std::runtime_error("conformance vectors not found at '" + dir.string() +
                             "' (set ENVELOPE_VECTORS_DIR or configure with -Dvectors_dir=...)");
  }
  return dir;
}

std::filesystem::path VectorPath(std::string_view relative) {
  auto path = VectorsDir() / relative;
  if (!std::filesystem::exists(path)) {
    throw std::runtime_error("vector file missing: " + path.string());
  }
  return path;
}

std::vector<uint8_t> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

nlohmann::json LoadJson(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return nlohmann::json::parse(in);
}

std::vector<uint8_t> Hex(std::string_view hex) {
  auto bytes = crypto::ParseHex(hex);
  if (!bytes) throw std::runtime_error("bad hex in vector: " + std::string(hex.substr(0, 32)));
  return *bytes;
}

void Tally::Print(std::string_view file) const {
  std::printf("%.*s: %d valid passed, %d invalid rejected, %d acceptable", int(file.size()),
              file.data(), valid_passed, invalid_rejected, acceptable);
  if (unsupported_rejected > 0) {
    std::printf(" (%d valid with unsupported sizes rejected by the API)", unsupported_rejected);
  }
  std::printf(", %d failed, %d total\n", failed, total());
  std::fflush(stdout);
}

}  // namespace envelope::testing
