using System.Text.Json;
using Campaigns.Seed.Commands;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.Doctor;

/// <summary>`campaigns-seed doctor` as an operator (or CI) runs it before a deploy: a real process, a real exit code.</summary>
public sealed class DoctorCommandTests
{
    [Fact]
    public async Task DoctorOnADirectoryThatIsNotAMountInProductionExitsOneNamingThePathAndTheFix()
    {
        using var dir = new TempDirectory();

        var (exit, output, _) = await SeedProcess.RunAsync(null, "doctor", "--data-dir", dir.Path);

        Assert.Equal(ExitCodes.Failed, exit);
        var volume = Line(output, "volume");
        Assert.StartsWith("AT RISK", volume);
        Assert.Contains($"Storage at {dir.Path} is not a mounted volume", volume);
        Assert.Contains($"fix: Attach a persistent volume at {dir.Path}", output);
        Assert.Contains("The data is at risk at the next deploy", output);
    }

    [RootFact]
    public async Task DoctorOnAMountedVolumeWithAFreshBackupExitsZeroAfterARestoreDrill()
    {
        using var volume = new MountedDirectory();
        Assert.Equal(ExitCodes.Ok, (await SeedProcess.RunAsync(null, "reseed", "--data-dir", volume.Path)).Exit);
        var backup = await SeedProcess.RunAsync(null, "backup", "--data-dir", volume.Path);
        Assert.Equal(ExitCodes.Ok, backup.Exit);
        var name = backup.Output.Split(' ')[1].TrimEnd(':');

        var (exit, output, error) = await SeedProcess.RunAsync(null, "doctor", "--data-dir", volume.Path, "--json");

        Assert.True(exit == ExitCodes.Ok, $"doctor exited {exit}:\n{output}\n{error}");
        using var report = JsonDocument.Parse(output);
        Assert.Equal("safe", report.RootElement.GetProperty("verdict").GetString());
        var findings = report.RootElement.GetProperty("findings").EnumerateArray()
            .ToDictionary(f => f.GetProperty("check").GetString()!, f => (State: f.GetProperty("state").GetString(), Detail: f.GetProperty("detail").GetString()!));
        Assert.Equal("ok", findings["volume"].State);
        Assert.Contains($"own ext4 mount at {volume.Path}", findings["volume"].Detail);
        Assert.Equal("ok", findings["restore-drill"].State);
        Assert.Contains($"Backup {name} restored into a temporary file", findings["restore-drill"].Detail);
        Assert.Contains("12 active campaigns", findings["restore-drill"].Detail);
        Assert.All(findings.Values, f => Assert.NotEqual("at-risk", f.State));
        // The drill is recorded with the backup, where /health and the next doctor find it.
        Assert.Contains("\"lastDrill\"", await File.ReadAllTextAsync(Path.Combine(volume.Path, "backups", name + ".json")));
    }

    [RootFact]
    public async Task DoctorTellsANonRootProcessFacingARootOwnedVolumeToSetRailwayRunUid()
    {
        // Created by root with the usual umask: rwxr-xr-x, as Railway's volume root is.
        using var volume = new MountedDirectory();

        var (exit, output, error) = await SeedProcess.RunAsNobodyAsync("doctor", "--data-dir", volume.Path);

        Assert.True(exit == ExitCodes.Failed, $"doctor exited {exit}:\n{output}\n{error}");
        var runAs = Line(output, "run-as");
        Assert.StartsWith("AT RISK", runAs);
        Assert.Contains($"The process runs as uid 65534 and {volume.Path} belongs to uid 0 (root)", runAs);
        Assert.Contains("fix: Set RAILWAY_RUN_UID=0 on the service", output);
        Assert.StartsWith("AT RISK", Line(output, "writable"));
    }

    [Fact]
    public async Task DoctorNamesTheRailwayVolumeMountedSomewhereElseThanTheDataDirectory()
    {
        using var dir = new TempDirectory();
        using var volume = new TempDirectory("campaigns-railway-volume");
        var railway = new Dictionary<string, string> { ["RAILWAY_VOLUME_MOUNT_PATH"] = volume.Path, ["RAILWAY_VOLUME_NAME"] = "campaigns-data", ["DATA_DIR"] = dir.Path };

        var (exit, output, _) = await SeedProcess.RunAsync(railway, "doctor");

        Assert.Equal(ExitCodes.Failed, exit);
        var mismatch = Line(output, "railway-volume");
        Assert.StartsWith("AT RISK", mismatch);
        Assert.Contains($"A volume (campaigns-data) is mounted at {volume.Path} but the data directory is {dir.Path} (chosen by DATA_DIR)", mismatch);
        Assert.Contains($"fix: Unset DATA_DIR or set it to {volume.Path}.", output);
    }

    [Fact]
    public async Task RailwayVolumeWinsOverTheDefaultWhenNoDataDirectoryIsSet()
    {
        using var volume = new TempDirectory("campaigns-railway-volume");

        var (_, output, _) = await SeedProcess.RunAsync(new Dictionary<string, string> { ["RAILWAY_VOLUME_MOUNT_PATH"] = volume.Path }, "doctor");

        Assert.Contains($"Data directory {volume.Path} (chosen by RAILWAY_VOLUME_MOUNT_PATH)", Line(output, "data-directory"));
        Assert.StartsWith("ok", Line(output, "railway-volume"));
    }

    [Fact]
    public void TheImageSetsNoDataDirectoryThatWouldHideRailwaysMountPath()
    {
        var dockerfile = File.ReadAllText(Path.Combine(SolutionPaths.Root, "Dockerfile"));
        Assert.DoesNotContain("DATA_DIR=", dockerfile.Split('\n').Where(l => !l.TrimStart().StartsWith('#')).Aggregate("", (a, l) => a + l));
    }

    [Fact]
    public async Task DoctorUsageErrorsExitTwo()
    {
        using var dir = new TempDirectory();
        Assert.Equal(ExitCodes.InvalidInput, (await SeedProcess.RunAsync(null, "doctor", "--no-such-option")).Exit);
        var missing = await SeedProcess.RunAsync(null, "doctor", "--data-dir", dir.Combine("typo"));
        Assert.Equal(ExitCodes.InvalidInput, missing.Exit);
        Assert.Contains("does not exist", missing.Error);
    }

    private static string Line(string output, string check) =>
        output.Split('\n').Single(l => l.Length > 9 && l[9..].StartsWith(check + " ", StringComparison.Ordinal));
}
