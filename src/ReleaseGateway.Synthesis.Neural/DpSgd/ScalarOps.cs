using TorchSharp;
using static TorchSharp.torch;

namespace ReleaseGateway.Synthesis.Neural.DpSgd;

/// <summary>
/// Tensor-scalar operations with an explicitly owned <see cref="Scalar"/>. TorchSharp 0.107's implicit
/// double-to-Scalar conversions leave the native scalar to the finalizer, which can free it while the
/// native call still reads it (seen as sporadic "Unknown scalar type" crashes under GC pressure; see
/// dotnet/TorchSharp#1434). Here the scalar stays alive until the call has returned.
/// </summary>
internal static class ScalarOps
{
    public static Tensor With(double value, Func<Scalar, Tensor> operation)
    {
        using Scalar scalar = value.ToScalar();
        return operation(scalar);
    }

    /// <summary>a + b (the operator passes an implicit alpha = 1 scalar, exposed to the same race).</summary>
    public static Tensor Add(Tensor a, Tensor b) => With(1.0, one => a.add(b, one));

    /// <summary>a - b.</summary>
    public static Tensor Subtract(Tensor a, Tensor b) => With(-1.0, minusOne => a.add(b, minusOne));

    public static Tensor With(long value, Func<Scalar, Tensor> operation)
    {
        using Scalar scalar = value.ToScalar();
        return operation(scalar);
    }
}
