using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.Doctor;

/// <summary>
/// A start that must not go ahead ends as an operator would want to read it in a deploy log: exit code 1, one Fatal
/// line with the cause and the fix, no stack trace, and the server never listening first.
/// </summary>
public sealed class StartupRefusalTests
{
    [Fact]
    public async Task ServiceRefusesNamingTheRailwayVolumeMountedElsewhereThanTheDataDirectory()
    {
        using var dir = new TempDirectory();
        using var volume = new TempDirectory("campaigns-railway-volume");
        var railway = new Dictionary<string, string> { ["RAILWAY_VOLUME_MOUNT_PATH"] = volume.Path, ["RAILWAY_VOLUME_NAME"] = "campaigns-data" };
        await using var api = ApiProcess.Start(dir.Path, railway, aspnetEnvironment: "Production");

        var exitCode = await api.WaitForExitAsync(TimeSpan.FromSeconds(60));

        AssertCleanRefusal(exitCode, api.Output,
            $"A volume (campaigns-data) is mounted at {volume.Path} but the data directory is {dir.Path} (chosen by DATA_DIR). Unset DATA_DIR or set it to {volume.Path}.");
        Assert.False(File.Exists(Path.Combine(dir.Path, "campaigns.db")), "no database is created on the wrong directory");
    }

    [Fact]
    public async Task ServiceRefusesStorageThatIsNotAVolumeWithOneFatalLine()
    {
        using var dir = new TempDirectory();
        await using var api = ApiProcess.Start(dir.Path, aspnetEnvironment: "Production");

        AssertCleanRefusal(await api.WaitForExitAsync(TimeSpan.FromSeconds(60)), api.Output,
            $"Refusing to start in Production: Storage at {dir.Path} is not a mounted volume");
    }

    [Theory]
    [InlineData("DATABASE_URL", "mysql://user:secret-password@db.example.com/campaigns", "DATABASE_URL is not a valid PostgreSQL connection setting")]
    [InlineData("Backups__Keep", "0", "The field Keep must be between 1 and 1000.")]
    [InlineData("Backups__DrillSchedule", "every sunday", "Backups:DrillSchedule 'every sunday' is not a 5-field cron expression")]
    public async Task EveryStartupRefusalExitsOneWithoutAStackTrace(string setting, string value, string reason)
    {
        using var dir = new TempDirectory();
        var environment = new Dictionary<string, string> { [setting] = value };
        await using var api = ApiProcess.Start(dir.Path, environment, aspnetEnvironment: "Development");

        AssertCleanRefusal(await api.WaitForExitAsync(TimeSpan.FromSeconds(60)), api.Output, reason);
        Assert.DoesNotContain("secret-password", api.Output);
    }

    private static void AssertCleanRefusal(int exitCode, string output, string reason)
    {
        Assert.True(exitCode == 1, $"exit code {exitCode}, expected 1:\n{output}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var fatal = Assert.Single(lines, l => l.Contains("\"@l\":\"Fatal\"", StringComparison.Ordinal) || l.Contains(" FTL] ", StringComparison.Ordinal));
        Assert.Contains(reason, fatal);
        Assert.Single(lines, l => l.Contains(reason, StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("Unhandled exception", output);
        Assert.DoesNotContain("Now listening", output);
    }
}
