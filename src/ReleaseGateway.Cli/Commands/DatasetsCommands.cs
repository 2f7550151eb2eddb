using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ReleaseGateway.Cli.Gateway;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Datasets.GetDataset;

namespace ReleaseGateway.Cli;

/// <summary><c>rgw datasets list | register | upload | connect</c> (and the lifecycle, <see cref="DatasetLifecycleCommands"/>): a data steward's side of the gateway (API: docs/workflow.md).</summary>
internal static class DatasetsCommands
{
    public static Command Create()
    {
        var datasets = new Command("datasets", "List, register and upload source datasets (data stewards)");
        datasets.Subcommands.Add(List());
        datasets.Subcommands.Add(Register());
        datasets.Subcommands.Add(Upload());
        datasets.Subcommands.Add(Connect());
        foreach (var lifecycle in DatasetLifecycleCommands.Create()) datasets.Subcommands.Add(lifecycle);
        return datasets;
    }

    internal static Argument<string> DatasetArgument() => new("DATASET") { Description = "The dataset's id or its name" };

    /// <summary>A dataset's id from its id or its name (names are unique; looked up in <c>GET /datasets</c>).</summary>
    internal static async Task<DatasetDetails> ResolveAsync(GatewayClient gateway, string idOrName, CancellationToken ct)
    {
        if (Guid.TryParse(idOrName, out var id)) return (await gateway.GetAsync<DatasetView>($"/datasets/{id}", ct)).Dataset;
        var all = await gateway.GetAsync<List<DatasetView>>("/datasets", ct);
        return all.Select(d => d.Dataset).FirstOrDefault(d => d.Name == idOrName)
            ?? throw new UsageException($"No dataset named '{idOrName}' (registered: {(all.Count == 0 ? "none" : string.Join(", ", all.Select(d => d.Dataset.Name)))}).");
    }

    private static Command List()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var command = new Command("list", "Registered datasets with their policy limits") { credentials };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var all = await gateway.GetAsync<List<DatasetView>>("/datasets", ct);
            Console.WriteLine($"{"ID",-36}  {"NAME",-20}  {"ROWS",7}  {"POLICY",-12}  {"MAX ε",6}  WORKFLOW");
            foreach (var (d, p) in all)
                Console.WriteLine($"{d.Id,-36}  {d.Name,-20}  {(d.SourceRows?.ToString() ?? "-"),7}  {p.Name,-12}  {p.MaxEpsilonPerRelease,6:0.###}  {p.Workflow}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Register()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var name = new Option<string>("--name") { Description = "Lower-case name; policies/NAME.yaml, when present, is the dataset's policy", Required = true };
        var description = new Option<string>("--description") { Description = "What the table holds", Required = true };
        var owner = new Option<string>("--owner") { Description = "The organisation that owns the data", Required = true };
        var schema = new Option<FileInfo>("--schema") { Description = "The schema JSON (docs/schema.md, or the {\"col\": k} domain shorthand)", Required = true };
        var quiet = new Option<bool>("--quiet") { Description = "Print only the new dataset's id" };
        var command = new Command("register", "Register a source dataset with its public schema (data stewards)") { credentials, name, description, owner, schema, quiet };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            var schemaFile = parse.GetValue(schema)!;
            if (!schemaFile.Exists) throw new UsageException($"The schema file {schemaFile.FullName} does not exist.");
            JsonElement schemaJson;
            try
            {
                schemaJson = JsonDocument.Parse(await File.ReadAllTextAsync(schemaFile.FullName, ct)).RootElement;
            }
            catch (JsonException e)
            {
                throw new UsageException($"{schemaFile.FullName} is not JSON: {e.Message}");
            }
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var dataset = await gateway.SendJsonAsync<DatasetDetails>(HttpMethod.Post, "/datasets",
                new { name = parse.GetValue(name), description = parse.GetValue(description), owner = parse.GetValue(owner), schema = schemaJson }, ct);
            Console.WriteLine(parse.GetValue(quiet)
                ? dataset.Id.ToString()
                : $"Registered dataset {dataset.Name} ({dataset.Id}) under policy {dataset.Policy}; columns: {string.Join(", ", dataset.SynthesisColumns)}.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Upload()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var dataset = DatasetArgument();
        var file = new Option<FileInfo>("--file") { Description = "The source table (CSV with a header row, matching the schema)", Required = true };
        var command = new Command("upload", "Upload a dataset's source table; it is validated against the schema and stored encrypted (data stewards)")
        {
            credentials, dataset, file,
        };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            var csv = parse.GetValue(file)!;
            if (!csv.Exists) throw new UsageException($"The file {csv.FullName} does not exist.");
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var target = await ResolveAsync(gateway, parse.GetValue(dataset)!, ct);
            await using var body = csv.OpenRead();
            using var response = await gateway.SendAsync(() =>
            {
                var content = new StreamContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
                var request = new HttpRequestMessage(HttpMethod.Put, $"/datasets/{target.Id}/source") { Content = content };
                // Large tables: let the gateway refuse (size, role) before the body is sent.
                request.Headers.ExpectContinue = true;
                return request;
            }, ct);
            var uploaded = await response.Content.ReadFromJsonAsync<DatasetDetails>(GatewayClient.Json, ct)
                ?? throw new JsonException("The gateway answered the upload with an empty body.");
            Console.WriteLine($"Uploaded {csv.Name} to {uploaded.Name}: {uploaded.SourceRows} rows, sha256 {uploaded.SourceSha256}; stored encrypted.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Connect()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var dataset = DatasetArgument();
        var postgres = new Option<string>("--postgres") { Description = "A connection name configured on the gateway (ReleaseGateway:Sources:Connections:NAME)" };
        var relation = new Option<string>("--relation") { Description = "With --postgres: the table or view, schema.name" };
        var query = new Option<string>("--query") { Description = "With --postgres: a read-only SELECT (one statement, no ';')" };
        var file = new Option<string>("--file") { Description = "An absolute path of a .csv, .csv.gz or .parquet file under a configured folder (read by DuckDB on the gateway)" };
        var rowKey = new Option<string>("--row-key") { Description = "A column identifying a row, when the schema has no person key (otherwise a row's unit is its content)" };
        var command = new Command("connect",
            "Connect a dataset to a PostgreSQL table, view or query, or to a large CSV/Parquet file; counted in the engine, checked against the schema (data stewards)")
        {
            credentials, dataset, postgres, relation, query, file, rowKey,
        };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            var (connection, path) = (parse.GetValue(postgres), parse.GetValue(file));
            if ((connection is null) == (path is null)) throw new UsageException("Give either --postgres NAME (with --relation or --query) or --file PATH.");
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var target = await ResolveAsync(gateway, parse.GetValue(dataset)!, ct);
            var body = new
            {
                kind = connection is not null ? "Postgres" : "File", connection, relation = parse.GetValue(relation), query = parse.GetValue(query),
                path = path is null ? null : Path.GetFullPath(path), rowKey = parse.GetValue(rowKey),
            };
            var connected = await gateway.SendJsonAsync<DatasetDetails>(HttpMethod.Put, $"/datasets/{target.Id}/source/connection", body, ct);
            Console.WriteLine($"Connected {connected.Name} to {connected.Source?.Describe()}: {connected.SourceRows} rows, fingerprint {connected.SourceSha256}; counted in the engine.");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
