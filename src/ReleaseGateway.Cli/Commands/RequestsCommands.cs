using System.CommandLine;
using ReleaseGateway.Cli.Gateway;
using ReleaseGateway.Evaluation.Gates;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;

namespace ReleaseGateway.Cli;

/// <summary>
/// <c>rgw requests submit | show | list | accept | vote | request-changes | declare-conflict | withdraw | resubmit | releases | wait</c>:
/// an access request from submission (researcher) through screening (steward) and the committee's votes to the release the
/// pipeline makes of it; every step a person takes on the request page, from a terminal.
/// </summary>
internal static class RequestsCommands
{
    /// <summary>Exit code of <c>wait</c> when the request ends without a published release (blocked, rejected, ...).</summary>
    private const int NotReleased = 3;

    public static Command Create()
    {
        var requests = new Command("requests", "Submit, screen, vote on and follow access requests");
        requests.Subcommands.Add(Submit());
        requests.Subcommands.Add(Show());
        requests.Subcommands.Add(Accept());
        requests.Subcommands.Add(Vote());
        requests.Subcommands.Add(Releases());
        requests.Subcommands.Add(Wait());
        requests.Subcommands.Add(List());
        requests.Subcommands.Add(Withdraw());
        requests.Subcommands.Add(Resubmit());
        requests.Subcommands.Add(RequestChanges());
        requests.Subcommands.Add(DeclareConflict());
        return requests;
    }

    private static Argument<Guid> RequestArgument() => new("REQUEST") { Description = "The request's id" };

    private static Command Submit()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var dataset = new Option<string>("--dataset") { Description = "The dataset's id or name", Required = true };
        var title = new Option<string>("--title") { Description = "A short title", Required = true };
        var purpose = new Option<string>("--purpose") { Description = "What the synthetic data is for", Required = true };
        var justification = new Option<string>("--justification") { Description = "Why these columns, this ε and this many rows", Required = true };
        var intendedUse = new Option<string>("--intended-use") { Description = "How the data will be used and by whom", Required = true };
        var columns = new Option<string[]>("--columns")
        {
            Description = "Columns to release (comma-separated or repeated; default: every releasable column)", AllowMultipleArgumentsPerToken = true,
        };
        var epsilon = new Option<double>("--epsilon") { Description = "The privacy budget ε this release may spend", Required = true };
        var rows = new Option<int?>("--rows") { Description = "Rows of the synthetic table (default: as many as the source table)" };
        var generator = new Option<string?>("--generator") { Description = "Generator (aim or mst, as the dataset's policy allows; default aim)" };
        var accessDays = new Option<int>("--access-days") { Description = "Days the release stays downloadable", DefaultValueFactory = _ => 30 };
        var idempotencyKey = new Option<string?>("--idempotency-key") { Description = "Repeating a submission with the same key returns the same request" };
        var quiet = new Option<bool>("--quiet") { Description = "Print only the new request's id" };
        var command = new Command("submit", "Submit an access request for a synthetic release (researchers)")
        {
            credentials, dataset, title, purpose, justification, intendedUse, columns, epsilon, rows, generator, accessDays, idempotencyKey, quiet,
        };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var target = await DatasetsCommands.ResolveAsync(gateway, parse.GetValue(dataset)!, ct);
            var chosen = parse.GetValue(columns) is { Length: > 0 } given
                ? given.SelectMany(c => c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList()
                : target.SynthesisColumns.ToList();
            var body = new
            {
                datasetId = target.Id, title = parse.GetValue(title), purpose = parse.GetValue(purpose), justification = parse.GetValue(justification),
                intendedUse = parse.GetValue(intendedUse), columns = chosen, epsilon = parse.GetValue(epsilon),
                rows = parse.GetValue(rows) ?? (int)(target.SourceRows ?? throw new UsageException(
                    $"Give --rows: the source table's size of {target.Name} is shown only to data stewards and compliance (or it has none yet).")),
                generator = parse.GetValue(generator), accessDays = parse.GetValue(accessDays),
            };
            Dictionary<string, string> headers = parse.GetValue(idempotencyKey) is { } key ? new() { ["Idempotency-Key"] = key } : [];
            var request = await gateway.SendJsonAsync<AccessRequestDetails>(HttpMethod.Post, "/requests", body, ct, headers);
            Console.WriteLine(parse.GetValue(quiet)
                ? request.Id.ToString()
                : $"Submitted request {request.Id} on {target.Name}: ε = {request.Terms.Epsilon}, {request.Terms.Rows} rows, columns {string.Join(", ", request.Terms.Columns)}; state {request.State}.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Show()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var id = RequestArgument();
        var command = new Command("show", "A request's terms, state, votes, timeline and release attempts") { credentials, id };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var request = await gateway.GetAsync<AccessRequestDetails>($"/requests/{parse.GetValue(id)}", ct);
            var t = request.Terms;
            var people = await PeopleNames.ResolveAsync(gateway,
                [request.RequesterId, .. request.CurrentVotes.Keys, .. request.Timeline.Select(e => e.By)], ct);
            Console.WriteLine($"Request {request.Id}: {t.Title}");
            Console.WriteLine($"state:     {request.State} (workflow {request.Workflow}, version {request.Version})");
            Console.WriteLine($"dataset:   {request.DatasetId}");
            Console.WriteLine($"terms:     ε = {t.Epsilon}, {t.Rows} rows, generator {t.Generator ?? "default"}, {t.AccessDays} access days");
            Console.WriteLine($"columns:   {string.Join(", ", t.Columns)}");
            if (request.CurrentVotes.Count > 0)
                Console.WriteLine($"votes:     {string.Join(", ", request.CurrentVotes.Select(v => $"{people.Name(v.Key)}: {v.Value}"))}");
            Console.WriteLine("timeline:");
            foreach (var e in request.Timeline)
                Console.WriteLine($"  {e.At:u}  {e.Event,-32} → {e.State,-16} by {people.Name(e.By)}{(e.Detail is null ? "" : $" ({e.Detail})")}");
            var releases = await gateway.GetAsync<List<ReleaseView>>($"/requests/{request.Id}/releases", ct);
            foreach (var r in releases)
                Console.WriteLine($"release:   {r.Release.Id} attempt {r.Release.Attempt}: {ReleaseCommands.Progress(r)}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Accept()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var id = RequestArgument();
        var command = new Command("accept", "Screening passed: hand the request to the committee (data stewards)") { credentials, id };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var request = await gateway.SendJsonAsync<AccessRequestDetails>(HttpMethod.Post, $"/decisions/{parse.GetValue(id)}/accept-for-review", null, ct);
            Console.WriteLine($"Request {request.Id} accepted for review; state {request.State}.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Vote()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var id = RequestArgument();
        var decision = new Argument<string>("DECISION") { Description = "approve or reject" };
        decision.AcceptOnlyFromAmong("approve", "reject");
        var reason = new Option<string>("--reason") { Description = "The reason, recorded with the vote", Required = true };
        var command = new Command("vote", "Vote on a request in committee review (committee members)") { credentials, id, decision, reason };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var request = await gateway.SendJsonAsync<AccessRequestDetails>(HttpMethod.Post, $"/decisions/{parse.GetValue(id)}/votes",
                new { decision = parse.GetValue(decision), reason = parse.GetValue(reason) }, ct);
            Console.WriteLine($"Vote recorded ({parse.GetValue(decision)}); request {request.Id} is {request.State}.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command List()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var awaiting = new Option<bool>("--awaiting") { Description = "Requests awaiting my vote (committee members) instead of my own requests" };
        var command = new Command("list", "My requests, newest first (researchers); with --awaiting, those awaiting my vote") { credentials, awaiting };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var list = await gateway.GetAsync<List<ReleaseGateway.Requests.AccessRequests.ListMyRequests.AccessRequestSummary>>(
                parse.GetValue(awaiting) ? "/decisions/awaiting" : "/requests/mine", ct);
            if (list.Count == 0) Console.WriteLine(parse.GetValue(awaiting) ? "Nothing awaits your vote." : "You have no requests.");
            foreach (var r in list)
                Console.WriteLine($"{r.Id}  {r.State,-18} {r.UpdatedAt:yyyy-MM-dd HH:mm}  {r.Title}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Withdraw()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var id = RequestArgument();
        var command = new Command("withdraw", "Withdraw my request while it is not yet released (researchers)") { credentials, id };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var request = await gateway.SendJsonAsync<AccessRequestDetails>(HttpMethod.Post, $"/requests/{parse.GetValue(id)}/withdraw", null, ct);
            Console.WriteLine($"Request {request.Id} withdrawn; state {request.State}.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Resubmit()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var id = RequestArgument();
        var title = new Option<string?>("--title") { Description = "New title (default: unchanged)" };
        var purpose = new Option<string?>("--purpose") { Description = "New purpose (default: unchanged)" };
        var justification = new Option<string?>("--justification") { Description = "New justification (default: unchanged)" };
        var intendedUse = new Option<string?>("--intended-use") { Description = "New intended use (default: unchanged)" };
        var columns = new Option<string[]>("--columns") { Description = "Columns, comma-separated or repeated (default: unchanged)", AllowMultipleArgumentsPerToken = true };
        var epsilon = new Option<double?>("--epsilon") { Description = "New ε (default: unchanged)" };
        var rows = new Option<int?>("--rows") { Description = "New number of rows (default: unchanged)" };
        var generator = new Option<string?>("--generator") { Description = "New generator (default: unchanged)" };
        var accessDays = new Option<int?>("--access-days") { Description = "New access days (default: unchanged)" };
        var command = new Command("resubmit", "Revise and resubmit my request after the committee or steward asked for changes (researchers); unchanged terms stay")
        {
            credentials, id, title, purpose, justification, intendedUse, columns, epsilon, rows, generator, accessDays,
        };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var current = await gateway.GetAsync<AccessRequestDetails>($"/requests/{parse.GetValue(id)}", ct);
            var t = current.Terms;
            var body = new
            {
                datasetId = current.DatasetId, title = parse.GetValue(title) ?? t.Title, purpose = parse.GetValue(purpose) ?? t.Purpose,
                justification = parse.GetValue(justification) ?? t.Justification, intendedUse = parse.GetValue(intendedUse) ?? t.IntendedUse,
                columns = parse.GetValue(columns) is { Length: > 0 } given
                    ? given.SelectMany(c => c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList()
                    : t.Columns.ToList(),
                epsilon = parse.GetValue(epsilon) ?? t.Epsilon, rows = parse.GetValue(rows) ?? t.Rows, generator = parse.GetValue(generator) ?? t.Generator,
                accessDays = parse.GetValue(accessDays) ?? t.AccessDays,
            };
            var request = await gateway.SendJsonAsync<AccessRequestDetails>(HttpMethod.Post, $"/requests/{current.Id}/resubmit", body, ct);
            Console.WriteLine($"Request {request.Id} resubmitted: ε = {request.Terms.Epsilon}, {request.Terms.Rows} rows; state {request.State}.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command RequestChanges()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var id = RequestArgument();
        var reason = new Option<string>("--reason") { Description = "What must change, sent to the researcher", Required = true };
        var command = new Command("request-changes", "Send the request back to its researcher (data stewards in screening, committee members in review)")
        {
            credentials, id, reason,
        };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var request = await gateway.SendJsonAsync<AccessRequestDetails>(HttpMethod.Post, $"/decisions/{parse.GetValue(id)}/changes",
                new { reason = parse.GetValue(reason) }, ct);
            Console.WriteLine($"Request {request.Id} sent back to its researcher; state {request.State}.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command DeclareConflict()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var id = RequestArgument();
        var command = new Command("declare-conflict", "Declare a conflict of interest: I am recused from the request (committee members)") { credentials, id };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var request = await gateway.SendJsonAsync<AccessRequestDetails>(HttpMethod.Post, $"/decisions/{parse.GetValue(id)}/conflicts", null, ct);
            Console.WriteLine($"Conflict of interest recorded: you are recused from request {request.Id}; state {request.State}.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Releases()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var id = RequestArgument();
        var quiet = new Option<bool>("--quiet") { Description = "Print only the release ids, oldest attempt first" };
        var command = new Command("releases", "The request's release attempts with their status and progress") { credentials, id, quiet };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var releases = await gateway.GetAsync<List<ReleaseView>>($"/requests/{parse.GetValue(id)}/releases", ct);
            foreach (var r in releases)
                Console.WriteLine(parse.GetValue(quiet) ? r.Release.Id.ToString() : $"{r.Release.Id}  attempt {r.Release.Attempt}  {ReleaseCommands.Progress(r)}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Wait()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var id = RequestArgument();
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait at most", DefaultValueFactory = _ => 600 };
        var command = new Command("wait",
            "Follow an approved request's release through generation and evaluation, printing progress; exit 0 when published " +
            "(or awaiting sign-off), 3 when blocked or the request ended without a release")
        {
            credentials, id, timeout,
        };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var requestId = parse.GetValue(id);
            var deadline = DateTimeOffset.UtcNow.AddSeconds(parse.GetValue(timeout));
            string? last = null;
            while (true)
            {
                // The gateway says what the request's own workflow definition makes of its state: no state names here.
                var request = await gateway.GetAsync<PipelineView>($"/requests/{requestId}/pipeline", ct);
                var latest = request.Releases.LastOrDefault();
                var line = latest is null ? $"request {request.State}, waiting for the pipeline to start" : ReleaseCommands.Progress(latest);
                if (line != last) Console.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss}  {line}");
                last = line;

                if (latest?.Release.Status == ReleaseStatus.Published)
                {
                    Console.WriteLine($"Release {latest.Release.Id} is published; download it with 'rgw release download {latest.Release.Id} --out DIR'.");
                    return ExitCodes.Ok;
                }
                if (latest?.Release.Status == ReleaseStatus.Blocked)
                {
                    Console.WriteLine($"Release {latest.Release.Id} is blocked: {latest.Release.BlockedReason}");
                    foreach (var gate in latest.Release.Gates.Where(g => g.Status.IsBlocking())) Console.WriteLine($"  {ReleaseCommands.Gate(gate)}");
                    return NotReleased;
                }
                if (request.AwaitingSignOff)
                {
                    Console.WriteLine("The release passed its release checks and awaits a compliance officer's sign-off.");
                    return ExitCodes.Ok;
                }
                if (request.Ended)
                {
                    Console.WriteLine($"Request {requestId} is {request.State}; no release will be published for it.");
                    return NotReleased;
                }
                if (latest is null && request.NextStep is null)
                    throw new UsageException($"Request {requestId} is in {request.State}: it has not been approved, so no release is under way.");
                if (DateTimeOffset.UtcNow > deadline)
                    throw new UsageException($"Still not published after {parse.GetValue(timeout)} s (request {request.State}); try again later.");
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }));
        return command;
    }
}
