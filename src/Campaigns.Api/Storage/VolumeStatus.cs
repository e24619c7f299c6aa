using System.Globalization;

namespace Campaigns.Api.Storage;

/// <summary>What we know about the storage under the database: is it a real volume, can we write to it.</summary>
public sealed record VolumeStatus(
    string DataDirectory,
    string ChosenBy,
    string DatabasePath,
    bool Mounted,
    string? MountPoint,
    string? FileSystemType,
    bool Persistent,
    bool Writable,
    string? WriteError,
    long? FreeBytes,
    bool DatabaseExists,
    DateTimeOffset CheckedAt)
{
    /// <summary>In-memory and overlay filesystems vanish with the container, even when they are separate mounts.</summary>
    private static readonly HashSet<string> EphemeralFileSystems =
        new(StringComparer.Ordinal) { "tmpfs", "ramfs", "overlay", "devtmpfs", "aufs", "squashfs" };

    public string? PersistenceProblem => Persistent
        ? null
        : Mounted
            ? $"Storage at {DataDirectory} is a '{FileSystemType}' mount, which does not survive a restart: data will be lost on the next deploy."
            : $"Storage at {DataDirectory} is not a mounted volume (it is on the container's own filesystem): data will be lost on the next deploy.";

    public static VolumeStatus Inspect(DataDirectory dataDirectory, TimeProvider time)
    {
        var path = dataDirectory.Path;
        var (writable, writeError) = ProbeWrite(path);
        var mount = MountTable.FindMountFor(path);
        var mounted = mount is not null && mount.MountPoint != "/";
        var persistent = mounted && !EphemeralFileSystems.Contains(mount!.FileSystemType);

        return new VolumeStatus(
            path,
            dataDirectory.ChosenBy,
            dataDirectory.DatabasePath,
            mounted,
            mount?.MountPoint,
            mount?.FileSystemType,
            persistent,
            writable,
            writeError,
            FreeSpace(path),
            File.Exists(dataDirectory.DatabasePath),
            time.GetUtcNow());
    }

    /// <summary>A real write, fsync and delete: permission bits lie on read-only mounts and full disks.</summary>
    private static (bool Writable, string? Error) ProbeWrite(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            var probe = Path.Combine(directory, $".write-probe-{Guid.NewGuid():N}");
            using (var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
                stream.Write("probe"u8);
                stream.Flush(flushToDisk: true);
            }

            return (true, null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (false, ex.Message);
        }
    }

    private static long? FreeSpace(string path)
    {
        try
        {
            return Directory.Exists(path) ? new DriveInfo(path).AvailableFreeSpace : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Owner and mode of the directory, for the error message when it cannot be written.</summary>
    public static string DescribePermissions(string path)
    {
        var existing = path;
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            existing = parent;
        }

        if (OperatingSystem.IsWindows())
        {
            return $"{existing} (permissions not inspected on Windows)";
        }

        var mode = File.GetUnixFileMode(existing);
        var octal = Convert.ToString((int)mode, 8).PadLeft(3, '0');
        var owner = ProcFile.StatusField("Uid") is { } uid ? uid.Split('\t', StringSplitOptions.RemoveEmptyEntries)[0] : "unknown";
        var ownerOfDirectory = UnixOwner.Of(existing);
        return string.Create(CultureInfo.InvariantCulture, $"{existing} mode {octal} owner uid {ownerOfDirectory}; this process runs as uid {owner}");
    }
}
