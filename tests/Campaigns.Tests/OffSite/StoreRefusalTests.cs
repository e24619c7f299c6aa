using System.Net.Http.Json;
using System.Text.Json;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.OffSite;

/// <summary>
/// A store that refuses the settings (403, no such bucket) is the operator's to fix: a Production start stops with one
/// clear line naming the setting, never the secret; a Development start goes on, Degraded. Credentials never reach
/// /health or a log line.
/// </summary>
public sealed class StoreRefusalTests
{
    private const string WrongKey = "WRONGACCESSKEY4711";
    private const string WrongSecret = "not-the-secret-4711";

    [S3Fact]
    public async Task ProductionRefusesToStartWhenTheBucketDoesNotExistNamingOffSiteBucket()
    {
        using var s3 = new TestS3();
        using var data = new TempDirectory();
        var environment = ProductionEnvironment(s3);
        environment["OffSite__Bucket"] = "no-such-bucket";
        await using var api = ApiProcess.Start(data.Path, environment, aspnetEnvironment: "Production");

        var exitCode = await api.WaitForExitAsync(TimeSpan.FromSeconds(90));

        AssertOneFatalLine(exitCode, api.Output, "has no bucket 'no-such-bucket': check OffSite:Bucket.");
    }

    [S3Fact]
    public async Task ProductionRefusesToStartWhenTheStoreRejectsTheKeyNamingTheSettingNeverTheSecret()
    {
        using var s3 = new TestS3();
        using var data = new TempDirectory();
        var environment = ProductionEnvironment(s3);
        environment["OffSite__AccessKeyId"] = WrongKey;
        environment["OffSite__SecretAccessKey"] = WrongSecret;
        await using var api = ApiProcess.Start(data.Path, environment, aspnetEnvironment: "Production");

        var exitCode = await api.WaitForExitAsync(TimeSpan.FromSeconds(90));

        AssertOneFatalLine(exitCode, api.Output, "check OffSite:AccessKeyId and OffSite:SecretAccessKey.");
        Assert.DoesNotContain(WrongSecret, api.Output);
    }

    [S3Fact]
    public async Task DevelopmentStartsDegradedWhenTheStoreRejectsTheKeyAndShowsNoCredential()
    {
        using var s3 = new TestS3();
        var settings = s3.Settings();
        settings["OffSite:AccessKeyId"] = WrongKey;
        settings["OffSite:SecretAccessKey"] = WrongSecret;
        using var api = new CampaignsApiFactory(settings: settings);
        using var client = api.CreateClient();

        Assert.Equal(12, (await client.GetCampaignsAsync()).Count);
        var health = await client.GetFromJsonAsync<JsonElement>("/health");
        var offSite = health.GetProperty("offSite");
        Assert.Equal("Degraded", offSite.GetProperty("status").GetString());
        Assert.Contains("OffSite:AccessKeyId", offSite.GetProperty("description").GetString());
        Assert.Equal("Degraded", health.GetProperty("status").GetString());
        AssertNoCredential(health.ToString(), api, WrongKey, WrongSecret);
    }

    [S3Fact]
    public async Task TheOffSiteBlockOfHealthNamesHostAndBucketButNoCredentialAndNoLogLineHoldsOne()
    {
        using var s3 = new TestS3();
        using var api = new CampaignsApiFactory(settings: s3.Settings(mode: "async"));
        using var admin = api.CreateAdminClient();
        await VolumeLossTests.CreateAsync(admin, "health-shows-the-upload");

        var offSite = await WaitForUploadAsync(admin);
        Assert.True(offSite.GetProperty("configured").GetBoolean());
        Assert.Equal("async", offSite.GetProperty("mode").GetString());
        Assert.Equal($"127.0.0.1:{s3.Port}", offSite.GetProperty("endpointHost").GetString());
        Assert.Equal(TestS3.Bucket, offSite.GetProperty("bucket").GetString());
        Assert.True(offSite.GetProperty("lastUploadAgeSeconds").GetInt64() >= 0);
        Assert.Equal(0, offSite.GetProperty("pending").GetInt32());
        Assert.Equal(JsonValueKind.Number, offSite.GetProperty("lagSeconds").ValueKind);
        Assert.Equal(JsonValueKind.Null, offSite.GetProperty("lastError").ValueKind);
        AssertNoCredential(offSite.ToString(), api, TestS3.Key, TestS3.Key);
    }

    private static async Task<JsonElement> WaitForUploadAsync(HttpClient client)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(100))
        {
            var offSite = (await client.GetFromJsonAsync<JsonElement>("/health")).GetProperty("offSite");
            if (offSite.GetProperty("lastUpload").ValueKind == JsonValueKind.String && offSite.GetProperty("pending").GetInt32() == 0)
            {
                return offSite;
            }

            Assert.True(DateTime.UtcNow < deadline, $"nothing uploaded within 30 s: {offSite}");
        }
    }

    private static void AssertNoCredential(string health, CampaignsApiFactory api, string key, string secret)
    {
        Assert.DoesNotContain(key, health);
        Assert.DoesNotContain(secret, health);
        Assert.NotEmpty(api.Logs.Entries);
        Assert.DoesNotContain(api.Logs.Entries, e => e.Message.Contains(key, StringComparison.Ordinal) || e.Message.Contains(secret, StringComparison.Ordinal));
    }

    /// <summary>Production on a temp directory (not a volume, allowed) with the store's settings.</summary>
    private static Dictionary<string, string> ProductionEnvironment(TestS3 s3)
    {
        var environment = s3.EnvironmentVariables();
        environment["Storage__AllowEphemeral"] = "true";
        return environment;
    }

    private static void AssertOneFatalLine(int exitCode, string output, string reason)
    {
        Assert.True(exitCode == 1, $"exit code {exitCode}, expected 1:\n{output}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var fatal = Assert.Single(lines, l => l.Contains("\"@l\":\"Fatal\"", StringComparison.Ordinal));
        Assert.Contains("Refusing to start: ", fatal);
        Assert.Contains(reason, fatal);
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("Unhandled exception", output);
        Assert.DoesNotContain(TestS3.Key, output);
    }
}
