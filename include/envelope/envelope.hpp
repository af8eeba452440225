// envelope: every public C++ header in one include.
//
// One #include <envelope/envelope.hpp> gives the whole library: messages
// (message.hpp) and their keyrings (keyring.hpp: raw AES and RSA, multi;
// customer_key.hpp: SSE-C; passphrase.hpp; pkcs11.hpp; kms_keyring.hpp and
// aws_kms.hpp: KMS keyrings), materials managers (materials.hpp,
// caching_cmm.hpp), C2SP chunked encryption (chunked.hpp), the local KMS
// (kms.hpp), secrets (secrets.hpp, secret_cache.hpp, secrets_manager.hpp),
// rewrap (rewrap.hpp), byte sources and sinks (io.hpp, atomic_file.hpp),
// armor (armor.hpp: ASCII armor of messages), key material
// (secret.hpp), errors (error.hpp), self tests and the version. Only the
// raw-mode protocol building block stays apart (envelope/hazmat/*.hpp), and
// the C API is envelope/envelope.h. No header here includes anything from
// OpenSSL, libsodium or another private dependency.
#ifndef ENVELOPE_ENVELOPE_HPP_
#define ENVELOPE_ENVELOPE_HPP_

#include "envelope/armor.hpp"
#include "envelope/atomic_file.hpp"
#include "envelope/aws_kms.hpp"
#include "envelope/caching_cmm.hpp"
#include "envelope/chunked.hpp"
#include "envelope/customer_key.hpp"
#include "envelope/error.hpp"
#include "envelope/io.hpp"
#include "envelope/keyring.hpp"
#include "envelope/kms.hpp"
#include "envelope/kms_keyring.hpp"
#include "envelope/kms_types.hpp"
#include "envelope/materials.hpp"
#include "envelope/message.hpp"
#include "envelope/passphrase.hpp"
#include "envelope/pkcs11.hpp"
#include "envelope/rewrap.hpp"
#include "envelope/secret.hpp"
#include "envelope/secret_cache.hpp"
#include "envelope/secrets.hpp"
#include "envelope/secrets_manager.hpp"
#include "envelope/selftest.hpp"
#include "envelope/version.hpp"

#endif  // ENVELOPE_ENVELOPE_HPP_
