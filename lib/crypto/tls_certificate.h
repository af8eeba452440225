// lib/crypto: a self-signed TLS server certificate for the KMS service.
//
// `envelope kms serve` needs HTTPS from its first start, before anyone has
// issued it a certificate. It then generates an ECDSA P-256 key and a
// self-signed X.509 v3 certificate for the loopback names, which clients
// trust explicitly (AWS_CA_BUNDLE for the AWS CLI, NODE_EXTRA_CA_CERTS for
// Node). The certificate is its own trust anchor, so it is not a CA
// (basicConstraints CA:FALSE): it cannot sign anything else.
//
//   certificate (PEM)   version 3, random 128-bit serial, subject = issuer
//                       CN=<common name>, O=envelope
//                       subjectAltName: DNS names and IP addresses
//                       keyUsage: digitalSignature (critical)
//                       extendedKeyUsage: serverAuth
//                       subject/authority key identifiers
//   private key (PEM)   PKCS#8 "PRIVATE KEY", in secret memory
#ifndef ENVELOPE_LIB_CRYPTO_TLS_CERTIFICATE_H_
#define ENVELOPE_LIB_CRYPTO_TLS_CERTIFICATE_H_

#include <chrono>
#include <string>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/secret.hpp"

namespace envelope::crypto {

// SelfSignedRequest names what the certificate is for.
struct SelfSignedRequest {
  std::string common_name = "localhost";
  std::vector<std::string> dns_names = {"localhost"};
  std::vector<std::string> ip_addresses = {"127.0.0.1", "::1"};
  std::chrono::hours validity{24 * 825};  // what browsers accept at most
};

// TlsCredentials is a certificate chain and its private key, both PEM.
struct TlsCredentials {
  std::string certificate_pem;
  SecretBytes private_key_pem;
};

// GenerateSelfSignedCertificate makes a fresh P-256 key and a certificate
// for `request`, valid from one hour ago (clock skew) for its validity.
// Fails with `invalid_argument` for an empty name list or an address that
// does not parse, `internal` when OpenSSL fails.
[[nodiscard]] Result<TlsCredentials> GenerateSelfSignedCertificate(
    const SelfSignedRequest& request = {});

// CheckTlsCredentials parses both PEM texts and checks that the key belongs
// to the first certificate, so a server fails at start, not at the first
// handshake. Fails with `invalid_argument` saying which part is wrong.
[[nodiscard]] Result<void> CheckTlsCredentials(const std::string& certificate_pem,
                                               const SecretBytes& private_key_pem);

}  // namespace envelope::crypto

#endif  // ENVELOPE_LIB_CRYPTO_TLS_CERTIFICATE_H_
