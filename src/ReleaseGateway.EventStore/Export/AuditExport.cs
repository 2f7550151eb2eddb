using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ReleaseGateway.EventStore.Chain;
using ReleaseGateway.EventStore.Verification;

namespace ReleaseGateway.EventStore.Export;

/// <summary>The manifest of an offline export folder (format in audit/EXPORT-FORMAT.md).</summary>
public sealed record ExportManifest(string Format, DateTimeOffset ExportedAt, long EventCount, long HeadPosition, string HeadHash,
    string EventsFile, string EventsSha256, string CheckpointFile, string PublicKeyFile, string KeyId)
{
    public const string CurrentFormat = "rgw-audit-export/1";
}

/// <summary>One line of <c>events.jsonl</c>: a stored event with every hashed field, the body as the exact stored text.</summary>
public sealed record ExportedEvent(long Position, string StreamId, long StreamVersion, string EventType, int SchemaVersion, string Body,
    string ActorId, string ActorRole, string CorrelationId, string? CausationId, string Timestamp, string PreviousHash, string Hash)
{
    public static ExportedEvent From(StoredEvent e) => new(e.Position, CanonicalEncoding.FormatStreamId(e.StreamId), e.StreamVersion, e.EventType,
        e.SchemaVersion, e.Body, e.Metadata.ActorId, e.Metadata.ActorRole, e.Metadata.CorrelationId, e.Metadata.CausationId,
        CanonicalEncoding.FormatTimestamp(e.Timestamp), e.PreviousHash, e.Hash);

    public StoredEvent ToStoredEvent() => new(Position, Guid.Parse(StreamId), StreamVersion, EventType, SchemaVersion, Body,
        new EventMetadata(ActorId, ActorRole, CorrelationId, CausationId), CanonicalEncoding.ParseTimestamp(Timestamp), PreviousHash, Hash, null);
}

/// <summary>Writes and verifies offline export folders: events, manifest, signed checkpoint, public key.</summary>
public static class AuditExport
{
    public const string EventsFileName = "events.jsonl";
    public const string ManifestFileName = "manifest.json";
    public const string CheckpointFileName = "checkpoint.json";
    public const string PublicKeyFileName = "public-key.pem";

    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Exports every event to <paramref name="directory"/> (which must be empty or absent) with a checkpoint of the exported head.</summary>
    public static async Task<ExportManifest> WriteAsync(IEventStore store, string directory, AuditSigningKey key, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
            throw new IOException($"Export folder {directory} is not empty; choose a new folder.");
        Directory.CreateDirectory(directory);

        long count = 0;
        var head = new ChainHead(0, ChainHead.GenesisHash);
        var eventsPath = Path.Combine(directory, EventsFileName);
        await using (var file = File.Create(eventsPath))
        {
            var newline = "\n"u8.ToArray();
            await foreach (var e in ChainVerifier.RawEvents(store, cancellationToken))
            {
                await JsonSerializer.SerializeAsync(file, ExportedEvent.From(e), JsonOptions, cancellationToken);
                await file.WriteAsync(newline, cancellationToken);
                head = new ChainHead(e.Position, e.Hash);
                count++;
            }
        }

        var checkpoint = SignedCheckpoint.Create(head, now, key);
        await File.WriteAllTextAsync(Path.Combine(directory, CheckpointFileName), checkpoint.ToJson(), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, PublicKeyFileName), key.ExportPublicKeyPem(), cancellationToken);
        var manifest = new ExportManifest(ExportManifest.CurrentFormat, now, count, head.Position, head.Hash, EventsFileName,
            await Sha256Async(eventsPath, cancellationToken), CheckpointFileName, PublicKeyFileName, key.KeyId);
        await File.WriteAllTextAsync(Path.Combine(directory, ManifestFileName),
            JsonSerializer.Serialize(manifest, new JsonSerializerOptions(JsonOptions) { WriteIndented = true }), cancellationToken);
        return manifest;
    }

    /// <summary>
    /// Verifies an export folder with no database: the manifest against the files, the chain, and the checkpoint
    /// signature with <paramref name="trustedKey"/> (or, when null, the key shipped in the folder — the caller should
    /// then show its id so a reviewer can compare it with the gateway's published key id).
    /// Throws <see cref="FormatException"/> when the folder is not an export at all.
    /// </summary>
    public static async Task<VerificationResult> VerifyAsync(string directory, AuditSigningKey? trustedKey, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(directory)) throw new FormatException($"Export folder {directory} does not exist.");
        var manifest = ReadJson<ExportManifest>(directory, ManifestFileName);
        if (manifest.Format != ExportManifest.CurrentFormat)
            throw new FormatException($"{ManifestFileName}: format '{manifest.Format}' is not {ExportManifest.CurrentFormat}.");
        var checkpoint = SignedCheckpoint.Parse(await ReadTextAsync(directory, CheckpointFileName, cancellationToken));
        using var shippedKey = trustedKey is null ? AuditSigningKey.LoadPem(await ReadTextAsync(directory, PublicKeyFileName, cancellationToken), PublicKeyFileName) : null;
        var key = trustedKey ?? shippedKey!;

        if (!checkpoint.VerifySignature(key))
            return new VerificationResult(false, 0, 0, ChainHead.GenesisHash, checkpoint.Position, TamperKind.CheckpointSignatureInvalid,
                $"the checkpoint's signature does not verify with key {key.KeyId} (checkpoint names key {checkpoint.KeyId})");

        var eventsPath = Path.Combine(directory, manifest.EventsFile);
        if (!File.Exists(eventsPath)) throw new FormatException($"{manifest.EventsFile} named by the manifest is missing.");
        var result = await ChainVerifier.VerifyAsync(ReadLinesAsync(eventsPath, cancellationToken), checkpoint, cancellationToken);
        if (!result.Intact) return result;
        if (result.HeadPosition != checkpoint.Position)
            return result with { Intact = false, FailedPosition = checkpoint.Position + 1, Kind = TamperKind.Malformed,
                Reason = $"the export holds events past the signed checkpoint (head {result.HeadPosition}, checkpoint {checkpoint.Position})" };
        var sha = await Sha256Async(eventsPath, cancellationToken);
        if (sha != manifest.EventsSha256 || manifest.HeadPosition != result.HeadPosition || manifest.HeadHash != result.HeadHash || manifest.EventCount != result.EventCount)
            return result with { Intact = false, FailedPosition = result.HeadPosition, Kind = TamperKind.Malformed,
                Reason = "the manifest does not describe the events file (count, head or SHA-256 differ)" };
        return result;
    }

    private static async IAsyncEnumerable<StoredEvent> ReadLinesAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long line = 0;
        await foreach (var text in File.ReadLinesAsync(path, Encoding.UTF8, cancellationToken))
        {
            line++;
            if (text.Length == 0) continue;
            ExportedEvent? e;
            try { e = JsonSerializer.Deserialize<ExportedEvent>(text, JsonOptions); }
            catch (JsonException x) { throw new FormatException($"{Path.GetFileName(path)} line {line} is not a valid event record: {x.Message}", x); }
            if (e?.Hash is null || e.PreviousHash is null || e.Body is null || e.StreamId is null || e.Timestamp is null)
                throw new FormatException($"{Path.GetFileName(path)} line {line} lacks a required field.");
            StoredEvent stored;
            try { stored = e.ToStoredEvent(); }
            catch (FormatException x) { throw new FormatException($"{Path.GetFileName(path)} line {line}: {x.Message}", x); }
            yield return stored;
        }
    }

    private static T ReadJson<T>(string directory, string file)
    {
        var path = Path.Combine(directory, file);
        if (!File.Exists(path)) throw new FormatException($"{file} is missing from {directory}.");
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), JsonOptions) ?? throw new FormatException($"{file} is empty.");
        }
        catch (JsonException x)
        {
            throw new FormatException($"{file} is not valid JSON: {x.Message}", x);
        }
    }

    private static async Task<string> ReadTextAsync(string directory, string file, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, file);
        return File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken) : throw new FormatException($"{file} is missing from {directory}.");
    }

    private static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
    }
}
