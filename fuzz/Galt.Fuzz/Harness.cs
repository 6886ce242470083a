namespace Galt.Fuzz;

/// <summary>
/// One reader under fuzz. <see cref="Run"/> feeds it one input; a refusal of the reader's documented error type whose
/// message names the input is the expected answer to bad input and is returned, anything else escapes and is a finding:
/// another exception type (IndexOutOfRange, NullReference, Overflow, OutOfMemory, a native error), a refusal that does
/// not name the input, or a <see cref="FuzzFinding"/> thrown by a harness check on what the reader accepted.
/// Every concrete subclass in this assembly is a harness (<see cref="HarnessCatalog"/>): adding one is adding one file.
/// </summary>
internal abstract class Harness
{
    private readonly List<string> _refusals = new();

    /// <summary>The name the harness is selected by (<c>dotnet Galt.Fuzz.dll &lt;name&gt;</c>) and its corpus folder <c>fuzz/corpus/&lt;name&gt;/</c>.</summary>
    public abstract string Name { get; }

    /// <summary>What the harness reads, in one line.</summary>
    public abstract string Summary { get; }

    /// <summary>The path the input is given to the reader as; a refusal's message must contain it.</summary>
    protected virtual string Source => $"/fuzz/input.{Name}";

    /// <summary>Runs the reader(s) on <paramref name="input"/>; returns the refusals (empty when every read accepted it).</summary>
    public IReadOnlyList<string> Run(byte[] input)
    {
        _refusals.Clear();
        Read(input);
        return _refusals.ToArray();
    }

    /// <summary>Small valid and near-valid inputs for <c>fuzz/corpus/&lt;name&gt;/</c> (the <c>seeds</c> command); none by default, then the corpus is committed by hand.</summary>
    public virtual IEnumerable<(string Name, byte[] Content)> Seeds() => [];

    /// <summary>Feeds <paramref name="input"/> to the reader, each read wrapped in <see cref="Refusable"/>.</summary>
    protected abstract void Read(byte[] input);

    /// <summary>True when <paramref name="e"/> is the reader's documented refusal of bad input.</summary>
    protected abstract bool IsRefusal(Exception e);

    /// <summary>Runs one read: a documented refusal that names the input is recorded; everything else propagates.</summary>
    protected void Refusable(Action read)
    {
        try
        {
            read();
        }
        catch (Exception e) when (IsRefusal(e))
        {
            if (!e.Message.Contains(Source, StringComparison.Ordinal))
                throw new FuzzFinding($"{Name}: the refusal does not name the input '{Source}': {e.Message}", e);
            _refusals.Add(e.Message);
        }
    }

    /// <summary>The input as text, decoded as the readers decode a file (UTF-8, byte-order mark honoured, invalid bytes replaced).</summary>
    protected static string Text(byte[] input)
    {
        using var reader = new StreamReader(new MemoryStream(input));
        return reader.ReadToEnd();
    }

    /// <summary>The input as a text reader over the same decoding as <see cref="Text"/>.</summary>
    protected static TextReader Lines(byte[] input) => new StreamReader(new MemoryStream(input));

    /// <summary>UTF-8 bytes of a seed written as text.</summary>
    protected static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
