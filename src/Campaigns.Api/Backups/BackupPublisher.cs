using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;
using Campaigns.Api.Common;

namespace Campaigns.Api.Backups;

/// <summary>A backup name held by an empty temporary file until the backup is published under it.</summary>
public sealed record BackupReservation(string Name, string BackupPath)
{
    public string TemporaryPath => BackupPath + BackupNames.TemporaryExtension;
}

/// <summary>A copy, what its checks found in it, and the sha256 of its bytes. Unverified (and without a sha256 yet) only for a file that is kept whatever its state.</summary>
public sealed record CheckedCopy(SqliteContents Contents, string? Sha256, bool Verified = true);

/// <summary>
/// The steps that give a backup its name, in the order that makes a crash harmless: <see cref="Reserve"/> a name (its
/// temporary file holds the bytes), <see cref="WriteSidecar"/>, then <see cref="Publish"/> with an atomic rename. A
/// crash at any point never leaves a <c>.sqlite</c> without its sidecar; what it can leave (a <c>.tmp</c>, a sidecar
/// without a file) <see cref="BackupCleanup"/> removes, or publishes when it holds data found nowhere else.
/// </summary>
public sealed class BackupPublisher(
    DataDirectory dataDirectory, DatabaseTarget database, BackupCatalog catalog, TimeProvider time, ILogger<BackupPublisher> logger)
{
    private const int NamesToTry = 1000;

    /// <summary>What backups copy, for the log: the database file, or the PostgreSQL server and database.</summary>
    public string Source => database.Provider == DatabaseProvider.PostgreSql ? database.Location : dataDirectory.DatabasePath;

    /// <summary>A name no one else holds: the temporary file is created exclusively, a clash moves the clock by 1 ms.</summary>
    public BackupReservation Reserve(string extension)
    {
        try
        {
            Directory.CreateDirectory(dataDirectory.BackupsPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogError("Backup directory {BackupDirectory} cannot be created: {Reason}", dataDirectory.BackupsPath, ex.Message);
            throw new BackupFailedException($"The backup directory {dataDirectory.BackupsPath} cannot be created: {ex.Message}", ex);
        }

        var at = time.GetUtcNow();
        try
        {
            return Retries.UntilValue(NamesToTry, _ => TimeSpan.Zero, attempt => TryReserve(BackupNames.For(at.AddMilliseconds(attempt), extension)))
                ?? throw new IOException($"{NamesToTry} backup names in a row were taken.");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogError("Cannot write in the backup directory {BackupDirectory}: {Reason}", dataDirectory.BackupsPath, ex.Message);
            throw new BackupFailedException($"Cannot write in the backup directory {dataDirectory.BackupsPath}: {ex.Message}", ex);
        }
    }

    /// <summary>Null when another backup holds the name (it took this millisecond).</summary>
    private BackupReservation? TryReserve(string name)
    {
        var path = catalog.PathOf(name);
        var temporary = path + BackupNames.TemporaryExtension;
        if (File.Exists(path) || File.Exists(BackupNames.SidecarOf(path)))
        {
            return null;
        }

        try
        {
            new FileStream(temporary, FileMode.CreateNew, FileAccess.Write).Dispose();
            return new BackupReservation(name, path);
        }
        catch (IOException) when (File.Exists(temporary))
        {
            return null;
        }
    }

    /// <summary>Describes the checked bytes at the reservation's temporary path in their sidecar, on disk before any rename.</summary>
    public BackupEntry WriteSidecar(BackupReservation reservation, BackupTrigger trigger, CheckedCopy copy)
    {
        var (contents, sha256, verified) = copy;
        var entry = new BackupEntry(
            reservation.Name, time.GetUtcNow(), new FileInfo(reservation.TemporaryPath).Length, sha256, Source, reservation.BackupPath,
            trigger, contents.SchemaVersion, contents.ActiveCampaigns, contents.TotalCampaigns, verified);
        catalog.WriteSidecar(entry);
        return entry;
    }

    /// <summary>The backup takes its name: from here on it is listed, and can be restored.</summary>
    public void Publish(BackupReservation reservation, BackupEntry entry)
    {
        File.Move(reservation.TemporaryPath, reservation.BackupPath);
        logger.LogInformation(
            "Backup {BackupName} written ({Trigger}): {SizeBytes} bytes, {ActiveCampaigns} active campaigns, schema {SchemaVersion}, sha256 {Sha256}, verified {Verified}",
            entry.Name, entry.Trigger.ToWire(), entry.SizeBytes, entry.ActiveCampaigns, entry.SchemaVersion, entry.Sha256, entry.Verified);
    }

    /// <summary>After a failure before <see cref="Publish"/>: removes the temporary file and the sidecar naming it.</summary>
    public void Discard(BackupReservation reservation)
    {
        catalog.TryDelete(reservation.TemporaryPath);
        if (!File.Exists(reservation.BackupPath))
        {
            catalog.TryDelete(BackupNames.SidecarOf(reservation.BackupPath));
        }
    }
}
