using System.Text;
using Campaigns.Api.Backups;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;

namespace Campaigns.Api.OffSite;

/// <summary>
/// The lineage this database writes its off-site history to, kept on the volume beside it. A database that starts from
/// nothing (or from an off-site restore) begins a new lineage, so its history never overwrites, rotates away or deletes
/// an earlier one's.
/// </summary>
public sealed class OffSiteLineage(DataDirectory dataDirectory, OffSiteStore store, OffSiteLayout layout, TimeProvider time, ILogger<OffSiteLineage> logger)
{
    private readonly object _lock = new();
    private string? _current;
    private bool _fresh;

    private string FilePath => Path.Combine(dataDirectory.Path, "offsite", "lineage");

    /// <summary>The lineage in use; one is begun when the volume has none (a database from before off-site was configured).</summary>
    public string Current
    {
        get
        {
            lock (_lock)
            {
                if (_current is not null)
                {
                    return _current;
                }

                _current = File.Exists(FilePath) ? File.ReadAllText(FilePath).Trim() : null;
                if (string.IsNullOrEmpty(_current))
                {
                    _current = null;
                    return Begin("no lineage recorded on the volume");
                }

                return _current;
            }
        }
    }

    /// <summary>Starts a new lineage: its marker goes to the store first, then the volume records it.</summary>
    public string Begin(string reason)
    {
        lock (_lock)
        {
            var lineage = OffSiteLayout.NewLineageId(time.GetUtcNow());
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            AtomicFile.Write(FilePath, Encoding.UTF8.GetBytes(lineage));
            _current = lineage;
            _fresh = true;
            logger.LogWarning("Off-site lineage {Lineage} begun: {Reason}", lineage, reason);
            return lineage;
        }
    }

    /// <summary>
    /// A restore replaces the whole state, so what follows it is a new lineage: replaying the old journal on top of the
    /// restored state would bring back what the restore took away. A lineage begun by this process that has no snapshot
    /// yet (the empty-volume start that is restoring right now) simply continues.
    /// </summary>
    public void BeginAfterRestore()
    {
        lock (_lock)
        {
            if (!_fresh)
            {
                Begin("the whole state was replaced by a restore");
            }
        }
    }

    /// <summary>The current lineage has its base snapshot.</summary>
    public void Based(string lineage)
    {
        lock (_lock)
        {
            if (lineage == _current)
            {
                _fresh = false;
            }
        }
    }

    /// <summary>Publishes the marker that makes a lineage listable; idempotent.</summary>
    public Task PublishAsync(string lineage, CancellationToken cancellationToken) =>
        store.PutAsync(layout.LineageMarker(lineage), Encoding.UTF8.GetBytes(lineage), cancellationToken);
}
