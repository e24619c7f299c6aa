using System.Diagnostics;

namespace Campaigns.Tests.Infrastructure;

public static class Processes
{
    /// <summary>Whether a server a test run started (and recorded by pid) still runs, so a later run can reuse or reap it.</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
