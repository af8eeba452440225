// chunked_file: encrypt or decrypt a file or a pipe with C2SP chunked
// encryption through the streaming API, so the peak memory of a large file
// can be measured:
//
//   chunked_file encrypt KEYFILE [IN|- [OUT|-]] [--threads N]
//   chunked_file decrypt KEYFILE [IN|- [OUT|-]] [--threads N]
//   /usr/bin/time -v build/bench/chunked_file encrypt key.bin big.bin big.c2sp
//
// KEYFILE holds exactly 32 raw bytes. IN and OUT default to stdin and
// stdout. An output file is written beside its final name and renamed into
// place only on success, so a failed decryption leaves no plaintext behind.
// A benchmark helper, not installed.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "envelope/chunked.hpp"
#include "envelope/io.hpp"
#include "envelope/secret.hpp"

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "chunked_file: error: %s\n", message.c_str());
  return 1;
}

int Usage() {
  std::fprintf(stderr,
               "usage: chunked_file encrypt|decrypt KEYFILE [IN|- [OUT|-]] [--threads N]\n");
  return 2;
}

envelope::Result<envelope::SecretBytes> ReadKey(const char* path) {
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return envelope::MakeError(envelope::ErrorCode::io,
                               std::string("cannot open key file: ") + std::strerror(errno));
  }
  auto key = envelope::SecretBytes::Allocate(envelope::kChunkedKeySize + 1);
  if (!key) {
    close(fd);
    return key;
  }
  envelope::FdSource source(fd);
  auto n = envelope::ReadFull(source, key->span());  // one byte more to see a long file
  close(fd);
  ENVELOPE_RETURN_IF_ERROR(n);
  if (*n != envelope::kChunkedKeySize) {
    return envelope::MakeError(envelope::ErrorCode::invalid_argument,
                               "key file must hold exactly 32 bytes, it holds " +
                                   std::string(*n > 32 ? "more" : std::to_string(*n)));
  }
  return envelope::SecretBytes::CopyFrom(key->span().first(envelope::kChunkedKeySize));
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args;
  unsigned threads = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--threads" && i + 1 < argc) {
      threads = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    } else {
      args.push_back(argv[i]);
    }
  }
  if (args.size() < 2 || args.size() > 4 || (args[0] != "encrypt" && args[0] != "decrypt")) {
    return Usage();
  }
  const bool encrypt = args[0] == "encrypt";
  auto key = ReadKey(std::string(args[1]).c_str());
  if (!key) return Fail(key.error().message());

  int in = STDIN_FILENO;
  if (args.size() >= 3 && args[2] != "-") {
    in = open(std::string(args[2]).c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) return Fail("cannot open input: " + std::string(std::strerror(errno)));
  }
  std::string out_path, tmp_path;
  int out = STDOUT_FILENO;
  struct stat st;
  if (args.size() == 4 && args[3] != "-" && stat(std::string(args[3]).c_str(), &st) == 0 &&
      !S_ISREG(st.st_mode)) {
    // A device such as /dev/null: write straight through. Renaming a
    // temporary file over it would replace the device node with a file.
    out = open(std::string(args[3]).c_str(), O_WRONLY | O_CLOEXEC);
    if (out < 0) return Fail("cannot open output: " + std::string(std::strerror(errno)));
  } else if (args.size() == 4 && args[3] != "-") {
    out_path = args[3];
    tmp_path = out_path + ".partial";
    out = open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0) return Fail("cannot create " + tmp_path + ": " + std::strerror(errno));
  }

  envelope::FdSource source(in);
  envelope::FdSink sink(out);
  const envelope::ChunkedOptions options{threads, {}};
  auto done = encrypt ? envelope::ChunkedEncryptStream(*key, source, sink, options)
                      : envelope::ChunkedDecryptStream(*key, source, sink, options);
  if (done && !tmp_path.empty() && fsync(out) != 0) {
    done = envelope::MakeError(envelope::ErrorCode::io,
                               std::string("fsync failed: ") + std::strerror(errno));
  }
  if (!tmp_path.empty()) close(out);
  if (!done) {
    if (!tmp_path.empty()) unlink(tmp_path.c_str());
    return Fail(done.error().message());
  }
  if (!tmp_path.empty() && rename(tmp_path.c_str(), out_path.c_str()) != 0) {
    unlink(tmp_path.c_str());
    return Fail("cannot rename into place: " + std::string(std::strerror(errno)));
  }
  std::fprintf(stderr, "chunked_file: %s %llu bytes of plaintext\n",
               encrypt ? "encrypted" : "decrypted", static_cast<unsigned long long>(*done));
  return 0;
}
