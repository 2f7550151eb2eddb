using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.DependencyInjection;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;

namespace ReleaseGateway.Web.Infrastructure;

/// <summary>
/// Lets a page take a source table up to the gateway's upload limit (<c>ReleaseGateway:MaxUploadBytes</c>) as a
/// form file, instead of the server's default request size. Runs before anything reads the form, antiforgery included.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class SourceUploadLimitsAttribute : Attribute, IFilterFactory, IOrderedFilter
{
    // Form framing (boundaries, other fields) on top of the file itself.
    private const long FormOverhead = 64 * 1024;

    public bool IsReusable => true;

    public int Order => int.MinValue;

    public IFilterMetadata CreateInstance(IServiceProvider serviceProvider) =>
        new Filter(serviceProvider.GetRequiredService<SourceTableStore>().MaxUploadBytes + FormOverhead);

    private sealed class Filter(long limit) : IAuthorizationFilter, IOrderedFilter
    {
        public int Order => int.MinValue;

        public void OnAuthorization(AuthorizationFilterContext context)
        {
            var http = context.HttpContext;
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;
            if (http.Request.HasFormContentType && http.Features.Get<IFormFeature>()?.Form is null)
                http.Features.Set<IFormFeature>(new FormFeature(http.Request, new FormOptions { MultipartBodyLengthLimit = limit }));
        }
    }
}
