using System.Globalization;
using System.Text;

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

    public static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
