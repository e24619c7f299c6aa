using System.Net;
using System.Net.Http.Headers;
using Campaigns.Api.Backups;
using Campaigns.Api.Jobs;
using Campaigns.Api.Startup;
using Campaigns.Api.Storage;
using Campaigns.Tests.Contract;
using Hangfire.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Campaigns.Tests.Infrastructure;

/// <summary>
/// The real service (real pipeline, real SQLite file or a real PostgreSQL database of its own) on a temporary data
/// directory. Creating a second factory on the same directory (and database) after disposing the first is exactly
/// what a redeploy does.
/// </summary>
public sealed class CampaignsApiFactory : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key-0123456789abcdef";

    private readonly TempDirectory? _ownedDirectory;
    private readonly Dictionary<string, string?> _settings;
    private readonly bool _ownsDatabase;

    public CampaignsApiFactory(
        string? dataDirectory = null,
        IDictionary<string, string?>? settings = null,
        string environment = "Development",
        DatabaseProvider provider = DatabaseProvider.Sqlite)
        : this(dataDirectory, settings, environment, provider, databaseUrl: null)
    {
    }

    private CampaignsApiFactory(string? dataDirectory, IDictionary<string, string?>? settings, string environment, DatabaseProvider provider, string? databaseUrl)
    {
        if (dataDirectory is null)
        {
            _ownedDirectory = new TempDirectory();
            dataDirectory = _ownedDirectory.Path;
        }

        DataDirectory = dataDirectory;
        Environment = environment;
        _settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        Provider = provider;
        if (provider == DatabaseProvider.PostgreSql)
        {
            _ownsDatabase = databaseUrl is null;
            DatabaseUrl = databaseUrl ?? TestPostgres.Instance.CreateDatabase();
            _settings[DatabaseTarget.UrlVariable] = DatabaseUrl;
        }
    }

    public DatabaseProvider Provider { get; }

    /// <summary>The settings this host runs with (besides DATA_DIR and the admin key).</summary>
    public IReadOnlyDictionary<string, string?> Settings => _settings;

    /// <summary>The PostgreSQL database of this test (its own), in the DATABASE_URL form; null on SQLite.</summary>
    public string? DatabaseUrl { get; }

    public string DataDirectory { get; }

    public string Environment { get; }

    public string DatabasePath => Path.Combine(DataDirectory, Api.Storage.DataDirectory.DatabaseFileName);

    public CapturedLogs Logs { get; } = new();

    /// <summary>Lets a test hold this host's jobs in "processing".</summary>
    public JobGate Jobs { get; } = new();

    public string BackupsDirectory => Path.Combine(DataDirectory, "backups");

    public string HangfireDatabasePath => Path.Combine(DataDirectory, Api.Jobs.HangfireDatabase.FileName);

    /// <summary>A service of the running host (starting it if needed), for arranging state the API cannot reach.</summary>
    public T Service<T>() where T : notnull
    {
        _ = Server;
        return Services.GetRequiredService<T>();
    }

    /// <summary>The startup backup runs once the host is ready, in the background: a test that counts backups waits for it.</summary>
    public Task WaitForStartupBackupAsync() => Service<StartupBackup>().Completion.WaitAsync(TimeSpan.FromSeconds(60));

    /// <summary>
    /// What a start does once it has answered its first request (the job server opens hangfire.db, the startup backup
    /// runs): a test that compares the data directory before and after its requests answers one and waits for that first.
    /// </summary>
    public async Task WaitForAfterFirstAnswerWorkAsync()
    {
        (await CreateClient().GetAsync("/health")).Dispose();
        await WaitForStartupBackupAsync();
        await WaitForJobServerAsync();
    }

    /// <summary>The job server starts after the service's first answer and then registers the recurring jobs.</summary>
    public Task WaitForJobServerAsync() => Service<JobServer>().WhenStartedAsync(CancellationToken.None);

    /// <summary>A pre-restore backup is published unverified and checked right after the swap, in the background.</summary>
    public async Task<BackupEntry> WaitForVerifiedBackupAsync(string name)
    {
        var catalog = Service<BackupCatalog>();
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(50))
        {
            if (catalog.Find(name) is { Verified: true } entry)
            {
                return entry;
            }

            Assert.True(DateTime.UtcNow < deadline, $"backup {name} was not verified within 30 s");
        }
    }

    /// <summary>Starts another host on the same data directory with the same settings: a redeploy.</summary>
    public CampaignsApiFactory Redeploy(IDictionary<string, string?>? extraSettings = null)
    {
        var settings = new Dictionary<string, string?>(_settings);
        foreach (var (key, value) in extraSettings ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return new CampaignsApiFactory(DataDirectory, settings, Environment, Provider, DatabaseUrl);
    }

    /// <summary>
    /// Serves the host on a real loopback port (Kestrel instead of the in-memory TestServer), for clients outside
    /// this process such as a browser. Call before anything else starts the host.
    /// </summary>
    public Uri StartOnLoopback()
    {
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new Uri(address);
    }

    /// <summary>
    /// A client whose every response to a documented operation is checked against the served OpenAPI document
    /// (<see cref="ContractCheckingHandler"/>); otherwise as WebApplicationFactory's (redirects followed, cookies kept).
    /// </summary>
    public new HttpClient CreateClient() =>
        CreateDefaultClient(
            ClientOptions.BaseAddress,
            new RedirectHandler(ClientOptions.MaxAutomaticRedirections),
            new CookieContainerHandler(),
            new ContractCheckingHandler(() => OpenApiContract.ServedAsync(_settings)));

    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return client;
    }

    /// <summary>A context on the same database, independent of the host, for arranging and asserting data.</summary>
    public CampaignsDbContext CreateDbContext() =>
        DatabaseUrl is null ? CreateDbContext(DatabasePath) : CreatePostgresDbContext(DatabaseUrl);

    public static CampaignsDbContext CreatePostgresDbContext(string databaseUrl) =>
        new PostgresCampaignsDbContext(new DbContextOptionsBuilder<PostgresCampaignsDbContext>()
            .UseNpgsql(DatabaseTarget.PostgreSql(DatabaseTarget.ParsePostgresUrl(databaseUrl, "test database URL"), "test").ConnectionString)
            .Options);

    public static CampaignsDbContext CreateDbContext(string databasePath) =>
        new SqliteCampaignsDbContext(new DbContextOptionsBuilder<SqliteCampaignsDbContext>()
            .UseSqlite(StorageServiceCollectionExtensions.SqliteConnectionString(databasePath))
            .Options);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        builder.UseSetting("DATA_DIR", DataDirectory);
        builder.UseSetting("ADMIN_API_KEY", AdminKey);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(Logs).AddSingleton<IServerFilter>(Jobs));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            _ownedDirectory?.Dispose();
            if (_ownsDatabase)
            {
                TestPostgres.Instance.DropDatabase(DatabaseUrl!);
            }
        }
    }
}
