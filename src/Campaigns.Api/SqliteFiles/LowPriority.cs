using System.Runtime.InteropServices;

namespace Campaigns.Api.SqliteFiles;

/// <summary>
/// Work that must not take the cores from requests, on a thread of its own. <see cref="Run{T}"/> runs it at nice 10, so
/// the scheduler serves requests first. <see cref="RunWhenIdle{T}"/> (a backup's copy, hash and check: seconds of both
/// cores) runs it under SCHED_IDLE: it only gets cores no request wants, and a request thread that wakes up takes the
/// core from it at once, where at nice 10 it may first wait for the backup's thread to finish its slice. A backup holds a
/// read snapshot that keeps checkpoints from shortening the WAL, so it must not starve behind a machine that never
/// idles: after <see cref="IdleFor"/> its thread goes back to the normal policy at nice 10, where it gets a small share
/// however busy the cores are. Where SCHED_IDLE could not be left again (no CAP_SYS_NICE and RLIMIT_NICE at 0, as in
/// a default Docker container) it is not entered: nice 10 only. Where neither can be set (no glibc) the work still
/// runs, at normal priority.
/// </summary>
public static class LowPriority
{
    /// <summary>A 1 GB backup takes 1.5–2 s on an idle machine, 5–15 s when other processes keep both cores busy.</summary>
    public static readonly TimeSpan IdleFor = TimeSpan.FromSeconds(10);

    private const int PrioProcess = 0;
    private const int Nice = 10;
    private const int SchedOther = 0;
    private const int SchedIdle = 5;

    private static readonly Lazy<bool> IdleCanBeLeft = new(ProbeIdleCanBeLeft);

    public static Task<T> Run<T>(Func<T> work, string name) => Start(work, name, idleFor: null);

    public static Task<T> RunWhenIdle<T>(Func<T> work, string name) => RunWhenIdle(work, name, IdleFor);

    /// <param name="idleFor">How long the work may run under SCHED_IDLE before it goes back to nice 10.</param>
    internal static Task<T> RunWhenIdle<T>(Func<T> work, string name, TimeSpan idleFor) => Start(work, name, idleFor);

    private static Task<T> Start<T>(Func<T> work, string name, TimeSpan? idleFor)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            using var _ = Lower(idleFor);
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

    /// <summary>Lowers this thread; disposing the result (on this thread, when the work is done) cancels the way back.</summary>
    private static IDisposable? Lower(TimeSpan? idleFor)
    {
        try
        {
            // On Linux a thread is a task of its own: PRIO_PROCESS and sched_setscheduler with its thread id change this thread only.
            var tid = gettid();
            _ = setpriority(PrioProcess, tid, Nice);
            return idleFor is { } limit && IdleCanBeLeft.Value && SetPolicy(tid, SchedIdle) ? new WayBack(tid, limit) : null;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null; // not glibc: normal priority
        }
    }

    /// <summary>Once per process, on a thread of its own: a thread that entered SCHED_IDLE and could not leave it would starve.</summary>
    private static bool ProbeIdleCanBeLeft()
    {
        var canLeave = false;
        var probe = new Thread(() =>
        {
            try
            {
                var tid = gettid();
                canLeave = SetPolicy(tid, SchedIdle) && SetPolicy(tid, SchedOther);
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                canLeave = false;
            }
        })
        {
            IsBackground = true,
            Name = "campaigns-prio-probe",
        };
        probe.Start();
        probe.Join();
        return canLeave;
    }

    private static bool SetPolicy(int tid, int policy)
    {
        var priority = 0; // struct sched_param { int sched_priority; }: 0 for both policies
        return sched_setscheduler(tid, policy, ref priority) == 0;
    }

    /// <summary>
    /// A timer on the thread pool (normal priority: a starved thread could not switch itself back). Disposed by the
    /// lowered thread before it ends, under the lock, so the timer never changes a thread id the kernel has reused.
    /// </summary>
    private sealed class WayBack : IDisposable
    {
        private readonly Lock _lock = new();
        private readonly Timer _timer;
        private readonly int _tid;
        private bool _done;

        public WayBack(int tid, TimeSpan after)
        {
            _tid = tid;
            _timer = new Timer(_ => Leave(), null, after, Timeout.InfiniteTimeSpan);
        }

        private void Leave()
        {
            lock (_lock)
            {
                if (!_done)
                {
                    _ = SetPolicy(_tid, SchedOther); // nice 10 was set before, and SCHED_IDLE kept it
                }
            }
        }

        public void Dispose()
        {
            lock (_lock)
            {
                _done = true;
            }

            _timer.Dispose();
        }
    }

    [DllImport("libc.so.6")]
    private static extern int setpriority(int which, int who, int priority);

    [DllImport("libc.so.6")]
    private static extern int sched_setscheduler(int pid, int policy, ref int priority);

    [DllImport("libc.so.6")]
    private static extern int gettid();
}
