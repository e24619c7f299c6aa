using Microsoft.Playwright;

namespace Campaigns.Tests.Infrastructure;

/// <summary>
/// One headless Debian Chromium (/usr/bin/chromium, never a downloaded browser) shared by every browser test; each
/// test gets its own context, so storage and cookies never leak between tests. Playwright gives the browser a fresh
/// temporary --user-data-dir on every launch and removes it on close.
/// </summary>
public sealed class ChromiumBrowser : IAsyncLifetime
{
    /// <summary>Debian's Chromium; CHROMIUM_PATH overrides it (another install, or checking the missing-browser path).</summary>
    public static string ExecutablePath { get; } =
        Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private static readonly string[] LaunchFlags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Outside CI a machine without Chromium skips the browser tests; in CI they run and fail instead.</summary>
    public static string? SkipReason => File.Exists(ExecutablePath) || InCi
        ? null
        : $"Browser tests need Chromium at {ExecutablePath} (apt-get install -y chromium); skipped because it is missing and CI is not 'true'.";

    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser has not started.");

    public async Task InitializeAsync()
    {
        if (SkipReason is not null)
        {
            return;
        }

        if (!File.Exists(ExecutablePath))
        {
            // CI: the tests must run, so a missing browser fails them all with this message.
            throw new InvalidOperationException($"Chromium is missing at {ExecutablePath}; .ci/run must install it (apt-get install -y chromium).");
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = LaunchFlags,
            Timeout = 60_000,
        });
    }

    /// <summary>A tab in a new isolated context (own sessionStorage); close it with page.Context.CloseAsync().</summary>
    public async Task<IPage> NewPageAsync(Uri baseAddress, int width = 1440, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var path = Path.Combine(ScreenshotDirectory, $"{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<ChromiumBrowser>
{
    public const string Name = "Browser";
}

/// <summary>A test that drives Chromium; skipped (with the reason) only when Chromium is missing outside CI.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (ChromiumBrowser.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
