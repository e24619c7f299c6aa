namespace Campaigns.Tests.Infrastructure;

/// <summary>A fresh directory per test, removed afterwards; the data directory the service is pointed at.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "campaigns-test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
        }
        catch (IOException)
        {
            // A process killed by a test may still hold a file for a moment; the OS cleans /tmp eventually.
        }
    }
}
