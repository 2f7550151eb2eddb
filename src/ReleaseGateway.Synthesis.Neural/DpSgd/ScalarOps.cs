using TorchSharp;
using static TorchSharp.torch;

namespace ReleaseGateway.Synthesis.Neural.DpSgd;

/// <summary>
/// Tensor operations that involve a <see cref="Scalar"/>, each with the scalar owned here and kept alive
/// until the native call has returned. The only place in this assembly that creates scalars
/// (tests/ReleaseGateway.Synthesis.Neural.Tests/Concurrency/NativeLifetimeTests.cs checks it).
/// </summary>
/// <remarks>
/// Why: TorchSharp 0.107 passes raw native handles to libtorch and frees them in finalizers. Once the
/// JIT has read an object's handle the object is no longer live, so a garbage collection during the
/// native call (started by another thread, or by the background GC) lets the finalizer thread free the
/// native object while libtorch still reads it. For scalars TorchSharp creates itself (an implicit
/// double-to-Scalar conversion, the alpha = 1 of <c>Tensor.add(Tensor)</c> and <c>Tensor.add(Scalar)</c>,
/// the exponent 2 of <c>Tensor.square()</c>) this surfaces as sporadic <c>ExternalException</c>s
/// ("Unknown scalar type", "INTERNAL ASSERT FAILED at c10/core/Scalar.h") under CPU contention, which
/// stretches the window (dotnet/TorchSharp#1434, #1496). Tensors are protected the same way by running
/// every tensor operation inside a <see cref="DisposeScope"/>, which keeps its tensors reachable.
/// </remarks>
internal static class ScalarOps
{
    /// <summary>Runs <paramref name="operation"/> with a scalar holding <paramref name="value"/>, disposed after the call.</summary>
    public static Tensor With(double value, Func<Scalar, Tensor> operation)
    {
        using Scalar scalar = value.ToScalar();
        return operation(scalar);
    }

    /// <summary>Same for an integer scalar.</summary>
    public static Tensor With(long value, Func<Scalar, Tensor> operation)
    {
        using Scalar scalar = value.ToScalar();
        return operation(scalar);
    }

    /// <summary>a + b (TorchSharp's operator passes an implicit alpha = 1 scalar).</summary>
    public static Tensor Add(Tensor a, Tensor b) => With(1.0, one => a.add(b, one));

    /// <summary>a - b.</summary>
    public static Tensor Subtract(Tensor a, Tensor b) => With(-1.0, minusOne => a.add(b, minusOne));

    /// <summary>a + value (<c>Tensor.add(Scalar)</c> would pass an implicit alpha = 1 scalar).</summary>
    public static Tensor AddScalar(Tensor a, double value)
    {
        using Scalar scalar = value.ToScalar();
        using Scalar one = 1.0.ToScalar();
        return a.add(scalar, one);
    }

    /// <summary>a + value for an integer tensor (the result stays integer).</summary>
    public static Tensor AddScalar(Tensor a, long value)
    {
        using Scalar scalar = value.ToScalar();
        using Scalar one = 1L.ToScalar();
        return a.add(scalar, one);
    }

    /// <summary>a², element-wise (<c>Tensor.square()</c> is <c>pow</c> with an implicit scalar exponent; a·a is the same value).</summary>
    public static Tensor Square(Tensor a) => a.mul(a);
}
