using Hangfire;
using Hangfire.Logging;
using Hangfire.Server;
using Hangfire.States;
using Hangfire.Storage;

namespace Campaigns.Api.Jobs;

/// <summary>
/// The job storage, opened on first use instead of when the container builds it. The dashboard, the job client and the
/// health check all hold a JobStorage from the start, but hangfire.db must not be created (or PostgreSQL's schema
/// touched) before the startup sequence has checked the volume: a refused start leaves no file behind.
/// </summary>
internal sealed class DeferredJobStorage(Func<JobStorage> open, string description) : JobStorage, IDisposable
{
    private readonly Lazy<JobStorage> _storage = new(open, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>What the storage is (for the health report), without opening it.</summary>
    public string Description { get; } = description;

    public JobStorage Inner => _storage.Value;

    public bool IsOpen => _storage.IsValueCreated;

    public override bool LinearizableReads => Inner.LinearizableReads;

    public override IMonitoringApi GetMonitoringApi() => Inner.GetMonitoringApi();

    public override IStorageConnection GetConnection() => Inner.GetConnection();

    public override IStorageConnection GetReadOnlyConnection() => Inner.GetReadOnlyConnection();

#pragma warning disable CS0618, CS0672 // Hangfire.Storage.SQLite still provides its expiration and counter aggregation as components.
    [Obsolete("Hangfire's own obsolete member, forwarded for storages that still use it.")]
    public override IEnumerable<IServerComponent> GetComponents() => Inner.GetComponents();
#pragma warning restore CS0618, CS0672

    public override IEnumerable<IBackgroundProcess> GetServerRequiredProcesses() => Inner.GetServerRequiredProcesses();

    public override IEnumerable<IBackgroundProcess> GetStorageWideProcesses() => Inner.GetStorageWideProcesses();

    public override IEnumerable<IStateHandler> GetStateHandlers() => Inner.GetStateHandlers();

    public override void WriteOptionsToLog(ILog logger) => Inner.WriteOptionsToLog(logger);

    public override bool HasFeature(string featureId) => Inner.HasFeature(featureId);

    public override string ToString() => Description;

    /// <summary>Closes what was opened (SQLiteStorage keeps a pool of connections to hangfire.db); the container calls it.</summary>
    public void Dispose()
    {
        if (_storage.IsValueCreated && _storage.Value is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}
