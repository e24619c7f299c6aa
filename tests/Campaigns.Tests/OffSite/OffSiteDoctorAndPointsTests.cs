using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.OffSite;

/// <summary>The doctor's off-site lines and the restore points the dashboard lists (GET /api/admin/offsite).</summary>
public sealed class OffSiteDoctorAndPointsTests
{
    [S3Fact]
    public async Task TheDoctorReportsTheStoreAnsweringAndTheNewestOffSitePointThenTheStoreDown()
    {
        using var s3 = new TestS3();
        using var api = new CampaignsApiFactory(settings: s3.Settings());
        using var admin = api.CreateAdminClient();
        await VolumeLossTests.CreateAsync(admin, "doctor-sees-it");

        var findings = await FindingsAsync(admin);
        Assert.Equal("ok", findings["offsite"].State);
        Assert.Contains($"127.0.0.1:{s3.Port}/{TestS3.Bucket}", findings["offsite"].Detail);
        Assert.Equal("ok", findings["offsite-store"].State);
        Assert.Equal("ok", findings["offsite-newest"].State);
        Assert.Contains("The newest off-site point is", findings["offsite-newest"].Detail);

        s3.Stop();
        var down = await FindingsAsync(admin);
        Assert.Equal("warning", down["offsite-store"].State);
        Assert.Contains("writes are refused", down["offsite-store"].Fix);
        Assert.False(down.ContainsKey("offsite-newest"));
    }

    [Fact]
    public async Task WithoutOffSiteTheDoctorSaysSoAndThePointsAreNotConfigured()
    {
        using var api = new CampaignsApiFactory();
        using var admin = api.CreateAdminClient();

        var findings = await FindingsAsync(admin);
        Assert.Contains("Off-site copies are off", findings["offsite"].Detail);
        var points = await admin.GetFromJsonAsync<JsonElement>("/api/admin/offsite");
        Assert.False(points.GetProperty("configured").GetBoolean());
        Assert.Equal(0, points.GetProperty("lineages").GetArrayLength());
    }

    [S3Fact]
    public async Task TheRestorePointsListTheCurrentLineageItsSnapshotsAndJournalSpanWithoutCredentials()
    {
        using var s3 = new TestS3();
        using var api = new CampaignsApiFactory(settings: s3.Settings());
        using var admin = api.CreateAdminClient();
        await VolumeLossTests.CreateAsync(admin, "listed-point");

        var response = await admin.GetAsync("/api/admin/offsite");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(TestS3.Key, body);
        var points = JsonDocument.Parse(body).RootElement;
        Assert.True(points.GetProperty("configured").GetBoolean());
        Assert.True(points.GetProperty("restorable").GetBoolean());
        Assert.Equal($"127.0.0.1:{s3.Port}/{TestS3.Bucket}", points.GetProperty("store").GetString());
        var lineage = Assert.Single(points.GetProperty("lineages").EnumerateArray());
        Assert.True(lineage.GetProperty("current").GetBoolean());
        Assert.True(lineage.GetProperty("snapshots").GetArrayLength() >= 1);
        Assert.True(lineage.GetProperty("journal").GetProperty("entries").GetInt32() >= 1);
        Assert.True(points.GetProperty("oldest").GetDateTimeOffset() <= points.GetProperty("newest").GetDateTimeOffset());

        s3.Stop();
        var down = await admin.GetAsync("/api/admin/offsite");
        var problem = await down.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Contains($"127.0.0.1:{s3.Port}", problem.GetProperty("detail").GetString());
    }

    private static async Task<Dictionary<string, (string State, string Detail, string? Fix)>> FindingsAsync(HttpClient admin)
    {
        var report = await admin.GetFromJsonAsync<JsonElement>("/api/admin/doctor");
        return report.GetProperty("findings").EnumerateArray().ToDictionary(
            f => f.GetProperty("check").GetString()!,
            f => (f.GetProperty("state").GetString()!, f.GetProperty("detail").GetString()!, f.GetProperty("fix").ValueKind == JsonValueKind.String ? f.GetProperty("fix").GetString() : null));
    }
}
