using System.CommandLine;
using System.Data.Common;
using ReleaseGateway.EventStore;
using ReleaseGateway.EventStore.Blobs;
using ReleaseGateway.EventStore.Audit;
using ReleaseGateway.EventStore.Export;
using ReleaseGateway.EventStore.Verification;

namespace ReleaseGateway.Cli;

/// <summary><c>rgw audit verify | checkpoint | witness | export | verify-export</c>: exit 0 intact, 1 tampering, 2 usage or connection error.</summary>
internal static class AuditCommands
{
    public static Command Create()
    {
        var audit = new Command("audit", "Verify, checkpoint and export the tamper-evident audit log");
        audit.Subcommands.Add(Verify());
        audit.Subcommands.Add(Checkpoint());
        audit.Subcommands.Add(Witness());
        audit.Subcommands.Add(ExportCommand());
        audit.Subcommands.Add(VerifyExport());
        return audit;
    }

    private static Command Verify()
    {
        var checkpointFile = new Option<FileInfo?>("--checkpoint") { Description = "A signed checkpoint file; detects a cut tail or a re-hashed suffix" };
        var witnessKeys = new Option<FileInfo[]>("--witness-key")
        {
            Description = "A witness's public key (PEM); the checkpoint must carry its valid co-signature. Repeatable; also ReleaseGateway__Audit__WitnessKeys__0, …",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("verify", "Walk the hash chain and report OK or the first bad position") { checkpointFile, witnessKeys };
        command.SetAction((parse, ct) => Run(async () =>
        {
            var configuration = CliConfiguration.Load();
            SignedCheckpoint? checkpoint = null;
            AuditSigningKey? key = null;
            List<AuditSigningKey> witnesses = [];
            try
            {
                if (parse.GetValue(checkpointFile) is { } file)
                {
                    checkpoint = SignedCheckpoint.Parse(ReadFile(file.FullName, "checkpoint"));
                    key = LoadTrustedKey(configuration);
                    var witnessFiles = (parse.GetValue(witnessKeys) ?? []).Select(f => f.FullName).Concat(configuration.AuditWitnessKeyFiles());
                    witnesses.AddRange(witnessFiles.Distinct().Select(path => AuditSigningKey.LoadPem(ReadFile(path, "witness key"), path)));
                    if (witnesses.Count == 0)
                        Console.Error.WriteLine("Note: no witness key given; a checkpoint signed by the gateway alone does not prove that its holder did not cut the tail and sign again (docs/security.md).");
                }
                else if (parse.GetValue(witnessKeys) is { Length: > 0 })
                    throw new UsageException("--witness-key needs --checkpoint: witnesses sign checkpoints.");
                await using var store = OpenExisting(configuration);
                return Report(await ChainVerifier.VerifyStoreAsync(store.Store, checkpoint, key, witnesses, ct));
            }
            finally
            {
                key?.Dispose();
                foreach (var witness in witnesses) witness.Dispose();
            }
        }));
        return command;
    }

    /// <summary>
    /// <c>rgw audit witness</c>, run by a witness (a compliance officer) on their own machine with a key the gateway
    /// never holds (ADR 0030): checks the checkpoint's gateway signature, refuses a head that is behind or differs
    /// from the last one this witness co-signed for that gateway key (a cut tail), and adds the co-signature to the file.
    /// <c>rgw audit witness keygen</c> makes the witness's key pair.
    /// </summary>
    private static Command Witness()
    {
        var checkpointFile = new Option<FileInfo?>("--checkpoint") { Description = "The checkpoint file to co-sign (rewritten with the signature added)" };
        var keyFile = new Option<FileInfo?>("--key") { Description = "The witness's private key (from 'rgw audit witness keygen')" };
        var gatewayKey = new Option<FileInfo?>("--gateway-key") { Description = "The gateway's published audit public key (PEM)" };
        var command = new Command("witness", "Co-sign a checkpoint with your own witness key, after checking it does not go back on what you witnessed")
        {
            checkpointFile, keyFile, gatewayKey,
        };
        command.SetAction((parse, ct) => Run(async () =>
        {
            var file = parse.GetValue(checkpointFile) ?? throw new UsageException("--checkpoint is required.");
            var witnessPath = parse.GetValue(keyFile)?.FullName ?? throw new UsageException("--key is required.");
            var gatewayPath = parse.GetValue(gatewayKey)?.FullName ?? throw new UsageException("--gateway-key is required: the gateway's published audit public key.");
            var checkpoint = SignedCheckpoint.Parse(ReadFile(file.FullName, "checkpoint"));
            using var gateway = AuditSigningKey.LoadPem(ReadFile(gatewayPath, "gateway key"), gatewayPath);
            using var witness = AuditSigningKey.LoadPem(ReadFile(witnessPath, "witness key"), witnessPath);
            if (!witness.HasPrivateKey) throw new UsageException($"{witnessPath} holds only a public key; the witness signs with the private one.");
            if (ChainVerifier.CheckSignatures(checkpoint, gateway, []) is { } refused) return Report(refused);

            var ledger = WitnessLedger.Load(witnessPath);
            if (ledger.Refuse(checkpoint) is { } reason)
            {
                Console.Error.WriteLine($"REFUSED: {reason}");
                return ExitCodes.Tampered;
            }
            var signed = checkpoint.AddWitness(witness, DateTimeOffset.UtcNow);
            await File.WriteAllTextAsync(file.FullName, signed.ToJson(), ct);
            ledger.Record(signed);
            Console.WriteLine($"Witnessed: position {signed.Position}, hash {signed.Hash}, gateway key {signed.KeyId}, witness key {witness.KeyId}");
            return ExitCodes.Ok;
        }));

        var output = new Option<FileInfo>("--out") { Description = "Where to write the new private key; the public key goes next to it as .pub.pem", Required = true };
        var keygen = new Command("keygen", "Make a witness key pair (ECDSA P-256), owner-only, on your own machine") { output };
        keygen.SetAction(parse => Run(() =>
        {
            var path = parse.GetValue(output)!.FullName;
            if (File.Exists(path)) throw new UsageException($"{path} exists; a witness key is never overwritten.");
            using var key = AuditSigningKey.LoadOrCreate(path);
            Console.WriteLine($"Witness key {key.KeyId}: private {path} (keep it off the gateway's machine), public {AuditSigningKey.PublicKeyPath(path)} (give it to whoever verifies)");
            return Task.FromResult(ExitCodes.Ok);
        }));
        command.Subcommands.Add(keygen);
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
            using var key = configuration.LoadAuditSigningKey(GatewayStorage.FromConfiguration(configuration));
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
            using var key = configuration.LoadAuditSigningKey(GatewayStorage.FromConfiguration(configuration));
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
        if (GatewayStorage.IsShared(configuration) && configuration["ReleaseGateway:AuditSigningKeyFile"] is not { Length: > 0 })
            return configuration.LoadAuditSigningKey(GatewayStorage.FromConfiguration(configuration));
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

/// <summary>
/// What a witness has co-signed, per gateway key: the highest position and its hash, in a file next to the witness
/// key (<c>KEY.witnessed.json</c>). A checkpoint behind that position, or at it with another hash, is refused: the
/// gateway's log would have lost or rewritten events the witness already vouched for.
/// </summary>
internal sealed class WitnessLedger
{
    private readonly string _path;
    private readonly Dictionary<string, WitnessedHead> _heads;

    private sealed record WitnessedHead(long Position, string Hash, DateTimeOffset CreatedAt);

    private WitnessLedger(string path, Dictionary<string, WitnessedHead> heads) => (_path, _heads) = (path, heads);

    public static WitnessLedger Load(string witnessKeyPath)
    {
        var path = Path.ChangeExtension(witnessKeyPath, null) + ".witnessed.json";
        var heads = File.Exists(path)
            ? System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, WitnessedHead>>(File.ReadAllText(path), Json)
              ?? throw new FormatException($"{path} is empty")
            : [];
        return new WitnessLedger(path, heads);
    }

    public string? Refuse(SignedCheckpoint checkpoint)
    {
        if (!_heads.TryGetValue(checkpoint.KeyId, out var last)) return null;
        if (checkpoint.Position < last.Position)
            return $"the checkpoint's head is position {checkpoint.Position}, but you witnessed position {last.Position} (hash {last.Hash}) of this gateway before: events were removed from the log";
        if (checkpoint.Position == last.Position && checkpoint.Hash != last.Hash)
            return $"position {checkpoint.Position} has hash {checkpoint.Hash}, but you witnessed {last.Hash} there: the log was rewritten";
        return null;
    }

    public void Record(SignedCheckpoint checkpoint)
    {
        _heads[checkpoint.KeyId] = new WitnessedHead(checkpoint.Position, checkpoint.Hash, checkpoint.CreatedAt);
        File.WriteAllText(_path, System.Text.Json.JsonSerializer.Serialize(_heads, Json));
    }

    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web) { WriteIndented = true };
}

/// <summary>A problem with how rgw was called or configured (exit code 2).</summary>
internal sealed class UsageException(string message) : Exception(message);
