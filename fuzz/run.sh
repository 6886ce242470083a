#!/usr/bin/env bash
# Fuzzes Galt's file readers with AFL++ and SharpFuzz (docs/fuzzing.md).
#
#   fuzz/run.sh [-n EXECUTIONS] [HARNESS...]      default: every harness in HARNESSES, FUZZ_EXECS (100000) executions each
#
# Builds fuzz/Galt.Fuzz, copies its output to fuzz/out/app with the Galt assemblies instrumented by the local tool
# `sharpfuzz` (TorchSharp and the BCL are not instrumented), runs afl-fuzz on each harness from its seed corpus
# fuzz/corpus/<name>/ (plus fuzz/dict/<name>.dict when present) until it has made the given number of executions,
# and prints one row per harness. Findings stay under fuzz/out/findings/<name>/default/{crashes,hangs}/; replay one
# with the uninstrumented build to see its exception:
#   dotnet fuzz/Galt.Fuzz/bin/Release/net10.0/Galt.Fuzz.dll <name> fuzz/out/findings/<name>/default/crashes
# Needs afl-fuzz on the PATH (Debian: apt-get install afl++). Exit status 1 when any harness found a crash or hang.
set -euo pipefail

# The harnesses run by default, in order; a new harness adds its name here (and its fuzz/corpus/<name>/ seeds).
HARNESSES=(idx curriculum contrast prompts checkpoint toml)
# The assemblies whose code is instrumented for coverage: Galt's own, never TorchSharp's.
INSTRUMENT=(Galt Galt.Experiments Galt.Cli)

EXECS="${FUZZ_EXECS:-100000}"
MAX_SECONDS="${FUZZ_MAX_SECONDS:-7200}"      # a per-harness wall-clock cap, in case throughput collapses
TIMEOUT_MS="${FUZZ_TIMEOUT_MS:-10000}"       # one execution longer than this is a hang (it includes restarting a dead child)
while getopts "n:h" opt; do
  case "$opt" in
    n) EXECS="$OPTARG" ;;
    *) sed -n '2,12p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
(($#)) && HARNESSES=("$@")

root="$(cd "$(dirname "$0")/.." && pwd)"
fuzz="$root/fuzz"
bin="$fuzz/Galt.Fuzz/bin/Release/net10.0"
out="$fuzz/out"
app="$out/app"
command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: install AFL++ (Debian: apt-get install afl++)" >&2; exit 2; }

cd "$root"
dotnet tool restore >/dev/null
dotnet build -c Release "$fuzz/Galt.Fuzz/Galt.Fuzz.csproj" -nologo -v quiet

# A fresh copy of the build output (hard links: libtorch is large) whose Galt assemblies are real copies, instrumented
# in place; the build output itself, and the files it links to in the NuGet cache, stay untouched.
rm -rf "$app"
mkdir -p "$out/findings"
cp -al "$bin" "$app"
for name in "${INSTRUMENT[@]}"; do
  rm "$app/$name.dll"
  cp "$bin/$name.dll" "$app/$name.dll"
  dotnet sharpfuzz "$app/$name.dll" >/dev/null
done

export AFL_SKIP_BIN_CHECK=1                  # the target is `dotnet`; the coverage comes from the instrumented assemblies
export AFL_NO_AFFINITY=1                     # a shared machine: do not pin a core
export AFL_SKIP_CPUFREQ=1
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_NO_UI=1
export AFL_FORKSRV_INIT_TMOUT=60000          # the .NET runtime and TorchSharp take seconds to start
export AFL_FAST_CAL=1

rows=()
status=0
for name in "${HARNESSES[@]}"; do
  corpus="$fuzz/corpus/$name"
  [[ -d "$corpus" && -n "$(ls -A "$corpus")" ]] || { echo "$name: no seed corpus in $corpus" >&2; exit 2; }
  findings="$out/findings/$name"
  rm -rf "$findings"
  dict=()
  [[ -f "$fuzz/dict/$name.dict" ]] && dict=(-x "$fuzz/dict/$name.dict")
  echo "== $name: $EXECS executions (log: $out/$name.log)"
  start=$(date +%s%N)
  afl-fuzz -i "$corpus" -o "$findings" -t "$TIMEOUT_MS" -E "$EXECS" -V "$MAX_SECONDS" "${dict[@]}" \
    -- "$(command -v dotnet)" "$app/Galt.Fuzz.dll" "$name" >"$out/$name.log" 2>&1 || { tail -20 "$out/$name.log" >&2; exit 1; }
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  stats="$findings/default/fuzzer_stats"
  execs=$(awk -F' *: *' '$1=="execs_done"{print $2}' "$stats")
  crashes=$(find "$findings/default/crashes" -name 'id:*' | wc -l)
  hangs=$(find "$findings/default/hangs" -name 'id:*' | wc -l)
  ((crashes + hangs > 0)) && status=1
  rows+=("$(printf '| %-12s | %10s | %8s | %7s | %5s | %7s |' "$name" "$execs" "$((execs * 1000 / (ms > 0 ? ms : 1)))" "$crashes" "$hangs" "$((ms / 1000)).$((ms % 1000 / 100))s")")
done

printf '\n| %-12s | %10s | %8s | %7s | %5s | %7s |\n' harness executions "exec/s" crashes hangs time
printf '|%s|%s|%s|%s|%s|%s|\n' -------------- ------------ ---------- --------- ------- ---------
printf '%s\n' "${rows[@]}"
exit "$status"
