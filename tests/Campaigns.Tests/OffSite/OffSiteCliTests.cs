using System.Diagnostics;
using Campaigns.Seed.Commands;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.OffSite;

/// <summary>The CLI as its own process (its settings come from the environment, which a test must not change for the others).</summary>
public sealed class OffSiteCliTests
{
    [S3Fact]
    public async Task OffSiteListVerifyAndRestoreOffSiteWorkFromTheCli()
    {
        using var s3 = new TestS3();
        using var data = new TempDirectory();
        using (var api = new CampaignsApiFactory(data.Path, s3.Settings()))
        {
            await VolumeLossTests.CreateAsync(api.CreateAdminClient(), "seen-by-the-cli");
        }

        var list = await RunAsync(s3, "offsite", "list", "--data-dir", data.Path);
        Assert.True(list.Exit == ExitCodes.Ok, list.Output);
        Assert.Contains("lineage ", list.Output);
        Assert.Contains("snapshot ", list.Output);

        var verify = await RunAsync(s3, "offsite", "verify", "--data-dir", data.Path);
        Assert.True(verify.Exit == ExitCodes.Ok, verify.Output);
        Assert.Contains("ok ", verify.Output);
        Assert.Contains("13 campaigns", verify.Output);

        foreach (var (at, words) in new[]
                 {
                     ("last tuesday", "must be an ISO-8601 UTC time"),
                     (DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), "is in the future"),
                     ("2000-01-01T00:00:00Z", "is before the oldest retained off-site point"),
                 })
        {
            var bad = await RunAsync(s3, "restore", "offsite", "--at", at, "--data-dir", data.Path);
            Assert.True(bad.Exit == ExitCodes.InvalidInput, $"--at {at}: exit {bad.Exit}\n{bad.Output}");
            Assert.Contains("'at'", bad.Output);
            Assert.Contains(words, bad.Output);
        }

        VolumeLossTests.WipeVolume(data.Path);
        var restored = await RunAsync(s3, "restore", "offsite", "--data-dir", data.Path);
        Assert.True(restored.Exit == ExitCodes.Ok, restored.Output);
        await using var db = CampaignsApiFactory.CreateDbContext(Path.Combine(data.Path, "campaigns.db"));
        Assert.Contains(db.Campaigns, c => c.Key == "seen-by-the-cli");
    }

    internal static Task<(int Exit, string Output)> RunAsync(TestS3 s3, params string[] args) => RunAsync(s3, new Dictionary<string, string>(), args);

    internal static async Task<(int Exit, string Output)> RunAsync(TestS3 s3, IDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [SolutionPaths.BuildOutputOf("Campaigns.Seed", "campaigns-seed.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in s3.EnvironmentVariables().Concat(environment))
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
