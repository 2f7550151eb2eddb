using System.Diagnostics;
using Microsoft.Data.Sqlite;
using ReleaseGateway.EventStore;
using ReleaseGateway.Testing;

namespace ReleaseGateway.Cli.Tests;

public sealed record NoteTaken(Guid NoteId, string Text);

/// <summary>rgw audit …, run as a real process against a real SQLite log: exit codes 0 intact, 1 tampered, 2 usage.</summary>
public sealed class AuditCommandTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "rgw-cli-tests", Guid.NewGuid().ToString("N"));
    private Dictionary<string, string?> Env => new() { ["ReleaseGateway__DataDirectory"] = _dataDirectory, ["ConnectionStrings__Postgres"] = null };

    public async Task InitializeAsync()
    {
        var options = new EventStoreOptions();
        options.Events.Register<NoteTaken>();
        var store = EventStoreFactory.Create(new EventStoreSettings(_dataDirectory, null), options, TimeProvider.System);
        for (var i = 0; i < 12; i++)
        {
            await using var session = store.OpenSession(new EventMetadata("user-1", "DataSteward", $"corr-{i}"));
            var id = Guid.CreateVersion7();
            session.StartStream(id, new NoteTaken(id, $"note number {i}"));
            await session.SaveChangesAsync();
        }
        await ((IAsyncDisposable)store).DisposeAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<Rgw.Result> Rgw(params string[] args) => Testing.Rgw.RunAsync(Env, null, args);

    [Fact]
    public async Task Given_IntactLog_When_Verified_Then_ExitIsZeroAndTheHeadIsPrinted()
    {
        var result = await Rgw("audit", "verify");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("OK: 12 events, head position 12", result.Stdout);
    }

    [Fact]
    public async Task Given_ChangedEventBody_When_Verified_Then_ExitIsOneWithThePositionOnStderr()
    {
        await TamperAsync("UPDATE rg_events SET body = replace(body, 'number 6', 'number 9') WHERE position = 7");
        var result = await Rgw("audit", "verify");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("position 7", result.Stderr);
        Assert.Contains("BodyAltered", result.Stderr);
    }

    [Fact]
    public async Task Given_CutTail_When_VerifiedWithACheckpoint_Then_ItIsDetected()
    {
        var checkpoint = Path.Combine(_dataDirectory, "cp.json");
        Assert.Equal(0, (await Rgw("audit", "checkpoint", "--out", checkpoint)).ExitCode);
        await TamperAsync("DELETE FROM rg_events WHERE position > 10");

        Assert.Equal(0, (await Rgw("audit", "verify")).ExitCode);
        var result = await Rgw("audit", "verify", "--checkpoint", checkpoint);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Truncated", result.Stderr);
    }

    [Fact]
    public async Task Given_CheckpointSignedByAnotherKey_When_Verified_Then_ExitIsOne()
    {
        var checkpoint = Path.Combine(_dataDirectory, "cp.json");
        await Rgw("audit", "checkpoint", "--out", checkpoint);
        var env = Env;
        env["ReleaseGateway__AuditSigningKeyFile"] = Path.Combine(_dataDirectory, "other", "key.pem");
        Assert.Equal(0, (await Testing.Rgw.RunAsync(env, null, "audit", "checkpoint", "--out", Path.Combine(_dataDirectory, "other.json"))).ExitCode);

        var result = await Testing.Rgw.RunAsync(env, null, "audit", "verify", "--checkpoint", checkpoint);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("CheckpointSignatureInvalid", result.Stderr);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Bug_ACutTailResignedByTheGatewayItself_PassedVerification()
    {
        // The compliance officer's own machine: a witness key the gateway never holds, and the gateway's published public key.
        var officer = Path.Combine(_dataDirectory, "officer");
        var witnessKey = Path.Combine(officer, "witness.pem");
        var witnessPublic = Path.Combine(officer, "witness.pub.pem");
        var gatewayPublic = Path.Combine(_dataDirectory, "keys", "audit-signing-key.pub.pem");
        Assert.Equal(0, (await Rgw("audit", "witness", "keygen", "--out", witnessKey)).ExitCode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(witnessKey));
        var witnessed = Path.Combine(officer, "cp-12.json");
        Assert.Equal(0, (await Rgw("audit", "checkpoint", "--out", witnessed)).ExitCode);
        Assert.Equal(0, (await Rgw("audit", "witness", "--checkpoint", witnessed, "--key", witnessKey, "--gateway-key", gatewayPublic)).ExitCode);
        Assert.Equal(0, (await Rgw("audit", "verify", "--checkpoint", witnessed, "--witness-key", witnessPublic)).ExitCode);

        // Whoever holds the gateway's machine cuts the tail and signs the shorter head with the gateway's key.
        await TamperAsync("DELETE FROM rg_events WHERE position > 10");
        var resigned = Path.Combine(_dataDirectory, "cp-10.json");
        Assert.Equal(0, (await Rgw("audit", "checkpoint", "--out", resigned)).ExitCode);

        var withResigned = await Rgw("audit", "verify", "--checkpoint", resigned, "--witness-key", witnessPublic);
        var withWitnessed = await Rgw("audit", "verify", "--checkpoint", witnessed, "--witness-key", witnessPublic);
        var witnessAsked = await Rgw("audit", "witness", "--checkpoint", resigned, "--key", witnessKey, "--gateway-key", gatewayPublic);

        Assert.Equal(1, withResigned.ExitCode);
        Assert.Contains("CheckpointNotWitnessed", withResigned.Stderr);
        Assert.Equal(1, withWitnessed.ExitCode);
        Assert.Contains("Truncated", withWitnessed.Stderr);
        Assert.Equal(1, witnessAsked.ExitCode);
        Assert.Contains("you witnessed position 12", witnessAsked.Stderr);
        Assert.DoesNotContain("witnesses", await File.ReadAllTextAsync(resigned));
    }

    [Fact]
    public async Task Given_AWitnessedCheckpoint_When_ItsWitnessSignatureIsAltered_Then_VerifyFails()
    {
        var witnessKey = Path.Combine(_dataDirectory, "officer", "witness.pem");
        await Rgw("audit", "witness", "keygen", "--out", witnessKey);
        var checkpoint = Path.Combine(_dataDirectory, "cp.json");
        await Rgw("audit", "checkpoint", "--out", checkpoint);
        Assert.Equal(0, (await Rgw("audit", "witness", "--checkpoint", checkpoint, "--key", witnessKey,
            "--gateway-key", Path.Combine(_dataDirectory, "keys", "audit-signing-key.pub.pem"))).ExitCode);
        var json = await File.ReadAllTextAsync(checkpoint);
        var signature = System.Text.RegularExpressions.Regex.Matches(json, "\"signature\": \"([^\"]+)\"")[^1].Groups[1].Value;
        await File.WriteAllTextAsync(checkpoint, json.Replace(signature, (signature[0] == 'A' ? "B" : "A") + signature[1..]));

        var result = await Rgw("audit", "verify", "--checkpoint", checkpoint, "--witness-key", Path.Combine(_dataDirectory, "officer", "witness.pub.pem"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("CheckpointNotWitnessed", result.Stderr);
    }

    [Fact]
    public async Task Given_ExportedLog_When_VerifiedOffline_Then_BothRgwAndTheIndependentPythonVerifierAcceptIt()
    {
        var export = Path.Combine(_dataDirectory, "export");
        Assert.Equal(0, (await Rgw("audit", "export", "--out", export)).ExitCode);
        var publicKey = Path.Combine(_dataDirectory, "keys", "audit-signing-key.pub.pem");

        // Offline: point the CLI at an empty data folder so no database is reachable.
        var offline = new Dictionary<string, string?> { ["ReleaseGateway__DataDirectory"] = "/nonexistent" };
        var result = await Testing.Rgw.RunAsync(offline, null, "audit", "verify-export", export, "--public-key", publicKey);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("OK: 12 events", result.Stdout);

        var python = await RunPythonVerifierAsync(export);
        Assert.True(python.ExitCode == 0, python.Stderr);
        Assert.Contains("OK: 12 events", python.Stdout);

        var events = Path.Combine(export, "events.jsonl");
        var lines = await File.ReadAllLinesAsync(events);
        (lines[3], lines[4]) = (lines[4], lines[3]);
        await File.WriteAllLinesAsync(events, lines);
        var swapped = await Testing.Rgw.RunAsync(offline, null, "audit", "verify-export", export, "--public-key", publicKey);
        Assert.Equal(1, swapped.ExitCode);
        Assert.Contains("position 4", swapped.Stderr);
        Assert.Equal(1, (await RunPythonVerifierAsync(export)).ExitCode);
    }

    [Fact]
    public async Task Given_UsageOrInputError_When_AuditRuns_Then_ExitIsTwoWithAClearMessage()
    {
        var missing = await Testing.Rgw.RunAsync(new Dictionary<string, string?> { ["ReleaseGateway__DataDirectory"] = "/nonexistent/rgw" }, null, "audit", "verify");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("No audit log at", missing.Stderr);

        var malformed = Path.Combine(_dataDirectory, "not-an-export");
        Directory.CreateDirectory(malformed);
        await File.WriteAllTextAsync(Path.Combine(malformed, "manifest.json"), "{ nope");
        var bad = await Rgw("audit", "verify-export", malformed);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("manifest.json is not valid JSON", bad.Stderr);

        var badCheckpoint = Path.Combine(_dataDirectory, "bad.json");
        await File.WriteAllTextAsync(badCheckpoint, "[]");
        Assert.Equal(2, (await Rgw("audit", "verify", "--checkpoint", badCheckpoint)).ExitCode);

        Assert.Equal(2, (await Testing.Rgw.RunAsync(new Dictionary<string, string?> { ["ConnectionStrings__Postgres"] = "Host=127.0.0.1;Port=1;Username=x;Timeout=2" }, null, "audit", "verify")).ExitCode);
        // A command line that does not parse is a usage error too (the README's exit code 2, not the parser's 1).
        var unparsed = await Rgw("audit", "nonsense");
        Assert.Equal(2, unparsed.ExitCode);
        Assert.Contains("nonsense", unparsed.Stderr);
        Assert.Equal(2, (await Rgw("requests", "vote", "not-a-guid", "approve", "--reason", "x")).ExitCode);
    }

    [Fact]
    public async Task Given_ThePythonVerifier_When_AskedForHelpOrGivenNoFolder_Then_ItPrintsUsageAndExitsZeroOrTwo()
    {
        var help = await RunPythonAsync("--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("usage: verify_chain.py EXPORT_DIR", help.Stdout);
        var none = await RunPythonAsync();
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("usage:", none.Stderr);
    }

    private async Task TamperAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_dataDirectory, "events.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "DROP TRIGGER rg_events_no_update; DROP TRIGGER rg_events_no_delete; " + sql;
        await command.ExecuteNonQueryAsync();
    }

    private static Task<Rgw.Result> RunPythonVerifierAsync(string export) => RunPythonAsync(export);

    private static async Task<Rgw.Result> RunPythonAsync(params string[] args)
    {
        var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "audit", "verify_chain.py"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new Rgw.Result(process.ExitCode, await stdout, await stderr);
    }
}
