using System.CommandLine;
using System.Globalization;
using Campaigns.Api.Backups;
using Campaigns.Api.Campaigns;
using Campaigns.Api.Common;
using Campaigns.Api.OffSite;
using Campaigns.Api.Restores;
using Campaigns.Api.Seeding;
using Campaigns.Api.Storage;
using Campaigns.Api.Transfer;
using Campaigns.Seed.Progress;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Campaigns.Seed.Commands;

/// <summary>backups list|verify, backup, restore, export, import, reseed: the operator's side of issue 3's runbook.</summary>
public static class BackupCommands
{
    public static IEnumerable<Command> Create() => [Backups(), Backup(), Restore(), Export(), Import(), Reseed()];

    private static Command Backups()
    {
        var listDir = CliHost.DataDirectoryOption();
        var list = new Command("list", "List the backups, newest first, from their sidecar catalog.") { listDir };
        list.SetAction((parse, _) => CliHost.RunAsync(parse, listDir, (services, output) =>
        {
            var catalog = services.GetRequiredService<BackupCatalog>();
            var entries = catalog.List();
            if (entries.Count == 0)
            {
                output.WriteLine($"No backups in {catalog.Directory}");
            }

            foreach (var e in entries)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{e.Name}  {e.CreatedAt:yyyy-MM-dd HH:mm:ss}Z  {e.Trigger.ToWire(),-11}  {e.ActiveCampaigns,4} active  {e.SizeBytes,10} bytes  {(e.Verified ? "verified" : "UNVERIFIED")}  sha256 {e.Sha256 ?? "(being taken)"}"));
            }

            return Task.FromResult(ExitCodes.Ok);
        }));

        var name = new Argument<string?>("name") { Description = "One backup file name; all backups when omitted.", Arity = ArgumentArity.ZeroOrOne };
        var verifyDir = CliHost.DataDirectoryOption();
        var verify = new Command("verify", "Check backups: checksum against the sidecar, PRAGMA integrity_check, campaigns readable. Exit 1 if any fails.") { name, verifyDir };
        verify.SetAction((parse, _) => CliHost.RunAsync(parse, verifyDir, async (services, output) =>
        {
            var catalog = services.GetRequiredService<BackupCatalog>();
            var verifier = services.GetRequiredService<BackupVerifier>();
            IReadOnlyList<BackupEntry> targets;
            if (parse.GetValue(name) is { } one)
            {
                var entry = BackupNames.IsValid(one) ? catalog.Find(one) : throw new InvalidBackupNameException(one);
                targets = entry is null ? throw new BackupNotFoundException(one) : [entry];
            }
            else
            {
                targets = catalog.List();
            }

            var totalBytes = targets.Sum(t => t.SizeBytes);
            var results = await ProgressDisplay.For(parse.InvocationConfiguration.Error).RunAsync("verify", ProgressUnit.Bytes, progress =>
                Task.FromResult(targets.Select((target, i) =>
                {
                    var result = verifier.Verify(target);
                    progress.Report((targets.Take(i + 1).Sum(t => t.SizeBytes), totalBytes));
                    return result;
                }).ToList()));

            var failed = 0;
            foreach (var result in results)
            {
                output.WriteLine(result.Ok ? $"ok      {result.Name}" : $"FAILED  {result.Name}: {result.Problem}");
                failed += result.Ok ? 0 : 1;
            }

            output.WriteLine($"{targets.Count - failed} of {targets.Count} backups verified");
            return failed == 0 ? ExitCodes.Ok : ExitCodes.Failed;
        }));

        return new Command("backups", "Inspect the backups in <data dir>/backups.") { list, verify };
    }

    private static Command Backup()
    {
        var dataDir = CliHost.DataDirectoryOption();
        var command = new Command("backup", "Back up the live database now (safe while the API runs).") { dataDir };
        command.SetAction((parse, cancellationToken) => CliHost.RunAsync(parse, dataDir, async (services, output) =>
        {
            // The copy is written to <name>.tmp in backups/ and renamed when done: its size is the progress.
            var data = services.GetRequiredService<DataDirectory>();
            var total = SizeOf(data.DatabasePath) + SizeOf(data.DatabasePath + "-wal");
            var entry = await ProgressDisplay.For(parse.InvocationConfiguration.Error).WatchAsync("backup", ProgressUnit.Bytes, total,
                () => NewestTemporaryFileSize(data.BackupsPath),
                () => services.GetRequiredService<BackupService>().CreateAsync(BackupTrigger.Manual, cancellationToken));
            output.WriteLine($"Backup {entry.Name}: {entry.ActiveCampaigns} active campaigns, {entry.SizeBytes} bytes, sha256 {entry.Sha256}");
            // On PostgreSQL an on-demand backup goes off-site like the API's (SQLite's journal and snapshots go on their own).
            if (await services.GetRequiredService<OffSitePostgresCopies>().UploadAsync(entry, cancellationToken) is { } offSite)
            {
                output.WriteLine($"Off-site: {offSite.Key}");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Restore()
    {
        var what = new Argument<string>("backup") { Description = "A backup file name, 'latest' (the newest good backup, or the off-site state when that is newer), 'canonical' (top-up only) or 'offsite' (the off-site copies)." };
        var at = OffSiteCommands.AtOption();
        var dataDir = CliHost.DataDirectoryOption();
        var command = new Command("restore", "Restore the live database from a backup (a pre-restore backup is taken first), then top up the canonical campaigns.") { what, at, dataDir };
        command.SetAction((parse, cancellationToken) => CliHost.RunAsync(parse, dataDir, async (services, output) =>
        {
            var target = parse.GetValue(what)!;
            var (source, name) = target switch
            {
                "latest" => (RestoreSource.LatestBackup, null),
                "canonical" => (RestoreSource.Canonical, null),
                "offsite" => (RestoreSource.OffSite, await OffSiteCommands.CheckedAtAsync(services, parse.GetValue(at), cancellationToken)),
                _ when !BackupNames.IsValid(target) => throw new InvalidBackupNameException(target),
                _ => (RestoreSource.Backup, target),
            };
            var restores = services.GetRequiredService<RestoreService>();
            // The backup is first copied (and hashed) into backups/restore_<name>.tmp: its size is the progress.
            var backup = restores.ResolveBackup(source, name);
            var catalogDirectory = services.GetRequiredService<BackupCatalog>().Directory;
            var result = await ProgressDisplay.For(parse.InvocationConfiguration.Error).WatchAsync("restore", ProgressUnit.Bytes, backup?.SizeBytes ?? 0,
                () => backup is null ? 0 : SizeOf(Path.Combine(catalogDirectory, $"restore_{backup.Name}{BackupNames.TemporaryExtension}")),
                () => restores.RestoreAsync(source, name, cancellationToken: cancellationToken));
            output.WriteLine(
                $"Restored from {result.Backup ?? "the canonical campaigns"}: active campaigns {result.ActiveBefore} -> {result.ActiveAfter}; " +
                $"pre-restore backup {result.PreRestoreBackup ?? "(none)"}; top-up inserted {result.TopUp.Inserted.Count}, reactivated {result.TopUp.Reactivated.Count}");
            if (!result.TopUp.Applied)
            {
                // The data came back, but the canonical campaigns could not be checked: the restore is not complete.
                parse.InvocationConfiguration.Error.WriteLine($"error: the canonical top-up after the restore failed: {result.TopUp.Error}");
                return ExitCodes.Failed;
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Export()
    {
        var file = new Option<string>("--out") { Description = "Where to write the JSON snapshot.", Required = true };
        var dataDir = CliHost.DataDirectoryOption();
        var command = new Command("export", "Write every campaign to a portable JSON snapshot (re-importable into SQLite or PostgreSQL).") { file, dataDir };
        command.SetAction((parse, cancellationToken) => CliHost.RunAsync(parse, dataDir, async (services, output) =>
        {
            var database = services.GetRequiredService<DataDirectory>().DatabasePath;
            if (services.GetRequiredService<DatabaseTarget>().Provider == DatabaseProvider.Sqlite && !File.Exists(database))
            {
                throw new IOException($"There is no database at {database} to export.");
            }

            var path = Path.GetFullPath(parse.GetValue(file)!);
            var snapshot = await ProgressDisplay.For(parse.InvocationConfiguration.Error).RunAsync("export", ProgressUnit.Rows, async progress =>
            {
                progress.Report((0, await services.GetRequiredService<CampaignsDbContext>().Campaigns.CountAsync(cancellationToken)));
                var read = await services.GetRequiredService<CampaignSnapshotService>().ExportAsync(cancellationToken);
                CampaignSnapshotFile.Write(path, read);
                progress.Report((read.Campaigns.Count, read.Campaigns.Count));
                return read;
            });
            output.WriteLine($"Exported {snapshot.Campaigns.Count} campaigns ({snapshot.Campaigns.Count(c => c.Active)} active) to {path}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Import()
    {
        var file = new Argument<string>("file") { Description = "A snapshot written by 'export'." };
        var dataDir = CliHost.DataDirectoryOption();
        var command = new Command("import", "Insert or update campaigns from a JSON snapshot, by key (running it twice changes nothing more); never deletes.") { file, dataDir };
        command.SetAction((parse, cancellationToken) => CliHost.RunAsync(parse, dataDir, async (services, output) =>
        {
            var snapshot = CampaignSnapshotFile.Read(Path.GetFullPath(parse.GetValue(file)!), services.GetRequiredService<IValidator<CampaignRequest>>());
            await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
            var summary = await ProgressDisplay.For(parse.InvocationConfiguration.Error).RunAsync("import", ProgressUnit.Rows, progress =>
                services.GetRequiredService<CampaignSnapshotService>().ImportAsync(snapshot, cancellationToken,
                    new SyncProgress<ImportProgress>(p => progress.Report(p.Table == "campaigns" ? (p.Done, snapshot.Campaigns.Count) : (snapshot.Campaigns.Count, snapshot.Campaigns.Count)))));
            output.WriteLine($"Imported: {summary.Inserted} inserted, {summary.Updated} updated, {summary.Unchanged} unchanged" +
                (summary.SkippedRetired.Count > 0 ? $", retired skipped: {string.Join(", ", summary.SkippedRetired)}" : "") +
                (summary.Errors.Count > 0 ? $", {summary.Errors.Count} rejected" : ""));
            foreach (var problem in summary.Errors)
            {
                parse.InvocationConfiguration.Error.WriteLine($"  error: {problem}");
            }

            return summary.Errors.Count > 0 ? ExitCodes.Failed : ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Reseed()
    {
        var dataDir = CliHost.DataDirectoryOption();
        var command = new Command("reseed", "Run the canonical top-up now (what every start does).") { dataDir };
        command.SetAction((parse, cancellationToken) => CliHost.RunAsync(parse, dataDir, async (services, output) =>
        {
            await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
            var summary = await services.GetRequiredService<CanonicalTopUp>().RunAsync(SeedTrigger.Cli, cancellationToken);
            if (!summary.Applied)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: {summary.Error}");
                return ExitCodes.InvalidInput;
            }

            output.WriteLine($"Active campaigns {summary.ActiveBefore} -> {summary.ActiveAfter} of {summary.ExpectedActive} expected; " +
                $"inserted {summary.Inserted.Count}, reactivated {summary.Reactivated.Count}, removed {summary.Removed.Count}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static long SizeOf(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static long NewestTemporaryFileSize(string directory) =>
        Directory.Exists(directory)
            ? new DirectoryInfo(directory).EnumerateFiles("*" + BackupNames.TemporaryExtension).OrderByDescending(f => f.LastWriteTimeUtc).FirstOrDefault()?.Length ?? 0
            : 0;
}
