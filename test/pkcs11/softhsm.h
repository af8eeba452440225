// test/pkcs11: a SoftHSM2 token made by the test itself, in a temporary
// folder (SOFTHSM2_CONF points at a config with its own token directory),
// initialized and filled with AES keys through PKCS#11 (C_InitToken,
// C_InitPIN, C_GenerateKey), so no tool but the module is needed.
//
// The tests FAIL, not skip, when SoftHSM2 is not installed.
#ifndef ENVELOPE_TEST_PKCS11_SOFTHSM_H_
#define ENVELOPE_TEST_PKCS11_SOFTHSM_H_

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "envelope/pkcs11.hpp"
#include "envelope/secret.hpp"
#include "keyring/pkcs11_module.h"
#include "pkcs11/softhsm_token.h"

namespace envelope::testing {

// The module path, token, PIN and keys are in softhsm_token.h.

// SoftHsm is the process's test token; Get() makes it on first use.
class SoftHsm {
 public:
  // Get returns the token, creating it once (doctest REQUIREs inside:
  // a missing SoftHSM2 fails the calling test with an install hint).
  static SoftHsm& Get();

  // module is the loaded module (the same one the keyrings share).
  const std::shared_ptr<keyring::pkcs11::Module>& module() const { return module_; }
  // Pin returns the user PIN in secret memory.
  SecretBytes Pin() const;
  // WrongPin returns a PIN the token does not accept.
  SecretBytes WrongPin() const;
  // Options returns keyring options for the key labelled `label`.
  Pkcs11KeyringOptions Options(std::string label) const;
  // NewKeyring builds a keyring for `label` with the right PIN (REQUIREs it).
  std::shared_ptr<const envelope::Keyring> NewKeyring(
      std::string label, Pkcs11Mechanism mechanism = Pkcs11Mechanism::automatic,
      size_t max_sessions = 8) const;
  // Reinitialize calls C_Initialize again after a test finalized the module.
  void Reinitialize() const;

  ~SoftHsm();

 private:
  SoftHsm() = default;
  void Create();
  std::filesystem::path dir_;
  std::shared_ptr<keyring::pkcs11::Module> module_;
};

}  // namespace envelope::testing

#endif  // ENVELOPE_TEST_PKCS11_SOFTHSM_H_
