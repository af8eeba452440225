#!/bin/bash -eu
# OSS-Fuzz build script: all logic lives in the tree (meson's `fuzzing`
# feature, fuzz/meson.build); this only hands over OSS-Fuzz's compiler,
# flags and engine, then copies the harnesses, seed corpora and dictionaries
# to $OUT.
cd "$SRC/envelope"
# meson reads CC/CXX/CFLAGS/CXXFLAGS from the environment; the sanitizer
# flags must also reach the link.
LDFLAGS="${LDFLAGS:-} $CXXFLAGS" meson setup "$WORK/build" \
  --buildtype=plain -Ddefault_library=static -Db_lundef=false \
  -Dfuzzing=enabled -Dfuzzing_engine="$LIB_FUZZING_ENGINE" \
  -Dtests=disabled -Dbenchmarks=disabled -Dexamples=disabled
ninja -C "$WORK/build" -j"$(nproc)"

# Every harness with a seed corpus (the list was hand-kept once and fell
# behind); one this configuration does not build (kms_request and
# secrets_api need Boost) is skipped.
for dir in fuzz/corpus/*/; do
  target=$(basename "$dir")
  [ -x "$WORK/build/fuzz/$target" ] || continue
  cp "$WORK/build/fuzz/$target" "$OUT/"
  (cd "fuzz/corpus/$target" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
  if [ -f "fuzz/$target.dict" ]; then cp "fuzz/$target.dict" "$OUT/"; fi
done
