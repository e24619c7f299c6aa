using Campaigns.Api.Storage;
using Campaigns.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Campaigns.Tests.Storage;

public sealed class StorageSafetyTests
{
    [Fact]
    public async Task ProductionRefusesToStartOnStorageThatIsNotAVolume()
    {
        await using var api = new CampaignsApiFactory(environment: "Production");

        var failure = Assert.ThrowsAny<Exception>(() => api.CreateClient());

        var message = Unwrap(failure).Message;
        Assert.Contains(api.DataDirectory, message);
        Assert.Contains("data will be lost on the next deploy", message);
        Assert.Contains("Storage__AllowEphemeral=true", message);
        Assert.False(File.Exists(api.DatabasePath), "no database is created on unsafe storage");
    }

    [Fact]
    public async Task ProductionStartsOnEphemeralStorageOnlyWhenExplicitlyAllowed()
    {
        await using var api = new CampaignsApiFactory(settings: new Dictionary<string, string?> { ["Storage:AllowEphemeral"] = "true" }, environment: "Production");
        Assert.Equal(12, (await api.CreateClient().GetCampaignsAsync()).Count);
        Assert.True(api.Logs.Contains("STORAGE IS NOT PERSISTENT"));
    }

    [Fact]
    public async Task ProductionProcessExitsNonZeroWithTheFix()
    {
        using var dir = new TempDirectory();
        await using var api = ApiProcess.Start(dir.Path, aspnetEnvironment: "Production");

        var exitCode = await api.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"Refusing to start in Production: Storage at {dir.Path} is not a mounted volume", api.Output);
        Assert.Contains("Attach a persistent volume", api.Output);
    }

    [Fact]
    public async Task UnwritableDataDirectoryFailsWithPathAndReason()
    {
        using var dir = new TempDirectory();
        var blocker = dir.Combine("not-a-directory");
        await File.WriteAllTextAsync(blocker, "a file where the data directory should be");

        await using var api = new CampaignsApiFactory(Path.Combine(blocker, "data"));
        var message = Unwrap(Assert.ThrowsAny<Exception>(() => api.CreateClient())).Message;

        Assert.Contains("is not writable", message);
        Assert.Contains(Path.Combine(blocker, "data"), message);
    }

    [Theory]
    [InlineData("36 35 98:0 /mnt1 /app/data rw,noatime master:1 - ext4 /dev/vdb rw,errors=continue", "/app/data/campaigns", "/app/data", "ext4")]
    [InlineData("26 1 254:0 / / rw,relatime - overlay overlay rw", "/app/data", "/", "overlay")]
    [InlineData("40 26 0:50 / /my\\040data rw - tmpfs tmpfs rw", "/my data/x", "/my data", "tmpfs")]
    public void MountTableFindsTheMountHoldingADirectory(string mountLine, string path, string expectedMountPoint, string expectedType)
    {
        using var dir = new TempDirectory();
        var mountInfo = dir.Combine("mountinfo");
        File.WriteAllLines(mountInfo, ["26 1 254:0 / / rw,relatime - ext4 /dev/vda rw", mountLine]);

        var mount = MountTable.FindMountFor(path, mountInfo);

        Assert.Equal(expectedMountPoint, mount!.MountPoint);
        Assert.Equal(expectedType, mount.FileSystemType);
    }

    [Fact]
    public void DataDirectoryPrefersDataDirThenConfigThenRailwayVolume()
    {
        static DataDirectory Resolve(params (string Key, string Value)[] settings) =>
            DataDirectory.Resolve(
                new ConfigurationBuilder()
                    .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
                    .Build(),
                "/srv/app");

        Assert.Equal(("/srv/app/data", "default (./data)"), (Resolve().Path, Resolve().ChosenBy));
        Assert.Equal("/volume", Resolve(("RAILWAY_VOLUME_MOUNT_PATH", "/volume")).Path);
        Assert.Equal("/configured", Resolve(("RAILWAY_VOLUME_MOUNT_PATH", "/volume"), ("Storage:DataDirectory", "/configured")).Path);
        Assert.Equal("/explicit", Resolve(("DATA_DIR", "/explicit"), ("Storage:DataDirectory", "/configured")).Path);
        Assert.Equal("/srv/app/relative", Resolve(("DATA_DIR", "relative")).Path);
    }

    private static Exception Unwrap(Exception exception) =>
        exception is AggregateException { InnerException: { } inner } ? Unwrap(inner) : exception;
}
