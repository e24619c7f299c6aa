using Campaigns.Api.Campaigns;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Transfer;
using FluentValidation;
using Microsoft.Data.Sqlite;

namespace Campaigns.Api.Backups;

public sealed record BackupVerification(string Name, bool Ok, string? Problem);

/// <summary>The checks a backup must pass: its bytes are those its sidecar recorded, and what they hold reads back sound.</summary>
public sealed class BackupVerifier(BackupCatalog catalog, IValidator<CampaignRequest> validator)
{
    /// <summary>
    /// The thorough check, on demand (the CLI's <c>backups verify</c>, a snapshot restore): the sidecar's checksum still
    /// matches, a full <c>integrity_check</c> passes (or the snapshot reads back valid), and the campaigns are readable.
    /// </summary>
    public BackupVerification Verify(BackupEntry entry)
    {
        var path = catalog.PathOf(entry.Name);
        try
        {
            var problem = ChecksumProblem(entry, SqliteFile.Sha256Of(path))
                ?? (BackupNames.IsSnapshot(entry.Name) ? CheckSnapshot(path, out _) : CheckCopy(path, quick: false, out _));
            return new BackupVerification(entry.Name, problem is null, problem);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SqliteException)
        {
            return new BackupVerification(entry.Name, false, ex.Message);
        }
    }

    /// <summary>
    /// Null when <paramref name="sha256"/> is the one the sidecar recorded when the backup was taken and checked, or when
    /// it records none yet (a pre-restore backup being hashed): that one is unverified, so its callers check it whole.
    /// </summary>
    public static string? ChecksumProblem(BackupEntry entry, string sha256) =>
        entry.Sha256 is null || string.Equals(sha256, entry.Sha256, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"checksum mismatch: the file's sha256 is {sha256}, its sidecar says {entry.Sha256}";

    /// <summary>Null when the copy is sound; otherwise what is wrong with it.</summary>
    /// <param name="quick">quick_check reads every page and checks its structure; the full integrity_check adds the
    /// index-to-table cross-check, which costs four times as long.</param>
    public static string? CheckCopy(string path, bool quick, out SqliteContents? contents)
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

    /// <summary>Null when the snapshot reads back and every campaign in it is valid; otherwise what is wrong with it.</summary>
    public string? CheckSnapshot(string path, out SqliteContents? contents)
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
}
