using System.Diagnostics;

namespace ReleaseGateway.Testing;

/// <summary>Runs the real <c>rgw</c> command line (the built rgw.dll beside the tests) as a separate process.</summary>
public static class Rgw
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(IReadOnlyDictionary<string, string?> environment, string? stdin, params string[] arguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "rgw.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} not found: reference src/ReleaseGateway.Cli from the test project.");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.ArgumentList.Add(dll);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
