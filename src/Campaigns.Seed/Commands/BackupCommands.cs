using System.CommandLine;
using System.Globalization;
using Campaigns.Api.Backups;
using Campaigns.Api.Campaigns;
using Campaigns.Api.Common;
using Campaigns.Api.Restores;
using Campaigns.Api.Seeding;
using Campaigns.Api.Storage;
using Campaigns.Api.Transfer;
using FluentValidation;
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
                    $"{e.Name}  {e.CreatedAt:yyyy-MM-dd HH:mm:ss}Z  {e.Trigger.ToWire(),-11}  {e.ActiveCampaigns,4} active  {e.SizeBytes,10} bytes  {(e.Verified ? "verified" : "UNVERIFIED")}  sha256 {e.Sha256}"));
            }

            return Task.FromResult(ExitCodes.Ok);
        }));

        var name = new Argument<string?>("name") { Description = "One backup file name; all backups when omitted.", Arity = ArgumentArity.ZeroOrOne };
        var verifyDir = CliHost.DataDirectoryOption();
        var verify = new Command("verify", "Check backups: checksum against the sidecar, PRAGMA integrity_check, campaigns readable. Exit 1 if any fails.") { name, verifyDir };
        verify.SetAction((parse, _) => CliHost.RunAsync(parse, verifyDir, (services, output) =>
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

            var failed = 0;
            foreach (var result in targets.Select(verifier.Verify))
            {
                output.WriteLine(result.Ok ? $"ok      {result.Name}" : $"FAILED  {result.Name}: {result.Problem}");
                failed += result.Ok ? 0 : 1;
            }

            output.WriteLine($"{targets.Count - failed} of {targets.Count} backups verified");
            return Task.FromResult(failed == 0 ? ExitCodes.Ok : ExitCodes.Failed);
        }));

        return new Command("backups", "Inspect the backups in <data dir>/backups.") { list, verify };
    }

    private static Command Backup()
    {
        var dataDir = CliHost.DataDirectoryOption();
        var command = new Command("backup", "Back up the live database now (safe while the API runs).") { dataDir };
        command.SetAction((parse, cancellationToken) => CliHost.RunAsync(parse, dataDir, async (services, output) =>
        {
            var entry = await services.GetRequiredService<BackupService>().CreateAsync(BackupTrigger.Manual, cancellationToken);
            output.WriteLine($"Backup {entry.Name}: {entry.ActiveCampaigns} active campaigns, {entry.SizeBytes} bytes, sha256 {entry.Sha256}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Restore()
    {
        var what = new Argument<string>("backup") { Description = "A backup file name, 'latest' (the newest good backup) or 'canonical' (top-up only)." };
        var dataDir = CliHost.DataDirectoryOption();
        var command = new Command("restore", "Restore the live database from a backup (a pre-restore backup is taken first), then top up the canonical campaigns.") { what, dataDir };
        command.SetAction((parse, cancellationToken) => CliHost.RunAsync(parse, dataDir, async (services, output) =>
        {
            var target = parse.GetValue(what)!;
            var (source, name) = target switch
            {
                "latest" => (RestoreSource.LatestBackup, null),
                "canonical" => (RestoreSource.Canonical, null),
                _ when !BackupNames.IsValid(target) => throw new InvalidBackupNameException(target),
                _ => (RestoreSource.Backup, target),
            };
            var result = await services.GetRequiredService<RestoreService>().RestoreAsync(source, name, cancellationToken: cancellationToken);
            output.WriteLine(
                $"Restored from {result.Backup ?? "the canonical campaigns"}: active campaigns {result.ActiveBefore} -> {result.ActiveAfter}; " +
                $"pre-restore backup {result.PreRestoreBackup ?? "(none)"}; top-up inserted {result.TopUp.Inserted.Count}, reactivated {result.TopUp.Reactivated.Count}");
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

            var snapshot = await services.GetRequiredService<CampaignSnapshotService>().ExportAsync(cancellationToken);
            var path = Path.GetFullPath(parse.GetValue(file)!);
            CampaignSnapshotFile.Write(path, snapshot);
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
            var summary = await services.GetRequiredService<CampaignSnapshotService>().ImportAsync(snapshot, cancellationToken);
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
}
