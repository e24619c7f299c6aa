namespace Campaigns.Api.Storage;

/// <summary>
/// Run from the source (`dotnet run`), the service's content root is its project folder (src/Campaigns.Api) while the
/// CLI's is wherever it was started, usually the repository root: "./data" would mean two different places. Both
/// take the default data directory at the root of the checkout instead, so the README's commands meet the same data.
/// </summary>
public static class SourceCheckout
{
    public const string SolutionFile = "Campaigns.sln";

    /// <summary>The checkout holding <paramref name="contentRoot"/> when that is the checkout's root or a project folder in it; else null.</summary>
    public static string? RootFor(string contentRoot)
    {
        var start = new DirectoryInfo(contentRoot);
        if (!start.Exists)
        {
            return null;
        }

        if (File.Exists(Path.Combine(start.FullName, SolutionFile)))
        {
            return start.FullName;
        }

        // Only from a project folder (src/<project>): a published app elsewhere in a checkout keeps its own ./data.
        if (start.EnumerateFiles("*.csproj").Any() && start.Parent?.Parent is { } root && File.Exists(Path.Combine(root.FullName, SolutionFile)))
        {
            return root.FullName;
        }

        return null;
    }
}
