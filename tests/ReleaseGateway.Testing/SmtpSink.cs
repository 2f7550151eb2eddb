using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ReleaseGateway.Testing;

/// <summary>One message as the sink received it: the envelope recipients and the raw DATA (headers and body).</summary>
public sealed record ReceivedMail(IReadOnlyList<string> To, string Data)
{
    public string Subject => Data.Split("\r\n").FirstOrDefault(l => l.StartsWith("Subject:", StringComparison.OrdinalIgnoreCase))?["Subject:".Length..].Trim() ?? "";
}

/// <summary>
/// A real SMTP listener on loopback (RFC 5321's minimal command set: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), so tests
/// see what the gateway's SMTP client really sent. <see cref="StartAsync"/> may reopen it on the same port after
/// <see cref="StopAsync"/>, to test delivery after the server was down.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedMail> _received = new();
    private TcpListener? _listener;
    private CancellationTokenSource? _stop;
    private Task? _loop;

    public int Port { get; private set; }
    public IReadOnlyList<ReceivedMail> Received => [.. _received];

    public static async Task<SmtpSink> StartNewAsync()
    {
        var sink = new SmtpSink();
        await sink.StartAsync();
        return sink;
    }

    public Task StartAsync()
    {
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _stop = new CancellationTokenSource();
        var listener = _listener;
        var token = _stop.Token;
        _loop = Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await listener.AcceptTcpClientAsync(token); }
                catch (Exception) { return; }
                _ = Task.Run(() => ServeAsync(client, token), token);
            }
        }, token);
        return Task.CompletedTask;
    }

    public async Task StopAsync()
    {
        if (_stop is null) return;
        await _stop.CancelAsync();
        _listener!.Stop();
        try { await _loop!; } catch (OperationCanceledException) { }
        _stop.Dispose();
        _stop = null;
    }

    private async Task ServeAsync(TcpClient client, CancellationToken ct)
    {
        using var _ = client;
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 localhost test sink");
        var to = new List<string>();
        try
        {
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO": await writer.WriteLineAsync("250-localhost\r\n250 8BITMIME"); break;
                    case "HELO": await writer.WriteLineAsync("250 localhost"); break;
                    case "MAIL": to.Clear(); await writer.WriteLineAsync("250 OK"); break;
                    case "RCPT":
                        to.Add(line[(line.IndexOf('<') + 1)..line.LastIndexOf('>')]);
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(ct) is { } l && l != ".") data.Append(l.StartsWith("..", StringComparison.Ordinal) ? l[1..] : l).Append("\r\n");
                        _received.Enqueue(new ReceivedMail([.. to], data.ToString()));
                        await writer.WriteLineAsync("250 OK queued");
                        break;
                    case "RSET": to.Clear(); await writer.WriteLineAsync("250 OK"); break;
                    case "NOOP": await writer.WriteLineAsync("250 OK"); break;
                    case "QUIT": await writer.WriteLineAsync("221 Bye"); return;
                    default: await writer.WriteLineAsync("502 Command not implemented"); break;
                }
            }
        }
        catch (Exception) when (ct.IsCancellationRequested) { }
        catch (IOException) { }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
