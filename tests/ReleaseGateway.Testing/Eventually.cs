using System.Diagnostics;

namespace ReleaseGateway.Testing;

/// <summary>
/// The one way tests wait for something asynchronous: poll, with a deadline that only stops a hung test (the
/// limits are generous; a passing test normally waits seconds), and a timeout that says what was awaited.
/// </summary>
public static class Eventually
{
    /// <summary>The default limit: long enough for the slowest step on a loaded CI machine.</summary>
    public static readonly TimeSpan DefaultLimit = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(100);

    /// <summary>Polls until <paramref name="condition"/> holds.</summary>
    /// <exception cref="TimeoutException">It did not hold within <paramref name="limit"/>; the message names <paramref name="what"/>.</exception>
    public static Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? limit = null, TimeSpan? poll = null) =>
        ValueAsync(condition, done => done, _ => what, limit, poll);

    /// <summary>Polls until <paramref name="condition"/> holds, for at most <paramref name="seconds"/>.</summary>
    public static Task TrueAsync(Func<Task<bool>> condition, string what, int seconds) =>
        TrueAsync(condition, what, TimeSpan.FromSeconds(seconds));

    /// <summary>Reads a value until <paramref name="done"/> accepts it, and returns it.</summary>
    /// <param name="describe">What was awaited and what was last seen, for the timeout's message.</param>
    /// <exception cref="TimeoutException">No accepted value within <paramref name="limit"/>.</exception>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> done, Func<T, string> describe, TimeSpan? limit = null,
        TimeSpan? poll = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        var max = limit ?? DefaultLimit;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (clock.Elapsed > max) throw new TimeoutException($"Still waiting after {max.TotalSeconds:0} s: {describe(value)}");
            await Task.Delay(poll ?? DefaultPoll);
        }
    }
}
