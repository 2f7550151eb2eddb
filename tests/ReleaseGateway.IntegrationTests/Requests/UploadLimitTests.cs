using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;
using static ReleaseGateway.IntegrationTests.Requests.RequestsApi;

namespace ReleaseGateway.IntegrationTests.Requests;

/// <summary>The gateway with a 4 KiB upload limit: above the good test table, below the one here.</summary>
public sealed class SmallUploadLimitHost : SqliteGatewayHost
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["ReleaseGateway:MaxUploadBytes"] = "4096";
}

public sealed class UploadLimitTests(SmallUploadLimitHost host) : IClassFixture<SmallUploadLimitHost>
{
    [Fact]
    public async Task Given_UploadOverTheLimit_When_Sent_Then_RefusedWith413AndNothingIsStored()
    {
        var (steward, _) = await host.CreateClientForRoleAsync(Roles.DataSteward);
        var registered = await Json(await RegisterAsync(steward, "big-" + Guid.NewGuid().ToString("N")[..10]), HttpStatusCode.Created);
        var id = Guid.Parse((string)registered["id"]!);
        var csv = "mrn,age,sex,outcome\n" + string.Concat(Enumerable.Range(0, 600).Select(i => $"{i},40,F,no\n"));

        // Declared too large: refused before reading. Streamed without a length: refused while streaming.
        // (With Expect: 100-continue, as curl sends for large bodies, the client waits for the verdict before sending.)
        using (var declared = new HttpRequestMessage(HttpMethod.Put, $"/datasets/{id}/source") { Content = new StringContent(csv, System.Text.Encoding.UTF8, "text/csv") })
        {
            declared.Headers.ExpectContinue = true;
            await Problem(await steward.SendAsync(declared), HttpStatusCode.RequestEntityTooLarge, "RG2015");
        }
        await Problem(await steward.PutAsync($"/datasets/{id}/source", new UnknownLengthContent(csv)), HttpStatusCode.RequestEntityTooLarge, "RG2015");

        Assert.False(host.Services.GetRequiredService<SourceTableStore>().Exists(id));
        var sources = Path.Combine(host.DataDirectory, "sources");
        Assert.Empty(Directory.Exists(sources) ? Directory.EnumerateFiles(sources, "*", SearchOption.AllDirectories) : []);
        await Json(await UploadAsync(steward, id, GoodCsv), HttpStatusCode.OK);
    }
}

/// <summary>A body sent chunked, without Content-Length, as a large streamed upload would be.</summary>
internal sealed class UnknownLengthContent : HttpContent
{
    private readonly string text;

    public UnknownLengthContent(string text)
    {
        this.text = text;
        Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
    }

    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
        stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text)).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
