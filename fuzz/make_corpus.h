// fuzz/make_corpus: helpers shared by the seed generators (make_corpus.cc,
// corpus_messages.cc). Only built in fuzzing builds, like make_corpus.
#ifndef ENVELOPE_FUZZ_MAKE_CORPUS_H_
#define ENVELOPE_FUZZ_MAKE_CORPUS_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "envelope/error.hpp"

namespace envelope::fuzz::corpus {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;
using Corpus = std::map<std::string, std::map<std::string, Bytes>>;  // target -> name -> bytes

// Must returns the value of `r`, or prints `what` and the error and exits.
template <typename T>
T Must(Result<T> r, const std::string& what) {
  if (!r) {
    std::fprintf(stderr, "make_corpus: %s: %s\n", what.c_str(), r.error().ToString().c_str());
    std::exit(1);
  }
  return std::move(*r);
}

// Must exits with a message when `r` failed.
inline void Must(Result<void> r, const std::string& what) {
  if (!r) {
    std::fprintf(stderr, "make_corpus: %s: %s\n", what.c_str(), r.error().ToString().c_str());
    std::exit(1);
  }
}

// Pattern returns `n` bytes of a fixed pattern that depends on `salt`.
inline Bytes Pattern(size_t n, uint8_t salt) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 31 + salt);
  return b;
}

// Concat returns the parts one after the other.
inline Bytes Concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// ReadFile returns the bytes of `p` (empty when it cannot be read).
inline Bytes ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Messages writes framed v2 messages of several frame lengths, contexts and
// one or two EDKs (message_decrypt, message_header).
void Messages(Corpus& c);

// Vectors copies ESDK vector ciphertexts from `vectors`/esdk (every suite,
// raw AES and RSA keys, one and two EDKs).
void Vectors(Corpus& c, const fs::path& vectors);

// LargeMessages writes messages with the largest contexts the limits allow,
// with five EDKs, and v1 non-framed messages.
void LargeMessages(Corpus& c);

}  // namespace envelope::fuzz::corpus

#endif  // ENVELOPE_FUZZ_MAKE_CORPUS_H_
