using System.Globalization;
using Campaigns.Api.Storage;

namespace Campaigns.Api.Doctor;

/// <summary>What the storage checks need to know beyond the data directory itself.</summary>
public sealed record StorageCheckSettings(
    bool Production,
    bool AllowEphemeral,
    int BackupsKept,
    string? RailwayMountPath,
    string? RailwayVolumeName,
    string? RailwayService,
    string ConfigDirectory)
{
    public static StorageCheckSettings From(IConfiguration configuration, bool production, bool allowEphemeral, int backupsKept) =>
        new(production, allowEphemeral, backupsKept,
            NullIfBlank(configuration[StorageChecks.RailwayMountPathVariable]),
            NullIfBlank(configuration["RAILWAY_VOLUME_NAME"]),
            NullIfBlank(configuration["RAILWAY_SERVICE_NAME"]) ?? NullIfBlank(configuration["RAILWAY_SERVICE_ID"]),
            Directory.GetCurrentDirectory());

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>
/// Will the data directory survive the next deploy: is it the Railway volume, its own persistent mount, writable by this
/// process, with room for the next backups. The service's start runs these same checks and refuses on the ones in
/// <see cref="BlocksStart"/>, so its refusal names the same cause the doctor does.
/// </summary>
public static class StorageChecks
{
    public const string RailwayMountPathVariable = "RAILWAY_VOLUME_MOUNT_PATH";

    public const string DataDirectoryCheck = "data-directory";
    public const string RailwayVolumeCheck = "railway-volume";
    public const string VolumeCheck = "volume";
    public const string WritableCheck = "writable";
    public const string RunAsCheck = "run-as";
    public const string FreeSpaceCheck = "free-space";
    public const string RailwayConfigCheck = "railway-config";

    /// <summary>The checks a start refuses on when they are at risk, the most specific cause first.</summary>
    public static readonly IReadOnlyList<string> BlocksStart = [RailwayVolumeCheck, WritableCheck, VolumeCheck];

    public static (IReadOnlyList<DoctorFinding> Findings, VolumeStatus Volume) Run(DataDirectory dataDirectory, StorageCheckSettings settings, TimeProvider time)
    {
        var volume = VolumeStatus.Inspect(dataDirectory, time);
        var lossIsAtRisk = settings.Production && !settings.AllowEphemeral;
        List<DoctorFinding> findings =
        [
            DataDirectoryFinding(dataDirectory, volume),
            RailwayVolume(dataDirectory, volume, settings, lossIsAtRisk),
            Volume(volume, settings, lossIsAtRisk),
            Writable(volume),
            RunAs(volume),
            FreeSpace(volume, settings.BackupsKept),
            RailwayConfig(settings.ConfigDirectory),
        ];
        return (findings, volume);
    }

    /// <summary>The first finding a start must refuse on, or null. Writable refuses in every environment; the others only where loss is at risk.</summary>
    public static DoctorFinding? Refusal(IEnumerable<DoctorFinding> findings)
    {
        var atRisk = findings.Where(f => f.State == DoctorState.AtRisk).ToList();
        return BlocksStart.Select(check => atRisk.FirstOrDefault(f => f.Check == check)).FirstOrDefault(f => f is not null);
    }

    private static DoctorFinding DataDirectoryFinding(DataDirectory dataDirectory, VolumeStatus volume)
    {
        var database = volume.DatabaseExists
            ? string.Create(CultureInfo.InvariantCulture, $"database {dataDirectory.DatabasePath} ({DatabaseBytes(dataDirectory.DatabasePath)} bytes)")
            : $"database {dataDirectory.DatabasePath} (not created yet)";
        return DoctorFinding.Ok(DataDirectoryCheck, $"Data directory {dataDirectory.Path} (chosen by {dataDirectory.ChosenBy}); {database}.");
    }

    private static DoctorFinding RailwayVolume(DataDirectory dataDirectory, VolumeStatus volume, StorageCheckSettings settings, bool lossIsAtRisk)
    {
        if (settings.RailwayMountPath is not { } mountPath)
        {
            return settings.RailwayService is { } service
                ? DoctorFinding.Risk(lossIsAtRisk, RailwayVolumeCheck,
                    $"This Railway service ({service}) has no volume attached ({RailwayMountPathVariable} is not set).",
                    $"Attach a volume to the service (service → Volumes) with mount path {dataDirectory.Path}.")
                : DoctorFinding.Ok(RailwayVolumeCheck, $"Not on Railway ({RailwayMountPathVariable} is not set).");
        }

        var mount = Path.GetFullPath(mountPath).TrimEnd('/');
        var volumeName = settings.RailwayVolumeName is { } name ? $"A volume ({name})" : "A volume";
        if (IsWithin(dataDirectory.Path, mount))
        {
            return DoctorFinding.Ok(RailwayVolumeCheck, $"{volumeName} is mounted at {mount}, which holds the data directory.");
        }

        var detail = $"{volumeName} is mounted at {mount} but the data directory is {dataDirectory.Path} (chosen by {dataDirectory.ChosenBy}).";
        return DoctorFinding.Risk(lossIsAtRisk && !volume.Persistent, RailwayVolumeCheck, detail, MismatchFix(dataDirectory.ChosenBy, mount));
    }

    private static string MismatchFix(string chosenBy, string mount) => chosenBy switch
    {
        "DATA_DIR" => $"Unset DATA_DIR or set it to {mount}.",
        "Storage:DataDirectory" => $"Remove Storage:DataDirectory (Storage__DataDirectory) or set it to {mount}.",
        DoctorService.DataDirectoryOptionName => $"Run doctor without --data-dir, or with --data-dir {mount}.",
        _ => $"Set DATA_DIR to {mount}, or change the volume's mount path to the data directory.",
    };

    private static DoctorFinding Volume(VolumeStatus volume, StorageCheckSettings settings, bool lossIsAtRisk)
    {
        if (volume.Persistent)
        {
            return DoctorFinding.Ok(VolumeCheck, $"{volume.DataDirectory} is on its own {volume.FileSystemType} mount at {volume.MountPoint}, which survives a redeploy.");
        }

        var allowed = settings.AllowEphemeral ? " Storage:AllowEphemeral accepts that." : "";
        return DoctorFinding.Risk(lossIsAtRisk, VolumeCheck, volume.PersistenceProblem + allowed,
            $"Attach a persistent volume at {volume.DataDirectory} (Railway: add a volume with mount path {volume.DataDirectory}), " +
            "or set Storage__AllowEphemeral=true if you knowingly accept losing the data.");
    }

    private static DoctorFinding Writable(VolumeStatus volume) => volume.Writable
        ? DoctorFinding.Ok(WritableCheck, $"{volume.DataDirectory} is writable (a file was written, flushed to disk and removed).")
        : DoctorFinding.AtRisk(WritableCheck,
            $"The data directory {volume.DataDirectory} is not writable ({volume.WriteError}); {VolumeStatus.DescribePermissions(volume.DataDirectory)}.",
            "Fix the mount or its ownership (on Railway a non-root image needs RAILWAY_RUN_UID=0); the database is never created anywhere else.");

    private static DoctorFinding RunAs(VolumeStatus volume)
    {
        if (EffectiveUid() is not { } uid)
        {
            return DoctorFinding.Ok(RunAsCheck, "The process's user is not known on this platform (not checked).");
        }

        if (uid == 0)
        {
            return DoctorFinding.Ok(RunAsCheck, "The process runs as root, so it can write to a volume Railway mounts as root.");
        }

        var owner = Directory.Exists(volume.DataDirectory) ? UnixOwner.Of(volume.DataDirectory) : "unknown";
        var rootOwned = owner.StartsWith("0 ", StringComparison.Ordinal);
        return rootOwned && !volume.Writable
            ? DoctorFinding.AtRisk(RunAsCheck,
                string.Create(CultureInfo.InvariantCulture, $"The process runs as uid {uid} and {volume.DataDirectory} belongs to uid {owner}, so it cannot write there."),
                "Set RAILWAY_RUN_UID=0 on the service (Railway mounts volumes as root), or run the image as root.")
            : DoctorFinding.Ok(RunAsCheck, string.Create(CultureInfo.InvariantCulture, $"The process runs as uid {uid}; {volume.DataDirectory} belongs to uid {owner}."));
    }

    private static DoctorFinding FreeSpace(VolumeStatus volume, int backupsKept)
    {
        if (volume.FreeBytes is not { } free)
        {
            return DoctorFinding.Warning(FreeSpaceCheck, $"The free space at {volume.DataDirectory} cannot be read.", "Check that the directory exists and is a mounted volume.");
        }

        if (!volume.DatabaseExists)
        {
            return DoctorFinding.Ok(FreeSpaceCheck, string.Create(CultureInfo.InvariantCulture, $"{Megabytes(free)} free; there is no database to back up yet."));
        }

        var size = DatabaseBytes(volume.DatabasePath);
        var needed = size * (backupsKept + 1);
        var detail = string.Create(CultureInfo.InvariantCulture,
            $"{Megabytes(free)} free; the next backups need {Megabytes(needed)} (database {Megabytes(size)} × ({backupsKept} kept + 1)).");
        return free >= needed
            ? DoctorFinding.Ok(FreeSpaceCheck, detail)
            : DoctorFinding.AtRisk(FreeSpaceCheck, detail, "Grow the volume, or lower Backups:Keep, before the next backup fails for lack of space.");
    }

    private static DoctorFinding RailwayConfig(string directory)
    {
        var toml = Path.Combine(directory, "railway.toml");
        var json = Path.Combine(directory, "railway.json");
        if (File.Exists(toml) && File.Exists(json))
        {
            return DoctorFinding.Warning(RailwayConfigCheck,
                $"Both {json} and {toml} exist: Railway reads one config file, so the health check and restart policy in railway.toml may not apply.",
                "Delete railway.json and keep the settings in railway.toml.");
        }

        return DoctorFinding.Ok(RailwayConfigCheck, File.Exists(toml)
            ? $"{toml} is the only Railway config file in {directory}."
            : $"No railway.json beside railway.toml in {directory}.");
    }

    internal static bool IsWithin(string path, string directory)
    {
        var full = Path.GetFullPath(path).TrimEnd('/');
        var root = Path.GetFullPath(directory).TrimEnd('/');
        return root.Length == 0 || full == root || full.StartsWith(root + "/", StringComparison.Ordinal);
    }

    /// <summary>The database and its WAL: what the next backup copies.</summary>
    private static long DatabaseBytes(string databasePath) =>
        (File.Exists(databasePath) ? new FileInfo(databasePath).Length : 0) +
        (File.Exists(databasePath + "-wal") ? new FileInfo(databasePath + "-wal").Length : 0);

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:F1} MB");

    private static int? EffectiveUid() =>
        ProcFile.StatusField("Uid") is { } uids && uids.Split('\t', StringSplitOptions.RemoveEmptyEntries) is { Length: >= 2 } fields
        && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
            ? uid
            : null;
}
