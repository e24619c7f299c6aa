namespace Campaigns.Api.Storage;

public sealed record MountEntry(string MountPoint, string FileSystemType, string Source);

/// <summary>Reads /proc/self/mountinfo to tell whether a directory sits on its own mount (a volume).</summary>
public static class MountTable
{
    public static MountEntry? FindMountFor(string path, string mountInfoPath = "/proc/self/mountinfo")
    {
        if (!File.Exists(mountInfoPath))
        {
            return null;
        }

        var full = Path.GetFullPath(path).TrimEnd('/');
        MountEntry? best = null;
        foreach (var line in File.ReadLines(mountInfoPath))
        {
            if (Parse(line) is not { } entry || !Contains(entry.MountPoint, full))
            {
                continue;
            }

            if (best is null || entry.MountPoint.Length >= best.MountPoint.Length)
            {
                best = entry;
            }
        }

        return best;
    }

    // Format: id parent major:minor root mount-point options [optional...] - fstype source super-options
    public static MountEntry? Parse(string line)
    {
        var fields = line.Split(' ');
        var separator = Array.IndexOf(fields, "-");
        if (fields.Length < 5 || separator < 0 || separator + 2 >= fields.Length)
        {
            return null;
        }

        return new MountEntry(Unescape(fields[4]), fields[separator + 1], Unescape(fields[separator + 2]));
    }

    private static bool Contains(string mountPoint, string path) =>
        mountPoint == "/" || path == mountPoint || path.StartsWith(mountPoint + "/", StringComparison.Ordinal);

    // The kernel escapes space, tab, newline and backslash as octal (\040 ...).
    private static string Unescape(string value) =>
        value.Replace("\\040", " ").Replace("\\011", "\t").Replace("\\012", "\n").Replace("\\134", "\\");
}
