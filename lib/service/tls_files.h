// lib/service: where the server's TLS certificate and key come from.
//
// Given files (--tls-cert, --tls-key) are read and checked to belong
// together. Without them the server uses `tls-cert.pem` and `tls-key.pem` in
// the keystore folder, generating a self-signed ECDSA P-256 certificate for
// localhost, 127.0.0.1 and ::1 on first start (crypto/tls_certificate.h);
// clients trust that certificate file explicitly.
#ifndef ENVELOPE_LIB_SERVICE_TLS_FILES_H_
#define ENVELOPE_LIB_SERVICE_TLS_FILES_H_

#include <string>

#include "envelope/error.hpp"
#include "service/http_server.h"

namespace envelope::service {

inline constexpr char kDefaultCertificateFile[] = "tls-cert.pem";
inline constexpr char kDefaultPrivateKeyFile[] = "tls-key.pem";

// ServerTls is the credentials and the certificate's path (to print).
struct ServerTls {
  TlsServerCredentials credentials;
  std::string certificate_path;
  bool generated = false;  // made by this call
};

// LoadServerTls reads `certificate_path` (PEM chain) and `key_path` (PEM
// private key, a private file as keys must be). Fails with `not_found`,
// `io` (permissions), or `invalid_argument` when they do not belong together.
[[nodiscard]] Result<ServerTls> LoadServerTls(const std::string& certificate_path,
                                              const std::string& key_path);

// DefaultServerTls loads the keystore folder's certificate, creating it first
// when there is none. The caller holds no lock: two servers starting at once
// may both generate; the later file wins, consistently (key and certificate
// are written key first, then certificate, each atomically, and a pair that
// does not match is regenerated).
[[nodiscard]] Result<ServerTls> DefaultServerTls(const std::string& keystore_dir);

}  // namespace envelope::service

#endif  // ENVELOPE_LIB_SERVICE_TLS_FILES_H_
