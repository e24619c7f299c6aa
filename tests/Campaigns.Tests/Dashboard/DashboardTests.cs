using Campaigns.Api.Backups;
using System.Net.Http.Json;
using System.Text.Json;
using Campaigns.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Campaigns.Tests.Dashboard;

/// <summary>
/// The dashboard in a real Chromium against the real service on a loopback port: what marketing staff and admins
/// see and click. Screenshots land in the test output's screenshots/ folder.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardTests(ChromiumBrowser chromium) : IAsyncLifetime
{
    private readonly CampaignsApiFactory _api = new();
    private readonly List<IPage> _pages = [];
    private Uri _address = null!;

    public Task InitializeAsync()
    {
        _address = _api.StartOnLoopback();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var page in _pages)
        {
            await page.Context.CloseAsync();
        }

        await _api.DisposeAsync();
    }

    [BrowserFact]
    public async Task FreshStartListsTheTwelveCanonicalCampaignsAtDesktopAndPhoneWidths()
    {
        var page = await OpenDashboardAsync();

        await Expect(Rows(page)).ToHaveCountAsync(12);
        await Expect(page.Locator("#campaign-counts")).ToHaveTextAsync("Showing 12 of 12 campaigns · 12 of 12 expected active");
        await ChromiumBrowser.ScreenshotAsync(page, "dashboard-1440");

        await Rows(page).Filter(new() { HasText = "Trading Tips" }).ClickAsync();
        var detail = page.Locator("#campaign-detail");
        await Expect(detail).ToBeVisibleAsync();
        await Expect(detail).ToContainTextAsync("https://offers.example.com/mmm/trading-tips");
        await page.Keyboard.PressAsync("Escape");
        await Expect(detail).ToBeHiddenAsync();

        await page.SetViewportSizeAsync(360, 800);
        await Expect(Rows(page)).ToHaveCountAsync(12);
        await ChromiumBrowser.ScreenshotAsync(page, "dashboard-360");
        await AssertNoSidewaysScrollAsync(page);
    }

    [BrowserFact]
    public async Task FilteringByPropertyStateAndNameNarrowsTheTable()
    {
        var page = await OpenDashboardAsync();
        await Expect(Rows(page)).ToHaveCountAsync(12);
        var cfx = SeedFiles.Canonical().Campaigns.Count(c => c.Property == "cfx");

        await page.Locator("#filters").GetByLabel("Property").SelectOptionAsync("cfx");

        await Expect(Rows(page)).ToHaveCountAsync(cfx);
        foreach (var property in await Rows(page).Locator("td[data-label=Property]").AllTextContentsAsync())
        {
            Assert.Equal("cfx", property);
        }

        await page.GetByLabel("Search by name").FillAsync("gold");
        await Expect(Rows(page)).ToHaveCountAsync(1);
        await Expect(Rows(page)).ToContainTextAsync("The Gold Report");

        await page.GetByLabel("Search by name").FillAsync("");
        await page.Locator("#filters").GetByLabel("State").SelectOptionAsync("false");
        await Expect(Rows(page)).ToHaveCountAsync(0);
        await Expect(page.Locator("#campaigns-table tr.empty")).ToHaveTextAsync("No campaign matches these filters.");
    }

    [BrowserFact]
    public async Task AdminCreatesCampaignAndSeesTheApisOwnValidationMessages()
    {
        var page = await OpenDashboardAsync();
        await UnlockAsync(page);
        Assert.Equal(CampaignsApiFactory.AdminKey, await page.EvaluateAsync<string>("sessionStorage.getItem('campaigns.adminKey')"));
        Assert.Equal(0, await page.EvaluateAsync<int>("localStorage.length"));
        Assert.Empty(await page.Context.CookiesAsync());
        Assert.DoesNotContain(CampaignsApiFactory.AdminKey, page.Url);

        var bad = HttpAssertions.NewCampaign(key: "Bad Key") with { OfferUrl = "not a url" };
        var expected = await ApiValidationErrorsAsync(bad);
        await page.GetByRole(AriaRole.Button, new() { Name = "New campaign" }).ClickAsync();
        await FillCampaignFormAsync(page, bad.Name, bad.Key, bad.Property, bad.OfferUrl);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save campaign" }).ClickAsync();

        await Expect(page.Locator("#form-problem")).ToContainTextAsync("One or more validation errors occurred.");
        await Expect(FieldError(page, "key")).ToHaveTextAsync(string.Join(" ", expected["key"]));
        await Expect(FieldError(page, "offerUrl")).ToHaveTextAsync(string.Join(" ", expected["offerUrl"]));
        await Expect(page.GetByLabel("Key", new() { Exact = true })).ToHaveAttributeAsync("aria-invalid", "true");
        await ChromiumBrowser.ScreenshotAsync(page, "dashboard-validation-1440");
        await page.SetViewportSizeAsync(360, 800);
        await ChromiumBrowser.ScreenshotAsync(page, "dashboard-validation-360");
        await page.SetViewportSizeAsync(1440, 900);

        await FillCampaignFormAsync(page, "Spring Sale", "spring-sale", "mmm", "https://offers.example.com/spring");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save campaign" }).ClickAsync();

        await Expect(page.Locator("#campaign-editor")).ToBeHiddenAsync();
        await Expect(Rows(page)).ToHaveCountAsync(13);
        var created = Rows(page).Filter(new() { HasText = "Spring Sale" });
        await Expect(created.Locator("td[data-label=Source]")).ToHaveTextAsync("user");
        await Expect(created.Locator("td[data-label=Key]")).ToHaveTextAsync("spring-sale");
    }

    [BrowserFact]
    public async Task AdminDeactivatesACampaignFromItsDetailsAndTheShortfallShows()
    {
        var page = await OpenDashboardAsync();
        await UnlockAsync(page);

        await Rows(page).Filter(new() { HasText = "Behind The Markets" }).GetByRole(AriaRole.Button).ClickAsync();
        await page.Locator("#campaign-detail").GetByRole(AriaRole.Button, new() { Name = "Deactivate" }).ClickAsync();

        await Expect(page.Locator("#campaign-detail")).ToBeHiddenAsync();
        var row = Rows(page).Filter(new() { HasText = "Behind The Markets" });
        await Expect(row.Locator("td[data-label=Active]")).ToHaveTextAsync("Inactive");
        await Expect(page.Locator("#campaign-counts")).ToHaveTextAsync("Showing 12 of 12 campaigns · 11 of 12 expected active");
        await Expect(page.Locator("#campaign-counts")).ToHaveClassAsync("counts short");
        using var client = _api.CreateClient();
        Assert.DoesNotContain(await client.GetCampaignsAsync("?active=true"), c => c.Name == "Behind The Markets");
    }

    [BrowserFact]
    public async Task SafetyPanelIsAmberWithTheReasonWhenStorageIsNotPersistent()
    {
        using var client = _api.CreateClient();
        var health = JsonDocument.Parse(await client.GetStringAsync("/health")).RootElement;
        // Only the storage reason: others (a job server not yet beating at startup) may come and go between requests.
        var storageReason = health.GetProperty("storage").GetProperty("description").GetString()!;
        Assert.Contains("data will be lost on the next deploy", storageReason);

        var page = await OpenDashboardAsync();
        var safety = page.Locator("#safety");

        await Expect(safety).ToHaveAttributeAsync("data-state", "amber");
        await Expect(page.Locator("#safety-summary")).ToHaveTextAsync("Degraded: needs attention");
        await Expect(page.Locator("#safety-reasons li").Filter(new() { HasText = storageReason })).ToHaveCountAsync(1);
        await Expect(safety).ToContainTextAsync(_api.DatabasePath);
        await Expect(safety).ToContainTextAsync("12 of 12 expected");
    }

    [BrowserFact]
    public async Task SafetyPanelShowsTheLastRestoreDrillAndForAdminsTheDoctorsFindings()
    {
        var backup = await _api.Services.GetRequiredService<BackupService>().CreateAsync(BackupTrigger.Manual);
        Assert.True((await _api.Services.GetRequiredService<RestoreDrill>().RunOnNewestAsync())!.Outcome.Ok);

        var page = await OpenDashboardAsync();
        var facts = page.Locator("#safety-facts");
        await Expect(facts).ToContainTextAsync("Last restore drill");
        await Expect(facts).ToContainTextAsync($"{backup.Name} (the newest) passed, 12 active campaigns restored");
        await Expect(page.Locator("#doctor")).ToBeHiddenAsync();

        await UnlockAsync(page);
        var volume = page.Locator("#doctor-findings li[data-check=volume]");
        await Expect(volume).ToHaveAttributeAsync("data-state", "warning");
        await Expect(volume).ToContainTextAsync($"Fix: Attach a persistent volume at {_api.DataDirectory}");
        await Expect(page.Locator("#doctor-findings li[data-check=restore-drill]")).ToHaveAttributeAsync("data-state", "ok");
        await Expect(page.Locator("#doctor-summary")).ToHaveTextAsync("The data will survive the next deploy (1 warning(s)).");
        await ChromiumBrowser.ScreenshotAsync(page, "dashboard-doctor-1440");
    }

    // Needs the backups work (POST /api/admin/restore and GET /api/admin/jobs/{id} from CONTRACT.md).
    [BrowserFact]
    public async Task CanonicalRestoreStartedFromThePageEndsInSuccessWithTwelveActive()
    {
        using (var admin = _api.CreateAdminClient())
        {
            var campaigns = await admin.GetCampaignsAsync();
            foreach (var campaign in campaigns.Where(c => c.Source == "canonical").Take(2))
            {
                (await admin.DeleteAsync($"/api/campaigns/{campaign.Id}")).EnsureSuccessStatusCode();
            }
        }

        var page = await OpenDashboardAsync();
        await Expect(page.Locator("#campaign-counts")).ToContainTextAsync("10 of 12 expected active");
        await UnlockAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Restore canonical campaigns" }).ClickAsync();
        var confirm = page.Locator("#confirm");
        await Expect(confirm).ToContainTextAsync("Campaigns users created are not touched.");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Restore canonical campaigns" }).ClickAsync();

        await WaitForJobToEndAsync(page);
        await Expect(page.Locator("#job")).ToHaveAttributeAsync("data-state", "succeeded");
        await Expect(page.Locator("#job-result")).ToContainTextAsync("Restore succeeded: 12 active campaigns (10 before).");
        await Expect(page.Locator("#campaign-counts")).ToHaveTextAsync("Showing 12 of 12 campaigns · 12 of 12 expected active");
        await Expect(Rows(page).Locator("td[data-label=Active]").GetByText("Active", new() { Exact = true })).ToHaveCountAsync(12);
        await ChromiumBrowser.ScreenshotAsync(page, "dashboard-admin-1440");
    }

    // Needs the backups work (POST/GET /api/admin/backups from CONTRACT.md).
    [BrowserFact]
    public async Task BackUpNowAddsAVerifiedManualBackupAndRestoringOneAsksFirst()
    {
        var page = await OpenDashboardAsync();
        await UnlockAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Back up now" }).ClickAsync();

        await WaitForJobToEndAsync(page);
        await Expect(page.Locator("#job-result")).ToContainTextAsync("Backup succeeded");
        var manual = page.Locator("#backups-list li").Filter(new() { HasText = "manual" });
        await Expect(manual).ToHaveCountAsync(1);
        await Expect(manual).ToContainTextAsync("12 active campaigns");
        await Expect(manual).ToContainTextAsync("verified");
        await Expect(manual.GetByRole(AriaRole.Button, new() { Name = "Download" })).ToBeVisibleAsync();

        var name = await manual.GetAttributeAsync("data-name");
        await manual.GetByRole(AriaRole.Button, new() { Name = "Restore from this backup" }).ClickAsync();
        var confirm = page.Locator("#confirm");
        await Expect(confirm).ToContainTextAsync($"Restore from {name}?");
        await Expect(confirm).ToContainTextAsync("Every change made since then is lost.");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(confirm).ToBeHiddenAsync();
        await Expect(page.Locator("#job-result")).ToContainTextAsync("Backup succeeded");
        await ChromiumBrowser.ScreenshotAsync(page, "dashboard-backups-1440");

        await page.SetViewportSizeAsync(360, 800);
        await ChromiumBrowser.ScreenshotAsync(page, "dashboard-backups-360");
        await AssertNoSidewaysScrollAsync(page);
    }

    // Needs GET /api/admin/backups, the admin endpoint the page uses to check the key.
    [BrowserFact]
    public async Task WrongAdminKeyIsRejectedWithTheApisProblemAndNotKept()
    {
        var page = await OpenDashboardAsync();

        await page.GetByLabel("Admin key").FillAsync("not-the-admin-key-at-all");
        await page.GetByRole(AriaRole.Button, new() { Name = "Unlock admin actions" }).ClickAsync();

        await Expect(page.Locator("#admin-key-error")).ToContainTextAsync("Admin key required");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "New campaign" })).ToBeHiddenAsync();
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('campaigns.adminKey')"));
    }

    private async Task<IPage> OpenDashboardAsync()
    {
        var page = await chromium.NewPageAsync(_address);
        _pages.Add(page);
        var problems = new List<string>();
        page.PageError += (_, error) => problems.Add(error);
        await page.GotoAsync("/");
        await Expect(page.Locator("body[data-ready=true]")).ToHaveCountAsync(1);
        Assert.Empty(problems);
        return page;
    }

    private static async Task AssertNoSidewaysScrollAsync(IPage page)
    {
        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        var widest = await page.EvaluateAsync<string>(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1" +
            " || (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible'))" +
            ".map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className).slice(-3).join(', ')");
        Assert.True(overflow <= 0, $"At {page.ViewportSize?.Width} px the page scrolls sideways by {overflow} px; too wide: {widest}");
    }

    private static async Task UnlockAsync(IPage page)
    {
        await page.GetByLabel("Admin key").FillAsync(CampaignsApiFactory.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Unlock admin actions" }).ClickAsync();
        await Expect(page.GetByText("Admin actions unlocked for this tab")).ToBeVisibleAsync();
    }

    /// <summary>Until the job the page follows ends, or the page shows an API error (which fails the test at once).</summary>
    private static async Task WaitForJobToEndAsync(IPage page)
    {
        var ended = page.Locator("#job[data-state=succeeded], #job[data-state=failed], #admin-error:not([hidden])");
        await Expect(ended.First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var error = page.Locator("#admin-error");
        Assert.False(await error.IsVisibleAsync(), $"The page showed an API error: {await error.TextContentAsync()}");
    }

    private static async Task FillCampaignFormAsync(IPage page, string name, string key, string property, string offerUrl)
    {
        var form = page.Locator("#campaign-form");
        await form.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await form.GetByLabel("Key", new() { Exact = true }).FillAsync(key);
        await form.GetByLabel("Property", new() { Exact = true }).FillAsync(property);
        await form.GetByLabel("Offer URL").FillAsync(offerUrl);
    }

    private static ILocator Rows(IPage page) => page.Locator("#campaigns-table tbody tr:not(.empty)");

    private static ILocator FieldError(IPage page, string field) => page.Locator($".field-error[data-for={field}]");

    /// <summary>What the API itself says about a bad campaign, so the test checks the page shows exactly that.</summary>
    private async Task<Dictionary<string, string[]>> ApiValidationErrorsAsync(object request)
    {
        using var admin = _api.CreateAdminClient();
        var response = await admin.PostAsJsonAsync("/api/campaigns", request);
        var problem = await response.AssertProblemAsync(System.Net.HttpStatusCode.BadRequest);
        return problem.GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;
    }
}
