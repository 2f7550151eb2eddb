using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.Testing;

namespace ReleaseGateway.IntegrationTests.Deployment;

/// <summary>
/// Gateway nodes as real processes on loopback ports, sharing one PostgreSQL database and nothing else: each node has
/// its own empty data folder, blobs and keys are in the database (<c>ReleaseGateway:Storage=Postgres</c>), and the one
/// storage key comes from configuration, as on a real cluster (docs/deployment.md).
/// </summary>
internal sealed class GatewayCluster(string postgres, string policies, string? storageKey = null) : IDisposable
{
    public string Postgres => postgres;

    public string StorageKey { get; } = storageKey ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public List<GatewayNode> Nodes { get; } = [];

    /// <summary>The configuration every node and <c>rgw</c> share (the data folder is each node's own).</summary>
    /// <summary>The environment that makes a node a neural worker: the made plug-in, from the test's output folder (ADR 0043).</summary>
    public static IReadOnlyDictionary<string, string> NeuralWorker { get; } = new Dictionary<string, string>
    {
        ["ReleaseGateway__Generators__Plugins"] = Path.Combine(AppContext.BaseDirectory, "ReleaseGateway.Releases.Neural.dll"),
    };

    public Dictionary<string, string?> Environment(string dataDirectory) => new()
    {
        ["ReleaseGateway__DataDirectory"] = dataDirectory,
        ["ConnectionStrings__Postgres"] = postgres,
        ["ReleaseGateway__Storage"] = "Postgres",
        ["ReleaseGateway__SourceEncryptionKey"] = StorageKey,
        ["ReleaseGateway__RequireHttps"] = "false",
        // Behind one public address every node issues and accepts tokens for the same issuer.
        ["Identity__Issuer"] = "http://rgw.cluster.test/",
        ["ReleaseGateway__PoliciesDirectory"] = policies,
        ["ReleaseGateway__WorkflowsDirectory"] = Path.Combine(RepositoryPaths.Root, "workflows"),
        ["ReleaseGateway__Jobs__ClusterCheckinIntervalSeconds"] = "1",
        ["ReleaseGateway__Jobs__IdleWaitSeconds"] = "1",
        ["Identity__RateLimit__PermitLimit"] = "100000",
        ["ASPNETCORE_ENVIRONMENT"] = "Testing",
        ["Logging__LogLevel__Default"] = "Warning",
        // The job engine names its instance at start (Information): the test maps a running job to its node by it.
        ["Logging__LogLevel__ReleaseGateway.Releases.Jobs.ReleaseJobsWorker"] = "Information",
        // The pipeline's steps and the generators a node serves (Information): the tests see which node ran what.
        ["Logging__LogLevel__ReleaseGateway.Releases.Pipeline.ReleasePipeline"] = "Information",
        ["Logging__LogLevel__ReleaseGateway.Releases.Generators.GeneratorNodes"] = "Information",
        ["Logging__Console__FormatterName"] = "simple",
        ["Logging__Console__FormatterOptions__SingleLine"] = "true",
    };

    /// <summary>Starts a node on a fresh empty data folder and waits until it answers; <paramref name="settings"/> add to its environment.</summary>
    public async Task<GatewayNode> StartAsync(string name, IReadOnlyDictionary<string, string>? settings = null)
    {
        var node = new GatewayNode(name, new Uri($"http://127.0.0.1:{FreePort()}"), Directory.CreateTempSubdirectory("rgw-node-").FullName);
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ReleaseGateway.Api.dll"));
        foreach (var (k, v) in Environment(node.DataDirectory)) info.Environment[k] = v;
        foreach (var (k, v) in settings ?? new Dictionary<string, string>()) info.Environment[k] = v;
        info.Environment["ASPNETCORE_URLS"] = node.Address.ToString();
        node.Process = Process.Start(info)!;
        node.Process.OutputDataReceived += (_, e) => node.Log(e.Data);
        node.Process.ErrorDataReceived += (_, e) => node.Log(e.Data);
        node.Process.BeginOutputReadLine();
        node.Process.BeginErrorReadLine();
        lock (Nodes) Nodes.Add(node);
        using var http = new HttpClient { BaseAddress = node.Address };
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode) return true;
            }
            catch (HttpRequestException)
            {
            }
            if (node.Process.HasExited) throw new InvalidOperationException($"node {name} exited with {node.Process.ExitCode}:\n{node.Output}");
            return false;
        }, $"node {name} to start", TimeSpan.FromMinutes(2));
        return node;
    }

    public void Dispose()
    {
        foreach (var node in Nodes) node.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

internal sealed class GatewayNode(string name, Uri address, string dataDirectory) : IDisposable
{
    private readonly ConcurrentQueue<string> _output = new();

    public string Name { get; } = name;
    public Uri Address { get; } = address;
    public string DataDirectory { get; } = dataDirectory;
    public Process? Process { get; set; }
    public string Output => string.Join('\n', _output);

    public void Log(string? line)
    {
        if (line is not null) _output.Enqueue(line);
    }

    /// <summary>The job engine's instance id this node logged at start.</summary>
    public string? InstanceId => _output.Select(line => System.Text.RegularExpressions.Regex.Match(line, @"Job engine started: instance (\S+),"))
        .FirstOrDefault(m => m.Success)?.Groups[1].Value;

    public HttpClient Client(string accessToken)
    {
        var client = new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing; what a power cut or the OOM killer does.</summary>
    public void Kill()
    {
        if (Process is null) return;
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }
    }

    public bool Running => Process is { HasExited: false };

    public void Dispose()
    {
        Kill();
        Process?.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
