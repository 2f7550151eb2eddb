using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.WebUtilities;

namespace ReleaseGateway.Web.Infrastructure;

/// <summary>
/// Live progress without script, under the person's control (WCAG 2.2.1, timing adjustable): a page whose state is
/// changing sets <c>ViewData["RefreshSeconds"]</c> and shows the <c>_Refresh</c> partial; the layout emits a
/// <c>&lt;meta http-equiv="refresh"&gt;</c> only after the person chose "refresh this page" (<c>?follow=on</c>), and
/// the same partial then offers to stop. A page that reloads itself unasked moves keyboard focus and restarts screen
/// readers every few seconds.
/// </summary>
public static class AutoRefresh
{
    public const string Query = "follow";

    public static bool IsOn(HttpRequest request) => request.Query[Query] == "on";

    /// <summary>This page's address with refreshing turned on or off (other query values kept).</summary>
    public static string Link(HttpRequest request, bool on)
    {
        var query = QueryHelpers.ParseQuery(request.QueryString.Value)
            .Where(p => p.Key != Query)
            .SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v ?? "")))
            .ToList();
        if (on) query.Add(new(Query, "on"));
        return request.PathBase + request.Path + new QueryBuilder(query).ToQueryString();
    }
}
