using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace ReleaseGateway.Web.Infrastructure;

/// <summary>
/// Content security policies beyond the one every <c>/ui</c> response gets from the host (no script, no other origin):
/// pages that embed an evaluation report may frame this gateway's own pages; the report itself may use exactly its own
/// inline styles (by hash) and inline images (<c>data:</c>, ScottPlot's colour bars), and nothing else — no script, no
/// origin at all — and may be framed only by this gateway's pages.
/// </summary>
public static partial class ContentSecurity
{
    /// <summary>Adds <c>frame-src 'self'</c> to the response's policy: the page embeds a report served from /ui.</summary>
    public static void AllowSameOriginFrames(HttpResponse response)
    {
        var policy = response.Headers.ContentSecurityPolicy.ToString();
        if (policy.Length > 0 && !policy.Contains("frame-src", StringComparison.Ordinal))
            response.Headers.ContentSecurityPolicy = policy + "; frame-src 'self'";
    }

    /// <summary>Serves <paramref name="html"/> (a stored evaluation report) under a policy that allows what it contains and nothing more.</summary>
    public static void ForReport(HttpResponse response, string html)
    {
        response.Headers.ContentSecurityPolicy = ReportPolicy(html);
        response.Headers.XFrameOptions = "SAMEORIGIN";
    }

    public static string ReportPolicy(string html)
    {
        var elements = StyleElement().Matches(html).Select(m => m.Groups[1].Value);
        var attributes = StyleAttribute().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[2].Value)).ToList();
        var hashes = elements.Concat(attributes).Distinct(StringComparer.Ordinal)
            .Select(s => $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(s)))}'").ToList();
        if (attributes.Count > 0) hashes.Add("'unsafe-hashes'");
        var styles = hashes.Count == 0 ? "'none'" : string.Join(' ', hashes);
        return $"default-src 'none'; style-src {styles}; img-src data:; frame-ancestors 'self'; form-action 'none'; base-uri 'none'";
    }

    [GeneratedRegex("<style[^>]*>(.*?)</style>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex StyleElement();

    [GeneratedRegex("\\sstyle=(\"|')(.*?)\\1", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex StyleAttribute();
}
