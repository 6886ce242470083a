namespace Galt.Jacobians;

/// <summary>How an optimizer obtains constraint values and Jacobian rows.</summary>
public enum JacobianPath
{
    /// <summary>Batched where a constraint and its model allow it (<see cref="BatchedJacobians"/>), autograd otherwise. The default.</summary>
    Auto,

    /// <summary>Always batched; a constraint or model that cannot be batched is an error.</summary>
    Batched,

    /// <summary>Always one autograd pass per constraint (the reference path).</summary>
    Autograd,
}
