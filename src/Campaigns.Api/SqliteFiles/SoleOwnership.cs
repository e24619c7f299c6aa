using Microsoft.Data.Sqlite;

namespace Campaigns.Api.SqliteFiles;

/// <summary>
/// The live database while no one else may use it (from <see cref="LiveDatabaseSwap.TryTakeAsync"/>): this process's
/// connections wait at the gate and the old file is locked exclusively. The caller gives the file a second name if it
/// wants to keep it, renames the new file over it, then <see cref="Complete"/>s; disposing without completing leaves
/// everything as it was (the old file back in WAL mode, the gate open).
/// </summary>
public sealed class SoleOwnership : IDisposable
{
    private readonly IDisposable _closedGate;
    private readonly int _busyTimeoutSeconds;
    private readonly CancellationToken _stopping;
    private readonly ILogger _logger;
    private SqliteConnection? _old;

    internal SoleOwnership(string livePath, IDisposable closedGate, SqliteConnection? old, int busyTimeoutSeconds, CancellationToken stopping, ILogger logger)
    {
        LivePath = livePath;
        _closedGate = closedGate;
        _old = old;
        _busyTimeoutSeconds = busyTimeoutSeconds;
        _stopping = stopping;
        _logger = logger;
    }

    public string LivePath { get; }

    /// <summary>False when there was no live file to replace.</summary>
    public bool LiveFileExists => _old is not null;

    /// <summary>What the old file holds, read through the connection that locks it.</summary>
    public SqliteContents? InspectOld() => _old is null ? null : SqliteFile.Inspect(_old);

    /// <summary>A second name for the old file, so it outlives the rename over the first: a hard link, or a copy where links cannot be made.</summary>
    public void KeepOldAs(string path)
    {
        File.Delete(path);
        if (!HardLink.TryCreate(LivePath, path, out var error))
        {
            _logger.LogWarning("Cannot give {DatabasePath} a second name ({Reason}); copying it instead", LivePath, error);
            File.Copy(LivePath, path);
        }
    }

    /// <summary>The atomic step: <paramref name="preparedPath"/> (same file system) takes the live file's name.</summary>
    public void ReplaceWith(string preparedPath) => File.Move(preparedPath, LivePath, overwrite: true);

    /// <summary>
    /// After <see cref="ReplaceWith"/>: the new file goes into WAL mode and requests go on, on it. In the background the
    /// old file keeps its exclusive lock for the busy timeout, so a process that opened it just before the rename gets
    /// "database is locked" instead of using it (released early when the host stops).
    /// </summary>
    /// <param name="quickCheckOld">Run quick_check on the old file first, through the connection holding the lock.</param>
    /// <returns>The old file's quick_check result; null when not asked for, or when it could not run.</returns>
    public Task<string?> Complete(bool quickCheckOld)
    {
        SqliteFile.UseWal(LivePath);
        var old = _old;
        _old = null;
        _closedGate.Dispose();
        return old is null ? Task.FromResult<string?>(null) : HoldThenRelease(old, quickCheckOld);
    }

    private Task<string?> HoldThenRelease(SqliteConnection old, bool quickCheck)
    {
        var releaseAt = DateTime.UtcNow.AddSeconds(_busyTimeoutSeconds + 1);
        var check = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Task.Run(async () =>
        {
            try
            {
                check.TrySetResult(quickCheck ? SqliteFile.Check(old, quick: true) : null);
                var remaining = releaseAt - DateTime.UtcNow;
                if (remaining > TimeSpan.Zero)
                {
                    await Task.Delay(remaining, _stopping);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SqliteException or IOException)
            {
                _logger.LogDebug("Released the swapped-out database early: {Reason}", ex.Message);
            }
            finally
            {
                old.Dispose();
                check.TrySetResult(null);
            }
        }, CancellationToken.None);
        return check.Task;
    }

    /// <summary>Without <see cref="Complete"/>: the old file stays live, back in WAL mode, and the gate opens on it.</summary>
    public void Dispose()
    {
        if (_old is { } old)
        {
            _old = null;
            SqliteFile.UseWal(old);
            old.Dispose();
        }

        _closedGate.Dispose();
    }
}
