using Microsoft.Extensions.Logging;

namespace ReleaseGateway.BrowserTests.Infrastructure;

/// <summary>
/// The gateway's log during a browser run, written beside the screenshots (<c>gateway.log</c>): warnings and errors,
/// and each request's method, path, status and duration, so a failed step can be matched with what the server did.
/// </summary>
public sealed class GatewayLog : ILoggerProvider
{
    private readonly StreamWriter _writer;
    private readonly Lock _lock = new();

    public GatewayLog(string path)
    {
        _writer = new StreamWriter(path, append: false) { AutoFlush = true };
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
        lock (_lock) _writer.Dispose();
    }

    private void Write(string category, LogLevel level, string message, Exception? exception)
    {
        lock (_lock)
        {
            try
            {
                _writer.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {level,-11} {category}: {message}");
                if (exception is not null) _writer.WriteLine(exception);
            }
            catch (ObjectDisposedException)
            {
                // A background job logging while the host shuts down.
            }
        }
    }

    private sealed class Logger(GatewayLog log, string category) : ILogger
    {
        private readonly bool _requests = category == "Microsoft.AspNetCore.Hosting.Diagnostics";

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning || (_requests && logLevel >= LogLevel.Information);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // Of the hosting diagnostics, only "Request finished" (event 2): it has the method, path, status and time.
            if (!IsEnabled(logLevel) || (_requests && logLevel < LogLevel.Warning && eventId.Id != 2)) return;
            log.Write(category, logLevel, formatter(state, exception), exception);
        }
    }
}
