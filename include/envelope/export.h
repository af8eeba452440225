/* envelope: which declarations the shared library exports.
 *
 * The library is built with hidden visibility (-fvisibility=hidden and
 * -fvisibility-inlines-hidden), so nothing is exported unless a public header
 * marks it, and a linker version script (lib/envelope.map) keeps the dynamic
 * symbol table to namespace `envelope` and the C API's `envelope_` prefix.
 * ENVELOPE_EXPORT is the one marker: the C API puts it on each function; the
 * C++ headers put their whole `namespace envelope` block in an
 * ENVELOPE_EXPORT_BEGIN / ENVELOPE_EXPORT_END region, which applies it to
 * every declaration inside (classes with their vtables and typeinfo, free
 * functions), after their #includes so nothing of the standard library or
 * tl::expected is marked. Internal headers in lib/ never use them. This
 * header is C and C++. */
#ifndef ENVELOPE_EXPORT_H_
#define ENVELOPE_EXPORT_H_

#if defined(__GNUC__) || defined(__clang__)
/* ENVELOPE_EXPORT marks one declaration as part of the shared library's ABI. */
#define ENVELOPE_EXPORT __attribute__((visibility("default")))
/* ENVELOPE_EXPORT_BEGIN starts a region whose declarations are all exported. */
#define ENVELOPE_EXPORT_BEGIN _Pragma("GCC visibility push(default)")
/* ENVELOPE_EXPORT_END ends the region ENVELOPE_EXPORT_BEGIN started. */
#define ENVELOPE_EXPORT_END _Pragma("GCC visibility pop")
#else
#define ENVELOPE_EXPORT
#define ENVELOPE_EXPORT_BEGIN
#define ENVELOPE_EXPORT_END
#endif

#endif /* ENVELOPE_EXPORT_H_ */
