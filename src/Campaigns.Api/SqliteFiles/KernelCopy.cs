using System.Runtime.InteropServices;

namespace Campaigns.Api.SqliteFiles;

/// <summary>
/// Copies a file inside the kernel with <c>copy_file_range</c>, as <c>cp</c> does, while a thread beside it reads and
/// hashes the source. Moving the bytes through the process instead (read, then write) took 1.8–2.9 s per gigabyte on
/// the benchmark machine, against 0.9–1.05 s for this and 0.85–0.9 s for <c>cp</c>: there, most of that time went to
/// the kernel copying each buffer in from the process (docs/benchmarks.md, issue 12, eighth session). The source is read
/// twice, by the kernel and by the hash, so it must not change meanwhile: a published backup (a restore's source), or
/// the live database under the read snapshot a backup holds. The sha256 is of the source's bytes with the first
/// buffer's patch applied, which is what the destination holds.
/// </summary>
public static class KernelCopy
{
    private const long ChunkBytes = 64L << 20;

    // A slice of kernel work a request may have to wait behind (about 2 ms on the benchmark machine), where a 64 MiB call was tens.
    private const long PacedChunkBytes = 2L << 20;

    // What a patch of the first buffer may touch: the database header, in the first page.
    private const int HeadBytes = 64 * 1024;

    // Refusals that mean "not between these two files" (another file system, no support), not a failed copy.
    private const int NotPermitted = 1, CrossDevice = 18, Invalid = 22, NotImplemented = 38, NotSupported = 95;

    /// <summary>
    /// Copies the first <paramref name="length"/> bytes into a new file at <paramref name="destinationPath"/>, fsyncs it
    /// and returns its sha256; null when the kernel cannot copy between these two files (nothing was copied then, and
    /// the caller copies through the process).
    /// </summary>
    /// <param name="patchFirstBuffer">Applied to the file's first bytes (the header page) in the copy and in the hash.</param>
    /// <param name="whileServing">For a copy made while requests are served (a backup): each chunk is handed to the disk as
    /// it is copied (<see cref="WriteBehind"/>), the chunks are small, and the copy and the hash give way to requests
    /// between them. A restore copies while the gate holds requests back, and needs none of it (null).</param>
    public static string? TryCopyWithSha256(string sourcePath, long length, string destinationPath, Action<byte[]>? patchFirstBuffer = null, GiveWay? whileServing = null)
    {
        using var source = new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 0);
        using var destination = new FileStream(destinationPath, FileMode.Create, FileAccess.Write, FileShare.None, 0);
        // Explicit offsets: FileStream keeps a position of its own and moves the descriptor's whenever its handle is read.
        var files = new Descriptors(source, destination, sourcePath, length, whileServing is null ? ChunkBytes : PacedChunkBytes);

        // The first call asks whether the kernel copies between these files at all, before a thread starts hashing.
        if (length > 0 && !files.TryCopyFirst())
        {
            return null;
        }

        // A thread of its own, started from this one: on Linux it inherits this thread's priority (a backup's is lowered).
        var hashing = Task.Factory.StartNew(() => SqliteFile.Sha256Of(sourcePath, length, patchFirstBuffer, whileServing), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            var writeBehind = whileServing is null ? null : new WriteBehind(destination);
            using (var pace = whileServing?.Join())
            {
                while (files.Offset < length)
                {
                    files.CopyNext();
                    writeBehind?.Wrote(files.Offset);
                    pace?.Step();
                }
            }

            if (patchFirstBuffer is not null && length > 0)
            {
                var head = new byte[Math.Min(length, HeadBytes)];
                RandomAccess.Read(source.SafeFileHandle, head, 0);
                patchFirstBuffer(head);
                RandomAccess.Write(destination.SafeFileHandle, head, 0);
            }

            destination.Flush(flushToDisk: true);
        }
        catch
        {
            // The copy's failure is the one reported; the hash must not outlive the copy that asked for it.
            Task.WhenAny(hashing).Wait();
            throw;
        }

        return hashing.GetAwaiter().GetResult();
    }

    private sealed class Descriptors(FileStream source, FileStream destination, string sourcePath, long length, long chunkBytes)
    {
        private readonly int _source = (int)source.SafeFileHandle.DangerousGetHandle();
        private readonly int _destination = (int)destination.SafeFileHandle.DangerousGetHandle();

        /// <summary>Bytes copied so far: the same offset in both files.</summary>
        public long Offset { get; private set; }

        public bool TryCopyFirst()
        {
            nint copied;
            try
            {
                copied = CopyChunk();
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                return false;
            }

            if (copied < 0 && Marshal.GetLastPInvokeError() is NotPermitted or CrossDevice or Invalid or NotImplemented or NotSupported)
            {
                return false;
            }

            Advance(copied);
            return true;
        }

        public void CopyNext() => Advance(CopyChunk());

        private nint CopyChunk()
        {
            long inputOffset = Offset, outputOffset = Offset;
            return copy_file_range(_source, ref inputOffset, _destination, ref outputOffset, (nint)Math.Min(length - Offset, chunkBytes), 0);
        }

        private void Advance(nint copied) => Offset += copied switch
        {
            < 0 => throw new IOException($"Copying {sourcePath} failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}"),
            0 => throw new IOException(SqliteFile.EndedEarly(sourcePath, length - Offset, length)),
            _ => copied,
        };
    }

    [DllImport("libc.so.6", SetLastError = true)]
    private static extern nint copy_file_range(int inputFd, ref long inputOffset, int outputFd, ref long outputOffset, nint length, uint flags);
}
