using ReleaseGateway.Evaluation.Tables;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Synthesis.Synthesizers;

namespace ReleaseGateway.Evaluation.Attacks;

/// <summary>The gateway's own synthesizer (MST or AIM) as a <see cref="SyntheticGenerator"/> for shadow modelling.</summary>
public static class MarginalSynthesizerGenerator
{
    /// <summary>
    /// Wraps <see cref="Synthesizer.Run"/> with the release's method, ε and δ: each call codes the shadow
    /// training table, synthesises as many rows as it has with the given seed, and decodes the result.
    /// </summary>
    public static SyntheticGenerator Create(SchemaCoding coding, SynthesisMethod method, double epsilon, double delta)
    {
        ArgumentNullException.ThrowIfNull(coding);
        return (training, seed, cancellationToken) =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            var options = new SynthesisOptions { Method = method, Epsilon = epsilon, Delta = delta, Rows = training.RowCount, Seed = seed };
            var result = Synthesizer.Run(new TableMarginalSource(coding.ToEncoded(training)), options);
            return coding.ToEval(result.Table);
        };
    }
}
