using Campaigns.Seed.Commands;
using Campaigns.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Campaigns.Tests.Cli;

public sealed class BackupCommandsTests
{
    [Fact]
    public async Task BackupListVerifyAndRestoreExitWithClearCodes()
    {
        using var dir = new TempDirectory();
        Assert.Equal(ExitCodes.Ok, (await Run("reseed", "--data-dir", dir.Path)).Exit);
        var backup = await Run("backup", "--data-dir", dir.Path);
        Assert.Equal(ExitCodes.Ok, backup.Exit);
        var name = backup.Output.Split(' ')[1].TrimEnd(':');

        var list = await Run("backups", "list", "--data-dir", dir.Path);
        Assert.Equal(ExitCodes.Ok, list.Exit);
        Assert.Contains($"{name}  ", list.Output);
        Assert.Contains("12 active", list.Output);
        Assert.Equal(ExitCodes.Ok, (await Run("backups", "verify", name, "--data-dir", dir.Path)).Exit);

        await using (var db = CampaignsApiFactory.CreateDbContext(dir.Combine("campaigns.db")))
        {
            await db.Campaigns.Take(3).ExecuteDeleteAsync();
        }

        var restored = await Run("restore", "latest", "--data-dir", dir.Path);
        Assert.Equal(ExitCodes.Ok, restored.Exit);
        Assert.Contains("active campaigns 9 -> 12", restored.Output);

        var path = dir.Combine("backups", name);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^100] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);
        var verify = await Run("backups", "verify", "--data-dir", dir.Path);
        Assert.Equal(ExitCodes.Failed, verify.Exit);
        Assert.Contains($"FAILED  {name}: checksum mismatch", verify.Output);
        var refused = await Run("restore", name, "--data-dir", dir.Path);
        Assert.Equal(ExitCodes.Failed, refused.Exit);
        Assert.Contains("checksum mismatch", refused.Error);

        Assert.Equal(ExitCodes.InvalidInput, (await Run("restore", "../campaigns.db", "--data-dir", dir.Path)).Exit);
        Assert.Equal(ExitCodes.NotFound, (await Run("restore", "campaigns_backup_20200101_000000_000.sqlite", "--data-dir", dir.Path)).Exit);
        Assert.Equal(ExitCodes.NotFound, (await Run("backups", "verify", "campaigns_backup_20200101_000000_000.sqlite", "--data-dir", dir.Path)).Exit);
        var missing = await Run("backups", "list", "--data-dir", dir.Combine("typo"));
        Assert.Equal(ExitCodes.InvalidInput, missing.Exit);
        Assert.Contains("does not exist", missing.Error);
    }

    [Fact]
    public async Task ExportThenImportIsIdempotentByKey()
    {
        using var source = new TempDirectory();
        using var target = new TempDirectory();
        await Run("reseed", "--data-dir", source.Path);
        await using (var db = CampaignsApiFactory.CreateDbContext(source.Combine("campaigns.db")))
        {
            db.Campaigns.Add(SeedFiles.UserCampaign("user-made"));
            await db.SaveChangesAsync();
        }

        var snapshot = source.Combine("snapshot.json");
        var export = await Run("export", "--out", snapshot, "--data-dir", source.Path);
        Assert.Equal(ExitCodes.Ok, export.Exit);
        Assert.Contains("Exported 13 campaigns", export.Output);

        Assert.Contains("13 inserted, 0 updated, 0 unchanged", (await Run("import", snapshot, "--data-dir", target.Path)).Output);
        Assert.Contains("0 inserted, 0 updated, 13 unchanged", (await Run("import", snapshot, "--data-dir", target.Path)).Output);
        await using (var db = CampaignsApiFactory.CreateDbContext(target.Combine("campaigns.db")))
        {
            Assert.Equal("usr", (await db.Campaigns.SingleAsync(c => c.Key == "user-made")).Property);
        }

        await File.WriteAllTextAsync(snapshot, """{"format":"campaigns-snapshot","version":1,"campaigns":[{"key":"Bad Key","name":"x","property":"mmm","offerUrl":"https://a.example"}]}""");
        var invalid = await Run("import", snapshot, "--data-dir", target.Path);
        Assert.Equal(ExitCodes.InvalidInput, invalid.Exit);
        Assert.Contains("$.campaigns[0].key", invalid.Error);
    }

    [Fact]
    public async Task ImportingAHandWrittenSnapshotTwiceChangesNothingAndNeverRevivesRetiredCampaigns()
    {
        using var target = new TempDirectory();
        var snapshot = target.Combine("hand-written.json");
        await File.WriteAllTextAsync(snapshot, """
            {"format":"campaigns-snapshot","version":1,"campaigns":[
              {"key":"autumn-offer","name":"Autumn Offer","property":"mmm","offerUrl":"https://offers.example.com/autumn"},
              {"key":"prizies","name":"Prizies","property":"mmm","offerUrl":"https://offers.example.com/prizies"}]}
            """);

        var first = await Run("import", snapshot, "--data-dir", target.Path);
        var second = await Run("import", snapshot, "--data-dir", target.Path);

        Assert.Equal(ExitCodes.Ok, first.Exit);
        Assert.Contains("1 inserted, 0 updated, 0 unchanged, retired skipped: prizies", first.Output);
        Assert.Contains("0 inserted, 0 updated, 1 unchanged", second.Output);
        await using var db = CampaignsApiFactory.CreateDbContext(target.Combine("campaigns.db"));
        var imported = await db.Campaigns.SingleAsync(c => c.Key == "autumn-offer");
        Assert.NotEqual(default, imported.CreatedAt);
        Assert.False(await db.Campaigns.AnyAsync(c => c.Key == "prizies"));
    }

    [Theory]
    [InlineData("backups", "list")]
    [InlineData("backups", "verify")]
    [InlineData("backup")]
    [InlineData("restore")]
    [InlineData("export")]
    [InlineData("import")]
    [InlineData("reseed")]
    public async Task EveryCommandHasHelpAndADataDirOption(params string[] command)
    {
        var help = await Run([.. command, "--help"]);
        Assert.Equal(ExitCodes.Ok, help.Exit);
        Assert.Contains("--data-dir", help.Output);
    }

    private static Task<(int Exit, string Output, string Error)> Run(params string[] args) => CliProcess.InProcessAsync(args);
}
