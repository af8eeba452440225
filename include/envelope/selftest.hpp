// envelope: power-on style self tests of the cryptographic primitives.
#ifndef ENVELOPE_SELFTEST_HPP_
#define ENVELOPE_SELFTEST_HPP_

#include <string>
#include <vector>

#include "envelope/export.h"

ENVELOPE_EXPORT_BEGIN
namespace envelope {

// SelfTestResult is the outcome of one known-answer test.
struct SelfTestResult {
  std::string name;  // e.g. "aes-256-gcm seal"
  bool passed = false;
  std::string detail;  // why it failed; empty when it passed
};

// RunSelfTests runs a known-answer test of every primitive the library uses
// (AES-GCM seal/open and tag rejection on every AES-GCM backend this CPU
// runs, the first result naming the active one; HKDF-SHA-512, AES-KW, AES-KWP,
// constant-time comparison, secret memory, the RNG), the way FIPS modules run
// power-on self tests. It never throws; every result is reported.
std::vector<SelfTestResult> RunSelfTests();

}  // namespace envelope
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_SELFTEST_HPP_
