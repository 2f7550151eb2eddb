using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Channels;

namespace ReleaseGateway.IntegrationTests.Infrastructure;

/// <summary>
/// A running <c>rgw</c> (the CLI built next to the tests) whose output a test reads line by line while it runs,
/// for the interactive commands (<c>rgw login</c>). The timeouts only stop a hung test; nothing asserts on time.
/// </summary>
public sealed class RgwProcess : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _transcript = new();

    private RgwProcess(Process process) => _process = process;

    public static RgwProcess Start(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        StartWithInput(environment, stdin: null, arguments);

    public static RgwProcess StartWithInput(IReadOnlyDictionary<string, string> environment, string? stdin, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rgw.dll"));
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var (key, value) in environment) info.Environment[key] = value;
        var process = new Process { StartInfo = info };
        var rgw = new RgwProcess(process);
        process.OutputDataReceived += (_, e) => rgw.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => rgw.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (stdin is not null) process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        return rgw;
    }

    /// <summary>Runs to completion and returns the exit code and everything it printed.</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        RunWithInputAsync(environment, stdin: null, arguments);

    public static async Task<(int ExitCode, string Output)> RunWithInputAsync(IReadOnlyDictionary<string, string> environment, string? stdin, params string[] arguments)
    {
        await using var rgw = StartWithInput(environment, stdin, arguments);
        return (await rgw.WaitForExitAsync(), rgw.Transcript);
    }

    public string Transcript
    {
        get { lock (_transcript) return _transcript.ToString(); }
    }

    /// <summary>The first group of the first printed line matching <paramref name="pattern"/>.</summary>
    public async Task<string> WaitForLineAsync(string pattern)
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync(timeout.Token))
                if (Regex.Match(line, pattern) is { Success: true } match) return match.Groups[1].Value;
        }
        catch (OperationCanceledException)
        {
        }
        throw new InvalidOperationException($"rgw never printed /{pattern}/. Output:\n{Transcript}");
    }

    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException("rgw did not exit. Output:\n" + Transcript);
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_transcript) _transcript.AppendLine(line);
        _lines.Writer.TryWrite(line);
    }
}
