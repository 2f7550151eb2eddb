using System.CommandLine;
using ReleaseGateway.Cli.Gateway;
using ReleaseGateway.Requests.Agreements;

namespace ReleaseGateway.Cli;

/// <summary>
/// <c>rgw agreements show | publish | status | accept</c>: a dataset's data-use agreement (docs/committees.md, ADR 0055). The
/// registering steward publishes versions; the requester accepts the current one for a request before downloading its release.
/// </summary>
internal static class AgreementsCommands
{
    public static Command Create()
    {
        var agreements = new Command("agreements", "Data-use agreements: show, publish a new version (steward), see and accept for a request (requester)");
        agreements.Subcommands.Add(Show());
        agreements.Subcommands.Add(Publish());
        agreements.Subcommands.Add(Status());
        agreements.Subcommands.Add(Accept());
        return agreements;
    }

    private static Argument<Guid> RequestArgument() => new("REQUEST") { Description = "The access request's id" };

    private static void Print(AgreementVersion v)
    {
        Console.WriteLine($"version {v.Number}: {v.Title}  (published {v.PublishedAt:u}, sha256 {v.TextSha256})");
        Console.WriteLine();
        Console.WriteLine(v.Text);
    }

    private static Command Show()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var dataset = DatasetsCommands.DatasetArgument();
        var command = new Command("show", "The current version of a dataset's agreement, and how many versions it had") { credentials, dataset };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var target = await DatasetsCommands.ResolveAsync(gateway, parse.GetValue(dataset)!, ct);
            var agreement = await gateway.GetAsync<DataUseAgreement>($"/datasets/{target.Id}/agreement", ct);
            Console.WriteLine($"Data-use agreement of {target.Name}: {agreement.Versions.Count} version(s)");
            Print(agreement.Current);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Publish()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var dataset = DatasetsCommands.DatasetArgument();
        var title = new Option<string>("--title") { Description = "The agreement's title", Required = true };
        var text = new Option<FileInfo>("--text-file") { Description = "A plain-text file with the agreement's text", Required = true };
        var command = new Command("publish", "Publish a new version of the dataset's agreement (the registering steward); every requester accepts it again")
        {
            credentials, dataset, title, text,
        };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var target = await DatasetsCommands.ResolveAsync(gateway, parse.GetValue(dataset)!, ct);
            var file = parse.GetValue(text)!;
            if (!file.Exists) throw new UsageException($"No file {file.FullName}.");
            var agreement = await gateway.SendJsonAsync<DataUseAgreement>(HttpMethod.Put, $"/datasets/{target.Id}/agreement",
                new AgreementBody(parse.GetValue(title), await File.ReadAllTextAsync(file.FullName, ct)), ct);
            Console.WriteLine($"Published version {agreement.Current.Number} of the data-use agreement of {target.Name} (sha256 {agreement.Current.TextSha256}).");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Status()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var request = RequestArgument();
        var command = new Command("status", "The agreement a request's downloads need, and which version the request accepted") { credentials, request };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var status = await gateway.GetAsync<AgreementStatus>($"/requests/{parse.GetValue(request)}/agreement", ct);
            if (status.Current is not { } current)
            {
                Console.WriteLine("The dataset has no data-use agreement; its releases download without one.");
                return ExitCodes.Ok;
            }
            Print(current);
            Console.WriteLine();
            Console.WriteLine(status.MustAccept
                ? $"Not accepted{(status.AcceptedNumber is { } n ? $" (version {n} was)" : "")}: rgw agreements accept {status.RequestId} --version {current.Number}"
                : $"Accepted version {status.AcceptedNumber} at {status.AcceptedAt:u}.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Accept()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var request = RequestArgument();
        var version = new Option<int?>("--version") { Description = "The version you read and accept (default: the current one, after printing it)" };
        var command = new Command("accept", "Accept the current version of the agreement for your request (before the first download)")
        {
            credentials, request, version,
        };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var requestId = parse.GetValue(request);
            var number = parse.GetValue(version);
            if (number is null)
            {
                var status = await gateway.GetAsync<AgreementStatus>($"/requests/{requestId}/agreement", ct);
                if (status.Current is { } current) Print(current);
                number = status.Current?.Number ?? 1;
            }
            var accepted = await gateway.SendJsonAsync<AgreementStatus>(HttpMethod.Post, $"/requests/{requestId}/agreement/accept", new AcceptBody(number.Value), ct);
            Console.WriteLine($"Accepted version {accepted.AcceptedNumber} of the data-use agreement for request {requestId}; its release can be downloaded.");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
