using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ReleaseGateway.BrowserTests.Infrastructure;
using ReleaseGateway.Identity.Authorization;
using static Microsoft.Playwright.Assertions;

namespace ReleaseGateway.BrowserTests;

/// <summary>
/// A release from request to audit, every step in the browser as the people would take it: a steward registers and
/// uploads a real table, a researcher (first sign-in with a one-time password) asks for a synthetic release, the steward
/// accepts it for review, two committee members approve with reasons, the pipeline generates, evaluates and publishes
/// while the request page refreshes itself, the researcher downloads the synthetic table and the manifest, and a
/// compliance officer verifies the audit chain, reads the budget ledger and sees who downloaded what. Each role's main
/// pages are screenshotted and scanned with axe on the way.
/// </summary>
[Collection(BrowserSuite.Name)]
public sealed class ReleaseJourneyTests(BrowserGateway gateway)
{
    private const string Dataset = "gbsg";
    private static readonly RequestTerms Terms = new("Recurrence after hormone therapy");

    [Fact]
    public async Task Given_ResearchersRequest_When_CommitteeApprovesAndThePipelineReleases_Then_ResearcherDownloadsAndComplianceVerifies()
    {
        await using var steward = await gateway.SignInAsync("dana.steward", Roles.DataSteward);
        await using var researcher = await gateway.SignInAsync("rosa.researcher", Roles.Researcher, oneTimePassword: true);
        await using var first = await gateway.SignInAsync("carl.committee", Roles.CommitteeMember);
        await using var second = await gateway.SignInAsync("maya.committee", Roles.CommitteeMember);
        await using var compliance = await gateway.SignInAsync("chris.compliance", Roles.ComplianceOfficer);
        Person[] everyone = [steward, researcher, first, second, compliance];
        try
        {
            await RunAsync(steward, researcher, first, second, compliance);
        }
        catch
        {
            // Where each person was when it failed, beside the other screenshots.
            foreach (var person in everyone)
            {
                var name = Path.Combine(Screenshots.Directory, $"failure-{person.User.Role}-{person.Email.Split('.')[0]}");
                try
                {
                    await Screenshots.FullPageAsync(person.Page, name + ".png");
                    await File.WriteAllTextAsync(name + ".txt", person.Page.Url + "\n\n" + await person.Page.GetByRole(AriaRole.Main).InnerTextAsync());
                }
                catch (Exception e) when (e is PlaywrightException or TimeoutException)
                {
                    // A page in the middle of a navigation: the test's own failure matters more.
                }
            }
            throw;
        }
        foreach (var person in everyone) Assert.True(person.ConsoleErrors.Count == 0, $"{person.Email}'s browser reported:\n{string.Join("\n", person.ConsoleErrors)}");
    }

    private async Task RunAsync(Person steward, Person researcher, Person first, Person second, Person compliance)
    {
        // The steward registers the table (schema file in the form) and uploads it.
        var datasetId = await Pages.RegisterDatasetAsync(steward, Dataset, step => Screenshots.TakeAsync(steward.Page, "steward-" + step));
        await Screenshots.TakeAsync(steward.Page, "steward-dataset");
        await steward.AssertAccessibleAsync();
        await steward.NavigateAsync("Datasets");
        await Screenshots.TakeAsync(steward.Page, "steward-datasets");
        await steward.AssertAccessibleAsync();

        // The researcher sees what they can do, picks the dataset and submits the request.
        await Screenshots.TakeAsync(researcher.Page, "researcher-start");
        await researcher.AssertAccessibleAsync();
        await researcher.NavigateAsync("New request");
        await Expect(researcher.Page.GetByRole(AriaRole.Region, new() { Name = Dataset, Exact = true })).ToContainTextAsync(string.Join(", ", Gbsg.Columns));
        await Screenshots.TakeAsync(researcher.Page, "researcher-dataset-picker");
        await researcher.AssertAccessibleAsync();
        var requestId = await Pages.SubmitRequestAsync(researcher, Dataset, Terms, step => Screenshots.TakeAsync(researcher.Page, "researcher-" + step));
        await Expect(researcher.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Your request was submitted.");
        await Expect(Pages.State(researcher.Page)).ToHaveTextAsync("Screening");
        await researcher.AssertAccessibleAsync();

        // The steward accepts it for committee review from the screening queue.
        await steward.NavigateAsync("Screening");
        await Screenshots.TakeAsync(steward.Page, "steward-screening");
        await steward.AssertAccessibleAsync();
        await Pages.AcceptForReviewAsync(steward, Terms.Title);

        // The first committee member's home page says what awaits them: the request, to vote on.
        await first.OpenAsync("/ui");
        var inboxItem = first.Page.GetByRole(AriaRole.Link, new() { Name = "Vote: " + Terms.Title, Exact = true });
        await Expect(inboxItem).ToBeVisibleAsync();
        await Expect(first.Page.GetByRole(AriaRole.Region, new() { Name = "Committee member" })).ToContainTextAsync(new Regex(@"\d+ requests? awaits? your vote\."));
        await Screenshots.TakeAsync(first.Page, "committee-home");
        await first.AssertAccessibleAsync();
        await first.NavigateAsync("Inbox");
        await Expect(first.Page.GetByRole(AriaRole.Row).Filter(new() { HasText = Terms.Title })).ToContainTextAsync("awaits your vote");
        await Screenshots.TakeAsync(first.Page, "committee-inbox");
        await first.AssertAccessibleAsync();

        // Two committee members approve, each with a reason; the first looks at the queue and the request first: who asks,
        // for which ε, and whether the dataset's budget fits it.
        await first.NavigateAsync("Awaiting my decision");
        var queued = first.Page.GetByRole(AriaRole.Row).Filter(new() { HasText = Terms.Title });
        await Expect(queued).ToContainTextAsync(researcher.Email);
        await Expect(queued).ToContainTextAsync("fits");
        await Expect(first.Page.GetByRole(AriaRole.Link, new() { Name = Terms.Title, Exact = true })).ToBeVisibleAsync();
        await Screenshots.TakeAsync(first.Page, "committee-queue");
        await first.AssertAccessibleAsync();
        await Pages.ApproveAsync(first, Terms.Title, "Proportionate: ε = 1 on a table of 686 rows, columns match the purpose.",
            step => Screenshots.TakeAsync(first.Page, "committee-" + step));
        // The round's votes give each reason once, beside the vote, and the quorum in words.
        var votes = first.Page.Locator("table").Filter(new() { HasText = "Reason" }).First;
        await Expect(votes.GetByRole(AriaRole.Cell, new() { Name = "Proportionate: ε = 1 on a table of 686 rows, columns match the purpose.", Exact = true })).ToBeVisibleAsync();
        await Expect(first.Page.GetByRole(AriaRole.Main)).ToContainTextAsync("approvals approve the request");
        await Pages.ApproveAsync(second, Terms.Title, "Justified by the survival model; publication limited to coefficients.");

        // After voting the queue is empty, and the request is under All requests with the member's vote; its page gives
        // the votes with their reasons once each, and the quorum in words.
        await first.NavigateAsync("Awaiting my decision");
        await Expect(first.Page.GetByRole(AriaRole.Main)).ToContainTextAsync("Nothing awaits your decision.");
        await first.NavigateAsync("All requests");
        var decided = first.Page.GetByRole(AriaRole.Row).Filter(new() { HasText = Terms.Title });
        await Expect(decided).ToContainTextAsync("approve");
        await Screenshots.TakeAsync(first.Page, "committee-all-requests");
        await first.AssertAccessibleAsync();
        await first.Page.GetByLabel("State").SelectOptionAsync(new SelectOptionValue { Label = "Screening" });
        await first.Page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(first.Page.GetByRole(AriaRole.Row).Filter(new() { HasText = Terms.Title })).ToHaveCountAsync(0);

        // The pipeline runs. The researcher opens the request page and asks it to refresh itself (no script) while the
        // gateway works; the test never reloads it, it only waits for what a person would see.
        await researcher.OpenAsync($"/ui/requests/{requestId}");
        var state = Pages.State(researcher.Page);
        var released = state.Filter(new() { HasText = "Released" });
        var pipeline = researcher.Page.GetByRole(AriaRole.Heading, new() { Name = "Release pipeline" });
        await Expect(pipeline).ToBeVisibleAsync();
        var follow = researcher.Page.GetByRole(AriaRole.Link, new() { Name = "Refresh this page every 3 seconds" });
        var stop = researcher.Page.GetByRole(AriaRole.Link, new() { Name = "Stop refreshing" });
        if (await state.InnerTextAsync() != "Released")
        {
            await researcher.AssertAccessibleAsync();
            await follow.ClickAsync();
            await Expect(stop.Or(released)).ToBeVisibleAsync();

            // A running step shows its progress bar. To look at it closely the researcher stops the refreshing (a page
            // that reloads under axe or a screenshot is no page to read), then turns it on again to wait for the end.
            var progress = researcher.Page.GetByRole(AriaRole.Progressbar).First;
            try
            {
                await Expect(progress.Or(released)).ToBeVisibleAsync(new() { Timeout = 20_000 });
            }
            catch (PlaywrightException)
            {
                // Still waiting for a worker: that is progress too.
            }
            await researcher.OpenAsync($"/ui/requests/{requestId}"); // as "Stop refreshing" does, without racing a refresh
            // The README's first picture shows a step running; a tour taken after the pipeline finished would not.
            Assert.True(Screenshots.TourDirectory is null || await progress.IsVisibleAsync(), "The pipeline finished before the tour's picture: run again.");
            await Screenshots.TakeAsync(researcher.Page, "researcher-request-progress", tour: "1-researcher-request-progress", tourFocus: pipeline);
            await researcher.AssertAccessibleAsync();
            if (await follow.IsVisibleAsync()) await follow.ClickAsync();
        }

        // Released, or blocked by a gate (then the page says why, and so does the test).
        await Expect(state).ToHaveTextAsync(new Regex("^(Released|Blocked)$"), new() { Timeout = 480_000 });
        Assert.True(await state.InnerTextAsync() == "Released",
            "The release was blocked: " + await researcher.Page.GetByRole(AriaRole.Main).InnerTextAsync());
        await Screenshots.TakeAsync(researcher.Page, "researcher-request-released");
        await researcher.AssertAccessibleAsync();

        // The committee reads the evaluation on the request page: the gate table, then the full report on its own page.
        await first.OpenAsync($"/ui/requests/{requestId}");
        var evaluation = first.Page.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex("^Evaluation of attempt 1") });
        await Expect(evaluation).ToBeVisibleAsync();
        await Expect(first.Page.Locator("table.gates").First).ToContainTextAsync("Pass");
        await Screenshots.TakeAsync(first.Page, "committee-request-evaluation", tour: "2-committee-evaluation", tourFocus: evaluation);
        await first.AssertAccessibleAsync();
        await first.Page.GetByRole(AriaRole.Link, new() { Name = "Open the full evaluation report on its own page" }).ClickAsync();
        await Expect(first.Page.GetByRole(AriaRole.Heading).First).ToBeVisibleAsync();
        await Screenshots.TakeAsync(first.Page, "committee-evaluation-report");
        await first.AssertAccessibleAsync();

        // The researcher opens the release and downloads the synthetic table and the manifest, each checked against the
        // SHA-256 the page shows.
        await researcher.Page.GetByRole(AriaRole.Link, new() { Name = "Attempt 1", Exact = true }).ClickAsync();
        await Expect(researcher.Page.GetByRole(AriaRole.Heading, new() { Name = "Release: " + Terms.Title, Level = 1 })).ToBeVisibleAsync();
        var releaseUrl = researcher.Page.Url;
        await Expect(researcher.Page.GetByRole(AriaRole.Heading, new() { Name = "Manifest" })).ToBeVisibleAsync();
        var folder = Directory.CreateTempSubdirectory("rgw-browser-download-").FullName;
        foreach (var artifact in new[] { "synthetic.csv", "manifest.json" })
        {
            var row = researcher.Page.Locator("#files ~ table").First.GetByRole(AriaRole.Row).Filter(new() { HasText = artifact });
            var shown = (await row.GetByRole(AriaRole.Cell).Nth(2).InnerTextAsync()).Trim();
            Assert.Matches("^[0-9a-f]{64}$", shown);
            var download = await researcher.Page.RunAndWaitForDownloadAsync(() =>
                row.GetByRole(AriaRole.Button, new() { Name = "Download " + artifact }).ClickAsync());
            Assert.Equal(artifact, download.SuggestedFilename);
            var path = Path.Combine(folder, artifact);
            await download.SaveAsAsync(path);
            Assert.Equal(shown, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path))));
        }
        var table = await File.ReadAllLinesAsync(Path.Combine(folder, "synthetic.csv"));
        Assert.Equal(string.Join(",", Terms.Columns), table[0]);
        Assert.Equal(Terms.Rows + 1, table.Length);
        Assert.Contains(requestId.ToString(), await File.ReadAllTextAsync(Path.Combine(folder, "manifest.json")));
        Directory.Delete(folder, recursive: true);
        await researcher.Page.ReloadAsync();
        await Screenshots.TakeAsync(researcher.Page, "researcher-release", tour: "3-release");
        await researcher.AssertAccessibleAsync();

        // The researcher's home page says the release is ready.
        await researcher.OpenAsync("/ui");
        await Expect(researcher.Page.GetByRole(AriaRole.Link, new() { Name = "Download: " + Terms.Title, Exact = true })).ToBeVisibleAsync();
        await Screenshots.TakeAsync(researcher.Page, "researcher-home");
        await researcher.AssertAccessibleAsync();
        await researcher.NavigateAsync("Inbox");
        await Expect(researcher.Page.GetByRole(AriaRole.Row).Filter(new() { HasText = Terms.Title })).ToBeVisibleAsync();
        await Screenshots.TakeAsync(researcher.Page, "researcher-inbox");
        await researcher.AssertAccessibleAsync();

        // The compliance officer's home page says what awaits them and where the chain's state is; the inbox is theirs too.
        await compliance.OpenAsync("/ui");
        await Expect(compliance.Page.GetByRole(AriaRole.Region, new() { Name = "Compliance officer" })).ToContainTextAsync("sign-off");
        await Screenshots.TakeAsync(compliance.Page, "compliance-home");
        await compliance.AssertAccessibleAsync();
        await compliance.NavigateAsync("Inbox");
        await Expect(compliance.Page.GetByRole(AriaRole.Heading, new() { Name = "Inbox", Level = 1 })).ToBeVisibleAsync();
        await Screenshots.TakeAsync(compliance.Page, "compliance-inbox");
        await compliance.AssertAccessibleAsync();

        // The compliance officer verifies the chain on the audit trail...
        await compliance.NavigateAsync("Audit trail");
        await compliance.Page.GetByRole(AriaRole.Button, new() { Name = "Verify the chain" }).ClickAsync();
        await Expect(compliance.Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Chain intact.");
        await Screenshots.TakeAsync(compliance.Page, "compliance-audit-trail", tour: "4-audit-trail");
        await compliance.AssertAccessibleAsync();
        // ...finds the downloads in it by event type...
        await compliance.Page.GetByLabel("Event type").SelectOptionAsync(new SelectOptionValue { Label = "Release artifact downloaded" });
        await compliance.Page.GetByRole(AriaRole.Button, new() { Name = "Show events" }).ClickAsync();
        await Expect(compliance.Page.GetByRole(AriaRole.Row).Filter(new() { HasText = researcher.Email })).ToHaveCountAsync(2);
        await Screenshots.TakeAsync(compliance.Page, "compliance-audit-downloads");

        // ...reads the dataset's budget ledger (ε spent against the cap over time, with the release that spent it)...
        await compliance.NavigateAsync("Budget ledger");
        await Screenshots.TakeAsync(compliance.Page, "compliance-budget-ledgers");
        await compliance.AssertAccessibleAsync();
        await compliance.Page.GetByRole(AriaRole.Link, new() { Name = "Ledger of " + Dataset, Exact = true }).ClickAsync();
        await Expect(compliance.Page).ToHaveURLAsync(new Regex($"/ui/budget/{datasetId}$"));
        await Expect(compliance.Page.GetByRole(AriaRole.Img, new() { Name = $"Privacy budget of {Dataset} over time" })).ToBeVisibleAsync();
        await Expect(compliance.Page.GetByRole(AriaRole.Main)).ToContainTextAsync(Terms.Title);
        await Screenshots.TakeAsync(compliance.Page, "compliance-budget-ledger", tour: "5-budget-ledger");
        await compliance.AssertAccessibleAsync();

        // ...and sees the release's downloads: who, as what role, which file.
        await compliance.NavigateAsync("Releases");
        await compliance.Page.GetByRole(AriaRole.Link, new() { Name = Terms.Title + ", attempt 1", Exact = true }).ClickAsync();
        Assert.Equal(releaseUrl, compliance.Page.Url);
        var downloads = compliance.Page.Locator("#downloads ~ table").First;
        foreach (var artifact in new[] { "synthetic.csv", "manifest.json" })
            await Expect(downloads.GetByRole(AriaRole.Row).Filter(new() { HasText = artifact })).ToContainTextAsync(researcher.Email);
        await Screenshots.TakeAsync(compliance.Page, "compliance-release-downloads");
        await compliance.AssertAccessibleAsync();

        // Finally the researcher takes every file at once: one zip with the signed manifest, each file as listed.
        await researcher.OpenAsync(new Uri(releaseUrl).PathAndQuery);
        var zip = await researcher.Page.RunAndWaitForDownloadAsync(() =>
            researcher.Page.GetByRole(AriaRole.Button, new() { Name = "Download all files (zip)" }).ClickAsync());
        var zipPath = Path.Combine(Directory.CreateTempSubdirectory("rgw-browser-zip-").FullName, "release.zip");
        await zip.SaveAsAsync(zipPath);
        using (var archive = System.IO.Compression.ZipFile.OpenRead(zipPath))
        {
            var files = researcher.Page.Locator("#files ~ table").First;
            Assert.Contains(archive.Entries, e => e.Name == "manifest.json");
            Assert.Equal(await files.GetByRole(AriaRole.Row).CountAsync() - 1, archive.Entries.Count);
            foreach (var entry in archive.Entries)
            {
                await using var content = entry.Open();
                var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(content));
                await Expect(files.GetByRole(AriaRole.Row).Filter(new() { HasText = entry.Name })).ToContainTextAsync(hash);
            }
        }
        Directory.Delete(Path.GetDirectoryName(zipPath)!, recursive: true);

        await AgreementVisaAndCloseOutAsync(steward, researcher, first, datasetId, releaseUrl);
    }

    /// <summary>
    /// The steward publishes a data-use agreement on its page; the researcher must accept it on the release page before the
    /// next download, takes a GA4GH visa and closes the release out; the committee reads the note (ADRs 0055, 0056).
    /// </summary>
    private static async Task AgreementVisaAndCloseOutAsync(Person steward, Person researcher, Person member, Guid datasetId, string releaseUrl)
    {
        await steward.OpenAsync($"/ui/datasets/{datasetId}");
        await steward.Page.GetByRole(AriaRole.Link, new() { Name = "Data-use agreement", Exact = true }).ClickAsync();
        await steward.Page.GetByLabel("Title").FillAsync("GBSG data-use agreement");
        await steward.Page.GetByLabel("Text").FillAsync("Use only for the approved research.\nNo attempt to re-identify anyone.");
        await Screenshots.TakeAsync(steward.Page, "steward-agreement");
        await steward.AssertAccessibleAsync();
        await steward.Page.GetByRole(AriaRole.Button, new() { Name = "Publish version 1" }).ClickAsync();
        await Expect(steward.Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Version 1 is published");

        var release = new Uri(releaseUrl).PathAndQuery;
        await researcher.OpenAsync(release);
        await Expect(researcher.Page.GetByRole(AriaRole.Heading, new() { Name = "Data-use agreement" })).ToBeVisibleAsync();
        await researcher.Page.GetByRole(AriaRole.Button, new() { Name = "Download synthetic.csv" }).ClickAsync();
        await Expect(researcher.Page.GetByRole(AriaRole.Main)).ToContainTextAsync("RG2300");
        await researcher.Page.GetByRole(AriaRole.Button, new() { Name = "I accept version 1 of the agreement" }).ClickAsync();
        await Expect(researcher.Page.GetByRole(AriaRole.Status)).ToContainTextAsync("You accepted the data-use agreement");
        var download = await researcher.Page.RunAndWaitForDownloadAsync(() =>
            researcher.Page.GetByRole(AriaRole.Button, new() { Name = "Download synthetic.csv" }).ClickAsync());
        Assert.Equal("synthetic.csv", download.SuggestedFilename);

        await researcher.Page.GetByRole(AriaRole.Button, new() { Name = "Issue a visa" }).ClickAsync();
        await Expect(researcher.Page.GetByLabel(new Regex("^Your visa"))).ToHaveValueAsync(new Regex(@"^ey[\w-]+\.[\w-]+\.[\w-]+$"));
        await Screenshots.TakeAsync(researcher.Page, "researcher-release-agreement-visa");
        await researcher.AssertAccessibleAsync();

        await researcher.Page.GetByLabel("Close-out note").FillAsync("Recurrence model fitted; all local copies deleted.");
        await researcher.Page.GetByRole(AriaRole.Button, new() { Name = "File the close-out note" }).ClickAsync();
        await Expect(researcher.Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Your close-out note is filed");
        await Expect(researcher.Page.GetByRole(AriaRole.Button, new() { Name = "Download synthetic.csv" })).ToHaveCountAsync(0);

        await member.OpenAsync(release);
        await Expect(member.Page.GetByRole(AriaRole.Region, new() { Name = "Close-out" })).ToContainTextAsync("all local copies deleted");
        await Screenshots.TakeAsync(member.Page, "committee-release-closed-out");
        await member.AssertAccessibleAsync();
    }
}
