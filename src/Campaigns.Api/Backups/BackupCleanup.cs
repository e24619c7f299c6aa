using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Backups;

public sealed record CleanupSummary(IReadOnlyList<string> Removed);

/// <summary>
/// Removes leftovers of interrupted backups (temporary files, sidecars without a file) and quarantined databases older
/// than <see cref="BackupOptions.QuarantineDays"/>. At startup every temporary file is stale; later, only old ones are,
/// since another process (the CLI) may be writing one right now.
/// </summary>
public sealed class BackupCleanup(
    DataDirectory dataDirectory, BackupCatalog catalog, IOptions<BackupOptions> options, TimeProvider time, ILogger<BackupCleanup> logger)
{
    /// <summary>A temporary file this old is no longer being written by anyone (a backup takes seconds).</summary>
    private static readonly TimeSpan StaleTemporaryAge = TimeSpan.FromHours(1);

    public CleanupSummary Cleanup(bool atStartup)
    {
        var now = time.GetUtcNow();
        var removed = new List<string>();
        var backups = dataDirectory.BackupsPath;
        if (Directory.Exists(backups))
        {
            foreach (var temporary in Directory.EnumerateFiles(backups, "*" + BackupNames.TemporaryExtension + "*"))
            {
                if (atStartup && FinishInterruptedPublish(temporary))
                {
                    continue;
                }

                if (atStartup || now - File.GetLastWriteTimeUtc(temporary) > StaleTemporaryAge)
                {
                    Remove(temporary, "temporary file of an interrupted backup", removed);
                }
            }

            if (atStartup)
            {
                foreach (var unhashed in catalog.List().Where(e => e.Sha256 is null && !BackupNames.IsSnapshot(e.Name)))
                {
                    FinishInterruptedCheck(unhashed);
                }
            }

            foreach (var sidecar in Directory.EnumerateFiles(backups, BackupNames.SidecarPattern))
            {
                var backup = sidecar[..^BackupNames.SidecarExtension.Length];
                // A snapshot backup (.snapshot.json) matches the sidecar pattern too; only real sidecars are candidates.
                if (BackupNames.IsValid(Path.GetFileName(backup)) && !File.Exists(backup) && !File.Exists(backup + BackupNames.TemporaryExtension))
                {
                    Remove(sidecar, "sidecar of a backup that was never published", removed);
                }
            }
        }

        var quarantine = dataDirectory.QuarantinePath;
        if (Directory.Exists(quarantine))
        {
            var limit = TimeSpan.FromDays(options.Value.QuarantineDays);
            foreach (var file in Directory.EnumerateFiles(quarantine))
            {
                if (now - File.GetLastWriteTimeUtc(file) > limit)
                {
                    Remove(file, $"quarantined database older than {options.Value.QuarantineDays} days", removed);
                }
            }
        }

        return new CleanupSummary(removed);
    }

    /// <summary>
    /// A crash between a backup's sidecar and its rename leaves <c>&lt;name&gt;.tmp</c> with a sidecar naming it. When
    /// its bytes match the sidecar (a pre-restore backup's records no sha256 yet) and differ from the live database's, it
    /// holds data found nowhere else (the database as it was before a restore renamed a new file over it): it is
    /// published, with its sha256. When they equal the live database's (the crash came before that rename, and the file
    /// is the live one under a second name), it is only removed.
    /// </summary>
    private bool FinishInterruptedPublish(string temporary)
    {
        var destination = temporary[..^BackupNames.TemporaryExtension.Length];
        if (!temporary.EndsWith(BackupNames.TemporaryExtension, StringComparison.Ordinal) || !BackupNames.IsValid(Path.GetFileName(destination))
            || File.Exists(destination) || catalog.ReadSidecar(BackupNames.SidecarOf(destination)) is not { } entry)
        {
            return false;
        }

        var sha256 = SqliteFile.Sha256Of(temporary);
        if ((entry.Sha256 is not null && sha256 != entry.Sha256)
            || (File.Exists(dataDirectory.DatabasePath) && SqliteFile.Sha256Of(dataDirectory.DatabasePath) == sha256))
        {
            return false;
        }

        File.Move(temporary, destination);
        catalog.Update(entry.Name, current => current with { Sha256 = sha256 });
        logger.LogWarning("Published backup {BackupName}: a crash had interrupted its publication", entry.Name);
        return true;
    }

    /// <summary>
    /// A pre-restore backup is published before its sha256 and quick_check are taken, in the background; a kill in
    /// between leaves it without a sha256 for good. Nothing writes it any more, so at the next start they are taken now.
    /// </summary>
    private void FinishInterruptedCheck(BackupEntry entry)
    {
        var path = catalog.PathOf(entry.Name);
        var sha256 = SqliteFile.Sha256Of(path);
        logger.LogWarning("Backup {BackupName} had no sha256 (a stop interrupted its check); recording {Sha256}", entry.Name, sha256);
        catalog.RecordLateCheck(entry, sha256, BackupVerifier.CheckCopy(path, quick: true, out _) ?? "ok");
    }

    private void Remove(string path, string why, List<string> removed)
    {
        if (catalog.TryDelete(path))
        {
            removed.Add(path);
            logger.LogInformation("Cleanup removed {FilePath}: {Reason}", path, why);
        }
    }
}
