using System.Collections.Concurrent;
using System.Text.Json;
using Campaigns.Api.Campaigns;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.CampaignsApi;

/// <summary>One page of GET /api/campaigns, normalised so equal queries share one cached payload.</summary>
public readonly record struct CampaignPage(bool? Active, string? Property, int Limit, int Offset);

/// <summary>
/// The serialized JSON of GET /api/campaigns pages, reused until the database changes.
/// <para>
/// Whether it changed comes from SQLite's <c>PRAGMA data_version</c> on one dedicated connection: its value moves
/// whenever any other connection commits, so every write path is covered without having to remember to invalidate:
/// the endpoints, the canonical top-up, a restore through the online backup API, and the operator CLI in another
/// process. The check is a read of the WAL index in shared memory (no disk I/O), made on every request, so a write
/// is visible to the first read that starts after the write returned.
/// </para>
/// <para>
/// A page is stored under the version read <em>before</em> it was loaded, so a load that raced with a commit can only
/// land under a version no later request asks for. Providers other than SQLite are not cached.
/// </para>
/// </summary>
public sealed class CampaignListCache : IDisposable
{
    /// <summary>Query strings are client-controlled: bound what they can make us hold.</summary>
    private const long MaxCachedBytes = 32L * 1024 * 1024;

    private readonly DataDirectory _dataDirectory;
    private readonly IOptions<JsonOptions> _json;
    private readonly ILogger<CampaignListCache> _logger;
    private readonly LiveDatabaseGate _gate;
    private readonly Lock _versionLock = new();
    private bool _swapping; // the version connection must stay closed while a restore swaps the file
    private SqliteConnection? _versionConnection;
    private SqliteCommand? _versionQuery;
    private long _connectionEpoch; // data_version counts per connection: a reopened one must not reuse old values
    private Generation _generation = new(-1);
    private bool? _providerIsSqlite; // learnt on the first request; until then nothing is cached

    public CampaignListCache(DataDirectory dataDirectory, IOptions<JsonOptions> json, LiveDatabaseGate gate, ILogger<CampaignListCache> logger)
    {
        _dataDirectory = dataDirectory;
        _json = json;
        _logger = logger;
        _gate = gate;
        _gate.Closed += SuspendForSwap;
        _gate.Reopened += ResumeAfterSwap;
    }

    /// <param name="requestServices">The request's services: the DbContext is only created on a miss.</param>
    public async Task<byte[]> GetOrLoadAsync(
        CampaignPage page, IServiceProvider requestServices,
        Func<CampaignsDbContext, CampaignPage, CancellationToken, Task<List<CampaignDto>>> load, CancellationToken cancellationToken)
    {
        var generation = _providerIsSqlite == true ? CurrentGeneration() : null;
        if (generation is not null && generation.Pages.TryGetValue(page, out var cached))
        {
            return cached;
        }

        var db = requestServices.GetRequiredService<CampaignsDbContext>();
        _providerIsSqlite ??= db.Database.IsSqlite();
        var payload = Serialize(await load(db, page, cancellationToken));
        if (generation is not null && Interlocked.Add(ref generation.Bytes, payload.Length) <= MaxCachedBytes)
        {
            generation.Pages.TryAdd(page, payload);
        }

        return payload;
    }

    public void Dispose()
    {
        _gate.Closed -= SuspendForSwap;
        _gate.Reopened -= ResumeAfterSwap;
        lock (_versionLock)
        {
            CloseVersionConnection();
        }
    }

    /// <summary>Until the swap ends requests bypass the cache: their database reads wait at the gate for the new file.</summary>
    private void SuspendForSwap()
    {
        lock (_versionLock)
        {
            _swapping = true;
            CloseVersionConnection();
        }
    }

    private void ResumeAfterSwap()
    {
        lock (_versionLock)
        {
            _swapping = false;
        }
    }

    /// <summary>The pages valid for the database as it is now (read before loading), or null to bypass the cache.</summary>
    private Generation? CurrentGeneration()
    {
        if (DataVersion() is not { } version)
        {
            return null;
        }

        var generation = _generation;
        if (generation.Version != version)
        {
            generation = new Generation(version);
            _generation = generation;
        }

        return generation;
    }

    private byte[] Serialize(List<CampaignDto> campaigns) =>
        JsonSerializer.SerializeToUtf8Bytes(campaigns, _json.Value.SerializerOptions);

    /// <summary>Null when the version cannot be read: then the request is served from the database, uncached.</summary>
    private long? DataVersion()
    {
        lock (_versionLock)
        {
            if (_swapping)
            {
                return null;
            }

            try
            {
                if (_versionQuery is null)
                {
                    _versionConnection = new SqliteConnection(new SqliteConnectionStringBuilder
                    {
                        DataSource = _dataDirectory.DatabasePath,
                        Mode = SqliteOpenMode.ReadWrite, // WAL readers need to map the -shm file; this one never writes
                        Pooling = false,
                    }.ToString());
                    _versionConnection.Open();
                    _versionQuery = _versionConnection.CreateCommand();
                    _versionQuery.CommandText = "PRAGMA data_version;";
                    _versionQuery.Prepare();
                    _connectionEpoch++;
                }

                return (_connectionEpoch << 40) + (long)_versionQuery.ExecuteScalar()!;
            }
            catch (SqliteException ex)
            {
                _logger.LogWarning("Campaign list cache bypassed: cannot read the data version of {DatabasePath}: {Reason}",
                    _dataDirectory.DatabasePath, ex.Message);
                CloseVersionConnection();
                return null;
            }
        }
    }

    private void CloseVersionConnection()
    {
        _versionQuery?.Dispose();
        _versionConnection?.Dispose();
        _versionQuery = null;
        _versionConnection = null;
    }

    private sealed class Generation(long version)
    {
        public long Version { get; } = version;
        public ConcurrentDictionary<CampaignPage, byte[]> Pages { get; } = new();
        public long Bytes;
    }
}
