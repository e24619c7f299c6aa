using Campaigns.Api.Backups;
using Campaigns.Api.SqliteFiles;

namespace Campaigns.Api.Restores;

/// <summary>
/// A SQLite backup copied next to the live database (same file system, so it can be renamed over it), by the kernel
/// where it can (<see cref="KernelCopy"/>), and hashed on the way: the sha256 its sidecar recorded when the backup was
/// taken and checked proves the bytes are still those. A backup whose sidecar does not say it passed its check gets the
/// full integrity_check here.
/// </summary>
public sealed class PreparedCopy(BackupCatalog catalog, ILogger<PreparedCopy> logger)
{
    public string PathFor(BackupEntry entry) => Path.Combine(catalog.Directory, $"restore_{entry.Name}{BackupNames.TemporaryExtension}");

    /// <summary>Writes and checks the copy at <paramref name="prepared"/>; throws <see cref="BackupVerificationException"/> when it fails.</summary>
    public void Write(BackupEntry entry, string prepared)
    {
        var path = catalog.PathOf(entry.Name);
        var length = new FileInfo(path).Length;
        var sha256 = KernelCopy.TryCopyWithSha256(path, length, prepared) ?? SqliteFile.CopyWithSha256(path, length, prepared, hashBeside: true);
        if ((BackupVerifier.ChecksumProblem(entry, sha256) ?? (entry.Verified ? null : BackupVerifier.CheckCopy(prepared, quick: false, out _))) is { } problem)
        {
            throw Refuse(entry, problem);
        }
    }

    public BackupVerificationException Refuse(BackupEntry entry, string problem)
    {
        logger.LogError("Refusing to restore backup {BackupName}: {Problem}", entry.Name, problem);
        return new BackupVerificationException(entry.Name, problem);
    }
}
