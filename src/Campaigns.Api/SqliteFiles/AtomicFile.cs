namespace Campaigns.Api.SqliteFiles;

/// <summary>Publishing a file so that readers see the old content or the new one, never half of it: write a temporary file, fsync, rename.</summary>
public static class AtomicFile
{
    public const string TemporaryExtension = ".tmp";

    /// <summary>Writes a small file (a sidecar, a job record, a snapshot) under its final name atomically.</summary>
    public static void Write(string path, ReadOnlySpan<byte> content)
    {
        var temporary = path + TemporaryExtension;
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>fsync: the bytes are on the disk before the rename that publishes them.</summary>
    public static void FlushToDisk(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Deletes a file if it is there; false when it was not (or could not be deleted, with the reason).</summary>
    public static bool TryDelete(string path, out string? error)
    {
        error = null;
        try
        {
            if (!File.Exists(path))
            {
                return false;
            }

            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = ex.Message;
            return false;
        }
    }
}
