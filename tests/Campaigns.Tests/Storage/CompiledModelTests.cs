using Campaigns.Seed.Commands;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.Storage;

/// <summary>
/// The service starts from the compiled models in Storage/CompiledModels. Generated from OnModelCreating, they go stale
/// when the model changes; this fails until they are regenerated.
/// </summary>
public class CompiledModelTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public void CompiledModelMatchesTheModelBuiltFromOnModelCreating(string provider)
    {
        var target = DesignTimeTarget.All.Single(t => t.Name == provider);
        var directory = CompiledModels.Directory(target, Path.Combine(SolutionPaths.Root, "src", "Campaigns.Api"));
        var generated = CompiledModels.Generate(target);
        var committed = CompiledModels.ReadCommitted(directory);

        var stale = generated.Keys.Union(committed.Keys)
            .Where(name => !generated.TryGetValue(name, out var code) || !committed.TryGetValue(name, out var onDisk) || !CompiledModels.SameCode(code, onDisk))
            .Order()
            .ToList();
        Assert.True(stale.Count == 0,
            $"The {provider} compiled model in {directory} is stale ({string.Join(", ", stale)}). " +
            "Regenerate it: dotnet run --project src/Campaigns.Seed -- dev optimize-model");
    }
}
