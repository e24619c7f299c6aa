using System.Net.Http.Json;
using System.Text.Json;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.OffSite;

public sealed class IdleStoreHealthTests
{
    [S3Fact]
    public async Task AnIdleServiceSeesTheStoreGoAndComeBackInItsHealth()
    {
        using var s3 = new TestS3();
        using var api = new CampaignsApiFactory(settings: s3.Settings());
        using var client = api.CreateClient();
        Assert.Equal("Healthy", (await OffSiteBlockAsync(client)).GetProperty("status").GetString());

        s3.Stop();
        var down = await WaitForAsync(client, "Degraded");
        Assert.Contains($"127.0.0.1:{s3.Port}/{TestS3.Bucket}", down.GetProperty("description").GetString());
        Assert.Equal(JsonValueKind.String, down.GetProperty("lastError").ValueKind);

        s3.Start();
        var back = await WaitForAsync(client, "Healthy");
        Assert.Equal(JsonValueKind.Null, back.GetProperty("lastError").ValueKind);
    }

    private static async Task<JsonElement> OffSiteBlockAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/health")).GetProperty("offSite");

    /// <summary>No write happens meanwhile: only /health itself asks the store (at most every 15 s).</summary>
    private static async Task<JsonElement> WaitForAsync(HttpClient client, string state)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(60); ; await Task.Delay(500))
        {
            var block = await OffSiteBlockAsync(client);
            if (block.GetProperty("status").GetString() == state)
            {
                return block;
            }

            Assert.True(DateTime.UtcNow < deadline, $"offSite not {state} within 60 s: {block}");
        }
    }
}
