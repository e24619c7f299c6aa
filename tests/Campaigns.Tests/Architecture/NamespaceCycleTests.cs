using Campaigns.Seed;

namespace Campaigns.Tests.Architecture;

/// <summary>
/// Folders say what they own and depend one way: no folder of the service or the CLI uses a folder that (through any
/// chain) uses it back. Read from the compiled assemblies, so every reference counts, not only the using directives.
/// </summary>
public class NamespaceCycleTests
{
    [Fact]
    public void ServiceFoldersDependOneWay() =>
        AssertNoCycles(typeof(Program).Assembly.Location, "Campaigns.Api");

    [Fact]
    public void CliFoldersDependOneWay() =>
        AssertNoCycles(typeof(SeedProgram).Assembly.Location, "Campaigns.Seed");

    [Fact]
    public void ACycleThroughMethodBodiesIsFoundWithItsTypes()
    {
        var cycles = NamespaceGraph.Read(typeof(NamespaceCycleTests).Assembly.Location, "Campaigns.Tests.Architecture.CycleFixture").Cycles();

        var cycle = Assert.Single(cycles);
        Assert.Contains("CycleFixture.Ordering.Order -> Campaigns.Tests.Architecture.CycleFixture.Pricing.Price", cycle);
        Assert.Contains("CycleFixture.Pricing.Price -> Campaigns.Tests.Architecture.CycleFixture.Ordering.Order", cycle);
    }

    private static void AssertNoCycles(string assemblyPath, string rootNamespace)
    {
        var cycles = NamespaceGraph.Read(assemblyPath, rootNamespace).Cycles();
        Assert.True(cycles.Count == 0,
            $"Folders of {rootNamespace} that depend on each other (make the dependency point one way):{Environment.NewLine}" +
            string.Join(Environment.NewLine, cycles));
    }
}
