// examples/kms_stream.cc: stream a file under a key of the local KMS with an
// encryption context, then read a range of it back without decrypting the
// rest (random access).
//
//   kms_stream [WORK_DIR]
//
// Creates a keystore in WORK_DIR/keystore and a KMS key in it, writes 3 MiB
// of sample data to WORK_DIR/data, encrypts it to WORK_DIR/data.env and
// decrypts bytes 1000000..1000099 of it. Without WORK_DIR it works in a new
// temporary folder and removes it at the end.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <envelope/envelope.hpp>
#include <envelope/kms.hpp>
#include <envelope/kms_keyring.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace {

// Fail prints the error and returns the exit status 1.
int Fail(const char* what, const envelope::Error& error) {
  std::fprintf(stderr, "kms_stream: error: %s: %s\n", what, error.ToString().c_str());
  return 1;
}

int Run(const std::string& work_dir);

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2) {
    std::fprintf(stderr, "usage: kms_stream [WORK_DIR]\n");
    return 2;
  }
  if (argc == 2) return Run(argv[1]);
  std::string temp = (std::filesystem::temp_directory_path() / "kms_stream.XXXXXX").string();
  if (::mkdtemp(temp.data()) == nullptr) return 1;
  const int status = Run(temp);
  std::error_code ignored;
  std::filesystem::remove_all(temp, ignored);
  return status;
}

namespace {

int Run(const std::string& work_dir) {
  const std::string data_path = work_dir + "/data";
  const std::string message_path = data_path + ".env";

  auto opened = envelope::kms::Kms::Open({.directory = work_dir + "/keystore"});
  if (!opened) return Fail("open keystore", opened.error());
  auto kms = std::make_shared<envelope::kms::Kms>(std::move(*opened));
  auto key = kms->CreateKey({.description = "kms_stream example"});
  if (!key) return Fail("create key", key.error());
  auto keyring = envelope::NewKmsKeyring(envelope::kms::NewKmsClient(kms), key->key_id);
  if (!keyring) return Fail("keyring", keyring.error());
  auto cmm = envelope::NewDefaultCmm(*keyring);
  if (!cmm) return Fail("materials manager", cmm.error());

  // Sample data: 3 MiB, each byte a function of its offset.
  std::vector<uint8_t> data(3 << 20);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7 + i / 4096);
  int fd = ::open(data_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || !envelope::WriteFd(fd, data, data_path)) return 1;
  ::close(fd);

  // Stream: read the file through FdSource, write the message through
  // FdSink, in 64 KiB pieces; memory use does not grow with the file.
  int in = ::open(data_path.c_str(), O_RDONLY);
  int out = ::open(message_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (in < 0 || out < 0) return 1;
  envelope::FdSource source(in);
  envelope::FdSink sink(out);
  envelope::EncryptOptions options;
  options.context = {{"file", "data"}, {"owner", "example"}};
  auto encryptor = envelope::MessageEncryptor::New(**cmm, options, sink);
  if (!encryptor) return Fail("encrypt", encryptor.error());
  std::vector<uint8_t> buffer(64 << 10);
  for (;;) {
    auto n = source.Read(buffer);
    if (!n) return Fail("read", n.error());
    if (*n == 0) break;
    if (auto ok = (*encryptor)->Update({buffer.data(), *n}); !ok)
      return Fail("encrypt", ok.error());
  }
  if (auto ok = (*encryptor)->Finish(); !ok) return Fail("encrypt", ok.error());
  ::close(in);
  ::close(out);

  // Random access: the context must match what was stored.
  int message_fd = ::open(message_path.c_str(), O_RDONLY);
  if (message_fd < 0) return 1;
  envelope::FdPositionedSource message(message_fd);
  envelope::DecryptOptions decrypt_options;
  decrypt_options.reproduced_context = {{"file", "data"}};
  auto reader = envelope::RandomAccessDecryptor::New(message, **cmm, decrypt_options);
  if (!reader) return Fail("open message", reader.error());
  std::vector<uint8_t> range(100);
  if (auto ok = envelope::ReadExactAt(**reader, 1000000, range); !ok) {
    return Fail("read at", ok.error());
  }
  ::close(message_fd);
  for (size_t i = 0; i < range.size(); ++i) {
    if (range[i] != data[1000000 + i]) {
      std::fprintf(stderr, "kms_stream: error: byte %zu differs\n", i);
      return 1;
    }
  }
  std::printf("kms_stream: %zu bytes under key %s, range read back\n", data.size(),
              key->key_id.c_str());
  return 0;
}

}  // namespace
