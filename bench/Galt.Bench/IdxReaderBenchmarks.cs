using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Galt.Experiments.Data;

namespace Galt.Bench;

/// <summary>Reading a 10,000-image IDX file (the size of MNIST's test set), raw.</summary>
[MemoryDiagnoser]
public class IdxReaderBenchmarks
{
    private string _path = "";

    [GlobalSetup]
    public void Setup()
    {
        const int count = 10_000;
        var bytes = new byte[16 + count * 784];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(0), IdxReader.ImageMagic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), 28);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), 28);
        new Random(1).NextBytes(bytes.AsSpan(16));
        _path = Path.Combine(Path.GetTempPath(), $"galt-bench-{Guid.NewGuid():N}-idx3-ubyte");
        File.WriteAllBytes(_path, bytes);
    }

    [Benchmark]
    public int ReadImages() => IdxReader.ReadImages(_path).Count;

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);
}
