using System.Text.RegularExpressions;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.Architecture;

/// <summary>The README's Development section describes the layout: every folder of the service and the CLI, the
/// service's in an order in which each uses only folders above it.</summary>
public partial class LayoutDocumentationTests
{
    private static readonly string Layout = LayoutText();

    [Fact]
    public void EveryFolderOfTheServiceAndTheCliIsDescribed()
    {
        var mentioned = FolderMention().Matches(Layout).Select(m => m.Groups[1].Value).ToHashSet();
        var missing = new[] { "Campaigns.Api", "Campaigns.Seed" }
            .SelectMany(project => Folders(Path.Combine(SolutionPaths.Root, "src", project)))
            .Where(folder => !mentioned.Contains(Path.GetFileName(folder)))
            .Select(folder => Path.GetRelativePath(SolutionPaths.Root, folder))
            .ToList();
        Assert.True(missing.Count == 0, $"The README's layout does not mention {string.Join(", ", missing)}");
    }

    [Fact]
    public void EachDescribedFolderUsesOnlyFoldersAboveIt()
    {
        var order = LayoutEntry().Matches(Layout).Select(m => m.Groups[1].Value).ToList();
        var source = Path.Combine(SolutionPaths.Root, "src", "Campaigns.Api");
        Assert.Equal(Folders(source).Where(f => Path.GetDirectoryName(f) == source && Directory.EnumerateFiles(f, "*.cs", SearchOption.AllDirectories).Any())
            .Select(Path.GetFileName).Order(), order.Order());

        var graph = NamespaceGraph.Read(typeof(Program).Assembly.Location, "Campaigns.Api");
        var upward = graph.Edges.Keys
            .Where(e => e.From != "Campaigns.Api")
            .Where(e => order.IndexOf(Folder(e.To)) > order.IndexOf(Folder(e.From)))
            .Select(e => $"{Folder(e.From)} uses {Folder(e.To)} ({graph.Edges[e].First()})")
            .ToList();
        Assert.True(upward.Count == 0, $"The README lists these folders above what they use:{Environment.NewLine}{string.Join(Environment.NewLine, upward)}");
    }

    private static string Folder(string ns) => ns["Campaigns.Api.".Length..];

    private static IEnumerable<string> Folders(string project) =>
        Directory.EnumerateDirectories(project, "*", SearchOption.AllDirectories)
            .Where(d => !Path.GetRelativePath(project, d).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"));

    private static string LayoutText()
    {
        var readme = File.ReadAllText(Path.Combine(SolutionPaths.Root, "README.md"));
        var development = readme[readme.IndexOf("\n## Development", StringComparison.Ordinal)..];
        var start = development.IndexOf("- Layout:", StringComparison.Ordinal);
        var end = development.IndexOf("\n- ", start + 1, StringComparison.Ordinal);
        return development[start..end];
    }

    [GeneratedRegex(@"`([\w.]+)/`")]
    private static partial Regex FolderMention();

    [GeneratedRegex(@"^  - `(\w+)/`:", RegexOptions.Multiline)]
    private static partial Regex LayoutEntry();
}
