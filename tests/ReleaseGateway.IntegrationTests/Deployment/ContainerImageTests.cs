using System.Diagnostics;
using ReleaseGateway.Testing;

namespace ReleaseGateway.IntegrationTests.Deployment;

/// <summary>
/// Runs deploy/container/build.sh as an operator would: both images build (buildah, chroot isolation, on a local Debian
/// base) and the gateway inside each answers its health endpoints, the worker with the made generator installed, which
/// <c>rgw synth</c> trains there and the API image refuses. It
/// takes several minutes (debootstrap the first time, then two publishes, two image builds and two start-ups), so it runs
/// only with <c>RGW_TEST_IMAGE=1</c>; it skips, saying why, without buildah, debootstrap or root.
/// </summary>
public sealed class ContainerImageTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [ContainerImageFact]
    public async Task Given_BuildahAndTheBuiltGateway_When_BuildShRuns_Then_BothImagesBuildAndTheGatewayInsideEachAnswersItsHealthEndpoints()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var (api, worker) = ($"localhost/rgw-test-{id}:test", $"localhost/rgw-test-worker-{id}:test");
        var work = Directory.CreateTempSubdirectory("rgw-image-test-").FullName;
        try
        {
            // --no-build: the test run already built the gateway, rgw and the plug-in (Release); publishing must not race it.
            var (exit, log) = await RunAsync(Path.Combine(RepositoryPaths.Root, "deploy", "container", "build.sh"),
                "--no-build", "--work", work, "--tag", api, "--worker-tag", worker);
            output.WriteLine(log);

            Assert.True(exit == 0, log);
            Assert.Contains($"gateway inside {api}: /health/live 200, /health/ready 200, generators aim, mst;", log);
            Assert.Contains($"gateway inside {worker}: /health/live 200, /health/ready 200, generators aim, mst, made;", log);
            Assert.Contains($"rgw synth --method made inside {worker}: 20 rows,", log);
            Assert.Contains($"rgw synth --method made inside {api}: refused, the plug-in is not installed", log);
        }
        finally
        {
            await RunAsync("buildah", "rmi", worker, api);
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<(int Exit, string Log)> RunAsync(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}

/// <summary>A fact that runs only where the image can be built, and only when asked for (<c>RGW_TEST_IMAGE=1</c>).</summary>
public sealed class ContainerImageFactAttribute : FactAttribute
{
    public const string Switch = "RGW_TEST_IMAGE";

    public ContainerImageFactAttribute()
    {
        Skip = WhyNot();
    }

    private static string? WhyNot()
    {
        if (Environment.GetEnvironmentVariable(Switch) != "1")
            return $"building the images takes several minutes: set {Switch}=1 to run deploy/container/build.sh and its smoke test";
        foreach (var tool in new[] { "buildah", "debootstrap" })
            if (!(Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool))))
                return $"{tool} is not installed (apt-get install buildah debootstrap)";
        return Environment.UserName == "root" ? null : "deploy/container/build.sh needs root (debootstrap and buildah's chroot isolation)";
    }
}
