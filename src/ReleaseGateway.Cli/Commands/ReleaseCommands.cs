using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using ReleaseGateway.Cli.Gateway;
using ReleaseGateway.EventStore.Verification;
using ReleaseGateway.Releases.Manifests;
using ReleaseGateway.Releases.Pipeline;

namespace ReleaseGateway.Cli;

/// <summary>
/// <c>rgw release show | download | verify | evaluation</c>: a release's page (as the gateway shows it to the caller: outside
/// the trust boundary without gate values or real-data details), its download (every artifact, each download an event on the
/// gateway), the offline check of a downloaded folder against the signed manifest (docs/releases.md), and, for committee,
/// compliance and stewards only, the committee's evaluation report (each view an event; docs/privacy.md).
/// </summary>
internal static class ReleaseCommands
{
    public static Command Create()
    {
        var release = new Command("release", "Show, download and verify synthetic releases");
        release.Subcommands.Add(Show());
        release.Subcommands.Add(Download());
        release.Subcommands.Add(Verify());
        release.Subcommands.Add(Evaluation());
        release.Subcommands.Add(Revoke());
        release.Subcommands.Add(CloseOut());
        release.Subcommands.Add(Visa());
        return release;
    }

    /// <summary>Runs a download; refused for want of the data-use agreement (RG2300), says how to read and accept it first.</summary>
    private static async Task<HttpResponseMessage> AgreedAsync(ReleaseDetails release, Func<Task<HttpResponseMessage>> download)
    {
        try
        {
            return await download();
        }
        catch (GatewayRefusedException e) when (e.Code == ReleaseGateway.Problems.ErrorCodes.AgreementNotAccepted)
        {
            Console.Error.WriteLine($"The dataset's data-use agreement must be accepted first. Read it: rgw agreements status {release.RequestId}; " +
                                    $"accept it: rgw agreements accept {release.RequestId}; then download again.");
            throw;
        }
    }

    private static Command CloseOut()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var id = ReleaseArgument();
        var note = new Option<string>("--note") { Description = "What the release was used for, results, that local copies were deleted", Required = true };
        var command = new Command("close-out", "File the close-out note of your release (published, expired or revoked); it ends your access")
        {
            credentials, id, note,
        };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var release = await gateway.SendJsonAsync<ReleaseDetails>(HttpMethod.Post, $"/releases/{parse.GetValue(id)}/close-out",
                new { note = parse.GetValue(note) }, ct);
            Console.WriteLine($"Release {release.Id} closed out at {release.ClosedOutAt:u}; the committee sees the note.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Visa()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var id = ReleaseArgument();
        var output = new Option<FileInfo?>("--out") { Description = "File to write the visa (a JWT) to (default: standard output)" };
        var command = new Command("visa",
            "A GA4GH Passport ControlledAccessGrants visa for your published release: a JWT signed by the gateway (keys at /.well-known/jwks), " +
            "valid an hour at most and never past the release's expiry")
        {
            credentials, id, output,
        };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var visa = await gateway.SendJsonAsync<ReleaseGateway.Releases.Access.IssuedVisa>(HttpMethod.Post, $"/releases/{parse.GetValue(id)}/visa", null, ct);
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, visa.Visa + "\n", ct);
                Console.WriteLine($"Wrote visa {visa.VisaId} (expires {visa.ExpiresAt:u}) to {file.FullName}; POST it to /visas/check to see whether it still holds.");
            }
            else Console.WriteLine(visa.Visa);
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>One line: status, step, percentage and stage (live when the gateway process runs the step).</summary>
    internal static string Progress(ReleaseView view)
    {
        var r = view.Release;
        var (step, percent, stage) = view.Live is { } live ? (live.Step, live.Percent, live.Stage) : (r.Step, r.Percent, r.Stage);
        return $"{r.Status,-19} {step,-9} {percent,3}%  {stage}";
    }

    internal static string Gate(GateOutcome g) =>
        $"{g.Status,-12} {g.Name,-28} {(g.Value is { } v ? v.ToString("0.####", CultureInfo.InvariantCulture) : "-"),8} {g.Comparison} {g.Threshold.ToString("0.####", CultureInfo.InvariantCulture)}";

    private static Argument<Guid> ReleaseArgument() => new("RELEASE") { Description = "The release's id" };

    private static Command Show()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var id = ReleaseArgument();
        var command = new Command("show", "A release's status, progress, gates, artifacts, expiry and downloads") { credentials, id };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var view = await gateway.GetAsync<ReleaseView>($"/releases/{parse.GetValue(id)}", ct);
            var r = view.Release;
            var people = await PeopleNames.ResolveAsync(gateway, [.. r.Approvers, .. r.Downloads.Select(d => d.By)], ct);
            Console.WriteLine($"Release {r.Id} (attempt {r.Attempt} of request {r.RequestId})");
            Console.WriteLine($"dataset:    {r.DatasetName} ({r.DatasetId})");
            Console.WriteLine($"status:     {Progress(view)}");
            Console.WriteLine($"generator:  {r.Generator}, ε = {r.Epsilon}, δ = {r.Delta:G3}, {r.Rows} rows");
            Console.WriteLine($"columns:    {string.Join(", ", r.Columns)}");
            if (r.Approvers.Count > 0) Console.WriteLine($"approvers:  {string.Join(", ", r.Approvers.Select(people.Name))}");
            if (r.CarriesRealDataStatistics)
                Console.WriteLine("legacy:     published before the privacy boundary: its files carry statistics of the real data (evaluation report, " +
                                  "format-1 manifest); a committee member or data steward may revoke it");
            if (r.EpsilonSpentAfter is { } spent) Console.WriteLine($"budget:     dataset ε spent after this charge {spent:0.###}");
            if (r.Passed is { } passed)
            {
                Console.WriteLine($"checks:     {(passed ? "PASSED" : "FAILED")}");
                foreach (var g in r.Gates) Console.WriteLine($"  {Gate(g)}");
                foreach (var e in r.EvaluationErrors) Console.WriteLine($"  error: {e}");
            }
            if (r.BlockedReason is { } blocked) Console.WriteLine($"blocked:    {blocked}");
            if (r.RevokedReason is { } revoked) Console.WriteLine($"revoked:    {revoked}");
            if (r.ClosedOutAt is { } closedOut) Console.WriteLine($"closed out: {closedOut:u}: {r.CloseOutNote}");
            if (r.PublishedAt is { } published) Console.WriteLine($"published:  {published:u}");
            if (r.ExpiresAt is { } expires) Console.WriteLine($"expires:    {expires:u}");
            if (r.Artifacts.Count > 0)
            {
                Console.WriteLine("artifacts:");
                foreach (var a in r.Artifacts) Console.WriteLine($"  {a.Name,-26} {a.Bytes,10} bytes  sha256 {a.Sha256}");
            }
            Console.WriteLine($"downloads:  {r.Downloads.Count}");
            foreach (var d in r.Downloads) Console.WriteLine($"  {d.At:u}  {d.Artifact,-26} by {people.Name(d.By)} ({d.Role})");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Evaluation()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var id = ReleaseArgument();
        var html = new Option<bool>("--html") { Description = "The HTML report instead of the JSON one" };
        var output = new Option<FileInfo?>("--out") { Description = "File to write the report to (default: standard output)" };
        var command = new Command("evaluation",
            "The committee's evaluation report of an attempt (real-data attacks and fidelity): committee, compliance and stewards only, " +
            "each view recorded on the gateway; it is never part of a release")
        {
            credentials, id, html, output,
        };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var format = parse.GetValue(html) ? "html" : "json";
            using var response = await gateway.SendAsync(() => new HttpRequestMessage(HttpMethod.Get,
                $"/releases/{parse.GetValue(id)}/evaluation-report?format={format}"), ct, HttpCompletionOption.ResponseHeadersRead);
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            if (parse.GetValue(output) is { } file)
            {
                await using var target = new FileStream(file.FullName, FileMode.Create, FileAccess.Write);
                await body.CopyToAsync(target, ct);
                Console.WriteLine($"Wrote the evaluation report to {file.FullName}; the view is recorded in the audit log.");
            }
            else
            {
                await using var stdout = Console.OpenStandardOutput();
                await body.CopyToAsync(stdout, ct);
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Download()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var id = ReleaseArgument();
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder to write the artifacts into (created if missing)", Required = true };
        var command = new Command("download",
            "Download every artifact of a published release (synthetic table, release report, manifest and its signature); " +
            "each file is checked against the hash the gateway lists, exit 1 on a mismatch")
        {
            credentials, id, output,
        };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var releaseId = parse.GetValue(id);
            var release = (await gateway.GetAsync<ReleaseView>($"/releases/{releaseId}", ct)).Release;
            if (release.Status != ReleaseStatus.Published)
                throw new UsageException($"Release {releaseId} is {release.Status}; only published releases can be downloaded.");
            var folder = parse.GetValue(output)!.FullName;
            Directory.CreateDirectory(folder);
            var failed = false;
            foreach (var artifact in release.Artifacts)
            {
                // The name comes from the gateway: never let it write outside the folder.
                if (artifact.Name != Path.GetFileName(artifact.Name) || artifact.Name is "." or "..")
                    throw new UsageException($"The release lists an artifact with an unsafe name: '{artifact.Name}'.");
                var path = Path.Combine(folder, artifact.Name);
                var partial = path + ".part";
                using (var response = await AgreedAsync(release, () => gateway.SendAsync(() => new HttpRequestMessage(HttpMethod.Get,
                    $"/releases/{releaseId}/artifacts/{Uri.EscapeDataString(artifact.Name)}"), ct, HttpCompletionOption.ResponseHeadersRead)))
                await using (var body = await response.Content.ReadAsStreamAsync(ct))
                await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write))
                    await body.CopyToAsync(file, ct);
                string hash;
                await using (var written = File.OpenRead(partial))
                    hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(written, ct));
                File.Move(partial, path, overwrite: true);
                var ok = hash == artifact.Sha256;
                failed |= !ok;
                Console.WriteLine(ok
                    ? $"{artifact.Name,-26} {artifact.Bytes,10} bytes  sha256 {hash[..16]}… as listed"
                    : $"{artifact.Name,-26} sha256 MISMATCH: received {hash[..16]}…, listed {artifact.Sha256[..16]}…");
            }
            var keyUrl = new Uri(gateway.Gateway, "/.well-known/rgw-signing-key.pem");
            Console.WriteLine($"Downloaded {release.Artifacts.Count} files of release {releaseId} to {folder}; check them with " +
                              $"'rgw release verify {Path.Combine(folder, ReleasePublication.ManifestName)} --key GATEWAY-PUBLIC-KEY.pem'," +
                              $" where GATEWAY-PUBLIC-KEY.pem is the gateway's signing key, published at {keyUrl} (compare it with the copy" +
                              " your data steward or the gateway's operator gave you: a key fetched alongside the files proves less).");
            return failed ? ExitCodes.Tampered : ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Revoke()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var id = new Argument<Guid>("RELEASE") { Description = "The release's id" };
        var reason = new Option<string>("--reason") { Description = "Why, recorded with the revocation and shown to the researcher", Required = true };
        var command = new Command("revoke", "Revoke a published release: its files can no longer be downloaded (as the workflow allows: committee, stewards)")
        {
            credentials, id, reason,
        };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var release = await gateway.SendJsonAsync<ReleaseDetails>(HttpMethod.Post, $"/releases/{parse.GetValue(id)}/revoke",
                new { reason = parse.GetValue(reason) }, ct);
            Console.WriteLine($"Release {release.Id} revoked; status {release.Status}.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Verify()
    {
        var manifest = new Argument<FileInfo>("MANIFEST") { Description = "The release's manifest.json (artifacts are looked for beside it)" };
        var signature = new Option<FileInfo?>("--signature") { Description = "The detached signature (default: manifest.sig.json beside the manifest)" };
        var key = new Option<FileInfo?>("--key")
        {
            Description = "The gateway's public key (PEM, e.g. DATA/keys/audit-signing-key.pub.pem); without it the key embedded in the " +
                          "signature file is used, which proves integrity but not who signed",
        };
        var requireAll = new Option<bool>("--require-all") { Description = "Fail when an artifact the manifest lists is not in the folder" };
        var command = new Command("verify",
            "Check a downloaded release offline: the manifest's signature and every artifact's SHA-256; exit 0 all ok, 1 a check failed, 2 usage")
        {
            manifest, signature, key, requireAll,
        };
        command.SetAction(parse =>
        {
            try
            {
                var manifestFile = parse.GetValue(manifest)!;
                if (!manifestFile.Exists) throw new UsageException($"The manifest {manifestFile.FullName} does not exist.");
                var signatureFile = parse.GetValue(signature);
                if (signatureFile is { Exists: false }) throw new UsageException($"The signature file {signatureFile.FullName} does not exist.");
                using var trusted = parse.GetValue(key) is { } pem
                    ? pem.Exists ? AuditSigningKey.LoadPem(File.ReadAllText(pem.FullName), pem.FullName) : throw new UsageException($"The key file {pem.FullName} does not exist.")
                    : null;
                IReadOnlyList<VerificationFinding> findings;
                try
                {
                    findings = ReleaseVerifier.Verify(manifestFile.FullName, signatureFile?.FullName, trusted, parse.GetValue(requireAll));
                }
                catch (Exception e) when (e is FormatException or ArgumentException or InvalidDataException)
                {
                    // Malformed release files (say, a signature file whose embedded key is not a key) are a failed check, not a usage error.
                    findings = [new VerificationFinding(false, "format", $"the release files are malformed: {e.Message}")];
                }
                foreach (var f in findings)
                    (f.Ok ? Console.Out : Console.Error).WriteLine($"{(f.Ok ? "ok  " : "FAIL")}  {f.Subject,-26} {f.Message}");
                if (findings.All(f => f.Ok))
                {
                    var m = ReleaseManifest.Parse(File.ReadAllBytes(manifestFile.FullName));
                    Console.WriteLine($"VERIFIED: release {m.ReleaseId} of dataset {m.DatasetName} (request {m.RequestId}), {m.Generator}, " +
                                      $"ε charged {m.Privacy.EpsilonCharged:0.###} at δ {m.Privacy.DeltaCharged:G3}, dataset ε spent after it {m.Privacy.LedgerEpsilonAfter:0.###} " +
                                      $"of {m.Privacy.CapEpsilon:0.###}, {(m.IsLegacy ? $"gates {(m.GatesPassed == true ? "passed" : "FAILED")} (format 1: carries real-data statistics)" : $"DP per {m.Privacy.Unit}")}, " +
                                      $"downloadable until {m.ExpiresAt:u}.");
                    return ExitCodes.Ok;
                }
                Console.Error.WriteLine("NOT VERIFIED: the release folder does not match what the gateway signed.");
                return ExitCodes.Tampered;
            }
            catch (Exception e) when (e is UsageException or FormatException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.UsageOrConnection;
            }
        });
        return command;
    }
}
