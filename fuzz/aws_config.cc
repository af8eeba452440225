// fuzz target aws_config: the readers of AWS client configuration
// (lib/aws/aws_config.h, credential_process.h): the shared files' INI
// dialect, the credential_process command-line splitter and its JSON output.
//
// Input: one selector byte, then text. Properties:
//  - ParseIni: every key is lower case, holds no '=' and no surrounding
//    blanks; no value has surrounding blanks; every section name is trimmed;
//  - SplitCommandLine: a success has at least one word, and joining the
//    words with spaces, each quoted with single quotes (inner ones escaped
//    as '\''), splits back to the same words;
//  - ParseProcessOutput: a success has a valid access key id and a
//    non-empty secret; the answer (success, or the error message) does not
//    depend on the secret's value: the same JSON with another secret of the
//    same length gets the same one.
#include "aws/aws_config.h"

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "aws/credential_process.h"
#include "fuzz_util.h"

namespace {

using namespace envelope;
using namespace envelope::aws;

bool Blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool Trimmed(std::string_view s) { return s.empty() || (!Blank(s.front()) && !Blank(s.back())); }

std::string Quote(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t selector = data[0] % 3;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  if (selector == 0) {
    for (const auto& [section, keys] : ParseIni(text)) {
      FUZZ_CHECK(Trimmed(section));
      for (const auto& [key, value] : keys) {
        FUZZ_CHECK(Trimmed(key) && Trimmed(value));
        FUZZ_CHECK(key.find('=') == std::string::npos);
        FUZZ_CHECK(ToLowerAscii(key) == key);
      }
    }
  } else if (selector == 1) {
    auto words = SplitCommandLine(text);
    if (words) {
      FUZZ_CHECK(!words->empty());
      std::string joined;
      for (const std::string& w : *words) joined += (joined.empty() ? "" : " ") + Quote(w);
      auto again = SplitCommandLine(joined);
      FUZZ_CHECK(again && *again == *words);
    }
  } else {
    auto parsed = ParseProcessOutput(text);
    if (parsed) {
      FUZZ_CHECK(IsAccessKeyId(parsed->credentials.access_key_id));
      FUZZ_CHECK(!parsed->credentials.secret_access_key.empty());
    }
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_object() && j.contains("SecretAccessKey") && j["SecretAccessKey"].is_string()) {
      const auto replace = nlohmann::json::error_handler_t::replace;
      const std::string original = j.dump(-1, ' ', false, replace);
      std::string& secret = j["SecretAccessKey"].get_ref<std::string&>();
      for (char& c : secret) c = c == 'x' ? 'y' : 'x';
      auto a = ParseProcessOutput(original);
      auto b = ParseProcessOutput(j.dump(-1, ' ', false, replace));
      FUZZ_CHECK(a.has_value() == b.has_value());
      if (!a) FUZZ_CHECK(a.error().message() == b.error().message());
    }
  }
  return 0;
}
