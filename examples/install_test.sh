#!/bin/sh
# examples/install_test.sh: prove the installed library is usable on its own.
#
#   install_test.sh BUILD_DIR SOURCE_FILE PREFIX LIBDIR INCLUDEDIR
#
# Installs BUILD_DIR into a temporary DESTDIR, checks the installed public
# headers include nothing from OpenSSL or libsodium, then compiles
# SOURCE_FILE (examples/basic.cc) against the install with pkg-config and runs
# it twice: linked against the shared libenvelope, and linked statically
# against libenvelope.a. Any failure stops the script with a message and a
# non-zero exit status.
set -eu

fail() {
  echo "install_test: error: $*" >&2
  exit 1
}

[ $# -eq 5 ] || fail "usage: $0 BUILD_DIR SOURCE_FILE PREFIX LIBDIR INCLUDEDIR"
build_dir=$1
source_file=$2
prefix=$3
libdir=$4
includedir=$5
case $libdir in /*) ;; *) libdir=$prefix/$libdir ;; esac
case $includedir in /*) ;; *) includedir=$prefix/$includedir ;; esac

# CXX may be several words (e.g. "ccache c++"); it is split on purpose below.
CXX=${CXX:-c++}
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
[ -f "$inc/envelope.hpp" ] || fail "envelope.hpp not installed at $inc"
[ -f "$lib/libenvelope.a" ] || fail "libenvelope.a not installed in $lib"
[ -e "$lib/libenvelope.so" ] || fail "libenvelope.so not installed in $lib"
[ -f "$lib/pkgconfig/envelope.pc" ] || fail "envelope.pc not installed in $lib/pkgconfig"

echo "== public headers include nothing from OpenSSL or libsodium"
if grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](openssl/|sodium)' "$inc"; then
  fail "an installed public header includes OpenSSL or libsodium (above)"
fi
# The grep must have had headers to look at.
[ "$(find "$inc" -name '*.hpp' | wc -l)" -ge 4 ] || fail "fewer public headers than expected in $inc"

# Point pkg-config at the install only; the sysroot prefixes its -I and -L.
PKG_CONFIG_PATH=$lib/pkgconfig
PKG_CONFIG_SYSROOT_DIR=$dest
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
pkg-config --exists envelope || fail "pkg-config does not find envelope in $PKG_CONFIG_PATH"
cflags=$(pkg-config --cflags envelope)
libs=$(pkg-config --libs envelope)
static_libs=$(pkg-config --static --libs envelope)
echo "cflags: $cflags"
echo "libs: $libs"
echo "static libs: $static_libs"
case " $cflags " in *" -I$inc/.. "* | *" -I$dest$includedir "*) ;;
  *) fail "pkg-config --cflags does not point into the install: $cflags" ;; esac

echo "== shared: compile, link, run"
# shellcheck disable=SC2086  # CXX and the pkg-config output are lists of words
$CXX -o "$tmp/basic_shared" "$source_file" $cflags $libs ||
  fail "compiling $source_file against the installed shared library failed"
LD_LIBRARY_PATH=$lib ldd "$tmp/basic_shared" >"$tmp/ldd.txt" 2>&1 || true
grep -q "libenvelope\.so.*=> $lib/" "$tmp/ldd.txt" ||
  { cat "$tmp/ldd.txt" >&2; fail "basic_shared does not load libenvelope from the install"; }
LD_LIBRARY_PATH=$lib "$tmp/basic_shared" || fail "basic (shared) exited with status $?"

echo "== static: compile, link against libenvelope.a, run"
static_args=
for word in $static_libs; do
  if [ "$word" = "-lenvelope" ]; then
    static_args="$static_args $lib/libenvelope.a"
  else
    static_args="$static_args $word"
  fi
done
case $static_args in *libenvelope.a*) ;; *) fail "pkg-config --static --libs lacks -lenvelope" ;; esac
# shellcheck disable=SC2086
$CXX -o "$tmp/basic_static" "$source_file" $cflags $static_args ||
  fail "compiling $source_file against libenvelope.a failed"
if ldd "$tmp/basic_static" | grep -q libenvelope; then
  fail "basic_static still depends on a shared libenvelope"
fi
# No LD_LIBRARY_PATH: the static binary must not need the install at run time.
"$tmp/basic_static" || fail "basic (static) exited with status $?"

echo "install_test: ok"
