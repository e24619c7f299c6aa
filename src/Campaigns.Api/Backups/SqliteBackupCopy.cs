using System.Diagnostics;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Backups;

/// <summary>
/// A SQLite backup's bytes: a file copy under a read snapshot (<see cref="LiveDatabaseCopy"/>), so writers carry on;
/// <c>VACUUM INTO</c> when writers never leave the WAL empty. Checked while or after it is written, hashed, fsynced.
/// </summary>
public sealed class SqliteBackupCopy(
    DataDirectory dataDirectory,
    LiveDatabaseSoundness soundness,
    GiveWay giveWay,
    TimeProvider time,
    IOptions<StorageOptions> storage,
    ILogger<SqliteBackupCopy> logger)
{
    public CheckedCopy Write(string temporary)
    {
        var source = dataDirectory.DatabasePath;
        if (!File.Exists(source))
        {
            throw new BackupFailedException($"There is no database at {source} to back up.");
        }

        var started = Stopwatch.GetTimestamp();
        var startedAt = time.GetUtcNow();
        var pausedBefore = giveWay.Paused;
        if (LiveDatabaseCopy.TryCopy(source, temporary, giveWay) is { } copy)
        {
            // The check ran on the live file's own pages (pinned by the copy's read snapshot): it is the live data's check too.
            if (copy.QuickCheck == "ok")
            {
                soundness.Passed(startedAt);
            }
            else
            {
                soundness.Failed();
                logger.LogError("The live database {DatabasePath} failed quick_check ({Problem}); the next start moves it aside and restores the newest good backup",
                    source, copy.QuickCheck);
            }

            var problem = copy.QuickCheck != "ok" ? $"quick_check: {copy.QuickCheck}" : copy.Contents is null ? "the database has no campaigns table" : null;
            logger.LogInformation("Copied {DatabasePath} under a read snapshot and checked it in {Elapsed}, of which {GaveWay} paused for requests being served",
                source, Stopwatch.GetElapsedTime(started), giveWay.Paused - pausedBefore);
            return problem is null ? new CheckedCopy(copy.Contents!, copy.Sha256) : throw new BackupFailedException($"The copy failed verification: {problem}");
        }

        logger.LogWarning("The WAL of {DatabasePath} could not be checkpointed for a file copy (busy writers, or a reader on an older snapshot); backing up with VACUUM INTO", source);
        SqliteFile.VacuumInto(source, temporary, storage.Value.BusyTimeoutSeconds);
        // quick_check here; the full integrity_check stays for `backups verify`.
        var vacuumProblem = BackupVerifier.CheckCopy(temporary, quick: true, out var contents);
        logger.LogInformation("Copied {DatabasePath} with VACUUM INTO and checked it in {Elapsed}", source, Stopwatch.GetElapsedTime(started));
        return vacuumProblem is null
            ? new CheckedCopy(contents!, SqliteFile.Sha256Of(temporary))
            : throw new BackupFailedException($"The copy failed verification: {vacuumProblem}");
    }
}
