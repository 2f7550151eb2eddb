using Microsoft.AspNetCore.Http;

namespace ReleaseGateway.Web.Infrastructure;

/// <summary>One page of a list, numbered from 1; the page number is clamped to the pages there are.</summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, int Page, int PageCount, int Total)
{
    public static Paged<T> Of(IReadOnlyList<T> all, int page, int size = Paging.Size)
    {
        var count = Math.Max(1, (all.Count + size - 1) / size);
        page = Math.Clamp(page, 1, count);
        return new Paged<T>(all.Skip((page - 1) * size).Take(size).ToList(), page, count, all.Count);
    }

    /// <summary>Page <paramref name="page"/> of a list paged in the database (<paramref name="documents"/> is that page).</summary>
    public static Paged<T> Of(ReleaseGateway.EventStore.DocumentPage<T> documents, int page, int size = Paging.Size) =>
        new(documents.Documents, page, Math.Max(1, (documents.Total + size - 1) / size), documents.Total);

    public Pager Pager(HttpRequest request) => new(Page, PageCount, Total, request.Path, request.Query);
}

public static class Paging
{
    /// <summary>Rows per page of every list (requests, releases, jobs, evaluations).</summary>
    public const int Size = 50;
}

/// <summary>Links to the neighbouring pages of a list, keeping the other query parameters.</summary>
public sealed record Pager(int Page, int PageCount, int Total, string Path, IQueryCollection Query)
{
    /// <summary>The query parameter holding the page number (two lists on one page page apart).</summary>
    public string PageParameter { get; init; } = "page";

    /// <summary>Where the links go on the page (a fragment, e.g. <c>#history</c>), so the reader lands on the list.</summary>
    public string Fragment { get; init; } = "";

    public string Link(int page) => Path + QueryString.Create(Query.Where(q => q.Key != PageParameter)
        .SelectMany(q => q.Value.Select(v => KeyValuePair.Create(q.Key, v)))
        .Append(KeyValuePair.Create(PageParameter, (string?)page.ToString(System.Globalization.CultureInfo.InvariantCulture)))) + Fragment;
}
