using Microsoft.Playwright;

namespace ReleaseGateway.BrowserTests.Infrastructure;

/// <summary>
/// Debian's chromium, found by its executable path and driven by Playwright's bundled driver (the node binary and
/// driver script in the package's <c>.playwright</c> folder, copied to the test output). Playwright's own browser
/// builds are never used nor downloaded; tests/run.sh installs Debian's <c>chromium</c> package when it is missing.
/// </summary>
public static class Chromium
{
    /// <summary>
    /// The browser binary itself first: <c>/usr/bin/chromium</c> is a shell wrapper that only adds flags (and prints a
    /// harmless error about memory on some machines). <c>RGW_CHROMIUM</c> overrides both.
    /// </summary>
    public static readonly string[] Candidates = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"];

    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("RGW_CHROMIUM") is { Length: > 0 } configured
            ? configured
            : Candidates.FirstOrDefault(File.Exists)
              ?? throw new InvalidOperationException(
                  $"No chromium at {string.Join(" or ", Candidates)}: tests/run.sh installs Debian's chromium package (apt-get install chromium), or set RGW_CHROMIUM.");

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        // Belt and braces: nothing here would download a browser, and this keeps it that way.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                // A shared, loaded 2-core machine: give the browser's own start-up room.
                Timeout = 60_000,
                // No GPU in CI; keep /dev/shm small machines from crashing renderers.
                Args = ["--disable-gpu", "--disable-dev-shm-usage"],
            });
            return (playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }
}
