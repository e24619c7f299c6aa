using System.Globalization;
using Campaigns.Api.Backups;
using Campaigns.Api.Common;
using Campaigns.Api.OffSite;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Restores;

/// <summary>A bad <c>at</c> for an off-site restore.</summary>
public sealed class OffSiteAtException(string message) : InvalidInputException("Invalid restore moment", message, "at");

public sealed class OffSiteOffException() : ConflictException("Off-site copies are off",
    $"Set {OffSiteOptions.SectionName}:Endpoint and {OffSiteOptions.SectionName}:Bucket to use the off-site copies (SQLite only).");

public sealed class OffSiteRestoreOnPostgresException() : ConflictException("Off-site restores are for SQLite",
    "On PostgreSQL the platform's backups are primary; an off-site copy of a backup is restored by downloading it, gunzip and campaigns-seed import.");

public sealed class NoOffSiteRestorePointException(string detail) : NotFoundException("No off-site restore point", detail);

/// <summary>
/// Restores the off-site state as of a moment through the one restore path: the state is rebuilt into a new SQLite
/// file, published as a local backup (trigger "offsite", checked like any backup), and that backup is restored by
/// <see cref="RestoreService"/> (pre-restore backup, swap, migrations, top-up). The restore is then followed by a fresh
/// off-site snapshot (<see cref="AfterRestoreAsync"/>), so the newest acknowledged state is the restored one.
/// </summary>
public sealed partial class OffSiteRestorer(
    IOptions<OffSiteOptions> options,
    DatabaseTarget database,
    OffSiteHistory history,
    OffSiteSnapshots snapshots,
    OffSiteLineage lineage,
    OffSiteStatus status,
    BackupPublisher publisher,
    BackupService backups,
    RestoreService restores,
    RecoveryLog recoveries,
    StorageState state,
    TimeProvider time,
    ILogger<OffSiteRestorer> logger)
{
    public bool Enabled => options.Value.Enabled && database.Provider == DatabaseProvider.Sqlite;

    /// <summary>The one way <see cref="RestoreService"/> reaches this class for source "offsite" (it cannot take it as a dependency: this class uses it).</summary>
    public static async Task<RestoreResult> RunAsync(IServiceScopeFactory scopes, string? at, RecoveryKind? recoveryKind, bool preRestoreBackup, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var restorer = scope.ServiceProvider.GetRequiredService<OffSiteRestorer>();
        return await restorer.RestoreAsync(ParseAt(at), recoveryKind, preRestoreBackup, cancellationToken);
    }

    /// <summary>ISO-8601 with Z or an offset; null for "the newest".</summary>
    public static DateTimeOffset? ParseAt(string? at)
    {
        if (string.IsNullOrWhiteSpace(at))
        {
            return null;
        }

        return IsoInstant().IsMatch(at) && DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
            ? parsed.ToUniversalTime()
            : throw new OffSiteAtException($"'at' must be an ISO-8601 UTC time such as 2026-12-01T20:30:00Z (got '{at}').");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial System.Text.RegularExpressions.Regex IsoInstant();

    /// <summary>Checks a requested moment against the clock and the history kept; called before a restore is queued.</summary>
    public async Task<DateTimeOffset?> CheckAtAsync(string? at, CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            throw options.Value.Enabled ? new OffSiteRestoreOnPostgresException() : new OffSiteOffException();
        }

        var moment = ParseAt(at);
        if (moment is { } future && future > time.GetUtcNow().AddSeconds(1))
        {
            throw new OffSiteAtException($"'at' ({future:O}) is in the future.");
        }

        var histories = await ListAsync(cancellationToken);
        var oldest = OffSiteHistory.OldestPoint(histories);
        if (oldest is null)
        {
            throw new NoOffSiteRestorePointException($"The store {options.Value.StoreName} holds no snapshot yet.");
        }

        if (moment is { } early && early < oldest)
        {
            throw new OffSiteAtException($"'at' ({early:O}) is before the oldest retained off-site point ({oldest:O}).");
        }

        return moment;
    }

    /// <param name="listed">The history when the caller has just listed it (a start on an empty volume): listing the store again cost a second round of listings.</param>
    public async Task<RestoreResult> RestoreAsync(DateTimeOffset? at, RecoveryKind? recoveryKind, bool preRestoreBackup, CancellationToken cancellationToken,
        IReadOnlyList<LineageHistory>? listed = null)
    {
        var histories = listed ?? await ListAsync(cancellationToken);
        var unusable = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var plan = OffSiteHistory.Plan(histories, at, unusable)
                       ?? throw new NoOffSiteRestorePointException(
                           $"The store {options.Value.StoreName} holds no usable snapshot{(at is null ? "" : $" at or before {at:O}")}{(unusable.Count > 0 ? $" ({unusable.Count} failed their check)" : "")}.");
            try
            {
                return await RestoreAsync(plan, at, recoveryKind, preRestoreBackup, cancellationToken);
            }
            catch (UnusableSnapshotException ex)
            {
                logger.LogError("{Reason}; trying the one before it", ex.Message);
                unusable.Add(ex.Key);
            }
        }
    }

    private async Task<RestoreResult> RestoreAsync(RestorePlan plan, DateTimeOffset? at, RecoveryKind? recoveryKind, bool preRestoreBackup, CancellationToken cancellationToken)
    {
        var skipped = 0;
        var reservation = publisher.Reserve(BackupNames.Extension);
        BackupEntry built;
        try
        {
            var path = reservation.TemporaryPath;
            skipped = (await history.BuildAsync(plan, path, cancellationToken)).Skipped;
            var problem = BackupVerifier.CheckCopy(path, quick: false, out var contents);
            var copy = problem is null ? new CheckedCopy(contents!, SqliteFile.Sha256Of(path)) : throw new BackupFailedException($"The rebuilt off-site state failed its check: {problem}");
            built = publisher.WriteSidecar(reservation, BackupTrigger.OffSite, copy);
            publisher.Publish(reservation, built);
        }
        catch
        {
            publisher.Discard(reservation);
            throw;
        }

        backups.RecordPublished(built, keepAlso: built.Name);

        var result = await restores.RestoreAsync(RestoreSource.Backup, built.Name, recoveryKind: null, preRestoreBackup, cancellationToken);
        var detail = $"Restored the off-site state as of {plan.StateAt:O} (lineage {plan.Lineage}, snapshot {plan.Snapshot.At:O} and {plan.Journal.Count - skipped} journal entries{(skipped > 0 ? $", {skipped} never confirmed left out" : "")}" +
                     $"{(at is null ? ", the newest" : $", asked for {at:O}")}) through backup {built.Name}: {result.ActiveBefore} -> {result.ActiveAfter} active campaigns.";
        recoveries.Record(recoveryKind ?? RecoveryKind.Restore, detail);
        logger.LogWarning("{RecoveryDetail}", detail);
        return result with { Source = RestoreSource.OffSite };
    }

    /// <summary>
    /// After any restore: the restored state becomes the newest off-site point. While serving, a failure fails the
    /// restore (its job reports it and /health names the store); during startup it is left to the shipper to retry.
    /// </summary>
    public async Task AfterRestoreAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return;
        }

        try
        {
            lineage.BeginAfterRestore();
            await snapshots.TakeAsync("restore", cancellationToken);
        }
        catch (OffSiteStoreException ex) when (!state.Ready)
        {
            logger.LogError("Off-site snapshot after the restore failed; it is retried in the background: {Reason}", ex.Message);
            status.SnapshotWanted = true;
        }
    }

    private async Task<List<LineageHistory>> ListAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await history.ListAsync(cancellationToken);
        }
        catch (OffSiteStoreException ex)
        {
            status.Failed(ex.Message);
            throw new OffSiteStoreUnavailableException(ex.Message);
        }
    }
}
