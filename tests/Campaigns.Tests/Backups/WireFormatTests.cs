using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Campaigns.Api.Backups;
using Campaigns.Api.Common;
using Campaigns.Api.Restores;
using Campaigns.Api.Seeding;
using Campaigns.Api.Storage;
using Campaigns.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Campaigns.Tests.Backups;

/// <summary>Sidecars and recovery records written before the enums existed still read, and new ones are written the same way.</summary>
public sealed class WireFormatTests
{
    private const string Name = "campaigns_backup_20261123_020000_123.sqlite";

    [Fact]
    public void ASidecarWrittenWithTheOldTriggerStringsIsStillListed()
    {
        using var data = new TempDirectory();
        var directory = new DataDirectory(data.Path, "test");
        Directory.CreateDirectory(directory.BackupsPath);
        File.WriteAllBytes(Path.Combine(directory.BackupsPath, Name), [1, 2, 3]);
        File.WriteAllText(Path.Combine(directory.BackupsPath, Name + ".json"), $$"""
            {
              "name": "{{Name}}", "createdAt": "2026-11-23T02:00:00.123+00:00", "sizeBytes": 3, "sha256": "abc",
              "sourcePath": "/data/campaigns.db", "backupPath": "/data/backups/{{Name}}", "trigger": "pre-restore",
              "schemaVersion": "20261123133236_IndexListOrder", "activeCampaigns": 12, "totalCampaigns": 13, "verified": true
            }
            """);

        var entry = Assert.Single(new BackupCatalog(directory, NullLogger<BackupCatalog>.Instance).List());

        Assert.Equal(BackupTrigger.PreRestore, entry.Trigger);
        Assert.Contains("\"trigger\": \"pre-restore\"", JsonSerializer.Serialize(entry, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
    }

    [Fact]
    public void ALastRecoveryWrittenWithTheOldKindStringsIsStillReported()
    {
        using var data = new TempDirectory();
        var directory = new DataDirectory(data.Path, "test");
        Directory.CreateDirectory(directory.JobsPath);
        File.WriteAllText(Path.Combine(directory.JobsPath, "last-recovery.json"),
            """{ "at": "2026-11-23T02:00:00+00:00", "kind": "corrupt-database-quarantined", "detail": "moved aside" }""");

        var last = new RecoveryLog(directory, TimeProvider.System, NullLogger<RecoveryLog>.Instance).Last;

        Assert.Equal(RecoveryKind.Quarantined, last!.Kind);
    }

    [Fact]
    public void EveryEnumIsWrittenAsItsLowercaseStringAndNeverAsANumber()
    {
        Assert.Equal(["startup", "scheduled", "manual", "pre-restore", "offsite"], WireNames.All<BackupTrigger>());
        Assert.Equal(["canonical", "latest-backup", "backup", "offsite"], WireNames.All<RestoreSource>());
        Assert.Equal(["file-swap", "online-backup-api", "snapshot"], WireNames.All<RestoreMethod>());
        Assert.Equal(["missing-database-restored", "corrupt-database-quarantined", "restore", "offsite-restored"], WireNames.All<RecoveryKind>());
        Assert.Equal(["startup", "manual", "restore", "cli"], WireNames.All<SeedTrigger>());
        Assert.Equal("\"online-backup-api\"", JsonSerializer.Serialize(RestoreMethod.OnlineBackupApi));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<RestoreMethod>("1"));
    }

    [Fact]
    public void TheWireNamesOfEveryWireEnumAreTheStringsItsJsonUses()
    {
        var wireEnums = typeof(WireNames).Assembly.GetTypes()
            .Where(t => t.IsEnum && t.GetCustomAttribute<JsonConverterAttribute>()?.ConverterType is { IsGenericType: true } converter
                        && converter.GetGenericTypeDefinition() == typeof(WireEnumConverter<>))
            .ToList();
        Assert.True(wireEnums.Count >= 9, $"only {wireEnums.Count} wire enums found");
        var all = typeof(WireNames).GetMethod(nameof(WireNames.All))!;

        foreach (var type in wireEnums)
        {
            var fromJson = Enum.GetValues(type).Cast<object>().Select(v => JsonSerializer.Deserialize<string>(JsonSerializer.Serialize(v, type))!).ToList();
            var names = (IReadOnlyList<string>)all.MakeGenericMethod(type).Invoke(null, null)!;
            Assert.Equal(fromJson, names);
        }
    }
}
