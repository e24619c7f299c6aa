using System.IO.Compression;
using System.Net.Http.Json;
using System.Text.Json;
using Campaigns.Api.OffSite;
using Campaigns.Api.Storage;
using Campaigns.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Campaigns.Tests.OffSite;

/// <summary>On PostgreSQL the backups (portable JSON snapshots) go off-site, one replica at a time.</summary>
public sealed class PostgresOffSiteTests
{
    [PostgresFact]
    public async Task BackupsOfTwoReplicasGoOffSiteOneAtATimeUnderTheAdvisoryLock()
    {
        using var s3 = new TestS3();
        await using var first = new CampaignsApiFactory(settings: s3.Settings(), provider: DatabaseProvider.PostgreSql);
        using var firstAdmin = first.CreateAdminClient();
        await VolumeLossTests.CreateAsync(firstAdmin, "goes-off-site");
        using var secondDirectory = new TempDirectory();
        var environment = s3.EnvironmentVariables();
        environment[DatabaseTarget.UrlVariable] = first.DatabaseUrl!;
        await using var second = ApiProcess.Start(secondDirectory.Path, environment);
        await second.WaitUntilReadyAsync();
        using var secondAdmin = second.CreateClient(admin: true);

        // The test plays a third replica in the middle of an upload: both backups are taken, neither goes off-site yet.
        await using var upload = await HoldUploadLockAsync(first.DatabaseUrl!);
        var jobs = new[] { await firstAdmin.StartJobAsync("/api/admin/backups", null), await secondAdmin.StartJobAsync("/api/admin/backups", null) };
        await WaitUntilAsync(() => Waiting(first, second) == 2, () => $"both uploads wait for the lock; the second replica said:\n{second.Output}");
        Assert.Empty(PostgresKeys(s3));

        await upload.DisposeAsync();
        foreach (var job in jobs)
        {
            var done = await firstAdmin.WaitForJobAsync(job, TimeSpan.FromSeconds(60));
            Assert.True(done.GetProperty("state").GetString() == "succeeded", done.ToString());
        }

        var keys = PostgresKeys(s3);
        Assert.Equal(2, keys.Count);
        using var store = new OffSiteStore(Options.Create(OffSiteStoreTests.Bind(s3.Settings())));
        using var snapshot = JsonDocument.Parse(Gunzip(await store.GetAsync(keys[^1], CancellationToken.None)));
        Assert.Contains(snapshot.RootElement.GetProperty("campaigns").EnumerateArray(), c => c.GetProperty("key").GetString() == "goes-off-site");

        var database = new Dictionary<string, string> { [DatabaseTarget.UrlVariable] = first.DatabaseUrl! };
        var list = await OffSiteCliTests.RunAsync(s3, database, "offsite", "list", "--data-dir", secondDirectory.Path);
        Assert.True(list.Exit == 0, list.Output);
        Assert.Contains($"lineage {OffSiteLayout.PostgresLineage}  2 snapshots", list.Output);
        var verify = await OffSiteCliTests.RunAsync(s3, database, "offsite", "verify", "--data-dir", secondDirectory.Path);
        Assert.True(verify.Exit == 0, verify.Output);
        Assert.Contains($"ok      {keys[^1]}", verify.Output);

        var points = await firstAdmin.GetFromJsonAsync<JsonElement>("/api/admin/offsite");
        Assert.False(points.GetProperty("restorable").GetBoolean());
        Assert.Equal(2, points.GetProperty("lineages")[0].GetProperty("snapshots").GetArrayLength());
    }

    private static List<string> PostgresKeys(TestS3 s3) => s3.Keys().Where(k => k.StartsWith("campaigns/postgres/snapshots/", StringComparison.Ordinal)).ToList();

    private static int Waiting(CampaignsApiFactory first, ApiProcess second)
    {
        // The process's console renders the purpose quoted; the captured logs do not.
        static bool IsWaiting(string line) => line.Contains("Another instance is running the", StringComparison.Ordinal) && line.Contains("off-site upload", StringComparison.Ordinal);
        return first.Logs.Entries.Count(e => IsWaiting(e.Message)) + second.Output.Split('\n').Count(IsWaiting);
    }

    private static async Task<IAsyncDisposable> HoldUploadLockAsync(string databaseUrl)
    {
        var connection = new NpgsqlConnection(DatabaseTarget.PostgreSql(DatabaseTarget.ParsePostgresUrl(databaseUrl, "test"), "test").ConnectionString);
        await connection.OpenAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({DatabaseLocks.OffSiteUpload})", connection))
        {
            await take.ExecuteNonQueryAsync();
        }

        return new HeldLock(connection);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> what)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(60); !condition(); await Task.Delay(100))
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within 60 s: {what()}");
        }
    }

    private static byte[] Gunzip(byte[] body)
    {
        using var gzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        gzip.CopyTo(plain);
        return plain.ToArray();
    }

    private sealed class HeldLock(NpgsqlConnection connection) : IAsyncDisposable
    {
        private bool _released;

        public async ValueTask DisposeAsync()
        {
            if (_released)
            {
                return;
            }

            _released = true;
            await using (var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({DatabaseLocks.OffSiteUpload})", connection))
            {
                await release.ExecuteNonQueryAsync();
            }

            await connection.DisposeAsync();
        }
    }
}
