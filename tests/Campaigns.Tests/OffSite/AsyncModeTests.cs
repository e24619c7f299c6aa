using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.OffSite;

public sealed class AsyncModeTests
{
    [S3Fact]
    public async Task InAsyncModeWritesAreAnsweredAfterTheLocalCommitAndShippedOnceTheStoreAnswers()
    {
        using var s3 = new TestS3();
        using var api = new CampaignsApiFactory(settings: s3.Settings(mode: "async"));
        using var client = api.CreateAdminClient();
        await client.GetCampaignsAsync();
        var before = SyncWriteTests.JournalKeys(s3).Count;
        s3.Stop();

        var created = await client.PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("shipped-later", "Shipped later"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var health = await client.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("async", health.GetProperty("offSite").GetProperty("mode").GetString());
        Assert.True(health.GetProperty("offSite").TryGetProperty("lagSeconds", out _));

        s3.Start();
        for (var deadline = DateTime.UtcNow.AddSeconds(60); SyncWriteTests.JournalKeys(s3).Count <= before; await Task.Delay(200))
        {
            Assert.True(DateTime.UtcNow < deadline, "the queued entry never reached the store");
        }

        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(200))
        {
            var block = (await client.GetFromJsonAsync<JsonElement>("/health")).GetProperty("offSite");
            if (block.GetProperty("pending").GetInt32() == 0 && block.GetProperty("status").GetString() == "Healthy")
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"still behind: {block}");
        }
    }
}
