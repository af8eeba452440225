// test/support: locating and reading the conformance vectors.
#ifndef ENVELOPE_TEST_SUPPORT_VECTORS_H_
#define ENVELOPE_TEST_SUPPORT_VECTORS_H_

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace envelope::testing {

// VectorsDir returns the vectors folder: $ENVELOPE_VECTORS_DIR if set, else
// the folder configured at build time (meson option vectors_dir). When the
// folder does not exist it throws with a message naming where it looked, so
// a missing folder fails the test instead of skipping it.
std::filesystem::path VectorsDir();

// VectorPath returns VectorsDir() / relative, throwing if it is missing.
std::filesystem::path VectorPath(std::string_view relative);

// ReadFile returns the bytes of `path`, throwing on failure.
std::vector<uint8_t> ReadFile(const std::filesystem::path& path);

// LoadJson parses the JSON file at `path`, throwing on failure.
nlohmann::json LoadJson(const std::filesystem::path& path);

// Hex decodes a hex string from a vector file, throwing on bad input.
std::vector<uint8_t> Hex(std::string_view hex);

// Tally counts the outcome of every vector in a file, the way the issue asks
// for them to be reported: "N valid passed, M invalid rejected, K acceptable".
struct Tally {
  int valid_passed = 0;
  int invalid_rejected = 0;
  int acceptable = 0;
  int unsupported_rejected = 0;  // valid vectors outside our API, rejected by it
  int failed = 0;

  int total() const {
    return valid_passed + invalid_rejected + acceptable + unsupported_rejected + failed;
  }
  // Print writes the summary line for `file` to stdout.
  void Print(std::string_view file) const;
};

}  // namespace envelope::testing

#endif  // ENVELOPE_TEST_SUPPORT_VECTORS_H_
