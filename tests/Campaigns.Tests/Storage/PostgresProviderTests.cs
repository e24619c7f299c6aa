using System.Net;
using System.Net.Http.Json;
using Campaigns.Api.Storage;
using Campaigns.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Campaigns.Tests.Storage;

public sealed class PostgresProviderTests
{
    private const string Password = "Sup3r-S3cret-Pa55";

    [PostgresFact]
    public async Task TwoProcessesStartingTogetherEndWithTwelveActiveAndNoDuplicates()
    {
        using var database = TestPostgres.Instance.CreateOwnedDatabase();
        var url = database.Url;
        using var firstDir = new TempDirectory();
        using var secondDir = new TempDirectory();
        var environment = new Dictionary<string, string> { [DatabaseTarget.UrlVariable] = url };
        await using var first = ApiProcess.Start(firstDir.Path, environment);
        await using var second = ApiProcess.Start(secondDir.Path, environment);

        await Task.WhenAll(first.WaitUntilReadyAsync(), second.WaitUntilReadyAsync());

        await using var db = CampaignsApiFactory.CreatePostgresDbContext(url);
        var keys = await db.Campaigns.Select(c => c.Key).ToListAsync();
        Assert.Equal(12, await db.Campaigns.CountAsync(c => c.Active));
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Equal(12, keys.Count);
        var history = await db.SeedHistory.ToListAsync();
        Assert.Equal(12, Assert.Single(history).Inserted);
        Assert.All([first.Output, second.Output], output => Assert.DoesNotContain(" ERR", output));
        Assert.Equal(12, (await second.CreateClient().GetCampaignsAsync()).Count);
    }

    [Fact]
    public async Task MalformedDatabaseUrlFailsFastNamingTheVariableWithoutThePassword()
    {
        using var dir = new TempDirectory();
        await using var api = ApiProcess.Start(dir.Path, new Dictionary<string, string>
        {
            [DatabaseTarget.UrlVariable] = $"postgresql://campaigns:{Password}@db.internal:port/campaigns",
        });

        var exitCode = await api.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("DATABASE_URL is not a valid PostgreSQL connection setting", api.Output);
        Assert.DoesNotContain(Password, api.Output);
        Assert.False(File.Exists(Path.Combine(dir.Path, DataDirectory.DatabaseFileName)), "no SQLite database is created instead");
    }

    [Theory]
    [InlineData("postgresql://campaigns:" + Password + "@db.internal:port/campaigns", "not a URL")]
    [InlineData("mysql://campaigns:" + Password + "@db.internal:3306/campaigns", "scheme")]
    [InlineData("postgresql://campaigns:" + Password + "@db.internal:5432/", "database name")]
    [InlineData("postgresql://campaigns:" + Password + "@db.internal:5432/campaigns?sslmode=sometimes", "sslmode")]
    [InlineData("postgresql://campaigns:" + Password + "@db.internal:5432/campaigns?colour=blue", "'colour'")]
    [InlineData("just some text " + Password, "not a URL")]
    public void MalformedUrlsAreRejectedWithTheReasonButNotTheValue(string url, string reason)
    {
        var error = Assert.Throws<InvalidDatabaseSettingException>(() => Resolve(("DATABASE_URL", url)));

        Assert.StartsWith("DATABASE_URL is not a valid PostgreSQL connection setting", error.Message);
        Assert.Contains(reason, error.Message);
        Assert.DoesNotContain(Password, error.Message);
    }

    [Fact]
    public void RailwayUrlSelectsPostgreSqlWithItsParts()
    {
        var target = Resolve(("DATABASE_URL", $"postgres://railway%40user:{Uri.EscapeDataString("p@ss:w/rd")}@roundhouse.proxy.rlwy.net:41234/railway?sslmode=require"));
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(target.ConnectionString);

        Assert.Equal(DatabaseProvider.PostgreSql, target.Provider);
        Assert.Equal(("roundhouse.proxy.rlwy.net", 41234, "railway"), (target.Host, target.Port, target.Database));
        Assert.Equal(("railway@user", "p@ss:w/rd", Npgsql.SslMode.Require), (connection.Username, connection.Password, connection.SslMode));
        Assert.True(connection.Pooling);
        Assert.DoesNotContain("p@ss", target.ToString());
    }

    [Fact]
    public void ConnectionStringSettingSelectsPostgreSqlAndNothingSelectsSqlite()
    {
        var fromSetting = Resolve(("ConnectionStrings:Campaigns", $"Host=db.internal;Port=5433;Database=campaigns;Username=app;Password={Password}"));
        var fallback = Resolve();

        Assert.Equal((DatabaseProvider.PostgreSql, "db.internal", 5433, "ConnectionStrings:Campaigns"), (fromSetting.Provider, fromSetting.Host, fromSetting.Port, fromSetting.ChosenBy));
        Assert.Equal(DatabaseProvider.Sqlite, fallback.Provider);
        Assert.Equal("/srv/data/campaigns.db", fallback.FilePath);
        Assert.Throws<InvalidDatabaseSettingException>(() => Resolve(("ConnectionStrings:Campaigns", "Hots=typo;Database=x")));
    }

    [PostgresFact]
    public async Task ProductionOnPostgreSqlNeedsNoVolumeAndLogsWhereTheDataIs()
    {
        await using var api = new CampaignsApiFactory(environment: "Production", provider: DatabaseProvider.PostgreSql);

        Assert.Equal(12, (await api.CreateClient().GetCampaignsAsync()).Count);
        var target = DatabaseTarget.ParsePostgresUrl(api.DatabaseUrl!, "url");
        Assert.Contains(api.Logs.Entries, e => e.Message.StartsWith("Database provider") && e.Message.Contains("postgresql") && e.Message.Contains($"127.0.0.1:{target.Port}/{target.Database}"));
        Assert.True(api.Logs.Contains("Applied migration"));
        Assert.DoesNotContain(api.Logs.Entries, e => e.Message.Contains(target.Password!));
    }

    [Theory]
    [Providers]
    public async Task SlowCommandsAreLoggedWithTheirTextButNoParameterValues(DatabaseProvider provider)
    {
        await using var api = new CampaignsApiFactory(
            settings: new Dictionary<string, string?> { ["Storage:SlowCommandThresholdMilliseconds"] = "0" }, provider: provider);

        var response = await api.CreateClient().GetAsync("/api/campaigns?property=secret-property-value");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var slow = api.Logs.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.StartsWith("Slow database command")).ToList();
        Assert.Contains(slow, e => e.Message.Contains("campaigns") && e.Message.Contains("WHERE") && e.Message.Contains("Property"));
        Assert.DoesNotContain(slow, e => e.Message.Contains("secret-property-value"));
    }

    [Theory]
    [Providers]
    public async Task RedeployKeepsCampaignsAndChangesNothing(DatabaseProvider provider)
    {
        await using var first = new CampaignsApiFactory(provider: provider);
        var created = await first.CreateAdminClient().PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        await using var second = first.Redeploy();
        var campaigns = await second.CreateClient().GetCampaignsAsync();

        Assert.Equal(13, campaigns.Count);
        await using var db = second.CreateDbContext();
        Assert.Equal(1, await db.SeedHistory.CountAsync());
        Assert.True(second.Logs.Contains("nothing to restore"));
    }

    private static DatabaseTarget Resolve(params (string Key, string Value)[] settings) =>
        DatabaseTarget.Resolve(
            new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build(),
            new DataDirectory("/srv/data", "test"));
}
