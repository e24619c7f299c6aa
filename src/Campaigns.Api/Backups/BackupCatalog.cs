using System.Text.Json;
using System.Text.Json.Serialization;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;

namespace Campaigns.Api.Backups;

/// <summary>
/// The backups on the volume, read from their sidecars. A backup is listed only when both the file and a sidecar
/// naming it exist, so a half-written pair (a crash mid-backup) is never offered for a restore.
/// </summary>
public sealed partial class BackupCatalog(DataDirectory dataDirectory, ILogger<BackupCatalog> logger)
{
    // Generated at build time: /health lists the backups on every probe, the first one on the way to a deploy's first
    // 200, and the reflection serializer's first use (its converters, an accessor emitted per member) was start-up time.
    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
    [JsonSerializable(typeof(BackupEntry))]
    internal sealed partial class SidecarJson : JsonSerializerContext;
    private readonly object _sidecarWrites = new();

    public string Directory => dataDirectory.BackupsPath;

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>Newest state first (<see cref="BackupEntry.StateAt"/>).</summary>
    public IReadOnlyList<BackupEntry> List()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        var entries = new List<BackupEntry>();
        foreach (var sidecar in System.IO.Directory.EnumerateFiles(Directory, BackupNames.SidecarPattern))
        {
            var name = Path.GetFileName(sidecar)[..^BackupNames.SidecarExtension.Length];
            if (BackupNames.IsValid(name) && File.Exists(PathOf(name)) && ReadSidecar(sidecar) is { } entry && entry.Name == name)
            {
                entries.Add(entry);
            }
        }

        return [.. entries.OrderByDescending(e => e.StateAt).ThenByDescending(e => e.Name, StringComparer.Ordinal)];
    }

    public BackupEntry? Find(string name) =>
        BackupNames.IsValid(name) && File.Exists(PathOf(name)) && ReadSidecar(BackupNames.SidecarOf(PathOf(name))) is { } entry && entry.Name == name
            ? entry
            : null;

    /// <summary>The newest verified backup that held at least the expected active campaigns: what recovery restores.</summary>
    public BackupEntry? LastKnownGood(int expectedActive) => Good(expectedActive).FirstOrDefault();

    /// <summary>Every backup that qualifies as good, newest first (recovery falls back along this list).</summary>
    public IEnumerable<BackupEntry> Good(int expectedActive) =>
        List().Where(e => e.IsGood(expectedActive));

    internal void WriteSidecar(BackupEntry entry)
    {
        lock (_sidecarWrites)
        {
            AtomicFile.Write(BackupNames.SidecarOf(PathOf(entry.Name)), JsonSerializer.SerializeToUtf8Bytes(entry, SidecarJson.Default.BackupEntry));
        }
    }

    /// <summary>Records in its sidecar that a backup published unverified (a pre-restore backup) has since passed its check.</summary>
    public void MarkVerified(BackupEntry entry)
    {
        if (Update(entry.Name, current => current with { Verified = true }) is not null)
        {
            logger.LogInformation("Backup {BackupName} verified", entry.Name);
        }
    }

    /// <summary>
    /// Records what a pre-restore backup's check, taken after it was published, found: its sha256, then "verified" when
    /// quick_check passed.
    /// </summary>
    /// <param name="quickCheck">What quick_check said ("ok" or the problem); null when it was not run.</param>
    public void RecordLateCheck(BackupEntry entry, string sha256, string? quickCheck)
    {
        if (Update(entry.Name, current => current with { Sha256 = sha256 }) is not { } hashed)
        {
            return; // rotated away meanwhile
        }

        switch (quickCheck)
        {
            case "ok":
                MarkVerified(hashed);
                break;
            case { } problem:
                logger.LogError("Pre-restore backup {BackupName} failed quick_check ({Problem}); it stays, unverified", entry.Name, problem);
                break;
        }
    }

    /// <summary>Records in its sidecar that a backup was just restored: what it holds is the live state again.</summary>
    public void MarkRestored(BackupEntry entry, DateTimeOffset at) => Update(entry.Name, current => current with { RestoredAt = at });

    /// <summary>
    /// Changes one backup's sidecar from what it says now, one change at a time: the marks come from different threads
    /// (a restore, the background check of a pre-restore backup, a drill), and each must keep what the others wrote.
    /// Null, and nothing written, when the backup is gone (rotated away meanwhile).
    /// </summary>
    public BackupEntry? Update(string name, Func<BackupEntry, BackupEntry> change)
    {
        lock (_sidecarWrites)
        {
            if (Find(name) is not { } current)
            {
                return null;
            }

            var changed = change(current);
            WriteSidecar(changed);
            return changed;
        }
    }

    /// <summary>Deletes a backup and its sidecar.</summary>
    public void Remove(BackupEntry entry)
    {
        var path = PathOf(entry.Name);
        // The file goes first: a crash in between leaves a sidecar without a file (ignored, cleaned), never the reverse.
        TryDelete(path);
        TryDelete(BackupNames.SidecarOf(path));
    }

    /// <summary>False when the file was not there or could not be deleted (logged: a leftover is cleaned later, never fatal).</summary>
    internal bool TryDelete(string path)
    {
        if (AtomicFile.TryDelete(path, out var error))
        {
            return true;
        }

        if (error is not null)
        {
            logger.LogWarning("Could not delete {FilePath}: {Reason}", path, error);
        }

        return false;
    }

    internal BackupEntry? ReadSidecar(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), SidecarJson.Default.BackupEntry);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            logger.LogWarning("Backup sidecar {SidecarPath} is unreadable and is ignored: {Reason}", path, ex.Message);
            return null;
        }
    }
}
