using System.Runtime.InteropServices;

namespace Campaigns.Api.SqliteFiles;

/// <summary>link(2), which .NET does not expose: a second name for a file, so it outlives a rename over the first.</summary>
public static class HardLink
{
    /// <summary>False with the reason when the link cannot be made, including where glibc is absent (callers then copy).</summary>
    public static bool TryCreate(string existingPath, string newPath, out string? error)
    {
        try
        {
            if (link(existingPath, newPath) == 0)
            {
                error = null;
                return true;
            }

            error = $"link failed with errno {Marshal.GetLastPInvokeError()}";
            return false;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            error = ex.Message;
            return false;
        }
    }

    // The C library's SONAME: "libc" would need the development package's libc.so, absent from runtime images.
    [DllImport("libc.so.6", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern int link(string existingPath, string newPath);
}
