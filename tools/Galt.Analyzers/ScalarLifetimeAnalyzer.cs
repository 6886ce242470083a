using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Galt.Analyzers;

/// <summary>
/// Refuses code that makes a TorchSharp <c>Scalar</c> nobody disposes. TorchSharp 0.107 passes a Scalar's native handle to
/// libtorch without keeping the object alive, so an undisposed Scalar can be freed by its finalizer while libtorch reads
/// it (a use-after-free; upstream pull request 1496). Three shapes make one silently:
/// GALT0001, a number converted to <c>Scalar</c> (<c>x.mul(0.5)</c>, <c>alpha: lr</c>, <c>clamp(min: 0)</c>);
/// GALT0002, a TorchSharp operator with a number operand (<c>x * 0.5</c>, <c>1 - x</c>), which converts inside TorchSharp;
/// GALT0003, a TorchSharp member that makes one inside (<c>a + b</c> and <c>a.add(b)</c> pass a fresh Scalar 1,
/// <c>t.ToSingle()</c> goes through <c>ToScalar()</c>).
/// The fix is an explicit Scalar that is disposed (<c>using var s = v.ToScalar();</c>) or a cached constant in a static
/// field, or Galt's helpers that do that.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ScalarLifetimeAnalyzer : DiagnosticAnalyzer
{
    private const string Category = "Reliability";
    private const string Help = "docs/troubleshooting.md";

    internal static readonly DiagnosticDescriptor ImplicitScalar = new(
        "GALT0001", "A Scalar left to the finalizer",
        "'{0}' becomes a TorchSharp Scalar that nobody disposes; its finalizer can free it while libtorch uses it: pass an explicit, disposed Scalar (using var s = v.ToScalar()) or a cached constant",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: Help);

    internal static readonly DiagnosticDescriptor NumberOperand = new(
        "GALT0002", "A TorchSharp operator with a number operand",
        "TorchSharp's operator '{0}' with the number '{1}' makes a Scalar that nobody disposes: call the method with an explicit, disposed Scalar or a cached constant",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: Help);

    internal static readonly DiagnosticDescriptor HiddenScalar = new(
        "GALT0003", "A TorchSharp member that makes a Scalar inside",
        "'{0}' makes a Scalar inside TorchSharp that nobody disposes ({1})",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: Help);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(ImplicitScalar, NumberOperand, HiddenScalar);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var scalar = start.Compilation.GetTypeByMetadataName("TorchSharp.Scalar");
            var tensor = start.Compilation.GetTypeByMetadataName("TorchSharp.torch+Tensor");
            if (scalar is null || tensor is null) return;
            start.RegisterOperationAction(c => OnConversion(c, scalar), OperationKind.Conversion);
            start.RegisterOperationAction(c => OnBinary(c, scalar, tensor), OperationKind.Binary, OperationKind.CompoundAssignment);
            start.RegisterOperationAction(c => OnInvocation(c, scalar, tensor), OperationKind.Invocation);
        });
    }

    private static void OnConversion(OperationAnalysisContext context, INamedTypeSymbol scalar)
    {
        var conversion = (IConversionOperation)context.Operation;
        if (!SymbolEqualityComparer.Default.Equals(conversion.Type, scalar)) return;
        if (conversion.Operand.Type is null || SymbolEqualityComparer.Default.Equals(conversion.Operand.Type, scalar)) return;
        if (InStaticFieldInitializer(conversion)) return; // a cached constant lives as long as the process
        context.ReportDiagnostic(Diagnostic.Create(ImplicitScalar, conversion.Syntax.GetLocation(), conversion.Operand.Syntax.ToString()));
    }

    private static void OnBinary(OperationAnalysisContext context, INamedTypeSymbol scalar, INamedTypeSymbol tensor)
    {
        IMethodSymbol? method; IOperation left, right; string op;
        switch (context.Operation)
        {
            case IBinaryOperation b: method = b.OperatorMethod; left = b.LeftOperand; right = b.RightOperand; op = b.OperatorKind.ToString(); break;
            case ICompoundAssignmentOperation c: method = c.OperatorMethod; left = c.Target; right = c.Value; op = c.OperatorKind.ToString(); break;
            default: return;
        }
        if (method is null || !IsTorch(method.ContainingType)) return;
        if (InStaticFieldInitializer(context.Operation)) return;
        foreach (var (operand, parameter) in new[] { (left, method.Parameters[0]), (right, method.Parameters[1]) })
        {
            if (IsNumber(parameter.Type))
            {
                context.ReportDiagnostic(Diagnostic.Create(NumberOperand, context.Operation.Syntax.GetLocation(), op, operand.Syntax.ToString()));
                return;
            }
        }
        // Tensor + Tensor calls add(Tensor), which passes a fresh Scalar 1 as alpha (sub(Tensor) has no alpha).
        if (op == "Add" && method.Parameters.All(p => SymbolEqualityComparer.Default.Equals(p.Type, tensor)))
            context.ReportDiagnostic(Diagnostic.Create(HiddenScalar, context.Operation.Syntax.GetLocation(), context.Operation.Syntax.ToString(), "Tensor + Tensor passes a fresh Scalar 1 as alpha: a.add(b, one) with a cached one"));
        else if (op == "Add" && method.Parameters.Any(p => SymbolEqualityComparer.Default.Equals(p.Type, scalar)))
            context.ReportDiagnostic(Diagnostic.Create(HiddenScalar, context.Operation.Syntax.GetLocation(), context.Operation.Syntax.ToString(), "Tensor + Scalar passes a fresh Scalar 1 as alpha: a.add(s, one) with a cached one"));
    }

    private static void OnInvocation(OperationAnalysisContext context, INamedTypeSymbol scalar, INamedTypeSymbol tensor)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (!IsTorch(method.ContainingType)) return;
        var why = HiddenScalarReason(method, scalar, tensor);
        if (why is null) return;
        context.ReportDiagnostic(Diagnostic.Create(HiddenScalar, invocation.Syntax.GetLocation(), method.Name, why));
    }

    /// <summary>
    /// The TorchSharp 0.107 members whose bodies make a Scalar they never dispose: every call to the Scalar conversion
    /// operator or <c>ToScalar</c> found in the IL of TorchSharp.dll 0.107.0 (tensor arithmetic operators are handled by
    /// <see cref="OnBinary"/>; probability distributions, string formatting and modules Galt does not use are left out).
    /// Key: containing type, member name and parameter count.
    /// </summary>
    private static readonly System.Collections.Generic.Dictionary<string, string> Hidden = new()
    {
        ["Tensor.add/1"] = "add without alpha passes a fresh Scalar 1: pass alpha (e.g. ExplicitScalars.One)",
        ["Tensor.add_/1"] = "add_ without alpha passes a fresh Scalar 1: pass alpha (e.g. ExplicitScalars.One)",
        ["Tensor.addcdiv/2"] = "addcdiv without value passes a fresh Scalar 1: pass value",
        ["Tensor.addcdiv_/2"] = "addcdiv_ without value passes a fresh Scalar 1: pass value",
        ["Tensor.square/0"] = "square() is pow(2) with a fresh Scalar: x * x, or Power(2)",
        ["Tensor.softplus/2"] = "softplus converts beta and threshold to Scalars",
        ["Tensor.celu/0"] = "celu converts alpha to a Scalar",
        ["Tensor.celu_/0"] = "celu_ converts alpha to a Scalar",
        ["Tensor.elu/1"] = "elu converts alpha to a Scalar",
        ["Tensor.elu_/1"] = "elu_ converts alpha to a Scalar",
        ["torch.add/2"] = "torch.add(a, b) calls a.add(b), which passes a fresh Scalar 1",
        ["torch.arange/4"] = "arange(stop) makes its start and step Scalars: ExplicitScalars.Range",
        ["torch.arange/5"] = "arange(start, stop) makes its step Scalar: ExplicitScalars.Range",
        ["torch.normal/8"] = "normal(mean, std, size) converts mean and std to Scalars",
        ["functional.celu/3"] = "celu converts alpha to a Scalar",
        ["functional.hardshrink/2"] = "hardshrink converts lambda to a Scalar",
        ["functional.hardtanh/4"] = "hardtanh converts its bounds to Scalars",
        ["functional.leaky_relu/3"] = "leaky_relu converts the slope to a Scalar",
        ["functional.softshrink/2"] = "softshrink converts lambda to a Scalar",
        ["functional.threshold/4"] = "threshold converts its values to Scalars",
    };

    /// <summary>TorchSharp's optimizers whose step makes a Scalar per parameter and never disposes it.</summary>
    private static readonly System.Collections.Generic.HashSet<string> ScalarLeakingOptimizers = new()
    {
        "Adam", "AdamW", "Adadelta", "Adagrad", "Adamax", "ASGD", "NAdam", "RAdam", "RMSProp", "Rprop", "SGD",
    };

    private static string? HiddenScalarReason(IMethodSymbol method, INamedTypeSymbol scalar, INamedTypeSymbol tensor)
    {
        var ps = method.Parameters;
        var type = method.ContainingType;
        if (type.Name == "TensorExtensionMethods" && ps.Length == 1 && SymbolEqualityComparer.Default.Equals(ps[0].Type, tensor)
            && method.Name.StartsWith("To") && method.Name != "ToScalar" && method.Name != "ToTensor" && method.Name != "ToString")
            return $"{method.Name}() goes through ToScalar(): read the value with item<T>()";
        if (method.Name == "step" && ScalarLeakingOptimizers.Contains(type.Name))
            return $"TorchSharp's {type.Name}.step makes Scalars per parameter: use Galt.Optim.Explicit{type.Name} or a step with explicit Scalars";
        var key = $"{type.Name}.{method.Name}/{ps.Length}";
        return Hidden.TryGetValue(key, out var why) ? why : null;
    }

    private static bool IsTorch(INamedTypeSymbol? type)
    {
        for (var t = type; t is not null; t = t.ContainingType)
            if (t.ContainingNamespace?.ToDisplayString() == "TorchSharp" || t.ContainingNamespace?.ToDisplayString().StartsWith("TorchSharp.") == true)
                return true;
        return false;
    }

    private static bool IsNumber(ITypeSymbol type) => type.SpecialType is SpecialType.System_Byte or SpecialType.System_SByte
        or SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_Int32 or SpecialType.System_UInt32
        or SpecialType.System_Int64 or SpecialType.System_UInt64 or SpecialType.System_Single or SpecialType.System_Double
        or SpecialType.System_Boolean;

    private static bool InStaticFieldInitializer(IOperation operation)
    {
        for (var o = operation; o is not null; o = o.Parent)
            if (o is IFieldInitializerOperation f)
                return f.InitializedFields.All(field => field.IsStatic);
        return false;
    }
}
