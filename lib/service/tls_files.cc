#include "service/tls_files.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "crypto/tls_certificate.h"
#include "kms/file_io.h"

namespace envelope::service {
namespace {

constexpr size_t kMaxPemSize = 256 * 1024;

// ReadCertificate reads a public file (any permissions), bounded.
Result<std::string> ReadCertificate(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) {
    const int err = errno;
    if (err == ENOENT)
      return MakeError(ErrorCode::not_found, "tls certificate " + path + " does not exist");
    return MakeError(ErrorCode::io,
                     "cannot read tls certificate " + path + ": " + std::strerror(err));
  }
  std::string text(kMaxPemSize + 1, '\0');
  const size_t n = std::fread(text.data(), 1, text.size(), file.get());
  if (std::ferror(file.get()))
    return MakeError(ErrorCode::io, "cannot read tls certificate " + path);
  if (n > kMaxPemSize)
    return MakeError(ErrorCode::invalid_argument, "tls certificate " + path + " is too large");
  text.resize(n);
  return text;
}

}  // namespace

Result<ServerTls> LoadServerTls(const std::string& certificate_path, const std::string& key_path) {
  auto certificate = ReadCertificate(certificate_path);
  ENVELOPE_RETURN_IF_ERROR(certificate);
  auto key = kms::internal::ReadSecretFile(key_path, kMaxPemSize);
  if (!key) return tl::unexpected(key.error().WithContext("tls key " + key_path));
  ENVELOPE_RETURN_IF_ERROR(crypto::CheckTlsCredentials(*certificate, *key));
  return ServerTls{{std::move(*certificate), std::move(*key)}, certificate_path, false};
}

Result<ServerTls> DefaultServerTls(const std::string& keystore_dir) {
  const std::string cert_path = keystore_dir + "/" + kDefaultCertificateFile;
  const std::string key_path = keystore_dir + "/" + kDefaultPrivateKeyFile;
  auto existing = LoadServerTls(cert_path, key_path);
  if (existing) return existing;
  if (existing.error().code() != ErrorCode::not_found &&
      existing.error().code() != ErrorCode::invalid_argument) {
    return tl::unexpected(existing.error());
  }
  auto made = crypto::GenerateSelfSignedCertificate();
  ENVELOPE_RETURN_IF_ERROR(made);
  if (auto ok = kms::internal::WriteFileAtomically(keystore_dir, kDefaultPrivateKeyFile,
                                                   made->private_key_pem.span());
      !ok) {
    return tl::unexpected(ok.error());
  }
  const auto& pem = made->certificate_pem;
  if (auto ok = kms::internal::WriteFileAtomically(
          keystore_dir, kDefaultCertificateFile,
          {reinterpret_cast<const uint8_t*>(pem.data()), pem.size()});
      !ok) {
    return tl::unexpected(ok.error());
  }
  return ServerTls{
      {std::move(made->certificate_pem), std::move(made->private_key_pem)}, cert_path, true};
}

}  // namespace envelope::service
