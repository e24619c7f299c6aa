using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using SQLitePCL;

namespace Campaigns.Api.OffSite;

/// <summary>
/// The change journal. Every EF connection to the SQLite file gets temporary triggers on the tracked tables that hand
/// each written row to this class, and a commit hook: SQLite calls it inside every commit, with the write lock held,
/// before anything is durable. In sync mode the hook ships the transaction's rows to the store and waits for the store
/// to confirm; if it does not within WriteTimeoutSeconds the hook vetoes the commit and SQLite rolls the whole
/// transaction back, so a refused write leaves nothing behind. That covers every way a write reaches SQLite:
/// SaveChanges, ExecuteUpdate/ExecuteDelete, raw SQL, the top-up, a snapshot restore, the CLI's import. In async mode
/// the hook only queues the entry for <see cref="OffSiteShipper"/>.
/// </summary>
public sealed class OffSiteJournal(
    IOptions<OffSiteOptions> options,
    OffSiteStore store,
    OffSiteLayout layout,
    OffSiteLineage lineage,
    OffSiteClock clock,
    OffSiteStatus status,
    OffSiteQueue queue,
    OffSiteCompactionQueue compaction,
    ILogger<OffSiteJournal> logger)
{
    private const string CaptureFunction = "offsite_capture";

    public bool Enabled => options.Value.Enabled;

    /// <summary>
    /// In sync mode every commit blocks a thread-pool thread on the store's answer (inside SQLite's commit hook), and each
    /// writer waiting for the write lock blocks one in SQLite's busy handler; the answer itself needs a free pool thread
    /// to complete. With the pool at its default minimum (one per core) that starved: bench/offsite.sh saw commits stop
    /// for 1 to 2.6 s at a time while the pool added threads, and p99 went to seconds. So the pool keeps this many ready.
    /// </summary>
    public const int SyncMinThreads = 64;

    /// <summary>Called for every opened EF connection while off-site copies are on.</summary>
    public void Attach(SqliteConnection connection)
    {
        if (options.Value.IsSync)
        {
            ReserveThreadsForBlockingCommits();
        }

        var pending = new PendingChanges();
        connection.CreateFunction(CaptureFunction, (object?[] args) =>
        {
            pending.Add(args);
            return 0L;
        }, isDeterministic: false);
        EnsureTriggers(connection);
        var handle = connection.Handle!;
        raw.sqlite3_commit_hook(handle, _ => OnCommit(pending), null);
        raw.sqlite3_rollback_hook(handle, _ => pending.Clear(), null);
    }

    private static void ReserveThreadsForBlockingCommits()
    {
        ThreadPool.GetMinThreads(out var workers, out var completion);
        if (workers < SyncMinThreads)
        {
            ThreadPool.SetMinThreads(SyncMinThreads, Math.Max(completion, SyncMinThreads));
        }
    }

    /// <summary>0 lets the commit go on; anything else turns it into a rollback. Never throws: it runs inside SQLite.</summary>
    private int OnCommit(PendingChanges pending)
    {
        if (pending.IsEmpty)
        {
            return 0;
        }

        var changes = pending.Take();
        string? key = null;
        JournalEntry? entry = null;
        try
        {
            var ticks = clock.Next();
            var current = lineage.Current;
            key = layout.JournalKey(current, ticks);
            entry = new JournalEntry(JournalEntry.FormatName, 1, current, new DateTimeOffset(ticks, TimeSpan.Zero), changes);
            if (!options.Value.IsSync)
            {
                queue.Enqueue(new QueuedEntry(key, entry)); // encoded by the shipper, off the commit path
                return 0;
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(options.Value.WriteTimeoutSeconds));
            store.PutAsync(key, OffSiteRows.Encode(entry), timeout.Token).GetAwaiter().GetResult();
            status.Uploaded(key);
            compaction.Stored(new QueuedEntry(key, entry));
            return 0;
        }
        catch (Exception ex) when (status.Starting && key is not null && entry is not null)
        {
            logger.LogWarning("Off-site store {OffSiteStore} did not take journal entry {OffSiteKey} during startup; queued: {Reason}", store.Name, key, ex.Message);
            status.Failed(ex.Message);
            queue.Enqueue(new QueuedEntry(key, entry));
            return 0;
        }
        catch (Exception ex)
        {
            var reason = ex is OperationCanceledException ? $"the store {store.Name} did not confirm within {options.Value.WriteTimeoutSeconds} s" : ex.Message;
            status.Refused($"The write was refused and rolled back: the off-site store {store.Name} did not confirm it " +
                           $"within {options.Value.WriteTimeoutSeconds} s ({reason}). Nothing was changed; reads go on. Retry later.", reason);
            logger.LogError("Off-site store {OffSiteStore} did not take journal entry {OffSiteKey} ({ChangeCount} rows); the write is refused and rolled back: {Reason}",
                store.Name, key, changes.Count, reason);
            ForgetLate(key);
            return 1;
        }
    }

    /// <summary>An upload that timed out may still land: remove it, so a refused write never comes back from the store.</summary>
    private void ForgetLate(string? key)
    {
        if (key is null)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            for (var attempt = 0; attempt < 5; attempt++)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(Math.Pow(2, attempt)));
                    await store.DeleteAsync([key], CancellationToken.None);
                    return;
                }
                catch (OffSiteStoreException)
                {
                    // the store is still away; try again
                }
            }
        });
    }

    /// <summary>
    /// Temporary triggers live on the connection, so nothing in the database file depends on this build (the CLI of
    /// an older build, a backup opened elsewhere). Their name carries a hash of the columns, so a migration that changes
    /// a table gets triggers that capture its new columns.
    /// </summary>
    private static void EnsureTriggers(SqliteConnection connection)
    {
        var existing = new HashSet<string>(StringComparer.Ordinal);
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM temp.sqlite_master WHERE type = 'trigger' AND name LIKE 'offsite_%';";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                existing.Add(reader.GetString(0));
            }
        }

        foreach (var table in OffSiteRows.Tables)
        {
            var columns = OffSiteRows.ColumnsOf(connection, table);
            var hash = columns.Count == 0 ? "" : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(',', columns))))[..8];
            var wanted = columns.Count == 0 ? [] : new[] { $"offsite_{table}_i_{hash}", $"offsite_{table}_u_{hash}", $"offsite_{table}_d_{hash}" };
            var mine = existing.Where(n => n.StartsWith($"offsite_{table}_", StringComparison.Ordinal)).ToHashSet();
            if (mine.SetEquals(wanted))
            {
                continue;
            }

            var sql = new StringBuilder();
            foreach (var stale in mine)
            {
                sql.Append(CultureInfo.InvariantCulture, $"DROP TRIGGER IF EXISTS temp.\"{stale}\";");
            }

            if (columns.Count > 0)
            {
                var id = $"\"{OffSiteRows.IdColumn}\"";
                var row = string.Join(", ", columns.Select(c => $"'{c}', NEW.\"{c}\""));
                sql.Append(CultureInfo.InvariantCulture,
                    $"CREATE TEMP TRIGGER \"{wanted[0]}\" AFTER INSERT ON main.\"{table}\" BEGIN SELECT {CaptureFunction}('{table}', NEW.{id}, {row}); END;");
                sql.Append(CultureInfo.InvariantCulture,
                    $"CREATE TEMP TRIGGER \"{wanted[1]}\" AFTER UPDATE ON main.\"{table}\" BEGIN " +
                    $"SELECT {CaptureFunction}('{table}', OLD.{id}) WHERE OLD.{id} IS NOT NEW.{id}; SELECT {CaptureFunction}('{table}', NEW.{id}, {row}); END;");
                sql.Append(CultureInfo.InvariantCulture,
                    $"CREATE TEMP TRIGGER \"{wanted[2]}\" AFTER DELETE ON main.\"{table}\" BEGIN SELECT {CaptureFunction}('{table}', OLD.{id}); END;");
            }

            using var command = connection.CreateCommand();
            command.CommandText = sql.ToString();
            command.ExecuteNonQuery();
        }
    }

    /// <summary>The rows one connection's open transaction wrote, the last image of each row winning.</summary>
    private sealed class PendingChanges
    {
        private Dictionary<(string Table, long Id), Dictionary<string, object?>?> _rows = [];

        public bool IsEmpty => _rows.Count == 0;

        public void Add(object?[] args)
        {
            var table = (string)args[0]!;
            var id = Convert.ToInt64(args[1], CultureInfo.InvariantCulture);
            Dictionary<string, object?>? row = null;
            if (args.Length > 2)
            {
                row = new Dictionary<string, object?>((args.Length - 2) / 2, StringComparer.Ordinal);
                for (var i = 2; i + 1 < args.Length; i += 2)
                {
                    row[(string)args[i]!] = args[i + 1] is DBNull ? null : args[i + 1];
                }
            }

            _rows[(table, id)] = row;
        }

        public List<RowChange> Take()
        {
            var rows = _rows;
            _rows = [];
            return [.. rows.Select(r => new RowChange(r.Key.Table, r.Key.Id, r.Value))];
        }

        public void Clear() => _rows = [];
    }
}
