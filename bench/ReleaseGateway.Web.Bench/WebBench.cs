using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace ReleaseGateway.Web.Bench;

// Page timings of the web interface (issue 9: "every page renders in under 200 ms server time with 1,000 requests and
// 100,000 audit events in the store"). Starts the real gateway on SQLite (--postgres: a database of the throw-away
// PostgreSQL cluster), seeds it (Seeder), signs in one person per role through the real OpenID Connect flow, then reads
// every page round-robin, --runs times each after two warm-up reads, and prints p50/p95/max of the server time
// (Server-Timing: request in to headers out, which for a buffered page is its whole rendering) and of the time on the
// client (loopback, body read included).
//
//   dotnet run -c Release --project bench/ReleaseGateway.Web.Bench -- [--requests 1000] [--events 100000] [--datasets 4] [--runs 20] [--postgres]
//       [--out FILE] [--dump DIR]
//
// --out writes the table (markdown); --dump saves each page as last read, with its style sheet beside it, to look at offline.
internal static class WebBench
{
    public static async Task Main(string[] args)
    {
        var requests = Option(args, "--requests", 1000);
        var events = Option(args, "--events", 100_000);
        var datasets = Option(args, "--datasets", 4);
        var runs = Option(args, "--runs", 20);
        var postgres = args.Contains("--postgres");
        var outFile = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault();
        var dump = args.SkipWhile(a => a != "--dump").Skip(1).FirstOrDefault();
        var started = DateTime.UtcNow;
        var loadBefore = LoadAverage();
        var total = Stopwatch.StartNew();

        await using var gateway = await BenchGateway.StartAsync(Seeder.DatasetNames(datasets), postgres);
        var store = await new Seeder(gateway.Services).SeedAsync(requests, events, datasets, Console.WriteLine, CancellationToken.None);
        var seedSeconds = total.Elapsed.TotalSeconds;

        var researcher = store.Researchers[1];
        var mine = store.Requests.Where(r => r.Researcher == researcher).ToList();
        var released = mine.First(r => r.Kind == Kind.Released).Request;
        var inPipeline = mine.First(r => r.Kind == Kind.Approved).Request;
        var blocked = store.Requests.First(r => r.Kind == Kind.Blocked).Request;
        var dataset = store.Datasets[0];
        var release = store.ReleaseOfRequest[released];
        var blockedRelease = store.ReleaseOfRequest[blocked];
        var member = store.Members[0];
        (string Role, string Path)[] pages =
        [
            ("Researcher", "/ui"),
            ("Researcher", "/ui/requests"),
            ("Researcher", "/ui/requests/new"),
            ("Researcher", $"/ui/requests/new?dataset={dataset}"),
            ("Researcher", $"/ui/requests/{released}"),
            ("Researcher", $"/ui/requests/{inPipeline}"),
            ("Researcher", "/ui/releases"),
            ("Researcher", $"/ui/releases/{release}"),
            ("Researcher", "/ui/datasets"),
            ("Researcher", $"/ui/datasets/{dataset}"),
            ("Researcher", "/ui/inbox"),
            ("CommitteeMember", "/ui/committee"),
            ("CommitteeMember", "/ui/committee/requests"),
            ("CommitteeMember", "/ui/inbox"),
            ("CommitteeMember", $"/ui/requests/{blocked}"),
            ("CommitteeMember", $"/ui/releases/{blockedRelease}/report"),
            ("CommitteeMember", "/ui/evaluations"),
            ("CommitteeMember", "/ui/releases?page=10"),
            ("DataSteward", "/ui"),
            ("DataSteward", "/ui/screening"),
            ("DataSteward", "/ui/datasets/register"),
            ("DataSteward", $"/ui/datasets/register?from={dataset}"),
            ("DataSteward", "/ui/jobs"),
            ("DataSteward", $"/ui/datasets/{dataset}"),
            ("DataSteward", $"/ui/releases/{release}"),
            ("ComplianceOfficer", "/ui"),
            ("ComplianceOfficer", "/ui/sign-off"),
            ("ComplianceOfficer", "/ui/budget"),
            ("ComplianceOfficer", $"/ui/budget/{dataset}"),
            ("ComplianceOfficer", "/ui/audit"),
            ("ComplianceOfficer", "/ui/audit?size=200"),
            ("ComplianceOfficer", $"/ui/audit?before={store.Events / 2}"),
            ("ComplianceOfficer", $"/ui/audit?dataset={dataset}"),
            ("ComplianceOfficer", $"/ui/audit?stream={released}"),
            ("ComplianceOfficer", $"/ui/audit?actor={Uri.EscapeDataString(researcher.Email)}"),
            ("ComplianceOfficer", "/ui/audit?type=ReleaseArtifactDownloaded"),
        ];
        var sessions = new Dictionary<string, HttpClient>
        {
            ["Researcher"] = await gateway.SignInAsync(researcher.Email, researcher.Password),
            ["CommitteeMember"] = await gateway.SignInAsync(member.Email, member.Password),
            ["DataSteward"] = await gateway.SignInAsync(store.Steward.Email, store.Steward.Password),
            ["ComplianceOfficer"] = await gateway.SignInAsync(store.Officer.Email, store.Officer.Password),
        };

        var server = pages.Select(_ => new List<double>()).ToArray();
        var client = pages.Select(_ => new List<double>()).ToArray();
        var sizes = new long[pages.Length];
        for (var run = -2; run < runs; run++)
        {
            for (var p = 0; p < pages.Length; p++)
            {
                var (role, path) = pages[p];
                var watch = Stopwatch.StartNew();
                using var response = await sessions[role].GetAsync(path);
                var body = await response.Content.ReadAsByteArrayAsync();
                var elapsed = watch.Elapsed.TotalMilliseconds;
                if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"{role} {path}: {(int)response.StatusCode}");
                if (run < 0) continue;
                var timing = Regex.Match(response.Headers.GetValues("Server-Timing").Single(), @"dur=([\d.]+)");
                server[p].Add(double.Parse(timing.Groups[1].Value, CultureInfo.InvariantCulture));
                client[p].Add(elapsed);
                sizes[p] = body.Length;
                if (dump is not null && run == runs - 1) await DumpAsync(dump, p, role, path, body);
            }
        }

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture,
            $"Run {started:yyyy-MM-dd HH:mm} UTC on {(postgres ? "PostgreSQL" : "SQLite")}, {Environment.ProcessorCount} cores, load average {loadBefore} before and {LoadAverage()} after; " +
            $"{store.Requests.Count} requests ({store.ReleaseOfRequest.Count} release attempts) on {datasets} datasets, {store.Events:N0} events; seeding took {seedSeconds:F0} s; {runs} reads of each page.");
        report.AppendLine();
        report.AppendLine("| role | page | KiB | server p50 ms | server p95 ms | server max ms | client p50 ms |");
        report.AppendLine("|---|---|---|---|---|---|---|");
        for (var p = 0; p < pages.Length; p++)
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {pages[p].Role} | `{Shorten(pages[p].Path)}` | {sizes[p] / 1024.0:F0} | {Percentile(server[p], 0.5):F1} | {Percentile(server[p], 0.95):F1} | {server[p].Max():F1} | {Percentile(client[p], 0.5):F1} |");
        var worst = Enumerable.Range(0, pages.Length).MaxBy(p => Percentile(server[p], 0.95));
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Slowest p95: `{Shorten(pages[worst].Path)}` at {Percentile(server[worst], 0.95):F1} ms server time. Total {total.Elapsed.TotalSeconds:F0} s.");
        Console.WriteLine();
        Console.Write(report);
        if (outFile is not null) await File.WriteAllTextAsync(outFile, report.ToString());
        foreach (var session in sessions.Values) session.Dispose();
    }

    private static async Task DumpAsync(string folder, int index, string role, string path, byte[] body)
    {
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(ReleaseGateway.Testing.RepositoryPaths.Root, "src", "ReleaseGateway.Web", "Assets", "site.css"), Path.Combine(folder, "site.css"), true);
        var name = $"{index:00}-{role}-{Regex.Replace(Shorten(path), "[^A-Za-z0-9]+", "-").Trim('-')}.html";
        await File.WriteAllTextAsync(Path.Combine(folder, name), Encoding.UTF8.GetString(body).Replace("href=\"/ui/site.css\"", "href=\"site.css\""));
    }

    private static int Option(string[] args, string name, int fallback) =>
        args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    private static double Percentile(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(q * sorted.Count) - 1)];
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    // Ids make the table unreadable: the page's shape is what matters.
    private static string Shorten(string path) => Regex.Replace(path, "[0-9a-f]{8}-[0-9a-f-]{27}", "{id}").Replace("%40", "@");
}
