using System.Runtime.InteropServices;

namespace Campaigns.Api.SqliteFiles;

/// <summary>
/// Work that must not take the cores from requests (a backup's copy, hash and check): it runs on a thread of its own at
/// nice 10, so on a small container the scheduler serves requests first and the backup takes the idle time. Where the
/// priority cannot be lowered (no glibc) the work still runs, at normal priority.
/// </summary>
public static class LowPriority
{
    private const int PrioProcess = 0;
    private const int Nice = 10;

    public static Task<T> Run<T>(Func<T> work, string name)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            Lower();
            try
            {
                result.SetResult(work());
            }
            catch (Exception ex)
            {
                result.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return result.Task;
    }

    private static void Lower()
    {
        try
        {
            // On Linux a thread is a task of its own: PRIO_PROCESS with its thread id lowers this thread only.
            _ = setpriority(PrioProcess, gettid(), Nice);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // not glibc: normal priority
        }
    }

    [DllImport("libc.so.6")]
    private static extern int setpriority(int which, int who, int priority);

    [DllImport("libc.so.6")]
    private static extern int gettid();
}
