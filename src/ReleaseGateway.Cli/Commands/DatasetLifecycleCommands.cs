using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ReleaseGateway.Cli.Gateway;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Datasets.Lifecycle;

namespace ReleaseGateway.Cli;

/// <summary><c>rgw datasets version | set-policy | retire | history</c>: a dataset's lifecycle (data stewards; ADR 0057).</summary>
internal static class DatasetLifecycleCommands
{
    public static IEnumerable<Command> Create() => [Version(), SetPolicy(), Retire(), History()];

    private static Option<string> Reason(string what) => new("--reason") { Description = what + " (recorded with the event)", Required = true };

    private static Command Version()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var dataset = DatasetsCommands.DatasetArgument();
        var file = new Option<FileInfo>("--file") { Description = "The new version's table (CSV with a header row, matching the schema)", Required = true };
        var reason = Reason("Why there is a new version");
        var command = new Command("version",
            "Upload a new version of a dataset's source table; its budget ledger continues or restarts as the dataset's policy (versions.ledger) says")
        {
            credentials, dataset, file, reason,
        };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            var csv = parse.GetValue(file)!;
            if (!csv.Exists) throw new UsageException($"The file {csv.FullName} does not exist.");
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var target = await DatasetsCommands.ResolveAsync(gateway, parse.GetValue(dataset)!, ct);
            await using var body = csv.OpenRead();
            using var response = await gateway.SendAsync(() =>
            {
                var content = new StreamContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
                var request = new HttpRequestMessage(HttpMethod.Post, $"/datasets/{target.Id}/versions?reason={Uri.EscapeDataString(parse.GetValue(reason)!)}")
                {
                    Content = content,
                };
                request.Headers.ExpectContinue = true;
                return request;
            }, ct);
            var uploaded = await response.Content.ReadFromJsonAsync<DatasetDetails>(GatewayClient.Json, ct)
                ?? throw new JsonException("The gateway answered the upload with an empty body.");
            var history = await gateway.GetAsync<List<DatasetHistoryEntry>>($"/datasets/{target.Id}/history", ct);
            Console.WriteLine($"Uploaded {csv.Name} as version {uploaded.CurrentVersion} of {uploaded.Name}: {uploaded.SourceRows} rows, sha256 {uploaded.SourceSha256}.");
            Console.WriteLine(history[^1].Detail);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command SetPolicy()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var dataset = DatasetsCommands.DatasetArgument();
        var policy = new Option<string>("--policy") { Description = "A policy the gateway loaded (policies/NAME.yaml)", Required = true };
        var reason = Reason("Why the policy changes");
        var command = new Command("set-policy", "Put a dataset under another policy, for requests submitted from now on (data stewards)")
        {
            credentials, dataset, policy, reason,
        };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var target = await DatasetsCommands.ResolveAsync(gateway, parse.GetValue(dataset)!, ct);
            var changed = await gateway.SendJsonAsync<DatasetDetails>(HttpMethod.Put, $"/datasets/{target.Id}/policy",
                new { policy = parse.GetValue(policy), reason = parse.GetValue(reason) }, ct);
            Console.WriteLine($"{changed.Name} is under policy {changed.Policy} for new requests; requests already submitted keep theirs.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Retire()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var dataset = DatasetsCommands.DatasetArgument();
        var reason = Reason("Why the dataset is retired");
        var command = new Command("retire", "Retire a dataset: no new requests; published releases stay downloadable until they expire (data stewards)")
        {
            credentials, dataset, reason,
        };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var target = await DatasetsCommands.ResolveAsync(gateway, parse.GetValue(dataset)!, ct);
            var retired = await gateway.SendJsonAsync<DatasetDetails>(HttpMethod.Post, $"/datasets/{target.Id}/retire", new { reason = parse.GetValue(reason) }, ct);
            Console.WriteLine($"Retired {retired.Name} at {retired.RetiredAt:u}; it takes no new requests.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command History()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var dataset = DatasetsCommands.DatasetArgument();
        var command = new Command("history", "A dataset's events: registration, versions, committee and policy changes, retirement, with reasons") { credentials, dataset };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var target = await DatasetsCommands.ResolveAsync(gateway, parse.GetValue(dataset)!, ct);
            foreach (var e in await gateway.GetAsync<List<DatasetHistoryEntry>>($"/datasets/{target.Id}/history", ct))
                Console.WriteLine($"{e.At:u}  {e.Event,-24}  {e.Detail}");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
