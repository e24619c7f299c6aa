using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Campaigns.Api.SqliteFiles;

/// <summary>
/// The SHA-256 of a file as it is copied, buffer by buffer: the copier takes a buffer with <see cref="NextBuffer"/>,
/// fills it, calls <see cref="Append"/>, then writes it. Inline, the hash is taken right there, on the copying thread.
/// On a thread of its own, it is taken while the copier writes that buffer and reads the next: hashing a gigabyte costs
/// about as much CPU as copying it, so the two no longer add up (a 1 GB copy with its fsync: 1.07–1.11 s inline,
/// 0.68–0.71 s beside, `cp` 0.54–0.56 s; docs/benchmarks.md, issue 12, seventh session). The thread is started by the
/// copying thread, so on Linux it inherits that thread's priority. A buffer goes back to the copier only once hashed.
/// </summary>
public sealed class Sha256Beside : IDisposable
{
    private const int Buffers = 3;

    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[]? _inlineBuffer;
    private readonly BlockingCollection<byte[]> _free = new();
    private readonly BlockingCollection<(byte[] Buffer, int Count)> _pending = new();
    private readonly Thread? _thread;
    private Exception? _failure;

    /// <param name="threadName">Null: hash inline, on the copying thread.</param>
    public Sha256Beside(int bufferBytes, string? threadName)
    {
        if (threadName is null)
        {
            _inlineBuffer = new byte[bufferBytes];
            return;
        }

        for (var i = 0; i < Buffers; i++)
        {
            _free.Add(new byte[bufferBytes]);
        }

        _thread = new Thread(HashPending) { IsBackground = true, Name = threadName };
        _thread.Start();
    }

    /// <summary>A buffer no one reads any more; waits while every one of them is still being hashed.</summary>
    public byte[] NextBuffer() => _inlineBuffer ?? _free.Take();

    /// <summary>Hashes, or queues, the first <paramref name="count"/> bytes of a buffer from <see cref="NextBuffer"/>, in file order.</summary>
    public void Append(byte[] buffer, int count)
    {
        if (_thread is null)
        {
            _sha256.AppendData(buffer, 0, count);
        }
        else
        {
            _pending.Add((buffer, count));
        }
    }

    /// <summary>Waits for every queued buffer, then returns the hash in lower-case hex.</summary>
    public string Finish()
    {
        StopHashing();
        if (_failure is not null)
        {
            throw new IOException($"Hashing the copy failed: {_failure.Message}", _failure);
        }

        return Convert.ToHexStringLower(_sha256.GetHashAndReset());
    }

    private void HashPending()
    {
        foreach (var (buffer, count) in _pending.GetConsumingEnumerable())
        {
            try
            {
                if (_failure is null)
                {
                    _sha256.AppendData(buffer, 0, count);
                }
            }
            catch (Exception ex)
            {
                // Buffers keep coming back, so the copier never waits for one forever; Finish reports it.
                _failure = ex;
            }

            _free.Add(buffer);
        }
    }

    private void StopHashing()
    {
        if (_thread is not null && !_pending.IsAddingCompleted)
        {
            _pending.CompleteAdding();
            _thread.Join();
        }
    }

    /// <summary>A copy that failed half-way still waits for the thread: it must not hash into a disposed hash.</summary>
    public void Dispose()
    {
        StopHashing();
        _sha256.Dispose();
        _free.Dispose();
        _pending.Dispose();
    }
}
