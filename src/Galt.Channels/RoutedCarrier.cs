using Galt.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Channels;

/// <summary>
/// The macro-block policy carrier of spec §5.2 over any <see cref="IBlockCarrier"/> (multiple-choice items reach it
/// through an <see cref="IChoiceAdapter"/>): the carrier's layers grouped into
/// B macro-blocks; per block a route reader R_b (H → P) and carry K_b (P → P) — three independent sets with typed
/// routes —, P rank-16 experts per block shared by every branch, and P output heads (H → P) per output branch (three
/// with typed outputs). A pass for branch β starts from the uniform route; before block b the route (transformed by
/// the <see cref="RouteMode"/>) selects an expert whose residual h ← h + policy_scale·up(tanh(down(h))) is added at
/// every position, the block's layers run, and the route becomes softmax(R_b^β(summary) + K_b^β(r_in)), the summary
/// being the carrier's (at unit RMS by default, <see cref="RoutedCarrierOptions.NormalizeSummary"/>). The final
/// route selects the output head whose P-vector, times output_expert_scale, is added to
/// base_choice_scale × the carrier's own dense choice scores.
/// Initialisation (spec §5.2): readers N(0,1)·0.02/√H, carries 0.5·I, downs N·0.02/√H, ups N·0.02/√rank, biases 0,
/// output heads all zero.
/// </summary>
public sealed class RoutedCarrier : nn.Module
{
    private readonly IBlockCarrier _carrier;
    private readonly ModuleList<Linear> readers = new(), carries = new(), policy_downs = new(), policy_ups = new(), heads = new();
    private readonly int[][] _blockLayers;

    /// <summary>
    /// Wraps a text carrier, scoring multiple-choice items through a <see cref="TextChoiceAdapter"/>; the policy modules
    /// are initialised from <paramref name="seed"/>.
    /// </summary>
    public RoutedCarrier(IBlockCarrier<IReadOnlyList<string>> carrier, RoutedCarrierOptions options, int seed)
        : this(carrier, carrier is null ? null : new TextChoiceAdapter(carrier), options, seed)
    {
    }

    /// <summary>
    /// Wraps any block carrier; <paramref name="choices"/> says how multiple-choice items meet it (null: the routed
    /// carrier runs <see cref="Forward(ChannelBranch, Tensor, Tensor, RouteMode, int?)"/> on states you embed, and its
    /// choice scoring is unavailable). The policy modules are initialised from <paramref name="seed"/>.
    /// </summary>
    public RoutedCarrier(IBlockCarrier carrier, IChoiceAdapter? choices, RoutedCarrierOptions options, int seed) : base(nameof(RoutedCarrier))
    {
        ArgumentNullException.ThrowIfNull(carrier);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _carrier = carrier;
        Choices = choices;
        Options = options;
        int p = options.Policies, h = carrier.Width;
        _blockLayers = Enumerable.Range(0, (carrier.LayerCount + options.BlockSize - 1) / options.BlockSize)
            .Select(b => Enumerable.Range(b * options.BlockSize, Math.Min(options.BlockSize, carrier.LayerCount - b * options.BlockSize)).ToArray()).ToArray();
        Transform = new RouteTransform(Blocks, p);
        using var g = new Generator((ulong)seed);
        // The scope frees the initialisation's temporaries (the draws, their scaled copies, zero_'s wrappers); the layers'
        // own parameters are not in it (nn.Linear takes them out of any dispose scope).
        using (NewDisposeScope())
        using (no_grad())
        {
            for (int set = 0; set < RouteSets; set++)
                for (int b = 0; b < Blocks; b++)
                {
                    var reader = nn.Linear(h, p);
                    reader.weight!.copy_(randn(new long[] { p, h }, generator: g).Times(0.02 / Math.Sqrt(h)));
                    reader.bias!.zero_();
                    readers.Add(reader);
                    var carry = nn.Linear(p, p);
                    carry.weight!.copy_(eye(p).Times(0.5));
                    carry.bias!.zero_();
                    carries.Add(carry);
                }
            for (int e = 0; e < Blocks * p; e++)
            {
                var down = nn.Linear(h, options.ExpertRank);
                down.weight!.copy_(randn(new long[] { options.ExpertRank, h }, generator: g).Times(0.02 / Math.Sqrt(h)));
                down.bias!.zero_();
                policy_downs.Add(down);
                var up = nn.Linear(options.ExpertRank, h);
                up.weight!.copy_(randn(new long[] { h, options.ExpertRank }, generator: g).Times(0.02 / Math.Sqrt(options.ExpertRank)));
                up.bias!.zero_();
                policy_ups.Add(up);
            }
            for (int k = 0; k < OutputSets * p; k++)
            {
                var head = nn.Linear(h, p);
                head.weight!.zero_();
                head.bias!.zero_();
                heads.Add(head);
            }
        }
        RegisterComponents();
    }

    /// <summary>The settings.</summary>
    public RoutedCarrierOptions Options { get; }

    /// <summary>The wrapped carrier.</summary>
    public IBlockCarrier Carrier => _carrier;

    /// <summary>How multiple-choice items meet the carrier (null: no choice scoring).</summary>
    public IChoiceAdapter? Choices { get; }

    private IChoiceAdapter RequireChoices() => Choices ?? throw new InvalidOperationException(
        "this routed carrier was built without a choice adapter (IChoiceAdapter), so it cannot score multiple-choice items; pass one to the constructor, or run Forward on states you embed.");

    /// <summary>The carrier's own choice scores [items, options] of <paramref name="items"/> (through <see cref="Choices"/>).</summary>
    public Tensor DenseChoiceScores(IReadOnlyList<ChoiceItem> items) => RequireChoices().DenseChoiceScores(items);

    /// <summary>B, the number of macro-blocks.</summary>
    public int Blocks => _blockLayers.Length;

    /// <summary>The carrier layers of each macro-block.</summary>
    public IReadOnlyList<IReadOnlyList<int>> BlockLayers => _blockLayers;

    /// <summary>The route modes' transform, with its recorded permutations.</summary>
    public RouteTransform Transform { get; }

    private int RouteSets => Options.TypedRoutes ? 3 : 1;

    private int OutputSets => Options.TypedOutputs ? 3 : 1;

    private Linear Reader(ChannelBranch branch, int block) => readers[RouteSet(branch) * Blocks + block];

    private Linear Carry(ChannelBranch branch, int block) => carries[RouteSet(branch) * Blocks + block];

    private int RouteSet(ChannelBranch branch) => Options.TypedRoutes ? (int)branch : 0;

    private int OutputSet(ChannelBranch branch) => Options.TypedOutputs ? (int)branch : 0;

    /// <summary>One routed pass of branch <paramref name="branch"/> over multiple-choice items' prompts (through <see cref="Choices"/>).</summary>
    public RoutedPass Forward(ChannelBranch branch, IReadOnlyList<ChoiceItem> items, RouteMode mode = RouteMode.Normal, int? lastBlock = null)
    {
        var (hidden, mask) = RequireChoices().Embed(items);
        return Forward(branch, hidden, mask, mode, lastBlock);
    }

    /// <summary>
    /// One routed pass of branch <paramref name="branch"/> from the states entering the carrier's layer 0
    /// (<paramref name="hidden"/> [batch, length, H], <paramref name="mask"/> [batch, length]) under
    /// <paramref name="mode"/>. With <paramref name="lastBlock"/> the pass stops after that block (its routes only, no
    /// output bonus): what a route-forward constraint on that block needs.
    /// </summary>
    public RoutedPass Forward(ChannelBranch branch, Tensor hidden, Tensor mask, RouteMode mode = RouteMode.Normal, int? lastBlock = null)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(mask);
        if (lastBlock is < 0 || lastBlock >= Blocks) throw new ArgumentOutOfRangeException(nameof(lastBlock), $"block {lastBlock} is outside 0..{Blocks - 1}.");
        if (hidden.dim() != 3 || hidden.shape[2] != _carrier.Width)
            throw new ArgumentException($"hidden states of shape [{string.Join(", ", hidden.shape)}]: expected [batch, length, {_carrier.Width}].", nameof(hidden));
        int p = Options.Policies;
        var h = hidden;
        long n = h.shape[0];
        Tensor r;
        using (var share = (1.0 / p).ToScalar()) r = full(new long[] { n, p }, share, dtype: ScalarType.Float32, device: h.device);
        var routes = new List<Tensor>();
        var logits = new List<Tensor>();
        var experts = new List<long[]>();
        for (int b = 0; b <= (lastBlock ?? Blocks - 1); b++)
        {
            var routeIn = Transform.ForBlock(r, b, mode);
            var (weights, chosen) = Selection(routeIn);
            experts.Add(chosen);
            Tensor? residual = null;
            for (int e = 0; e < p; e++)
            {
                // Every expert is computed and weighted (one-hot under hard routing), so only the selected one gets gradient.
                var delta = policy_ups[b * p + e].call(policy_downs[b * p + e].call(h).tanh()) * weights[TensorIndex.Colon, e].reshape(n, 1, 1);
                residual = residual is null ? delta : residual.Plus(delta);
            }
            h = h.Plus(residual!.Times(Options.PolicyScale));
            foreach (int layer in _blockLayers[b]) h = _carrier.Layer(layer, h, mask);
            var summary = Summary(h, mask);
            var z = Reader(branch, b).call(summary).Plus(Carry(branch, b).call(routeIn));
            logits.Add(z);
            r = z.softmax(-1);
            routes.Add(r);
        }
        var final = Summary(h, mask);
        if (lastBlock is not null && lastBlock < Blocks - 1) return new RoutedPass(zeros(n, p, device: h.device), final, routes, logits, experts, Array.Empty<long>());
        var (bonus, head) = OutputBonus(branch, final, r, mode);
        return new RoutedPass(bonus, final, routes, logits, experts, head);
    }

    /// <summary>
    /// The output bonus [batch, P] of <paramref name="branch"/>'s heads on a final summary, the head selected by the
    /// final route under <paramref name="mode"/>, and the selected head per example.
    /// </summary>
    private (Tensor Bonus, long[] Head) OutputBonus(ChannelBranch branch, Tensor final, Tensor finalRoute, RouteMode mode)
    {
        int p = Options.Policies;
        var (outputWeights, head) = Selection(Transform.ForOutput(finalRoute, mode));
        Tensor bonus = zeros(final.shape[0], p, device: final.device);
        if (Options.OutputExpertScale > 0)
        {
            int offset = OutputSet(branch) * p;
            for (int k = 0; k < p; k++)
                bonus = bonus.Plus(heads[offset + k].call(final) * outputWeights[TensorIndex.Colon, k].unsqueeze(1));
            bonus = bonus.Times(Options.OutputExpertScale);
        }
        return (bonus, head);
    }

    /// <summary>
    /// Choice scores of every branch from one pass, possible when the routes are shared (not typed): the branches then
    /// differ only in their output heads. Returns the scores [items, P] per branch, in <see cref="ChannelBranch"/> order.
    /// </summary>
    public IReadOnlyList<Tensor> ChoiceScoresOfEveryBranch(IReadOnlyList<ChoiceItem> items, RouteMode mode = RouteMode.Normal, Tensor? dense = null)
    {
        var branches = Enum.GetValues<ChannelBranch>();
        var (scores, _) = ChoiceScoresFromOnePass(ChannelBranch.Task, items, new[] { mode }, branches, dense);
        return branches.Select(branch => scores[(branch, mode)]).ToArray();
    }

    /// <summary>
    /// Choice scores under several route modes and branches from one trunk pass of <paramref name="branch"/>: the
    /// modes must share their block routes (<see cref="RouteTransform.BlockMode"/>: Normal with ScrambleOutputOnly,
    /// Scramble with ScrambleBlocksOnly), since they differ only in the output selector; other branches than
    /// <paramref name="branch"/> only with shared (untyped) routes, since they differ only in their heads. Equal to
    /// separate <see cref="ChoiceScores"/> calls, at the cost of one. Also returns the pass (of the first mode's block routes).
    /// </summary>
    public (IReadOnlyDictionary<(ChannelBranch Branch, RouteMode Mode), Tensor> Scores, RoutedPass Pass) ChoiceScoresFromOnePass(ChannelBranch branch,
        IReadOnlyList<ChoiceItem> items, IReadOnlyList<RouteMode> modes, IReadOnlyList<ChannelBranch> branches, Tensor? dense = null)
    {
        if (modes.Count == 0 || branches.Count == 0) throw new ArgumentException("give at least one mode and one branch.");
        var blockMode = RouteTransform.BlockMode(modes[0]);
        if (modes.Any(m => RouteTransform.BlockMode(m) != blockMode))
            throw new ArgumentException($"modes {string.Join(", ", modes)} do not share their block routes, so they need separate passes.", nameof(modes));
        if (Options.TypedRoutes && branches.Any(b => b != branch))
            throw new InvalidOperationException("with typed routes each branch has its own readers, so every branch needs its own pass.");
        var (pass, denseTerm) = Pass(branch, items, blockMode, dense);
        var scores = new Dictionary<(ChannelBranch, RouteMode), Tensor>();
        foreach (var b in branches)
            foreach (var mode in modes)
            {
                var bonus = b == branch && mode == blockMode ? pass.Bonus : OutputBonus(b, pass.Summary, pass.Routes[^1], mode).Bonus;
                scores[(b, mode)] = denseTerm is null ? bonus : bonus.Plus(denseTerm);
            }
        return (scores, pass);
    }

    /// <summary>
    /// Choice scores [items, P] of branch <paramref name="branch"/>: base_choice_scale × the carrier's dense scores plus
    /// the routed bonus, for prompts rendered by <see cref="ChoiceItem.Render"/>. Also returns the pass (routes).
    /// </summary>
    /// <remarks>
    /// The dense scores do not depend on the branch or the route mode; an evaluation that scores the same items many
    /// times can pass them once as <paramref name="dense"/> (from <see cref="DenseChoiceScores"/>).
    /// </remarks>
    public (Tensor Scores, RoutedPass Pass) ChoiceScores(ChannelBranch branch, IReadOnlyList<ChoiceItem> items, RouteMode mode = RouteMode.Normal, Tensor? dense = null)
    {
        var (pass, denseTerm) = Pass(branch, items, mode, dense);
        return (denseTerm is null ? pass.Bonus : pass.Bonus.Plus(denseTerm), pass);
    }

    /// <summary>The routed pass over the rendered items and the scaled dense term (null when the base scale is 0).</summary>
    private (RoutedPass Pass, Tensor? DenseTerm) Pass(ChannelBranch branch, IReadOnlyList<ChoiceItem> items, RouteMode mode, Tensor? dense)
    {
        if (items.Count == 0) throw new ArgumentException("no choice items to score.", nameof(items));
        foreach (var item in items) item.Validate(Options.Policies);
        var pass = Forward(branch, items, mode);
        if (!(Options.BaseChoiceScale > 0)) return (pass, null);
        dense = (dense ?? DenseChoiceScores(items)).to(ScalarType.Float32);
        if (dense.shape[0] != items.Count || dense.shape[1] != Options.Policies)
            throw new ArgumentException($"dense scores of shape [{string.Join(", ", dense.shape)}] do not fit {items.Count} items of {Options.Policies} options.", nameof(dense));
        return (pass, Options.BaseChoiceScale == 1 ? dense : dense.Times(Options.BaseChoiceScale));
    }

    /// <summary>
    /// Block <paramref name="block"/>'s trainable parameters for block masking (spec §2.6): its carrier layers, its route
    /// readers and carries in every route set, its experts, and — for the last block — every output head.
    /// </summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> BlockParameters(int block, bool policyOnly = false)
    {
        if (block < 0 || block >= Blocks) throw new ArgumentOutOfRangeException(nameof(block), $"block {block} is outside 0..{Blocks - 1}.");
        var result = new List<(string, Parameter)>();
        if (!policyOnly)
            foreach (int layer in _blockLayers[block]) result.AddRange(_carrier.LayerParameters(layer).Where(p => p.Parameter.requires_grad));
        result.AddRange(PolicyParameters(block));
        return result;
    }

    /// <summary>Block <paramref name="block"/>'s policy tensors only (readers, carries, experts; the output heads with the last block).</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> PolicyParameters(int block)
    {
        int p = Options.Policies;
        var result = new List<(string, Parameter)>();
        for (int set = 0; set < RouteSets; set++)
        {
            result.AddRange(Named($"readers.{set * Blocks + block}", readers[set * Blocks + block]));
            result.AddRange(Named($"carries.{set * Blocks + block}", carries[set * Blocks + block]));
        }
        for (int e = block * p; e < (block + 1) * p; e++)
        {
            result.AddRange(Named($"policy_downs.{e}", policy_downs[e]));
            result.AddRange(Named($"policy_ups.{e}", policy_ups[e]));
        }
        if (block == Blocks - 1)
            for (int k = 0; k < heads.Count; k++) result.AddRange(Named($"heads.{k}", heads[k]));
        return result;
    }

    private static IEnumerable<(string, Parameter)> Named(string prefix, Linear layer) =>
        layer.named_parameters().Select(p => ($"{prefix}.{p.name}", p.parameter));

    /// <summary>The carrier's summary in float32, at unit RMS per example when <see cref="RoutedCarrierOptions.NormalizeSummary"/>.</summary>
    private Tensor Summary(Tensor hidden, Tensor mask)
    {
        var s = _carrier.Summarize(hidden, mask).to(ScalarType.Float32);
        return Options.NormalizeSummary ? s * s.Power(2).mean(new long[] { -1 }, keepdim: true).Plus(1e-6).rsqrt() : s;
    }

    private (Tensor Weights, long[] Chosen) Selection(Tensor route)
    {
        // First-index argmax: a uniform route picks expert (or head) 0, as the release's argmax does.
        var chosen = route.argmax(-1);
        var indices = chosen.data<long>().ToArray();
        var weights = Options.HardRouting ? nn.functional.one_hot(chosen, Options.Policies).to(ScalarType.Float32) : route;
        return (weights, indices);
    }
}
