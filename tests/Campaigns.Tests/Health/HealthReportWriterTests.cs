using System.Text.Json;
using Campaigns.Api.Backups;
using Campaigns.Api.Health;
using Campaigns.Api.Jobs;
using Campaigns.Api.Storage;
using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Campaigns.Tests.Health;

public sealed class HealthReportWriterTests
{
    [Fact]
    public async Task TheHealthDocumentReadsExactlyAsTheSerializerWouldWriteIt()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var document = new Dictionary<string, object?>
        {
            ["status"] = "Degraded",
            ["checkedAt"] = new DateTimeOffset(2026, 12, 2, 3, 4, 5, 678, TimeSpan.Zero),
            ["durationMs"] = 12.5,
            ["reasons"] = new[] { "a <b> & \"c\"", "é" },
            ["storage"] = new Dictionary<string, object>
            {
                ["persistent"] = false,
                ["freeBytes"] = 68445937664L,
                ["count"] = 3,
                ["at"] = new DateTime(2026, 12, 2, 3, 4, 5, DateTimeKind.Utc),
                ["nothing"] = null!,
                ["lastAttempt"] = new { At = DateTimeOffset.UnixEpoch, Trigger = BackupTrigger.PreRestore, Succeeded = true },
                ["problems"] = new List<string>(),
            },
        };

        using var written = new MemoryStream();
        await HealthReportWriter.WriteAsync(written, document, options, CancellationToken.None);

        Assert.Equal(JsonSerializer.Serialize<object>(document, options), System.Text.Encoding.UTF8.GetString(written.ToArray()));
    }

    [Fact]
    public async Task TheJobsCheckDoesNotOpenTheJobStorageBeforeTheServerHasStarted()
    {
        var opened = false;
        using var storage = new DeferredJobStorage(() => { opened = true; throw new InvalidOperationException("opened"); }, "sqlite test");
        var state = new StorageState { Ready = true };

        var result = await new JobsHealthCheck(storage, state, TimeProvider.System).CheckHealthAsync(new HealthCheckContext());

        Assert.False(opened);
        Assert.Equal((HealthStatus.Healthy, "starting"), (result.Status, result.Data["status"]));
    }
}
