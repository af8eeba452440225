// The options of encrypt and decrypt that choose the format (envelope
// message or C2SP chunked file), a byte range, and the decoding limits.
#include <cstdint>

#include "commands/crypt_options.h"

namespace envelope::cli {

void AddFormatOptions(CLI::App& app, CryptOptions& o, Direction direction) {
  const bool enc = direction == Direction::encrypt;
  const char* const fmt = "Format";
  if (enc) {
    o.format = "esdk";
    app.add_option("--format", o.format,
                   "esdk (default): an envelope message (AWS Encryption SDK format); c2sp: a "
                   "C2SP chunked file (c2sp.org/chunked-encryption, AES-256-GCM, 16 KiB "
                   "chunks) under the customer key, --customer-key-file/-fd/-env only")
        ->check(CLI::IsMember({"esdk", "c2sp"}))
        ->group(fmt);
  } else {
    o.format = "auto";
    app.add_option("--format", o.format,
                   "auto (default): told by the first bytes; esdk: an envelope message; c2sp: "
                   "a C2SP chunked file (its key is the customer key)")
        ->check(CLI::IsMember({"auto", "esdk", "c2sp"}))
        ->group(fmt);
  }
  auto* text = app.add_option("--c2sp-context", o.c2sp_context,
                              "C2SP context string (public, bound into the key; default empty)")
                   ->type_name("TEXT")
                   ->group(fmt);
  app.add_option("--c2sp-context-hex", o.c2sp_context_hex,
                 "the C2SP context as hex digits (for bytes that are not text)")
      ->type_name("HEX")
      ->excludes(text)
      ->group(fmt);

  app.add_option("--metadata-output", o.metadata_output,
                 "append one JSON object per file to FILE (\"-\": standard output): mode, "
                 "input, output, format, the header (suite, context, data keys' providers, "
                 "frame length) and byte counts, as the ESDK CLI does")
      ->type_name("FILE")
      ->group(fmt);
  const char* const lim = "Limits";
  if (!enc) {
    app.add_option("--range", o.range,
                   "write only these plaintext bytes: START:LENGTH, START-END (END included) "
                   "or START: (to the end), sizes with K, M, G suffixes (powers of 1024). A "
                   "regular file is read at the range only (the header, the frames or chunks "
                   "of the range and the final one, which authenticates the length); a pipe, "
                   "armor, or a signed, v1 or non-framed message is decrypted (and verified) "
                   "whole and only the range is written. A range past the end is cut at the "
                   "end; one that starts past it fails")
        ->type_name("RANGE")
        ->group(fmt);
    app.add_flag("-v,--verbose", o.verbose,
                 "say on standard error how many bytes of each input were read")
        ->group(fmt);
  }
  app.add_option("--max-frame-size", o.max_frame_size,
                 enc ? "largest --frame-size allowed (default 16M: what decrypt accepts "
                       "without --max-frame-size)"
                     : "largest frame accepted (default 16M; up to 4G - 1, the format's "
                       "maximum). Each thread holds a frame in memory")
      ->type_name("SIZE")
      ->group(lim);
  if (!enc) {
    app.add_option("--max-buffer", o.max_buffer,
                   "most plaintext of a signed message held in memory when the output is not "
                   "a file (a pipe, standard output) until its signature verifies (default "
                   "256M); a file output is written as it goes and kept only if it verifies")
        ->type_name("SIZE")
        ->group(lim);
    app.add_flag("--unverified-streaming", o.unverified_streaming,
                 "DANGEROUS: write a signed message's plaintext to a pipe BEFORE its signature "
                 "is checked. Any holder of a data key can forge such plaintext, and a failed "
                 "signature only shows in the exit code after the reader consumed it. Never "
                 "the default")
        ->group(lim);
  }
}

}  // namespace envelope::cli
