using System.Diagnostics;
using Microsoft.Playwright;
using ReleaseGateway.Testing;

namespace ReleaseGateway.BrowserTests.Infrastructure;

/// <summary>
/// Screenshots of the pages each role works on. Every run writes full-page PNGs to a test-artifacts folder
/// (<c>$RGW_SCREENSHOTS</c>, else <c>tests/ReleaseGateway.BrowserTests/TestResults/screenshots</c>, which git ignores).
/// With <c>RGW_TOUR_DIR</c> set (e.g. <c>RGW_TOUR_DIR=docs/tour</c>, relative to the repository root) the pages of the
/// README's tour are also written there, at the browser's 1200×800 viewport, for committing as documentation.
/// </summary>
public static class Screenshots
{
    public static string Directory { get; } = PrepareArtifacts(Environment.GetEnvironmentVariable("RGW_SCREENSHOTS") is { Length: > 0 } configured
        ? Path.GetFullPath(configured, RepositoryPaths.Root)
        : Path.Combine(RepositoryPaths.Root, "tests", "ReleaseGateway.BrowserTests", "TestResults", "screenshots"));

    public static string? TourDirectory { get; } = Environment.GetEnvironmentVariable("RGW_TOUR_DIR") is { Length: > 0 } tour
        ? Prepare(Path.GetFullPath(tour, RepositoryPaths.Root))
        : null;

    /// <summary>The tour's viewport: small enough for a README, wide enough for the tables.</summary>
    public static readonly ViewportSize Viewport = new() { Width = 1200, Height = 800 };

    /// <summary>
    /// A full-page screenshot named <paramref name="name"/>; when <paramref name="tour"/> is given and a tour is being
    /// made, also the visible part of the page (scrolled to <paramref name="tourFocus"/> if given) as <c>tour.png</c>.
    /// </summary>
    public static async Task TakeAsync(IPage page, string name, string? tour = null, ILocator? tourFocus = null)
    {
        await FullPageAsync(page, Path.Combine(Directory, name + ".png"));
        if (tour is null || TourDirectory is null) return;
        // The focus at the top of the picture, with a little of what comes before it.
        if (tourFocus is not null) await tourFocus.EvaluateAsync("e => { e.scrollIntoView({ block: 'start' }); window.scrollBy(0, -24); }");
        else await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        var file = Path.Combine(TourDirectory, tour + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = false });
        Optimise(file);
    }

    /// <summary>
    /// The whole page, taken by making the window as tall as the page and back again. Playwright's own full-page mode
    /// (Chromium's capture beyond the viewport) restores the scroll position late: a click right after it landed off
    /// its button in about a third of the tries here (5 of 15 form submissions lost; 0 of 15 this way).
    /// </summary>
    public static async Task FullPageAsync(IPage page, string path)
    {
        var (width, visible) = page.ViewportSize is { } viewport ? (viewport.Width, viewport.Height) : (Viewport.Width, Viewport.Height);
        var height = await page.EvaluateAsync<int>("() => Math.ceil(document.documentElement.scrollHeight)");
        await page.SetViewportSizeAsync(width, Math.Max(visible, height));
        try
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        }
        finally
        {
            await page.SetViewportSizeAsync(width, visible);
        }
    }

    /// <summary>Losslessly recompresses a tour image when optipng is installed (a developer's machine; never needed in CI).</summary>
    private static void Optimise(string file)
    {
        var optipng = new[] { "/usr/bin/optipng", "/usr/local/bin/optipng" }.FirstOrDefault(File.Exists);
        if (optipng is null) return;
        using var process = Process.Start(new ProcessStartInfo(optipng, ["-quiet", "-o2", "-strip", "all", file])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        });
        process?.WaitForExit(60_000);
    }

    private static string Prepare(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>The artifacts folder holds the last run only: its screenshots and axe findings are removed first.</summary>
    private static string PrepareArtifacts(string directory)
    {
        Prepare(directory);
        foreach (var file in System.IO.Directory.EnumerateFiles(directory, "*.png").Append(Path.Combine(directory, "axe.txt"))) File.Delete(file);
        return directory;
    }
}
