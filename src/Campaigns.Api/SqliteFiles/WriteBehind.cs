using System.Runtime.InteropServices;

namespace Campaigns.Api.SqliteFiles;

/// <summary>
/// Keeps a large file being written (a backup, a restore's copy) from piling up dirty pages: each 64 MiB is handed to
/// the disk as soon as it is written, and the 64 MiB before it is waited for, so at most two chunks are dirty at a time.
/// A gigabyte of dirty pages makes the kernel throttle every writer on the machine. An fsync per chunk bounds them too,
/// but each one also commits the file system's journal: on the 1 GB benchmark that cost 1.3 s of a 3.5 s copy
/// (docs/benchmarks.md, issue 12, fifth session). This is not durability: the writer still fsyncs before it publishes.
/// Where <c>sync_file_range</c> is missing (not Linux, not glibc) or refused, each chunk is fsynced instead.
/// </summary>
public sealed class WriteBehind(FileStream destination)
{
    public const long ChunkBytes = 64L << 20;

    private const uint WaitBefore = 1, Write = 2, WaitAfter = 4;

    private long _handedOver;
    private long _previousChunk = -1;
    private bool _fsyncInstead;

    /// <param name="written">How many bytes of the file are written so far.</param>
    public void Wrote(long written)
    {
        if (written - _handedOver < ChunkBytes)
        {
            return;
        }

        if (_fsyncInstead || !TryHandOver(_handedOver, written - _handedOver))
        {
            _fsyncInstead = true;
            destination.Flush(flushToDisk: true);
        }

        _previousChunk = _handedOver;
        _handedOver = written;
    }

    private bool TryHandOver(long start, long length)
    {
        try
        {
            var fd = (int)destination.SafeFileHandle.DangerousGetHandle();
            return sync_file_range(fd, start, length, Write) == 0
                && (_previousChunk < 0 || sync_file_range(fd, _previousChunk, start - _previousChunk, WaitBefore | Write | WaitAfter) == 0);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc.so.6")]
    private static extern int sync_file_range(int fd, long offset, long nbytes, uint flags);
}
