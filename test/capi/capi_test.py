#!/usr/bin/env python3
"""test/capi/capi_test.py: the C API from Python through ctypes.

    capi_test.py LIBENVELOPE_SO

Loads the shared library, declares the functions it uses with their C
signatures, and checks a raw AES and a KMS round trip, streaming through a
Python callback, random access, chunked encryption (one shot, streaming and
random access) and the error statuses and messages. Reports every failed check; exits non-zero if any.
"""
import ctypes
import os
import sys
import tempfile

OK, INVALID_ARGUMENT, AUTH_FAILED, TRUNCATED, MALFORMED, NOT_FOUND, IO = 0, 1, 2, 3, 4, 7, 9

lib = ctypes.CDLL(sys.argv[1])
u8p = ctypes.POINTER(ctypes.c_uint8)
size_t = ctypes.c_size_t
SINK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, u8p, size_t)


class Pair(ctypes.Structure):
    _fields_ = [("key", ctypes.c_char_p), ("value", ctypes.c_char_p)]


def declare(name, restype, *argtypes):
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = list(argtypes)
    return fn


last_error = declare("envelope_last_error", ctypes.c_char_p)
status_name = declare("envelope_status_name", ctypes.c_char_p, ctypes.c_int)
version = declare("envelope_version", ctypes.c_char_p)
buffer_free = declare("envelope_buffer_free", None, u8p, size_t)
string_free = declare("envelope_string_free", None, ctypes.c_void_p)
kms_open = declare("envelope_kms_open", ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
                   ctypes.POINTER(ctypes.c_void_p))
kms_create_key = declare("envelope_kms_create_key", ctypes.c_int, ctypes.c_void_p,
                         ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p))
kms_free = declare("envelope_kms_free", None, ctypes.c_void_p)
raw_aes = declare("envelope_keyring_new_raw_aes", ctypes.c_int, ctypes.c_char_p,
                  ctypes.c_char_p, ctypes.c_char_p, size_t, ctypes.POINTER(ctypes.c_void_p))
kms_keyring = declare("envelope_keyring_new_kms", ctypes.c_int, ctypes.c_void_p,
                      ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p))
keyring_free = declare("envelope_keyring_free", None, ctypes.c_void_p)
encrypt = declare("envelope_encrypt", ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, size_t,
                  ctypes.POINTER(Pair), size_t, ctypes.POINTER(u8p), ctypes.POINTER(size_t))
decrypt = declare("envelope_decrypt", ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, size_t,
                  ctypes.POINTER(Pair), size_t, ctypes.POINTER(u8p), ctypes.POINTER(size_t))
encryptor_new = declare("envelope_encryptor_new", ctypes.c_int, ctypes.c_void_p,
                        ctypes.POINTER(Pair), size_t, SINK, ctypes.c_void_p,
                        ctypes.POINTER(ctypes.c_void_p))
encryptor_update = declare("envelope_encryptor_update", ctypes.c_int, ctypes.c_void_p,
                           ctypes.c_char_p, size_t)
encryptor_finish = declare("envelope_encryptor_finish", ctypes.c_int, ctypes.c_void_p)
encryptor_free = declare("envelope_encryptor_free", None, ctypes.c_void_p)
decryptor_new = declare("envelope_decryptor_new", ctypes.c_int, ctypes.c_void_p,
                        ctypes.POINTER(Pair), size_t, SINK, ctypes.c_void_p,
                        ctypes.POINTER(ctypes.c_void_p))
decryptor_update = declare("envelope_decryptor_update", ctypes.c_int, ctypes.c_void_p,
                           ctypes.c_char_p, size_t)
decryptor_finish = declare("envelope_decryptor_finish", ctypes.c_int, ctypes.c_void_p)
decryptor_free = declare("envelope_decryptor_free", None, ctypes.c_void_p)
reader_open_fd = declare("envelope_reader_open_fd", ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
                         ctypes.POINTER(Pair), size_t, ctypes.POINTER(ctypes.c_void_p))
reader_size = declare("envelope_reader_size", ctypes.c_int, ctypes.c_void_p,
                      ctypes.POINTER(ctypes.c_uint64))
reader_read_at = declare("envelope_reader_read_at", ctypes.c_int, ctypes.c_void_p,
                         ctypes.c_uint64, ctypes.c_char_p, size_t)
reader_free = declare("envelope_reader_free", None, ctypes.c_void_p)
chunked_encrypt = declare("envelope_chunked_encrypt", ctypes.c_int, ctypes.c_char_p, size_t,
                          ctypes.c_char_p, size_t, ctypes.c_char_p, size_t,
                          ctypes.POINTER(u8p), ctypes.POINTER(size_t))
chunked_decrypt = declare("envelope_chunked_decrypt", ctypes.c_int, ctypes.c_char_p, size_t,
                          ctypes.c_char_p, size_t, ctypes.c_char_p, size_t,
                          ctypes.POINTER(u8p), ctypes.POINTER(size_t))
chunked_stream_new = declare("envelope_chunked_stream_new", ctypes.c_int, ctypes.c_int,
                             ctypes.c_char_p, size_t, ctypes.c_char_p, size_t, SINK,
                             ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p))
chunked_stream_update = declare("envelope_chunked_stream_update", ctypes.c_int, ctypes.c_void_p,
                                ctypes.c_char_p, size_t)
chunked_stream_finish = declare("envelope_chunked_stream_finish", ctypes.c_int, ctypes.c_void_p)
chunked_stream_free = declare("envelope_chunked_stream_free", None, ctypes.c_void_p)
chunked_reader_open_fd = declare("envelope_chunked_reader_open_fd", ctypes.c_int, ctypes.c_char_p,
                                 size_t, ctypes.c_int, ctypes.c_char_p, size_t,
                                 ctypes.POINTER(ctypes.c_void_p))

failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print(f"capi_test.py: check failed: {what} (last error: {last_error().decode()})",
              file=sys.stderr)


def context(d):
    pairs = (Pair * len(d))(*[Pair(k.encode(), v.encode()) for k, v in d.items()])
    return pairs, len(d)


def take(out, out_len):
    data = ctypes.string_at(out, out_len.value)
    buffer_free(out, out_len)
    return data


def one_shot(keyring, data, ctx):
    out, out_len = u8p(), size_t()
    pairs, n = context(ctx)
    check(encrypt(keyring, data, len(data), pairs, n, ctypes.byref(out),
                  ctypes.byref(out_len)) == OK, "encrypt")
    message = take(out, out_len)
    out, out_len = u8p(), size_t()
    check(decrypt(keyring, message, len(message), pairs, n, ctypes.byref(out),
                  ctypes.byref(out_len)) == OK, "decrypt")
    check(take(out, out_len) == data, "round trip")
    wrong, wn = context({"purpose": "other"})
    out = u8p()
    check(decrypt(keyring, message, len(message), wrong, wn, ctypes.byref(out),
                  ctypes.byref(out_len)) == AUTH_FAILED, "wrong context is auth_failed")
    check(not out, "failed decrypt leaves out unset")
    check(last_error() != b"", "failed decrypt sets the message")
    return message


def streaming(keyring, data, ctx):
    pairs, n = context(ctx)
    chunks = []

    @SINK
    def sink(_user, ptr, length):
        chunks.append(ctypes.string_at(ptr, length))
        return 0

    handle = ctypes.c_void_p()
    check(encryptor_new(keyring, pairs, n, sink, None, ctypes.byref(handle)) == OK, "encryptor_new")
    for at in range(0, len(data), 10000):
        piece = data[at:at + 10000]
        check(encryptor_update(handle, piece, len(piece)) == OK, "encryptor_update")
    check(encryptor_finish(handle) == OK, "encryptor_finish")
    encryptor_free(handle)
    message = b"".join(chunks)
    chunks.clear()
    check(decryptor_new(keyring, pairs, n, sink, None, ctypes.byref(handle)) == OK, "decryptor_new")
    check(decryptor_update(handle, message, len(message) - 1) == OK, "decryptor_update")
    check(decryptor_finish(handle) == TRUNCATED, "a cut message is truncated")
    decryptor_free(handle)

    @SINK
    def failing(_user, _ptr, _length):
        return 1

    check(encryptor_new(keyring, None, 0, failing, None, ctypes.byref(handle)) == OK, "new")
    status = encryptor_update(handle, data, len(data))
    if status == OK:
        status = encryptor_finish(handle)
    check(status == IO, "a failing sink is io")
    encryptor_free(handle)
    return message


def random_access(keyring, message, data, ctx, folder):
    path = os.path.join(folder, "message.env")
    with open(path, "wb") as f:
        f.write(message)
    fd = os.open(path, os.O_RDONLY)
    try:
        pairs, n = context(ctx)
        reader = ctypes.c_void_p()
        check(reader_open_fd(keyring, fd, pairs, n, ctypes.byref(reader)) == OK, "reader_open_fd")
        size = ctypes.c_uint64()
        check(reader_size(reader, ctypes.byref(size)) == OK and size.value == len(data), "size")
        part = ctypes.create_string_buffer(1000)
        check(reader_read_at(reader, 70000, part, 1000) == OK, "read_at")
        check(part.raw == data[70000:71000], "read_at bytes")
        check(reader_read_at(reader, len(data) - 1, part, 2) == INVALID_ARGUMENT, "past the end")
        reader_free(reader)
    finally:
        os.close(fd)


def chunked(data, folder):
    """C2SP chunked: one shot, streaming both ways, random access, errors."""
    key = bytes(range(32))
    out, out_len = u8p(), size_t()
    check(chunked_encrypt(key, 32, data, len(data), b"ctx", 3, ctypes.byref(out),
                          ctypes.byref(out_len)) == OK, "chunked_encrypt")
    ct = take(out, out_len)
    check(chunked_decrypt(key, 32, ct, len(ct), b"ctx", 3, ctypes.byref(out),
                          ctypes.byref(out_len)) == OK, "chunked_decrypt")
    check(take(out, out_len) == data, "chunked round trip")
    out = u8p()
    check(chunked_decrypt(key, 32, ct, len(ct), b"xtc", 3, ctypes.byref(out),
                          ctypes.byref(out_len)) == AUTH_FAILED, "chunked wrong context")
    check(chunked_decrypt(key, 31, ct, len(ct), b"ctx", 3, ctypes.byref(out),
                          ctypes.byref(out_len)) == INVALID_ARGUMENT, "chunked 31-byte key")
    check(not out, "a failed chunked call leaves out unset")

    pieces = []

    @SINK
    def sink(_user, ptr, length):
        pieces.append(ctypes.string_at(ptr, length))
        return 0

    def stream(encrypt, key_bytes, data_in, piece=7000):
        pieces.clear()
        handle = ctypes.c_void_p()
        check(chunked_stream_new(encrypt, key_bytes, 32, b"ctx", 3, sink, None,
                                 ctypes.byref(handle)) == OK, "chunked_stream_new")
        status = OK
        for at in range(0, len(data_in), piece):
            if status == OK:
                status = chunked_stream_update(handle, data_in[at:at + piece],
                                               len(data_in[at:at + piece]))
        if status == OK:
            status = chunked_stream_finish(handle)
        chunked_stream_free(handle)
        return status, b"".join(pieces)

    status, streamed = stream(1, key, data)
    check(status == OK and len(streamed) == len(ct), "chunked stream encrypt")
    status, back = stream(0, key, streamed)
    check(status == OK and back == data, "chunked stream decrypt of the stream")
    status, back = stream(0, key, ct, piece=50000)
    check(status == OK and back == data, "chunked stream decrypt of the one shot")
    status, back = stream(0, bytes(32), ct)
    check(status == AUTH_FAILED and back == b"", "chunked stream, wrong key: nothing released")
    status, back = stream(0, key, ct[:-5])
    check(status == AUTH_FAILED, "chunked stream cut inside the last chunk")

    path = os.path.join(folder, "chunked.bin")
    with open(path, "wb") as f:
        f.write(ct)
    fd = os.open(path, os.O_RDONLY)
    try:
        reader = ctypes.c_void_p()
        check(chunked_reader_open_fd(key, 32, fd, b"ctx", 3, ctypes.byref(reader)) == OK,
              "chunked_reader_open_fd")
        size = ctypes.c_uint64()
        check(reader_size(reader, ctypes.byref(size)) == OK and size.value == len(data),
              "chunked reader size")
        part = ctypes.create_string_buffer(3000)
        check(reader_read_at(reader, 40000, part, 3000) == OK and
              part.raw == data[40000:43000], "chunked read_at")
        check(reader_read_at(reader, len(data), part, 1) == INVALID_ARGUMENT,
              "chunked read past the end")
        reader_free(reader)
        check(chunked_reader_open_fd(key, 32, fd, b"xtc", 3, ctypes.byref(reader)) ==
              AUTH_FAILED, "chunked reader, wrong context")
        check(chunked_reader_open_fd(key, 32, -1, None, 0, ctypes.byref(reader)) ==
              INVALID_ARGUMENT, "chunked reader, negative fd")
    finally:
        os.close(fd)


def errors(keyring, message):
    """Error statuses and messages of the calls Python users make wrong."""
    out, out_len = u8p(), size_t()
    check(encrypt(None, b"x", 1, None, 0, ctypes.byref(out), ctypes.byref(out_len)) ==
          INVALID_ARGUMENT and last_error() == b"c api: keyring is null", "null keyring")
    check(encrypt(keyring, None, 5, None, 0, ctypes.byref(out), ctypes.byref(out_len)) ==
          INVALID_ARGUMENT and b"plaintext is null" in last_error(), "null plaintext")
    pairs, n = context({"aws-crypto-mine": "1"})
    check(encrypt(keyring, b"x", 1, pairs, n, ctypes.byref(out), ctypes.byref(out_len)) ==
          INVALID_ARGUMENT and b"aws-crypto-" in last_error(), "reserved context key")
    check(decrypt(keyring, b"\x02" + bytes(99), 100, None, 0, ctypes.byref(out),
                  ctypes.byref(out_len)) == MALFORMED, "garbage is malformed")
    check(decrypt(keyring, message, 30, None, 0, ctypes.byref(out), ctypes.byref(out_len)) ==
          TRUNCATED, "a cut header is truncated")
    tampered = bytearray(message)
    tampered[1000] ^= 1
    check(decrypt(keyring, bytes(tampered), len(tampered), None, 0, ctypes.byref(out),
                  ctypes.byref(out_len)) == AUTH_FAILED and last_error() != b"",
          "tampered: auth_failed")
    check(not out, "failed calls leave out unset")
    check(status_name(INVALID_ARGUMENT) == b"invalid_argument" and status_name(99) == b"unknown",
          "status names")


def main():
    check(status_name(AUTH_FAILED) == b"auth_failed", "status_name")
    check(version().count(b".") == 2, "version")
    data = bytes((i * 131 + 7) & 0xFF for i in range(150000))
    ctx = {"purpose": "python", "n": "1"}
    with tempfile.TemporaryDirectory(prefix="envelope-capi-py.") as folder:
        keyring = ctypes.c_void_p()
        check(raw_aes(b"py", b"key", b"k" * 31, 31, ctypes.byref(keyring)) == INVALID_ARGUMENT,
              "31-byte key is invalid_argument")
        check(b"key" in last_error() or last_error() != b"", "error message set")
        check(raw_aes(b"py", b"key", b"k" * 32, 32, ctypes.byref(keyring)) == OK, "raw aes")
        one_shot(keyring, data, ctx)
        message = streaming(keyring, data, ctx)
        random_access(keyring, message, data, ctx, folder)
        errors(keyring, message)
        keyring_free(keyring)

        kms = ctypes.c_void_p()
        store = os.path.join(folder, "keystore").encode()
        check(kms_open(store, 0, ctypes.byref(kms)) == NOT_FOUND, "missing keystore")
        check(kms_open(store, 1, ctypes.byref(kms)) == OK, "kms_open")
        key_id = ctypes.c_void_p()
        check(kms_create_key(kms, b"python", ctypes.byref(key_id)) == OK, "create_key")
        check(kms_keyring(kms, ctypes.c_char_p(key_id.value), ctypes.byref(keyring)) == OK,
              "kms keyring")
        string_free(key_id)
        kms_free(kms)
        one_shot(keyring, data[:1000], ctx)
        keyring_free(keyring)

        chunked(data, folder)
    if failures:
        print(f"capi_test.py: {failures} checks failed", file=sys.stderr)
        return 1
    print("capi_test.py: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
