#!/bin/sh
# examples/install_test.sh: prove the installed library is usable on its own.
#
#   install_test.sh BUILD_DIR SOURCE_ROOT PREFIX LIBDIR INCLUDEDIR
#
# Installs BUILD_DIR into a temporary DESTDIR and checks what a user gets:
#   - the files: headers (C++ and C), shared and static library, both
#     pkg-config files, the CMake package, LICENSE, and (when the tools are
#     built) the man pages and bash completion;
#   - the public headers include nothing from the private dependencies
#     (OpenSSL, libsodium, ipsec-mb, curl, nlohmann, p11-kit, Boost, CLI11):
#     no installed header names one, every example compiles with their main
#     headers hidden (poisoned copies first on the include path), and the
#     compiler's own list of the headers each example read (-MD) names no
#     file of theirs;
#   - the shared library exports nothing outside namespace envelope and the C
#     API's envelope_ prefix;
#   - every example ($ENVELOPE_EXAMPLES, files in SOURCE_ROOT/examples) builds
#     and runs through pkg-config (shared; static with envelope-static, which
#     must not need p11-kit), and through CMake's find_package(envelope)
#     (envelope::envelope and envelope::envelope_static); pkcs11.cc runs
#     against a fresh SoftHSM2 token (with_softhsm.sh, with the program
#     $ENVELOPE_SOFTHSM_SETUP that makes it);
#   - as a meson subproject, dependency('envelope') resolves through
#     meson.override_dependency and no tools, tests or fuzzers are configured
#     or installed. Building the examples that way compiles the whole library
#     again (minutes): ENVELOPE_INSTALL_TEST_SUBPROJECT_BUILD=1 does it too.
# Any failure stops the script with a message and a non-zero exit status.
set -eu

fail() {
  echo "install_test: error: $*" >&2
  exit 1
}

[ $# -eq 5 ] || fail "usage: $0 BUILD_DIR SOURCE_ROOT PREFIX LIBDIR INCLUDEDIR"
build_dir=$1
source_root=$2
prefix=$3
libdir=$4
includedir=$5
case $libdir in /*) ;; *) libdir=$prefix/$libdir ;; esac
case $includedir in /*) ;; *) includedir=$prefix/$includedir ;; esac
examples=${ENVELOPE_EXAMPLES:-basic.cc}
softhsm_setup=${ENVELOPE_SOFTHSM_SETUP:-}
case " $examples " in *" pkcs11.cc "*)
  if [ -z "$softhsm_setup" ] || [ ! -x "$softhsm_setup" ]; then
    fail "pkcs11.cc needs ENVELOPE_SOFTHSM_SETUP, test/pkcs11's softhsm_setup (got '$softhsm_setup')"
  fi ;;
esac

# CXX and CC may be several words (e.g. "ccache c++ -fsanitize=address");
# they are split on purpose below.
CXX=${CXX:-c++}
CC=${CC:-cc}
command -v "${CXX%% *}" >/dev/null || fail "no C++ compiler ($CXX)"
command -v pkg-config >/dev/null || fail "pkg-config not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/envelope-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
dest=$tmp/dest

echo "== meson install into $dest"
meson install -C "$build_dir" --destdir "$dest" --no-rebuild --quiet >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" >&2; fail "meson install failed"; }

inc=$dest$includedir/envelope
lib=$dest$libdir
for f in "$inc/envelope.hpp" "$inc/envelope.h" "$inc/export.h" "$inc/version.hpp" \
  "$lib/libenvelope.a" "$lib/libenvelope.so" "$lib/pkgconfig/envelope.pc" \
  "$lib/pkgconfig/envelope-static.pc" "$lib/cmake/envelope/envelopeConfig.cmake" \
  "$lib/cmake/envelope/envelopeConfigVersion.cmake" "$dest$prefix/share/doc/envelope/LICENSE"; do
  [ -e "$f" ] || fail "not installed: ${f#"$dest"}"
done
if [ -e "$dest$prefix/bin/encrypt" ]; then
  for f in man1/encrypt.1 man1/decrypt.1 man1/envelope.1; do
    [ -f "$dest$prefix/share/man/$f" ] || fail "tools installed without man page $f"
  done
  for f in encrypt decrypt envelope; do
    [ -f "$dest$prefix/share/bash-completion/completions/$f" ] ||
      fail "tools installed without bash completion for $f"
  done
fi

echo "== public headers include no private dependency"
# Anywhere in an include's path (<openssl/x.h>, </usr/include/openssl/x.h>),
# and p11-kit's <pkcs11.h> under its own -I.
private='openssl/|sodium|intel-ipsec-mb|curl/|nlohmann/|p11-kit|boost/|CLI/'
if grep -rnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"][^>\"]*($private|pkcs11\.h[>\"])" \
  "$inc"; then
  fail "an installed public header includes a private dependency (above)"
fi
[ "$(find "$inc" -name '*.hpp' | wc -l)" -ge 4 ] || fail "fewer public headers than expected in $inc"
# The umbrella header includes every installed C++ header (hazmat/ apart).
for h in "$inc"/*.hpp; do
  name=${h##*/}
  [ "$name" = envelope.hpp ] && continue
  grep -q "^#include \"envelope/$name\"" "$inc/envelope.hpp" ||
    fail "installed envelope/$name is not included by envelope/envelope.hpp"
done
# Poisoned copies of the private headers, searched before the system's: an
# example that reaches one through a public header fails to compile.
poison=$tmp/poison
for h in openssl/evp.h openssl/crypto.h sodium.h intel-ipsec-mb.h curl/curl.h nlohmann/json.hpp \
  p11-kit/pkcs11.h boost/asio.hpp CLI/CLI.hpp; do
  mkdir -p "$poison/$(dirname "$h")"
  echo "#error \"$h is a private dependency of envelope\"" >"$poison/$h"
done

echo "== exported symbols: namespace envelope and envelope_ only"
nm -D --defined-only "$lib/libenvelope.so" | awk '{print $3}' | sort -u >"$tmp/exports.txt"
[ "$(wc -l <"$tmp/exports.txt")" -ge 100 ] || fail "libenvelope.so exports almost nothing"
# Mangled: _ZN8envelope (functions, members, with cv/ref qualifiers: _ZNK...),
# _ZT[ISVT]N8envelope (typeinfo, its name, vtable, VTT), thunks _ZTh/_ZTv.
if grep -vE '^(envelope_|_ZN[KVRO]*8envelope|_ZT[ISVT]N8envelope|_ZT[hv][^N]*N8envelope)' \
  "$tmp/exports.txt" >"$tmp/foreign.txt"; then
  c++filt <"$tmp/foreign.txt" | head -20 >&2
  fail "libenvelope.so exports $(wc -l <"$tmp/foreign.txt") symbols outside envelope (first above)"
fi
grep -q '^envelope_encrypt$' "$tmp/exports.txt" || fail "the C API is not exported"

# Point pkg-config at the install, its prefix moved into the DESTDIR (a
# sysroot would not move envelope-static.pc's path to libenvelope.a). The
# system's own .pc files stay visible (libcrypto, libsodium).
PKG_CONFIG_PATH=$lib/pkgconfig
export PKG_CONFIG_PATH
pc() { pkg-config --define-variable=prefix="$dest$prefix" "$@"; }
pc --exists envelope || fail "pkg-config does not find envelope in $PKG_CONFIG_PATH"
cflags=$(pc --cflags envelope)
libs=$(pc --libs envelope)
static_libs=$(pc --static --libs envelope)
static_pc_libs=$(pc --libs envelope-static)
echo "cflags: $cflags"
echo "libs: $libs"
echo "static libs (envelope --static): $static_libs"
echo "static libs (envelope-static): $static_pc_libs"
case " $cflags " in *" -I$dest$includedir "*) ;;
  *) fail "pkg-config --cflags does not point into the install: $cflags" ;; esac
case " $cflags " in *" -std="*) fail "pkg-config --cflags forces a language standard: $cflags" ;; esac
case " $cflags " in *openssl* | *sodium* | *ipsec* | *curl* | *nlohmann* | *p11-kit* | *boost*)
  fail "pkg-config --cflags names a private dependency: $cflags" ;; esac
case " $libs " in *" -lcrypto "* | *" -lsodium "*) fail "private dependencies in --libs: $libs" ;; esac
case " $static_libs $static_pc_libs " in *p11-kit* | *nlohmann*)
  fail "the static link names p11-kit or nlohmann" ;; esac
case " $static_libs " in *" -lsodium "*) ;; *) fail "--static lacks libsodium: $static_libs" ;; esac

# build_example OUT SOURCE CFLAGS LIBS: compile one example, C or C++, and
# write the headers it read to OUT.d. A C example is compiled as C and
# linked by the C++ driver, as a C program that uses a C++ library must be
# (the C++ runtime; in a sanitizer build, the sanitizers' C++ parts).
build_example() {
  # shellcheck disable=SC2086  # compilers and flags are lists of words
  case $2 in
    *.c)
      $CC -std=c11 -I"$poison" $3 -MD -MF "$1.d" -c -o "$1.o" "$source_root/examples/$2" &&
        $CXX -o "$1" "$1.o" $4 ;;
    *) $CXX -std=c++20 -I"$poison" $3 -MD -MF "$1.d" -o "$1" "$source_root/examples/$2" $4 ;;
  esac || fail "compiling $2 ($3 $4) failed"
  # The dependency list names every header the compiler opened, however
  # it was reached: none may belong to a private dependency.
  [ -s "$1.d" ] || fail "compiling $2 wrote no dependency list ($1.d)"
  awk '{ for (i = 1; i <= NF; i++) print $i }' "$1.d" | grep -E "/($private)" | sort -u >"$1.private"
  if [ -s "$1.private" ]; then
    cat "$1.private" >&2
    fail "$2 reads headers of a private dependency through the public headers (above)"
  fi
}

# run_example NAME COMMAND...: run one built example, its output shown only
# when it fails; pkcs11 runs against a fresh SoftHSM2 token.
run_example() {
  example=$1
  shift
  case $example in
    pkcs11) "$source_root/examples/with_softhsm.sh" "$softhsm_setup" "$@" ;;
    *) "$@" ;;
  esac >"$tmp/run.txt" 2>&1 || { cat "$tmp/run.txt" >&2; return 1; }
}

echo "== pkg-config, shared: compile, link, run"
for src in $examples; do
  name=${src%.*}
  build_example "$tmp/${name}_shared" "$src" "$cflags" "$libs"
  LD_LIBRARY_PATH=$lib ldd "$tmp/${name}_shared" >"$tmp/ldd.txt" 2>&1 || true
  grep -q "libenvelope\.so.*=> $lib/" "$tmp/ldd.txt" ||
    { cat "$tmp/ldd.txt" >&2; fail "${name}_shared does not load libenvelope from the install"; }
  run_example "$name" env LD_LIBRARY_PATH="$lib" "$tmp/${name}_shared" || fail "$name (shared) failed"
done

echo "== pkg-config, static (envelope-static): compile, link, run"
for src in $examples; do
  name=${src%.*}
  build_example "$tmp/${name}_static" "$src" "$cflags" "$static_pc_libs"
  if ldd "$tmp/${name}_static" | grep -E 'libenvelope|p11-kit'; then
    fail "${name}_static still depends on a shared libenvelope or p11-kit"
  fi
  # No LD_LIBRARY_PATH: the static binary must not need the install at run time.
  run_example "$name" "$tmp/${name}_static" || fail "$name (static) failed"
done

if command -v cmake >/dev/null; then
  echo "== CMake: find_package(envelope), envelope::envelope and envelope::envelope_static"
  cm=$tmp/cmake
  mkdir -p "$cm"
  {
    echo 'cmake_minimum_required(VERSION 3.16)'
    echo 'project(envelope_examples C CXX)'
    echo 'find_package(envelope 0.1 REQUIRED)'
    echo 'if(NOT TARGET envelope::envelope_static)'
    echo '  message(FATAL_ERROR "envelope::envelope_static missing")'
    echo 'endif()'
    for src in $examples; do
      name=${src%.*}
      echo "add_executable(${name}_shared \"$source_root/examples/$src\")"
      echo "target_link_libraries(${name}_shared PRIVATE envelope::envelope)"
      echo "add_executable(${name}_static \"$source_root/examples/$src\")"
      echo "target_link_libraries(${name}_static PRIVATE envelope::envelope_static)"
      case $src in *.c)
        echo "set_target_properties(${name}_shared ${name}_static PROPERTIES LINKER_LANGUAGE CXX)" ;;
      esac
    done
  } >"$cm/CMakeLists.txt"
  # The compilers without ccache, their extra flags (sanitizers) as flags.
  cxx_words=$(echo "$CXX" | sed 's/^ccache //')
  cc_words=$(echo "$CC" | sed 's/^ccache //')
  cmake -S "$cm" -B "$cm/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$dest$prefix" \
    -DCMAKE_CXX_COMPILER="${cxx_words%% *}" -DCMAKE_C_COMPILER="${cc_words%% *}" \
    -DCMAKE_CXX_FLAGS="-I$poison $(echo "$cxx_words" | cut -s -d' ' -f2-)" \
    -DCMAKE_C_FLAGS="-I$poison $(echo "$cc_words" | cut -s -d' ' -f2-)" \
    >"$tmp/cmake.log" 2>&1 || { cat "$tmp/cmake.log" >&2; fail "cmake configure failed"; }
  cmake --build "$cm/build" >"$tmp/cmake.log" 2>&1 ||
    { cat "$tmp/cmake.log" >&2; fail "cmake build failed"; }
  for src in $examples; do
    name=${src%.*}
    run_example "$name" env LD_LIBRARY_PATH="$lib" "$cm/build/${name}_shared" ||
      fail "$name (cmake, shared) failed"
    run_example "$name" "$cm/build/${name}_static" || fail "$name (cmake, static) failed"
  done
else
  fail "cmake not found (scripts/bootstrap.sh installs it)"
fi

echo "== meson subproject: dependency('envelope'), no tools, tests or fuzzers"
parent=$tmp/parent
mkdir -p "$parent/subprojects"
ln -s "$source_root" "$parent/subprojects/envelope"
{
  echo "project('parent', 'cpp', 'c', default_options : ['cpp_std=c++20'])"
  echo "envelope_dep = dependency('envelope', fallback : ['envelope'])"
  for src in $examples; do
    echo "executable('${src%.*}', '$source_root/examples/$src', dependencies : envelope_dep)"
  done
} >"$parent/meson.build"
(cd "$parent" && meson setup build --force-fallback-for=envelope \
  >"$tmp/sub.log" 2>&1) ||
  { cat "$tmp/sub.log" >&2; fail "meson setup of a parent project with envelope as subproject failed"; }
meson introspect "$parent/build" --targets >"$tmp/targets.json"
meson introspect "$parent/build" --tests >"$tmp/tests.json"
meson introspect "$parent/build" --installed >"$tmp/installed.json"
python3 - "$tmp/targets.json" "$tmp/tests.json" "$tmp/installed.json" <<'EOF' ||
import json, sys
targets = json.load(open(sys.argv[1]))
tests = json.load(open(sys.argv[2]))
installed = json.load(open(sys.argv[3]))
# The parent's own programs are the examples; every other program would be
# envelope's (tools, tests, fuzzers, benchmarks).
ours = {t["name"] for t in targets if t["subproject"] is None}
bad = [t["name"] for t in targets if t["type"] == "executable" and t["name"] not in ours]
assert not bad, f"programs of envelope in a subproject build: {bad}"
assert not tests, f"tests in a subproject build: {[t['name'] for t in tests][:5]}"
assert not [p for p in installed.values() if "/bin/" in p], "a subproject installs programs"
assert [t for t in targets if t["name"] == "envelope" and "library" in t["type"]], \
    "no envelope library target"
EOF
  fail "the subproject build configures tools, tests or fuzzers (above)"
if [ "${ENVELOPE_INSTALL_TEST_SUBPROJECT_BUILD:-0}" = 1 ]; then
  meson compile -C "$parent/build" >"$tmp/sub.log" 2>&1 ||
    { tail -30 "$tmp/sub.log" >&2; fail "building the examples in the parent project failed"; }
  for src in $examples; do
    run_example "${src%.*}" "$parent/build/${src%.*}" || fail "${src%.*} (meson subproject) failed"
  done
fi

echo "install_test: ok"
