using Galt.Build;

namespace Galt.Tests.Build;

/// <summary>The build step that marks GLIBCXX_3.4.32 weak in libLibTorchSharp.so (build/ElfVersionPatch.cs).</summary>
public class ElfVersionPatchTests
{
    private const string Version = "GLIBCXX_3.4.32";
    private static readonly string OutputCopy = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [SkippableFact]
    public void LibTorchSharpRequiresTheVersionFromLibStdCxx()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the file and the fix are Linux-only");
        var needs = ElfSymbolVersions.ReadNeeds(File.ReadAllBytes(OutputCopy), OutputCopy);
        var need = Assert.Single(needs, n => n.Version == Version);
        Assert.Equal("libstdc++.so.6", need.File);
        Assert.Contains(needs, n => n.Version == "GLIBC_2.2.5");
    }

    [SkippableFact]
    public void BuildMarkedTheOutputCopyWeakExactlyWhenTheHostLacksTheVersion()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the file and the fix are Linux-only");
        bool hostHasIt = ElfSymbolVersions.HostDefines(Version);
        var need = ElfSymbolVersions.ReadNeeds(File.ReadAllBytes(OutputCopy), OutputCopy).Single(n => n.Version == Version);
        Assert.Equal(!hostHasIt, need.IsWeak);
    }

    [SkippableFact]
    public void HostLibStdCxxDefinitionsAreRead()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the file and the fix are Linux-only");
        string? lib = ElfSymbolVersions.FindHostLibStdCxx();
        Assert.NotNull(lib);
        var defined = ElfSymbolVersions.ReadDefinitions(File.ReadAllBytes(lib!), lib!);
        Assert.Contains("GLIBCXX_3.4", defined);
        Assert.Contains("CXXABI_1.3", defined);
    }

    [SkippableFact]
    public void MarkWeakChangesOneByteAndIsIdempotent()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the file and the fix are Linux-only");
        string dir = TempDir.Create();
        string copy = Path.Combine(dir, "libLibTorchSharp.so");
        File.Copy(OutputCopy, copy);
        // Restore the pristine flags (the build may already have weakened the output copy).
        byte[] pristine = File.ReadAllBytes(copy);
        var need = ElfSymbolVersions.ReadNeeds(pristine, copy).Single(n => n.Version == Version);
        pristine[need.FlagsOffset] &= unchecked((byte)~ElfSymbolVersions.VerFlagWeak);
        File.WriteAllBytes(copy, pristine);
        Assert.False(ElfSymbolVersions.ReadNeeds(pristine, copy).Single(n => n.Version == Version).IsWeak);

        Assert.Equal("patched", ElfSymbolVersions.MarkWeak(copy, Version));
        byte[] once = File.ReadAllBytes(copy);
        Assert.Equal(pristine.Length, once.Length);
        Assert.Equal(1, pristine.Zip(once).Count(p => p.First != p.Second));
        Assert.True(ElfSymbolVersions.ReadNeeds(once, copy).Single(n => n.Version == Version).IsWeak);

        Assert.Equal("already-weak", ElfSymbolVersions.MarkWeak(copy, Version));
        Assert.Equal(once, File.ReadAllBytes(copy));
        Assert.Equal("not-required", ElfSymbolVersions.MarkWeak(copy, "GLIBCXX_9.9.99"));
    }

    [Fact]
    public void NonElfInputIsRejectedWithItsName()
    {
        string path = Path.Combine(TempDir.Create(), "not-a-library.so");
        File.WriteAllText(path, "hello");
        var e = Assert.Throws<InvalidDataException>(() => ElfSymbolVersions.MarkWeak(path, Version));
        Assert.Contains("not-a-library.so", e.Message);
        Assert.Contains("not an ELF file", e.Message);
    }
}
