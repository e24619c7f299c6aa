using Microsoft.Data.Sqlite;

namespace Campaigns.Api.SqliteFiles;

/// <summary>
/// Lets a restore put another file in place of the live SQLite database while the service runs. A SQLite connection
/// keeps the file it opened, so every EF connection this process opens passes through here (see
/// the EF connection interceptor in Storage/): a swap waits until none is open, closes the ones resting in the pool,
/// holds new ones back while the files are exchanged, then lets them through to the new file. Requests wait for the
/// swap (milliseconds) instead of failing.
/// </summary>
/// <param name="connectionString">The live database's pooled connection string, whose pool a swap empties.</param>
public sealed class LiveDatabaseGate(string connectionString)
{
    private readonly Lock _lock = new();
    private readonly HashSet<object> _open = new(ReferenceEqualityComparer.Instance);
    private TaskCompletionSource? _reopened;
    private TaskCompletionSource? _drained;

    /// <summary>Raised once the gate is closed and drained: holders of long-lived connections close them now.</summary>
    public event Action? Closed;

    /// <summary>Raised when the gate opens again, on the new file.</summary>
    public event Action? Reopened;

    public async ValueTask EnterAsync(object connection, CancellationToken cancellationToken)
    {
        while (TryEnter(connection) is { } reopened)
        {
            await reopened.WaitAsync(cancellationToken);
        }
    }

    public void Enter(object connection)
    {
        while (TryEnter(connection) is { } reopened)
        {
            reopened.Wait();
        }
    }

    /// <summary>Idempotent: EF reports a connection closed and later disposed.</summary>
    public void Exit(object connection)
    {
        lock (_lock)
        {
            if (_open.Remove(connection) && _open.Count == 0)
            {
                _drained?.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Closes the gate once every connection is back (then empties the connection pools), or returns null with the gate
    /// open again when some stay in use past <paramref name="drainTimeout"/>. Disposing the result opens the gate.
    /// </summary>
    public async Task<IDisposable?> CloseAsync(TimeSpan drainTimeout, CancellationToken cancellationToken)
    {
        Task drained;
        lock (_lock)
        {
            if (_reopened is not null)
            {
                throw new InvalidOperationException("The live database is already being swapped.");
            }

            _reopened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_open.Count == 0)
            {
                _drained.TrySetResult();
            }

            drained = _drained.Task;
        }

        try
        {
            await drained.WaitAsync(drainTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            Open();
            if (ex is OperationCanceledException)
            {
                throw;
            }

            return null;
        }

        // Connections resting in the pool still hold the old file; only this database's pool (tests run many hosts).
        using (var pooled = new SqliteConnection(connectionString))
        {
            SqliteConnection.ClearPool(pooled);
        }

        Closed?.Invoke();
        return new Reopening(this);
    }

    private Task? TryEnter(object connection)
    {
        lock (_lock)
        {
            if (_reopened is { } reopened)
            {
                return reopened.Task;
            }

            _open.Add(connection);
            return null;
        }
    }

    private void Open()
    {
        TaskCompletionSource? reopened;
        lock (_lock)
        {
            reopened = _reopened;
            _reopened = null;
            _drained = null;
        }

        Reopened?.Invoke();
        reopened?.TrySetResult();
    }

    private sealed class Reopening(LiveDatabaseGate gate) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                gate.Open();
            }
        }
    }
}
