using System.Globalization;
using System.Text;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Web.Infrastructure;

/// <summary>How the pages write times, states and event names.</summary>
public static class Display
{
    /// <summary>UTC, to the minute, the same for every reader.</summary>
    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>"CommitteeReview" → "Committee review", "AccessRequestSubmitted" → "Access request submitted".</summary>
    public static string Words(string pascal)
    {
        var text = new StringBuilder(pascal.Length + 8);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (i > 0 && char.IsUpper(c) && !char.IsUpper(pascal[i - 1])) text.Append(' ').Append(char.ToLowerInvariant(c));
            else text.Append(c);
        }
        return text.ToString();
    }

    /// <summary>"sign-off" → "Sign off".</summary>
    public static string Trigger(string trigger) => trigger.Length == 0 ? trigger : char.ToUpperInvariant(trigger[0]) + trigger[1..].Replace('-', ' ');

    /// <summary>A workflow step as a timeline reads it: "pass-gates" → "The release checks passed".</summary>
    public static string Step(string trigger) => trigger switch
    {
        WorkflowTriggers.AcceptForReview => "Accepted for committee review",
        WorkflowTriggers.RequestChanges => "Changes requested",
        WorkflowTriggers.Resubmit => "Resubmitted",
        WorkflowTriggers.Withdraw => "Withdrawn",
        WorkflowTriggers.StartGeneration => "Generation started (budget charged)",
        WorkflowTriggers.CompleteGeneration => "Synthetic table generated",
        WorkflowTriggers.PassGates => "The release checks passed",
        WorkflowTriggers.Block => "Release blocked by a gate",
        WorkflowTriggers.SignOff => "Signed off",
        WorkflowTriggers.RefuseSignOff => "Sign-off refused",
        WorkflowTriggers.Publish => "Released",
        WorkflowTriggers.Revoke => "Release revoked",
        WorkflowTriggers.Expire => "Release expired",
        _ => Trigger(trigger),
    };

    /// <summary>A step's recorded detail without the trigger it starts with ("pass-gates: release …" → "release …").</summary>
    public static string? StepDetail(string? detail, string trigger) =>
        detail is null || detail == trigger ? null
        : detail.StartsWith(trigger + ": ", StringComparison.Ordinal) ? detail[(trigger.Length + 2)..]
        : detail;

    /// <summary>A running step's stage in words: the evaluator's "attribute-inference:age" → "attribute inference of age".</summary>
    public static string Stage(string stage) => stage.Replace(":", " of ", StringComparison.Ordinal).Replace('-', ' ');

    /// <summary>
    /// The generator a request names, or the one the gateway will use when it names none ("aim (the gateway's default)"),
    /// so the request and its release name the same generator.
    /// </summary>
    public static string Generator(string? name) => name ?? $"{ReleaseGateway.Datasets.Generators.GeneratorCatalog.Default.Name} (the gateway's default)";

    /// <summary>δ as people write it: "10⁻⁶" for 1E-06, else the number (δ is a probability, usually a power of ten).</summary>
    public static string Delta(double delta)
    {
        var exponent = Math.Log10(delta);
        if (delta > 0 && Math.Abs(exponent - Math.Round(exponent)) < 1e-9 && exponent <= -3)
            return "10" + string.Concat(((int)Math.Round(exponent)).ToString(CultureInfo.InvariantCulture).Select(Superscript));
        return delta.ToString("G3", CultureInfo.InvariantCulture);
    }

    private static char Superscript(char c) => c switch
    {
        '-' => '⁻', '0' => '⁰', '1' => '¹', '2' => '²', '3' => '³', '4' => '⁴', '5' => '⁵', '6' => '⁶', '7' => '⁷', '8' => '⁸', '9' => '⁹', _ => c,
    };

    public static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
