// Compile check for the umbrella header (test/api/meson.build): with nothing
// but <envelope/envelope.hpp>, one name of every public header is usable.
// umbrella_check.py checks the other half: envelope.hpp includes every
// public header of include/envelope/.
#include "envelope/envelope.hpp"

namespace {

[[maybe_unused]] void Names() {
  using namespace envelope;
  [[maybe_unused]] AtomicFileOptions atomic_file;                 // atomic_file.hpp
  [[maybe_unused]] AwsSettings aws_kms;                           // aws_kms.hpp
  [[maybe_unused]] CachingCmmOptions caching_cmm;                 // caching_cmm.hpp
  [[maybe_unused]] ChunkedOptions chunked;                        // chunked.hpp
  [[maybe_unused]] CustomerKeyOptions customer_key;               // customer_key.hpp
  [[maybe_unused]] Error error(ErrorCode::io, "x");               // error.hpp
  [[maybe_unused]] MemorySink io;                                 // io.hpp
  [[maybe_unused]] RsaPadding keyring = RsaPadding::oaep_sha256;  // keyring.hpp
  [[maybe_unused]] auto kms = &kms::NewSseS3Keyring;              // kms.hpp
  [[maybe_unused]] KmsDataKey kms_keyring;                        // kms_keyring.hpp
  [[maybe_unused]] kms::KmsOptions kms_types;                     // kms_types.hpp
  [[maybe_unused]] EncryptedDataKey materials;                    // materials.hpp
  [[maybe_unused]] EncryptOptions message;                        // message.hpp
  [[maybe_unused]] PassphraseOptions passphrase;                  // passphrase.hpp
  [[maybe_unused]] Pkcs11Uri pkcs11;                              // pkcs11.hpp
  [[maybe_unused]] RewrapOptions rewrap;                          // rewrap.hpp
  [[maybe_unused]] KeyView secret;                                // secret.hpp
  [[maybe_unused]] secrets::SecretCacheOptions secret_cache;      // secret_cache.hpp
  [[maybe_unused]] secrets::ArnConfig secrets;                    // secrets.hpp
  [[maybe_unused]] auto selftest = &RunSelfTests;                 // selftest.hpp
  [[maybe_unused]] auto version = &Version;                       // version.hpp
}

}  // namespace
