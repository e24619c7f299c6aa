using System.Diagnostics;
using Campaigns.Api.SqliteFiles;
using Microsoft.Data.Sqlite;

namespace Campaigns.Api.Backups;

/// <summary>A backup and what its drill found.</summary>
public sealed record DrilledBackup(BackupEntry Backup, RestoreDrillOutcome Outcome);

/// <summary>
/// Restores a backup the way a real restore would read it, without touching the live database: the file is copied (and
/// its checksum compared with the sidecar's) into a temporary file outside the data directory (so nothing on the volume
/// changes but the sidecar, and a drill killed midway leaves nothing there); the copy is opened, passes <c>quick_check</c>, and its campaigns are counted against the sidecar. The
/// outcome is recorded in the backup's sidecar, where /health and the doctor read it.
/// </summary>
public sealed class RestoreDrill(BackupCatalog catalog, BackupVerifier verifier, TimeProvider time, ILogger<RestoreDrill> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Drills the newest backup and records the outcome; null when there is no backup (or it was rotated away meanwhile).</summary>
    public Task<DrilledBackup?> RunOnNewestAsync(CancellationToken cancellationToken = default) =>
        RunOnNewestAsync(unlessDrilled: false, cancellationToken);

    /// <summary>
    /// As <see cref="RunOnNewestAsync(CancellationToken)"/>, but a newest backup that has a drill recorded is left as it
    /// is. For the drill a start queues after its backup: a start that stops before its job server runs that drill leaves
    /// it queued, and the next start's server would otherwise drill the same backup once per queued job (three times in a
    /// row after quick redeploys, each a full copy and check of the database).
    /// </summary>
    public Task<DrilledBackup?> RunOnNewestUnlessDrilledAsync(CancellationToken cancellationToken = default) =>
        RunOnNewestAsync(unlessDrilled: true, cancellationToken);

    private async Task<DrilledBackup?> RunOnNewestAsync(bool unlessDrilled, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (catalog.List().FirstOrDefault() is not { } newest)
            {
                return null;
            }

            if (unlessDrilled && newest.LastDrill is { } drilled)
            {
                logger.LogInformation("Backup {BackupName} has had its restore drill ({DrilledAt}); not drilled again", newest.Name, drilled.At);
                return new DrilledBackup(newest, drilled);
            }

            var outcome = await Task.Run(() => Drill(newest), cancellationToken);
            return Record(newest, outcome);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs the drill on one backup without recording it.</summary>
    public RestoreDrillOutcome Drill(BackupEntry entry)
    {
        var started = Stopwatch.GetTimestamp();
        var source = catalog.PathOf(entry.Name);
        var temporary = Path.Combine(Path.GetTempPath(), $"campaigns-drill-{Guid.NewGuid():N}-{entry.Name}");
        try
        {
            var sha256 = SqliteFile.CopyWithSha256(source, new FileInfo(source).Length, temporary);
            if (BackupVerifier.ChecksumProblem(entry, sha256) is { } mismatch)
            {
                return Failed(mismatch);
            }

            // The same checks a new backup passes: quick_check and the campaigns counted, or the snapshot read back valid.
            SqliteContents? contents;
            var problem = BackupNames.IsSnapshot(entry.Name)
                ? verifier.CheckSnapshot(temporary, out contents)
                : BackupVerifier.CheckCopy(temporary, quick: true, out contents);
            if (problem is null && contents!.ActiveCampaigns < entry.ActiveCampaigns)
            {
                problem = $"the restored copy holds {contents.ActiveCampaigns} active campaigns, its sidecar says {entry.ActiveCampaigns}";
            }

            var outcome = new RestoreDrillOutcome(time.GetUtcNow(), problem is null, problem, contents?.ActiveCampaigns ?? 0, contents?.TotalCampaigns ?? 0,
                (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return outcome;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SqliteException)
        {
            return Failed(ex.Message);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var file in new[] { temporary, temporary + "-wal", temporary + "-shm", temporary + "-journal" })
            {
                TryDelete(file);
            }
        }

        RestoreDrillOutcome Failed(string problem) =>
            new(time.GetUtcNow(), false, problem, 0, 0, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private DrilledBackup? Record(BackupEntry drilled, RestoreDrillOutcome outcome)
    {
        // From the sidecar as it is now (verified since, restored since); a backup rotated away meanwhile gets no
        // sidecar back (nor a false alarm: its file vanished under the drill).
        if (catalog.Update(drilled.Name, current => current with { LastDrill = outcome }) is not { } recorded)
        {
            logger.LogInformation("Backup {BackupName} was rotated away during its restore drill; nothing recorded", drilled.Name);
            return null;
        }

        if (outcome.Ok)
        {
            logger.LogInformation("Restore drill of backup {BackupName} passed: {ActiveCampaigns} active campaigns, {DurationMs} ms",
                drilled.Name, outcome.ActiveCampaigns, outcome.DurationMs);
        }
        else
        {
            logger.LogError("Restore drill of backup {BackupName} FAILED: {Problem}; this backup cannot be restored", drilled.Name, outcome.Problem);
        }

        return new DrilledBackup(recorded, outcome);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // a leftover .tmp is removed by the next cleanup
        }
    }
}
