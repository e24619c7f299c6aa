using System.Data;
using System.Data.Common;
using System.Diagnostics;
using Campaigns.Api.Campaigns;
using Campaigns.Api.Seeding;
using Campaigns.Api.Storage;
using FluentValidation;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Backups;

public sealed record BackupAttempt(DateTimeOffset At, string Trigger, string? Name, string? Error)
{
    public bool Succeeded => Error is null;
}

public sealed record BackupVerification(string Name, bool Ok, string? Problem);

public sealed record CleanupSummary(IReadOnlyList<string> Removed);

public sealed class BackupFailedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A copy, what its checks found in it, and the sha256 of its bytes. Unverified only for a file that is kept whatever its state.</summary>
public sealed record CheckedCopy(SqliteContents Contents, string Sha256, bool Verified = true);

/// <summary>A backup name held by an empty temporary file until the backup is published under it.</summary>
public sealed record BackupReservation(string Name, string TemporaryPath);

/// <summary>
/// Takes consistent copies of the live database (<see cref="LiveDatabaseCopy"/>: a file copy under a read snapshot, so
/// writers carry on; <c>VACUUM INTO</c> when writers never leave the WAL empty), hashed while they are written, fsynced,
/// checked, described by a sidecar, then published with an atomic rename. The sidecar is written before the rename, so
/// a crash at any point never leaves a <c>.sqlite</c> without its sidecar; what it can leave (a <c>.tmp</c>, a sidecar
/// without a file) is removed by <see cref="Cleanup"/>. On PostgreSQL the copy is the portable JSON snapshot (campaigns
/// and seed history, read in one repeatable-read transaction under an advisory lock so replicas back up one at a time),
/// with the same sidecar, catalog and rotation.
/// </summary>
public sealed class BackupService(
    DataDirectory dataDirectory,
    DatabaseTarget database,
    IServiceScopeFactory scopes,
    IValidator<CampaignRequest> validator,
    BackupCatalog catalog,
    CanonicalSeedSource seed,
    IOptions<BackupOptions> options,
    IOptions<StorageOptions> storage,
    TimeProvider time,
    ILogger<BackupService> logger)
{
    /// <summary>A temporary file this old is no longer being written by anyone (a backup takes seconds).</summary>
    private static readonly TimeSpan StaleTemporaryAge = TimeSpan.FromHours(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private BackupAttempt? _lastAttempt;

    public BackupAttempt? LastAttempt => Volatile.Read(ref _lastAttempt);

    /// <summary>Backs up the live database; throws <see cref="BackupFailedException"/> after logging and removing any partial file.</summary>
    /// <param name="keepAlso">A backup rotation must not remove (the one a restore is about to copy).</param>
    public Task<BackupEntry> CreateAsync(string trigger, CancellationToken cancellationToken = default, string? keepAlso = null) =>
        database.Provider == DatabaseProvider.PostgreSql
            ? PublishAsync(trigger, () => Reserve(BackupNames.SnapshotExtension), WriteSnapshotAsync, keepAlso, cancellationToken)
            : PublishAsync(trigger, () => Reserve(BackupNames.Extension), (temporary, _) => LowPriority.Run(() => CopyLiveDatabase(temporary), "campaigns-backup"),
                keepAlso, cancellationToken);

    /// <summary>
    /// Publishes a file someone else put at a reservation's temporary path (the old database a restore swaps out), with
    /// the same sidecar and rotation as any backup. <paramref name="betweenSidecarAndRename"/> runs once the sidecar is
    /// on disk and before the file takes its name; once it has run, a failure keeps both (see <see cref="Cleanup"/>).
    /// </summary>
    public Task<BackupEntry> AdoptAsync(
        string trigger, BackupReservation reservation, Func<string, CancellationToken, Task<CheckedCopy>> check, Action betweenSidecarAndRename,
        string? keepAlso, CancellationToken cancellationToken) =>
        PublishAsync(trigger, () => reservation, check, keepAlso, cancellationToken, betweenSidecarAndRename);

    /// <summary>Records in its sidecar that a backup published unverified (a pre-restore backup) has since passed its check.</summary>
    public void RecordVerified(BackupEntry entry)
    {
        if (File.Exists(catalog.PathOf(entry.Name)))
        {
            catalog.WriteSidecar(entry with { Verified = true });
            logger.LogInformation("Backup {BackupName} verified", entry.Name);
        }
    }

    /// <summary>For startup: a failed backup is logged and reported by /health, and the service keeps serving.</summary>
    public async Task<BackupEntry?> TryCreateAsync(string trigger, CancellationToken cancellationToken = default)
    {
        try
        {
            return await CreateAsync(trigger, cancellationToken);
        }
        catch (BackupFailedException)
        {
            return null;
        }
    }

    /// <summary>Does the live database hold campaigns worth a backup? False when it is missing or brand new.</summary>
    public bool LiveDatabaseHoldsData()
    {
        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            using var scope = scopes.CreateScope();
            return scope.ServiceProvider.GetRequiredService<CampaignsDbContext>().Campaigns.Any();
        }

        if (!File.Exists(dataDirectory.DatabasePath))
        {
            return false;
        }

        using var live = SqliteFile.Open(dataDirectory.DatabasePath, SqliteOpenMode.ReadOnly, storage.Value.BusyTimeoutSeconds);
        return SqliteFile.Inspect(live) is { TotalCampaigns: > 0 };
    }

    /// <summary>
    /// The thorough check, on demand (the CLI's <c>backups verify</c>): the sidecar's checksum still matches, a full
    /// <c>integrity_check</c> passes, and the campaigns are readable.
    /// </summary>
    public BackupVerification Verify(BackupEntry entry)
    {
        var path = catalog.PathOf(entry.Name);
        try
        {
            var sha256 = SqliteFile.Sha256Of(path);
            if (!string.Equals(sha256, entry.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                return new BackupVerification(entry.Name, false, $"checksum mismatch: the file's sha256 is {sha256}, its sidecar says {entry.Sha256}");
            }

            var problem = BackupNames.IsSnapshot(entry.Name) ? CheckSnapshot(path, out _) : CheckCopy(path, quick: false, out _);
            return new BackupVerification(entry.Name, problem is null, problem);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SqliteException)
        {
            return new BackupVerification(entry.Name, false, ex.Message);
        }
    }

    public int ExpectedActive() => seed.Load() is { Seed: { } canonical } ? seed.ExpectedActive(canonical) : 0;

    /// <summary>
    /// Removes leftovers of interrupted backups (temporary files, sidecars without a file) and quarantined databases
    /// older than <see cref="BackupOptions.QuarantineDays"/>. At startup every temporary file is stale; later, only
    /// old ones are, since another process (the CLI) may be writing one right now.
    /// </summary>
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
    /// its bytes match the sidecar and differ from the live database, it holds data found nowhere else (the database as it
    /// was before a restore renamed a new file over it): it is published. When they equal the live database's (the
    /// crash came before that rename, and the file is the live one under a second name), it is only removed.
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
        if (sha256 != entry.Sha256 || (File.Exists(dataDirectory.DatabasePath) && SqliteFile.Sha256Of(dataDirectory.DatabasePath) == sha256))
        {
            return false;
        }

        File.Move(temporary, destination);
        logger.LogWarning("Published backup {BackupName}: a crash had interrupted its publication", entry.Name);
        return true;
    }

    private async Task<BackupEntry> PublishAsync(
        string trigger, Func<BackupReservation> reserve, Func<string, CancellationToken, Task<CheckedCopy>> writeCheckedCopy,
        string? keepAlso, CancellationToken cancellationToken, Action? betweenSidecarAndRename = null)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var entry = await PublishAsync(trigger, reserve(), writeCheckedCopy, betweenSidecarAndRename, cancellationToken);
            Volatile.Write(ref _lastAttempt, new BackupAttempt(entry.CreatedAt, trigger, entry.Name, null));
            Rotate(keepAlso);
            return entry;
        }
        catch (BackupFailedException ex)
        {
            Volatile.Write(ref _lastAttempt, new BackupAttempt(time.GetUtcNow(), trigger, null, ex.Message));
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Writes a checked copy into a reserved temporary file, then the sidecar, then publishes it with a rename; on any
    /// failure removes what it wrote and throws <see cref="BackupFailedException"/>.
    /// </summary>
    private async Task<BackupEntry> PublishAsync(
        string trigger, BackupReservation reservation, Func<string, CancellationToken, Task<CheckedCopy>> writeCheckedCopy,
        Action? betweenSidecarAndRename, CancellationToken cancellationToken)
    {
        var source = database.Provider == DatabaseProvider.PostgreSql ? database.Location : dataDirectory.DatabasePath;
        var (name, temporary) = reservation;
        var destination = catalog.PathOf(name);
        var sidecarWritten = false;
        var keepOnFailure = false;
        logger.LogInformation("Backing up {DatabasePath} to {BackupPath} ({Trigger})", source, destination, trigger);
        try
        {
            var (contents, sha256, verified) = await writeCheckedCopy(temporary, cancellationToken);
            var entry = new BackupEntry(
                name, time.GetUtcNow(), new FileInfo(temporary).Length, sha256, source, destination, trigger,
                contents.SchemaVersion, contents.ActiveCampaigns, contents.TotalCampaigns, verified);
            catalog.WriteSidecar(entry);
            sidecarWritten = true;
            if (betweenSidecarAndRename is not null)
            {
                betweenSidecarAndRename();
                keepOnFailure = true;
            }

            File.Move(temporary, destination);
            logger.LogInformation(
                "Backup {BackupName} written ({Trigger}): {SizeBytes} bytes, {ActiveCampaigns} active campaigns, schema {SchemaVersion}, sha256 {Sha256}, verified {Verified}",
                name, trigger, entry.SizeBytes, entry.ActiveCampaigns, entry.SchemaVersion, entry.Sha256, entry.Verified);
            return entry;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DbException or BackupFailedException or InvalidOperationException)
        {
            if (keepOnFailure)
            {
                logger.LogError(ex, "Backup {BackupName} could not take its name; {FilePath} and its sidecar are kept and published at the next start",
                    name, temporary);
                throw new BackupFailedException($"Backup {name} could not take its name: {ex.Message}", ex);
            }

            TryDelete(temporary);
            if (sidecarWritten && !File.Exists(destination))
            {
                TryDelete(BackupNames.SidecarOf(destination));
            }

            logger.LogError(ex is BackupFailedException ? null : ex, "Backup of {DatabasePath} to {BackupPath} failed ({Trigger}); the service keeps running: {Reason}",
                source, destination, trigger, ex.Message);
            throw ex as BackupFailedException ?? new BackupFailedException($"Backup of {source} to {destination} failed: {ex.Message}", ex);
        }
    }

    private CheckedCopy CopyLiveDatabase(string temporary)
    {
        var source = dataDirectory.DatabasePath;
        if (!File.Exists(source))
        {
            throw new BackupFailedException($"There is no database at {source} to back up.");
        }

        var started = Stopwatch.GetTimestamp();
        if (LiveDatabaseCopy.TryCopy(source, temporary) is { } copy)
        {
            var problem = copy.QuickCheck != "ok" ? $"quick_check: {copy.QuickCheck}" : copy.Contents is null ? "the database has no campaigns table" : null;
            logger.LogInformation("Copied {DatabasePath} under a read snapshot and checked it in {Elapsed}", source, Stopwatch.GetElapsedTime(started));
            return problem is null ? new CheckedCopy(copy.Contents!, copy.Sha256) : throw new BackupFailedException($"The copy failed verification: {problem}");
        }

        logger.LogWarning("The WAL of {DatabasePath} could not be checkpointed for a file copy (busy writers, or a reader on an older snapshot); backing up with VACUUM INTO", source);
        using (var live = SqliteFile.Open(source, SqliteOpenMode.ReadOnly, storage.Value.BusyTimeoutSeconds))
        using (var vacuum = live.CreateCommand())
        {
            vacuum.CommandText = "VACUUM INTO $path;";
            vacuum.Parameters.AddWithValue("$path", temporary);
            vacuum.ExecuteNonQuery();
        }

        SqliteFile.FlushToDisk(temporary);
        // quick_check reads every page and checks its structure; the full integrity_check adds the index-to-table
        // cross-check, which costs four times as long and stays for `backups verify`.
        var vacuumProblem = CheckCopy(temporary, quick: true, out var contents);
        logger.LogInformation("Copied {DatabasePath} with VACUUM INTO and checked it in {Elapsed}", source, Stopwatch.GetElapsedTime(started));
        return vacuumProblem is null
            ? new CheckedCopy(contents!, SqliteFile.Sha256Of(temporary))
            : throw new BackupFailedException($"The copy failed verification: {vacuumProblem}");
    }

    private async Task<CheckedCopy> WriteSnapshotAsync(string temporary, CancellationToken cancellationToken)
    {
        CampaignSnapshot snapshot;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CampaignsDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            await DatabaseLocks.AcquireForTransactionAsync(db.Database, DatabaseLocks.Backup, "backup", logger, cancellationToken);
            snapshot = await scope.ServiceProvider.GetRequiredService<CampaignSnapshotService>().ExportAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        CampaignSnapshotFile.Write(temporary, snapshot);
        var problem = CheckSnapshot(temporary, out var contents);
        return problem is null
            ? new CheckedCopy(contents!, SqliteFile.Sha256Of(temporary))
            : throw new BackupFailedException($"The snapshot failed verification: {problem}");
    }

    /// <summary>Null when the snapshot reads back and every campaign in it is valid; otherwise what is wrong with it.</summary>
    private string? CheckSnapshot(string path, out SqliteContents? contents)
    {
        contents = null;
        try
        {
            var snapshot = CampaignSnapshotFile.Read(path, validator);
            contents = new SqliteContents(snapshot.SchemaVersion, snapshot.Campaigns.Count(c => c.Active), snapshot.Campaigns.Count);
            return null;
        }
        catch (SnapshotFormatException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>A name no one else holds: the temporary file is created exclusively, a clash moves the clock by 1 ms.</summary>
    public BackupReservation Reserve(string extension)
    {
        try
        {
            Directory.CreateDirectory(dataDirectory.BackupsPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogError("Backup directory {BackupDirectory} cannot be created: {Reason}", dataDirectory.BackupsPath, ex.Message);
            throw new BackupFailedException($"The backup directory {dataDirectory.BackupsPath} cannot be created: {ex.Message}", ex);
        }

        var at = time.GetUtcNow();
        for (var attempt = 0; ; attempt++, at = at.AddMilliseconds(1))
        {
            var name = BackupNames.For(at, extension);
            var path = catalog.PathOf(name);
            if (File.Exists(path) || File.Exists(BackupNames.SidecarOf(path)))
            {
                continue;
            }

            var temporary = path + BackupNames.TemporaryExtension;
            try
            {
                new FileStream(temporary, FileMode.CreateNew, FileAccess.Write).Dispose();
                return new BackupReservation(name, temporary);
            }
            catch (IOException) when (File.Exists(temporary) && attempt < 1000)
            {
                // another backup took this millisecond
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.LogError("Cannot write in the backup directory {BackupDirectory}: {Reason}", dataDirectory.BackupsPath, ex.Message);
                throw new BackupFailedException($"Cannot write in the backup directory {dataDirectory.BackupsPath}: {ex.Message}", ex);
            }
        }
    }

    /// <summary>Null when the copy is sound; otherwise what is wrong with it.</summary>
    internal static string? CheckCopy(string path, bool quick, out SqliteContents? contents)
    {
        using var copy = SqliteFile.Open(path, SqliteOpenMode.ReadOnly);
        contents = null;
        var check = SqliteFile.Check(copy, quick);
        if (check != "ok")
        {
            return $"{(quick ? "quick_check" : "integrity_check")}: {check}";
        }

        contents = SqliteFile.Inspect(copy);
        return contents is null ? "the copy has no campaigns table" : null;
    }

    /// <summary>Keeps the newest <see cref="BackupOptions.Keep"/>, and the last known good one whatever its age.</summary>
    private void Rotate(string? keepAlso)
    {
        var entries = catalog.List();
        var expectedActive = ExpectedActive();
        var lastKnownGood = entries.FirstOrDefault(e => e.IsGood(expectedActive));
        var keep = entries.Take(options.Value.Keep).Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        if (lastKnownGood is not null)
        {
            keep.Add(lastKnownGood.Name);
        }

        if (keepAlso is not null)
        {
            keep.Add(keepAlso);
        }

        foreach (var doomed in entries.Where(e => !keep.Contains(e.Name)))
        {
            Remove(doomed);
            logger.LogInformation("Rotated out backup {BackupName} from {CreatedAt} (keeping the newest {Keep} and the last known good {LastKnownGood})",
                doomed.Name, doomed.CreatedAt, options.Value.Keep, lastKnownGood?.Name);
        }
    }

    /// <summary>Deletes a backup and its sidecar.</summary>
    public void Remove(BackupEntry entry)
    {
        var path = catalog.PathOf(entry.Name);
        // The file goes first: a crash in between leaves a sidecar without a file (ignored, cleaned), never the reverse.
        TryDelete(path);
        TryDelete(BackupNames.SidecarOf(path));
    }

    private void Remove(string path, string why, List<string> removed)
    {
        if (TryDelete(path))
        {
            removed.Add(path);
            logger.LogInformation("Cleanup removed {FilePath}: {Reason}", path, why);
        }
    }

    private bool TryDelete(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                return false;
            }

            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not delete {FilePath}: {Reason}", path, ex.Message);
            return false;
        }
    }
}
