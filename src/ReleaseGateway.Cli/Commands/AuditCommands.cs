using System.CommandLine;
using System.Data.Common;
using ReleaseGateway.EventStore;
using ReleaseGateway.EventStore.Audit;
using ReleaseGateway.EventStore.Export;
using ReleaseGateway.EventStore.Verification;

namespace ReleaseGateway.Cli;

/// <summary><c>rgw audit verify | checkpoint | export | verify-export</c>: exit 0 intact, 1 tampering, 2 usage or connection error.</summary>
internal static class AuditCommands
{
    public static Command Create()
    {
        var audit = new Command("audit", "Verify, checkpoint and export the tamper-evident audit log");
        audit.Subcommands.Add(Verify());
        audit.Subcommands.Add(Checkpoint());
        audit.Subcommands.Add(ExportCommand());
        audit.Subcommands.Add(VerifyExport());
        return audit;
    }

    private static Command Verify()
    {
        var checkpointFile = new Option<FileInfo?>("--checkpoint") { Description = "A signed checkpoint file; detects a cut tail or a re-hashed suffix" };
        var command = new Command("verify", "Walk the hash chain and report OK or the first bad position") { checkpointFile };
        command.SetAction((parse, ct) => Run(async () =>
        {
            var configuration = CliConfiguration.Load();
            SignedCheckpoint? checkpoint = null;
            AuditSigningKey? key = null;
            if (parse.GetValue(checkpointFile) is { } file)
            {
                checkpoint = SignedCheckpoint.Parse(ReadFile(file.FullName, "checkpoint"));
                key = LoadTrustedKey(configuration);
            }
            await using var store = OpenExisting(configuration);
            var result = await ChainVerifier.VerifyStoreAsync(store.Store, checkpoint, key, ct);
            key?.Dispose();
            return Report(result);
        }));
        return command;
    }

    private static Command Checkpoint()
    {
        var output = new Option<FileInfo>("--out") { Description = "Where to write the signed checkpoint (JSON)", Required = true };
        var command = new Command("checkpoint", "Sign the current head (position, hash, time) with the audit key") { output };
        command.SetAction((parse, ct) => Run(async () =>
        {
            var configuration = CliConfiguration.Load();
            await using var store = OpenExisting(configuration);
            using var key = AuditSigningKey.LoadOrCreate(configuration.AuditSigningKeyFile());
            var checkpoint = SignedCheckpoint.Create(await store.Store.ReadHeadAsync(ct), DateTimeOffset.UtcNow, key);
            await RecordExportAsync(store.Store, "checkpoint", checkpoint.Position, checkpoint.Hash, ct);
            await File.WriteAllTextAsync(parse.GetValue(output)!.FullName, checkpoint.ToJson(), ct);
            Console.WriteLine($"Checkpoint: position {checkpoint.Position}, hash {checkpoint.Hash}, key {checkpoint.KeyId}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command ExportCommand()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "A new, empty folder for the export", Required = true };
        var command = new Command("export", "Export every event, a manifest and a signed checkpoint for offline review") { output };
        command.SetAction((parse, ct) => Run(async () =>
        {
            var configuration = CliConfiguration.Load();
            await using var store = OpenExisting(configuration);
            using var key = AuditSigningKey.LoadOrCreate(configuration.AuditSigningKeyFile());
            var dir = parse.GetValue(output)!.FullName;
            var manifest = await AuditExport.WriteAsync(store.Store, dir, key, DateTimeOffset.UtcNow, ct);
            await RecordExportAsync(store.Store, "export", manifest.HeadPosition, manifest.HeadHash, ct);
            Console.WriteLine($"Exported {manifest.EventCount} events to {dir} (head {manifest.HeadPosition}, key {manifest.KeyId})");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command VerifyExport()
    {
        var dir = new Argument<DirectoryInfo>("DIR") { Description = "An export folder written by 'rgw audit export'" };
        var publicKey = new Option<FileInfo?>("--public-key") { Description = "The gateway's published audit public key (PEM); default: the key in the folder" };
        var command = new Command("verify-export", "Verify an export folder offline: no database, no gateway") { dir, publicKey };
        command.SetAction((parse, ct) => Run(async () =>
        {
            using var key = parse.GetValue(publicKey) is { } pem ? AuditSigningKey.LoadPem(ReadFile(pem.FullName, "public key"), pem.FullName) : null;
            if (key is null)
                Console.Error.WriteLine("Note: trusting the public key shipped in the export; compare its key id with the gateway's published one.");
            var result = await AuditExport.VerifyAsync(parse.GetValue(dir)!.FullName, key, ct);
            return Report(result);
        }));
        return command;
    }

    private static int Report(VerificationResult result)
    {
        if (result.Intact)
        {
            Console.WriteLine(result);
            return ExitCodes.Ok;
        }
        Console.Error.WriteLine(result);
        return ExitCodes.Tampered;
    }

    /// <summary>
    /// Records who took which range of the log (issue 15, row 10). The CLI runs on the gateway's machine with access to its
    /// data, so the operator is the operating-system account that ran it.
    /// </summary>
    private static Task RecordExportAsync(IEventStore store, string kind, long head, string hash, CancellationToken ct)
    {
        var by = $"os:{Environment.UserName}";
        return AuditTrail.RecordAsync(store, new EventMetadata(by, "Operator", $"rgw-audit-{kind}-{Guid.NewGuid():N}"),
            new AuditLogExported(kind, 1, head, hash, by, DateTimeOffset.UtcNow), ct);
    }

    /// <summary>Opens the configured store without creating one: verifying a folder that holds no log is a usage error.</summary>
    private static OpenStore OpenExisting(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        var settings = configuration.ReadEventStoreSettings();
        if (!settings.UsesPostgres && !File.Exists(settings.SqlitePath))
            throw new UsageException($"No audit log at {Path.GetFullPath(settings.SqlitePath)}. Set ReleaseGateway__DataDirectory to the gateway's data folder, or ConnectionStrings__Postgres.");
        return new OpenStore(EventStoreFactory.Create(settings, new EventStoreOptions(), TimeProvider.System));
    }

    private static AuditSigningKey LoadTrustedKey(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        var path = configuration.AuditSigningKeyFile();
        var publicPath = AuditSigningKey.PublicKeyPath(path);
        if (File.Exists(publicPath)) return AuditSigningKey.LoadPem(File.ReadAllText(publicPath), publicPath);
        if (File.Exists(path)) return AuditSigningKey.LoadPem(File.ReadAllText(path), path);
        throw new UsageException($"No audit key at {path}; set ReleaseGateway__AuditSigningKeyFile to the key that signed the checkpoint.");
    }

    private static string ReadFile(string path, string what) =>
        File.Exists(path) ? File.ReadAllText(path) : throw new UsageException($"The {what} file {path} does not exist.");

    /// <summary>Maps failures to the documented exit codes with a one-line message; never a stack trace.</summary>
    private static async Task<int> Run(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is UsageException or FormatException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.UsageOrConnection;
        }
        catch (DbException e)
        {
            Console.Error.WriteLine($"error: cannot read the audit log database: {e.Message}");
            return ExitCodes.UsageOrConnection;
        }
    }

    private sealed class OpenStore(IEventStore store) : IAsyncDisposable
    {
        public IEventStore Store { get; } = store;

        public ValueTask DisposeAsync() => Store is IAsyncDisposable d ? d.DisposeAsync() : ValueTask.CompletedTask;
    }
}

/// <summary>A problem with how rgw was called or configured (exit code 2).</summary>
internal sealed class UsageException(string message) : Exception(message);
