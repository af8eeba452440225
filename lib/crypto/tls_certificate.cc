#include "crypto/tls_certificate.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"

namespace envelope::crypto {
namespace {

using BioPtr = UniquePtr<BIO>;
using X509Ptr = UniquePtr<X509>;

// A DNS name may only hold the characters of host names (and a leading
// wildcard label): anything else could smuggle syntax into the extension
// text handed to OpenSSL's configuration parser.
bool ValidDnsName(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '*';
  });
}

bool ValidIpAddress(const std::string& address) {
  UniquePtr<ASN1_OCTET_STRING> parsed(a2i_IPADDRESS(address.c_str()));
  return parsed != nullptr;
}

Result<void> AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  UniquePtr<X509_EXTENSION> ext(X509V3_EXT_nconf_nid(nullptr, ctx, nid, value.c_str()));
  if (!ext) return OpenSslError(ErrorCode::internal, "tls certificate: extension");
  if (X509_add_ext(cert, ext.get(), -1) != 1)
    return OpenSslError(ErrorCode::internal, "tls certificate: add extension");
  return {};
}

Result<std::string> CertificatePem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return OpenSslError(ErrorCode::internal, "tls certificate: pem");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

// PrivateKeyPem writes PKCS#8 PEM through a secure-memory BIO (cleansed when
// freed) straight into SecretBytes.
Result<SecretBytes> PrivateKeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError(ErrorCode::internal, "tls certificate: private key pem");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return SecretBytes::CopyFrom({reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(size)});
}

}  // namespace

Result<TlsCredentials> GenerateSelfSignedCertificate(const SelfSignedRequest& request) {
  if (request.dns_names.empty() && request.ip_addresses.empty()) {
    return MakeError(ErrorCode::invalid_argument, "tls certificate: no name or address to certify");
  }
  if (!ValidDnsName(request.common_name)) {
    return MakeError(ErrorCode::invalid_argument,
                     "tls certificate: common name is not a host name");
  }
  std::string san;
  for (const std::string& name : request.dns_names) {
    if (!ValidDnsName(name)) {
      return MakeError(ErrorCode::invalid_argument,
                       "tls certificate: \"" + name + "\" is not a host name");
    }
    san += (san.empty() ? "DNS:" : ",DNS:") + name;
  }
  for (const std::string& address : request.ip_addresses) {
    if (!ValidIpAddress(address)) {
      return MakeError(ErrorCode::invalid_argument,
                       "tls certificate: \"" + address + "\" is not an ip address");
    }
    san += (san.empty() ? "IP:" : ",IP:") + address;
  }
  if (request.validity.count() <= 0) {
    return MakeError(ErrorCode::invalid_argument, "tls certificate: validity must be positive");
  }

  UniquePtr<EVP_PKEY> key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslError(ErrorCode::internal, "tls certificate: p-256 key generation");

  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return OpenSslError(ErrorCode::internal, "tls certificate: new");
  }
  UniquePtr<BIGNUM> serial(BN_new());
  if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) {
    return OpenSslError(ErrorCode::internal, "tls certificate: serial");
  }
  UniquePtr<ASN1_INTEGER> serial_asn1(BN_to_ASN1_INTEGER(serial.get(), nullptr));
  if (!serial_asn1 || X509_set_serialNumber(cert.get(), serial_asn1.get()) != 1) {
    return OpenSslError(ErrorCode::internal, "tls certificate: serial");
  }
  const long validity_seconds =
      static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(request.validity).count());
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), validity_seconds) == nullptr) {
    return OpenSslError(ErrorCode::internal, "tls certificate: validity");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  const auto* cn = reinterpret_cast<const unsigned char*>(request.common_name.c_str());
  if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("envelope"), -1, -1,
                                 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1 || X509_set_pubkey(cert.get(), key.get()) != 1) {
    return OpenSslError(ErrorCode::internal, "tls certificate: names");
  }

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] :
       {std::pair<int, std::string>{NID_basic_constraints, "critical,CA:FALSE"},
        {NID_key_usage, "critical,digitalSignature"},
        {NID_ext_key_usage, "serverAuth"},
        {NID_subject_key_identifier, "hash"},
        {NID_authority_key_identifier, "keyid:always"},
        {NID_subject_alt_name, san}}) {
    ENVELOPE_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, nid, value));
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) {
    return OpenSslError(ErrorCode::internal, "tls certificate: sign");
  }

  auto cert_pem = CertificatePem(cert.get());
  ENVELOPE_RETURN_IF_ERROR(cert_pem);
  auto key_pem = PrivateKeyPem(key.get());
  ENVELOPE_RETURN_IF_ERROR(key_pem);
  return TlsCredentials{std::move(*cert_pem), std::move(*key_pem)};
}

Result<void> CheckTlsCredentials(const std::string& certificate_pem,
                                 const SecretBytes& private_key_pem) {
  BioPtr cert_bio(
      BIO_new_mem_buf(certificate_pem.data(), static_cast<int>(certificate_pem.size())));
  X509Ptr cert(cert_bio ? PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) {
    ClearOpenSslErrors();
    return MakeError(ErrorCode::invalid_argument,
                     "tls certificate: no PEM certificate in the certificate file");
  }
  BioPtr key_bio(BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())));
  // A null password callback with an empty password: an encrypted key fails
  // here instead of prompting on the server's terminal.
  UniquePtr<EVP_PKEY> key(
      key_bio ? PEM_read_bio_PrivateKey(
                    key_bio.get(), nullptr, [](char*, int, int, void*) { return 0; }, nullptr)
              : nullptr);
  if (!key) {
    ClearOpenSslErrors();
    return MakeError(ErrorCode::invalid_argument,
                     "tls certificate: no unencrypted PEM private key in the key file");
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ClearOpenSslErrors();
    return MakeError(ErrorCode::invalid_argument,
                     "tls certificate: the private key does not belong to the certificate");
  }
  return {};
}

}  // namespace envelope::crypto
