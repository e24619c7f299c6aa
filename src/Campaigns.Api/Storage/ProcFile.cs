namespace Campaigns.Api.Storage;

internal static class ProcFile
{
    public static string? StatusField(string name)
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path))
        {
            return null;
        }

        return File.ReadLines(path)
            .Where(line => line.StartsWith(name + ":", StringComparison.Ordinal))
            .Select(line => line[(name.Length + 1)..].Trim())
            .FirstOrDefault();
    }
}

internal static class UnixOwner
{
    /// <summary>The owning uid, read from /proc's view of an open handle would need P/Invoke; stat(1) is always there in our images.</summary>
    public static string Of(string path)
    {
        try
        {
            using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%u (%U)", path])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (stat is null)
            {
                return "unknown";
            }

            var output = stat.StandardOutput.ReadToEnd().Trim();
            stat.WaitForExit(2000);
            return string.IsNullOrEmpty(output) ? "unknown" : output;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
