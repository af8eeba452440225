// test/pkcs11: creating the SoftHSM2 test token, without doctest, so the
// library tests (softhsm.h) and the CLI transcripts (softhsm_setup) make
// the same token with the same keys.
//
// The token lives in a folder of its own: `dir`/softhsm2.conf points
// SoftHSM2 at `dir`/tokens, and SOFTHSM2_CONF is set to that file in this
// process (a child process needs the same variable).
#ifndef ENVELOPE_TEST_PKCS11_SOFTHSM_TOKEN_H_
#define ENVELOPE_TEST_PKCS11_SOFTHSM_TOKEN_H_

#include <cstdint>
#include <filesystem>
#include <memory>

#include "envelope/error.hpp"
#include "keyring/pkcs11_module.h"

namespace envelope::testing {

inline constexpr char kSoftHsmModule[] = "/usr/lib/softhsm/libsofthsm2.so";
inline constexpr char kTokenLabel[] = "envelope-test";
inline constexpr char kUserPin[] = "4711-user";

// The keys the token holds (label, id, bits, rights).
inline constexpr char kKeyFull[] = "wrap-main";            // id 01, AES-256, all rights
inline constexpr char kKeyOther[] = "wrap-other";          // id 07, AES-256, all rights
inline constexpr char kKeyDecryptOnly[] = "decrypt-only";  // id 02, no CKA_ENCRYPT/WRAP
inline constexpr char kKeyNoRights[] = "no-rights";        // id 03, nothing allowed
inline constexpr char kKeyAes128[] = "aes-128";            // id 04, AES-128
inline constexpr char kKeyTwice[] = "twice";               // ids 05 and 06

// CreateSoftHsmToken writes the config into `dir` (which must exist), sets
// SOFTHSM2_CONF, loads SoftHSM2, initializes the token kTokenLabel with the
// user PIN kUserPin and generates the keys above. The user is logged out
// and the session closed when it returns. Fails with the first PKCS#11
// error, or `io` when SoftHSM2 is not installed.
[[nodiscard]] Result<std::shared_ptr<keyring::pkcs11::Module>> CreateSoftHsmToken(
    const std::filesystem::path& dir);

}  // namespace envelope::testing

#endif  // ENVELOPE_TEST_PKCS11_SOFTHSM_TOKEN_H_
