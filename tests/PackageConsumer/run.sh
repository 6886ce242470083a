#!/usr/bin/env bash
# Packs the Galt library into a local folder feed, then builds and runs, in a temporary folder outside this
# repository, a project that references only that package (PackageConsumer.csproj.template) with the SafetyConstraint
# example as its program: the package restores, its build step makes TorchSharp load on this host, and a constrained
# run ends feasible. Needs a Release build of src/Galt (dotnet build -c Release). Exits non-zero on any failure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
# A version no earlier run used, so NuGet's global package folder never serves a stale copy; removed at the end.
version="0.1.0-local.$(date -u +%Y%m%d%H%M%S).$$"
packages="$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')"
cleanup() { rm -rf "$work" "${packages%/}/galt/$version"; }
trap cleanup EXIT

echo "package consumer: packing Galt $version"
dotnet pack "$repo/src/Galt/Galt.csproj" -c Release --no-build -p:PackageVersion="$version" -o "$work/feed" --nologo -v quiet
nupkg="$work/feed/Galt.$version.nupkg"
[ -f "$nupkg" ] || { echo "package consumer: $nupkg was not produced"; exit 1; }
# What must travel in the package: the library, its XML docs, README, licence and the ELF-fix build step.
listing="$(unzip -l "$nupkg")"
for entry in lib/net10.0/Galt.dll lib/net10.0/Galt.xml README.md LICENSE buildTransitive/Galt.targets buildTransitive/ElfVersionPatch.cs build/Galt.targets; do
  grep -q " $entry\$" <<< "$listing" || { echo "package consumer: $entry is missing from $(basename "$nupkg")"; exit 1; }
done

mkdir -p "$work/consumer"
cp "$here/PackageConsumer.csproj.template" "$work/consumer/PackageConsumer.csproj"
cp "$repo/examples/SafetyConstraint/Program.cs" "$work/consumer/Program.cs"
cat > "$work/consumer/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="galt-local-feed" value="$work/feed" />
  </packageSources>
</configuration>
CONFIG
cd "$work/consumer"
echo "package consumer: building a project outside the repository against the package"
# Hard-linked copy-local files, as a disk-conscious user may build: the package's ELF fix must then replace the
# output's libLibTorchSharp.so by a rename and leave the shared NuGet cache copy byte for byte as it was.
cached="$(find "${packages%/}/torchsharp" -path '*runtimes/linux-x64/native/libLibTorchSharp.so' | head -n 1)"
before="$( [ -n "$cached" ] && sha256sum "$cached" | cut -d' ' -f1 || true)"
dotnet build -c Release -p:GaltVersion="$version" -p:CreateHardLinksForCopyLocalIfPossible=true --nologo -v quiet
if [ -n "$cached" ] && [ "$(sha256sum "$cached" | cut -d' ' -f1)" != "$before" ]; then
  echo "package consumer: the build changed the NuGet cache's $cached"; exit 1
fi
echo "package consumer: running its constrained training"
dotnet bin/Release/net10.0/PackageConsumer.dll
echo "package consumer: passed"
