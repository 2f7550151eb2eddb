using ReleaseGateway.Testing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ReleaseGateway.IntegrationTests.Deployment;

/// <summary>
/// The deployment files parse and hold what docs/deployment.md promises: non-root, read-only root, probes on the
/// gateway's real health endpoints, limits, secrets only from secret stores, shared storage, the bootstrap step, and
/// every reference (ConfigMap, Secret, labels, port names, telemetry pipelines) pointing at something that exists.
/// No schema validator installs from our registries, so these are the checks.
/// </summary>
public sealed class DeploymentFilesTests
{
    private static readonly string Deploy = Path.Combine(RepositoryPaths.Root, "deploy");

    [Fact]
    public void Given_TheComposeStack_When_Parsed_Then_TwoHardenedNodesShareStorageAndTakeSecretsFromFiles()
    {
        var compose = Load(Path.Combine(Deploy, "compose.yaml"));
        var services = Map(compose, "services");
        foreach (var name in new[] { "postgres", "bootstrap", "gateway-a", "gateway-b", "otel-collector" })
            Assert.True(services.Children.ContainsKey(name), $"compose.yaml lacks the service {name}");

        var secrets = Map(compose, "secrets");
        foreach (var name in new[] { "gateway-a", "gateway-b" })
        {
            var node = Map(services, name);
            Assert.Equal("true", Scalar(node, "read_only"));
            Assert.Equal("10001:10001", Scalar(node, "user"));
            Assert.Contains("ALL", Sequence(node, "cap_drop").Select(s => s.ToString()));
            var environment = Map(node, "environment");
            Assert.Equal("Postgres", Scalar(environment, "ReleaseGateway__Storage"));
            Assert.Equal("http://otel-collector:4317", Scalar(environment, "OTEL_EXPORTER_OTLP_ENDPOINT"));
            // No secret in an environment block: the connection string and the storage key arrive as files.
            Assert.DoesNotContain(environment.Children.Keys.Select(k => k.ToString()), k => k.Contains("Postgres", StringComparison.Ordinal) && k.StartsWith("ConnectionStrings", StringComparison.Ordinal));
            Assert.DoesNotContain(environment.Children.Keys.Select(k => k.ToString()), k => k.Contains("EncryptionKey", StringComparison.Ordinal));
            var targets = Sequence(node, "secrets").Cast<YamlMappingNode>().ToDictionary(s => Scalar(s, "source"), s => Scalar(s, "target"));
            Assert.Equal("/run/secrets/rgw/ConnectionStrings__Postgres", targets["rgw_postgres_connection"]);
            Assert.Equal("/run/secrets/rgw/ReleaseGateway__SourceEncryptionKey", targets["rgw_storage_key"]);
            Assert.All(targets.Keys, s => Assert.True(secrets.Children.ContainsKey(s), $"secret {s} is not declared"));
            Assert.Contains("/health/ready", string.Join(' ', Sequence(Map(node, "healthcheck"), "test").Select(t => t.ToString())));
            Assert.Equal("service_completed_successfully", Scalar(Map(Map(node, "depends_on"), "bootstrap"), "condition"));
            Assert.Equal("service_healthy", Scalar(Map(Map(node, "depends_on"), "postgres"), "condition"));
            Assert.Contains(Sequence(node, "volumes").Select(v => v.ToString()), v => v.EndsWith(":/data", StringComparison.Ordinal));
            Assert.NotNull(Map(Map(Map(node, "deploy"), "resources"), "limits"));
        }
        // The API node carries no libtorch; the second node is the neural worker (ADR 0043).
        Assert.Contains("localhost/releasegateway:", Scalar(Map(services, "gateway-a"), "image"));
        Assert.Contains("localhost/releasegateway-worker:", Scalar(Map(services, "gateway-b"), "image"));
        Assert.Equal(new[] { "rgw", "bootstrap" }, Sequence(Map(services, "bootstrap"), "command").Select(c => c.ToString()));
        Assert.Equal("/run/secrets/postgres_password", Scalar(Map(Map(services, "postgres"), "environment"), "POSTGRES_PASSWORD_FILE"));
        foreach (var (_, secret) in secrets.Children)
            Assert.StartsWith("./compose/secrets/", Scalar((YamlMappingNode)secret, "file"));
    }

    [Fact]
    public void Given_TheCollectorConfig_When_Parsed_Then_TracesAndMetricsPipelinesUseDeclaredReceiversAndExporters()
    {
        var config = Load(Path.Combine(Deploy, "compose", "otel-collector.yaml"));
        var pipelines = Map(Map(config, "service"), "pipelines");
        foreach (var signal in new[] { "traces", "metrics" })
        {
            var pipeline = Map(pipelines, signal);
            foreach (var (part, declared) in new[] { ("receivers", "receivers"), ("processors", "processors"), ("exporters", "exporters") })
            {
                var names = Sequence(pipeline, part).Select(n => n.ToString()).ToList();
                Assert.NotEmpty(names);
                Assert.All(names, n => Assert.True(Map(config, declared).Children.ContainsKey(n), $"{signal} uses undeclared {part[..^1]} {n}"));
            }
            Assert.Contains("otlp", Sequence(pipeline, "receivers").Select(n => n.ToString()));
        }
        Assert.Equal("0.0.0.0:4317", Scalar(Map(Map(Map(Map(config, "receivers"), "otlp"), "protocols"), "grpc"), "endpoint"));
    }

    [Fact]
    public void Given_TheKubernetesManifests_When_Parsed_Then_TheDeploymentIsProbedLimitedHardenedAndEveryReferenceResolves()
    {
        var folder = Path.Combine(Deploy, "kubernetes");
        var listed = Sequence(Load(Path.Combine(folder, "kustomization.yaml")), "resources").Select(r => r.ToString()).ToList();
        Assert.All(listed, f => Assert.True(File.Exists(Path.Combine(folder, f)), $"kustomization lists missing {f}"));
        var documents = Directory.EnumerateFiles(folder, "*.yaml").Where(f => !f.EndsWith("kustomization.yaml", StringComparison.Ordinal))
            .Select(Load).ToList();
        YamlMappingNode Kind(string kind) => Assert.Single(documents, d => Scalar(d, "kind") == kind);

        var deployment = Kind("Deployment");
        var configMap = Kind("ConfigMap");
        var secret = Kind("Secret");
        var pod = Map(Map(deployment, "spec"), "template");
        var podLabels = Map(Map(pod, "metadata"), "labels");
        var podSpec = Map(pod, "spec");
        Assert.Equal("true", Scalar(Map(podSpec, "securityContext"), "runAsNonRoot"));
        var container = (YamlMappingNode)Assert.Single(Sequence(podSpec, "containers"));
        var security = Map(container, "securityContext");
        Assert.Equal("true", Scalar(security, "readOnlyRootFilesystem"));
        Assert.Equal("false", Scalar(security, "allowPrivilegeEscalation"));
        foreach (var probe in new[] { ("livenessProbe", "/health/live"), ("readinessProbe", "/health/ready"), ("startupProbe", "/health/live") })
        {
            var get = Map(Map(container, probe.Item1), "httpGet");
            Assert.Equal(probe.Item2, Scalar(get, "path"));
            Assert.Equal("http", Scalar(get, "port"));
        }
        var resources = Map(container, "resources");
        Assert.NotNull(Scalar(Map(resources, "limits"), "memory"));
        Assert.NotNull(Scalar(Map(resources, "limits"), "cpu"));
        Assert.NotNull(Scalar(Map(resources, "requests"), "memory"));
        Assert.Equal("http", Scalar((YamlMappingNode)Sequence(container, "ports")[0], "name"));
        Assert.Equal(Scalar(Map(configMap, "metadata"), "name"), Scalar(Map((YamlMappingNode)Sequence(container, "envFrom")[0], "configMapRef"), "name"));
        Assert.Equal("Postgres", Scalar(Map(configMap, "data"), "ReleaseGateway__Storage"));
        AssertSecretsMountedAsFiles(podSpec, container, secret);
        Assert.Contains(Sequence(container, "volumeMounts").Cast<YamlMappingNode>(), m => Scalar(m, "mountPath") == "/data");
        Assert.DoesNotContain(Map(configMap, "data").Children.Keys.Select(k => k.ToString()), k => k.StartsWith("ConnectionStrings", StringComparison.Ordinal) || k.Contains("EncryptionKey", StringComparison.Ordinal));

        var service = Kind("Service");
        AssertSelects(Map(Map(service, "spec"), "selector"), podLabels);
        Assert.Equal("http", Scalar((YamlMappingNode)Sequence(Map(service, "spec"), "ports")[0], "targetPort"));
        var budget = Kind("PodDisruptionBudget");
        AssertSelects(Map(Map(Map(budget, "spec"), "selector"), "matchLabels"), podLabels);
        AssertSelects(Map(Map(Map(deployment, "spec"), "selector"), "matchLabels"), podLabels);

        var job = Kind("Job");
        var jobSpec = Map(Map(Map(job, "spec"), "template"), "spec");
        var bootstrap = (YamlMappingNode)Assert.Single(Sequence(jobSpec, "containers"));
        Assert.Equal(new[] { "rgw", "bootstrap" }, Sequence(bootstrap, "args").Select(a => a.ToString()));
        Assert.Equal(Scalar(container, "image"), Scalar(bootstrap, "image"));
        AssertSecretsMountedAsFiles(jobSpec, bootstrap, secret);
    }

    [Fact]
    public void Given_TheWorkerOverlay_When_Parsed_Then_ItAddsAHardenedWorkerOfTheWorkerImageThatNoBaseSelectorPicks()
    {
        var folder = Path.Combine(Deploy, "kubernetes");
        Assert.Equal(new[] { "../", "deployment-worker.yaml" }, Sequence(Load(Path.Combine(folder, "worker", "kustomization.yaml")), "resources").Select(r => r.ToString()));
        var worker = Load(Path.Combine(folder, "worker", "deployment-worker.yaml"));
        var api = Load(Path.Combine(folder, "deployment.yaml"));
        var podSpec = Map(Map(Map(worker, "spec"), "template"), "spec");
        var container = (YamlMappingNode)Assert.Single(Sequence(podSpec, "containers"));
        var apiContainer = (YamlMappingNode)Sequence(Map(Map(Map(api, "spec"), "template"), "spec"), "containers")[0];
        Assert.Equal(Scalar(apiContainer, "image").Replace("/releasegateway:", "/releasegateway-worker:", StringComparison.Ordinal), Scalar(container, "image"));
        Assert.Equal("true", Scalar(Map(podSpec, "securityContext"), "runAsNonRoot"));
        Assert.Equal("true", Scalar(Map(container, "securityContext"), "readOnlyRootFilesystem"));
        Assert.Equal("/health/ready", Scalar(Map(Map(container, "readinessProbe"), "httpGet"), "path"));
        Assert.Contains(Sequence(container, "volumeMounts").Cast<YamlMappingNode>(), m => Scalar(m, "mountPath") == "/run/secrets/rgw");
        Assert.NotNull(Scalar(Map(Map(container, "resources"), "limits"), "memory"));
        // Its own component: neither the API Deployment, the Service nor the PodDisruptionBudget selects the worker's pods.
        var workerLabels = Map(Map(Map(Map(worker, "spec"), "template"), "metadata"), "labels");
        foreach (var selector in new[] { Map(Map(Map(api, "spec"), "selector"), "matchLabels"), Map(Map(Load(Path.Combine(folder, "service.yaml")), "spec"), "selector") })
            Assert.Contains(selector.Children, p => !workerLabels.Children.TryGetValue(p.Key, out var v) || v.ToString() != p.Value.ToString());
        Assert.NotEqual(Scalar(Map(api, "metadata"), "name"), Scalar(Map(worker, "metadata"), "name"));
    }

    [Fact]
    public void Given_TheContainerfile_When_Read_Then_TheBaseIsAnArgument_TheUserIsNotRoot_AndNoSecretIsBakedIn()
    {
        var lines = File.ReadAllLines(Path.Combine(Deploy, "container", "Containerfile")).Where(l => !l.TrimStart().StartsWith('#')).ToList();
        var from = lines.FindIndex(l => l.StartsWith("FROM ", StringComparison.Ordinal));
        Assert.Contains(lines.Take(from), l => l.StartsWith("ARG BASE_IMAGE=", StringComparison.Ordinal));
        Assert.Equal("FROM ${BASE_IMAGE}", lines[from]);
        var user = Assert.Single(lines, l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.DoesNotContain("root", user);
        Assert.DoesNotContain(" 0", user);
        Assert.Contains(lines, l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("VOLUME [\"/data\"]", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("ConnectionStrings", StringComparison.Ordinal) || l.Contains("EncryptionKey", StringComparison.Ordinal) || l.Contains("Password", StringComparison.OrdinalIgnoreCase));
        Assert.True(File.Exists(Path.Combine(Deploy, "container", "build.sh")));
    }

    private static void AssertSecretsMountedAsFiles(YamlMappingNode podSpec, YamlMappingNode container, YamlMappingNode secret)
    {
        var mount = Assert.Single(Sequence(container, "volumeMounts").Cast<YamlMappingNode>(), m => Scalar(m, "mountPath") == "/run/secrets/rgw");
        var volume = Assert.Single(Sequence(podSpec, "volumes").Cast<YamlMappingNode>(), v => Scalar(v, "name") == Scalar(mount, "name"));
        Assert.Equal(Scalar(Map(secret, "metadata"), "name"), Scalar(Map(volume, "secret"), "secretName"));
        var keys = Map(secret, "stringData").Children.Keys.Select(k => k.ToString()).ToList();
        Assert.Contains("ConnectionStrings__Postgres", keys);
        Assert.Contains("ReleaseGateway__SourceEncryptionKey", keys);
    }

    private static void AssertSelects(YamlMappingNode selector, YamlMappingNode labels)
    {
        Assert.NotEmpty(selector.Children);
        foreach (var (key, value) in selector.Children)
            Assert.Equal(value.ToString(), labels.Children.TryGetValue(key, out var label) ? label.ToString() : null);
    }

    private static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        // The compose file shares the nodes' settings through a merge key (<<: *gateway), resolved here as compose does.
        stream.Load(new MergingParser(new Parser(reader)));
        return (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var child) ? (YamlMappingNode)child : throw new Xunit.Sdk.XunitException($"missing '{key}'");

    private static YamlSequenceNode Sequence(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var child) ? (YamlSequenceNode)child : throw new Xunit.Sdk.XunitException($"missing list '{key}'");

    private static string Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var child) ? ((YamlScalarNode)child).Value! : throw new Xunit.Sdk.XunitException($"missing '{key}'");
}
