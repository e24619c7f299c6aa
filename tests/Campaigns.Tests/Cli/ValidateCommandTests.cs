using Campaigns.Seed.Commands;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.Cli;

public sealed class ValidateCommandTests
{
    [Fact]
    public void ValidCanonicalFileExitsZeroWithSummary()
    {
        var output = new StringWriter();
        var exit = ValidateCommand.Run(SeedFiles.CanonicalPath, output, new StringWriter());

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("valid: version", output.ToString());
        Assert.Contains("12 active", output.ToString());
    }

    [Theory]
    [InlineData("""{"version":0,"expectedActive":1,"retired":[],"campaigns":[{"key":"a","name":"A","property":"mmm","active":true,"description":"","offerUrl":"https://a.example","imageUrl":"https://a.example/i.png","callToAction":"Go","priority":1}]}""", "$.version")]
    [InlineData("""{"version":1,"expectedActive":2,"retired":[],"campaigns":[{"key":"a","name":"A","property":"mmm","active":true,"description":"","offerUrl":"https://a.example","imageUrl":"https://a.example/i.png","callToAction":"Go","priority":1}]}""", "ActiveCount")]
    [InlineData("""{"version":1,"expectedActive":1,"retired":[{"key":"prizies","name":"Prizies","reason":"gone"}],"campaigns":[{"key":"prizies","name":"Prizies","property":"mmm","active":true,"description":"","offerUrl":"https://a.example","imageUrl":"https://a.example/i.png","callToAction":"Go","priority":1}]}""", "NotRetired")]
    [InlineData("""{"version":1,"expectedActive":2,"retired":[],"campaigns":[{"key":"a","name":"A","property":"mmm","active":true,"description":"","offerUrl":"https://a.example","imageUrl":"https://a.example/i.png","callToAction":"Go","priority":1},{"key":"a","name":"B","property":"mmm","active":true,"description":"","offerUrl":"https://a.example","imageUrl":"https://a.example/i.png","callToAction":"Go","priority":1}]}""", "UniqueKeys")]
    [InlineData("""{"version":1,"expectedActive":1,"retired":[],"campaigns":[{"key":"a","name":"A","property":"mmm","active":true,"description":"","offerUrl":"not a url","imageUrl":"https://a.example/i.png","callToAction":"Go","priority":1}]}""", "$.campaigns[0].offerUrl")]
    [InlineData("""{"version":1,"expectedActive":1,"campaigns":[{"key":"a","offer_url":"https://a.example"}]}""", "WellFormedJson")]
    [InlineData("""{"version":1,""", "WellFormedJson")]
    public void InvalidFileExitsNonZeroNamingFilePathAndRule(string json, string expected)
    {
        using var dir = new TempDirectory();
        var file = dir.Combine("campaigns.json");
        File.WriteAllText(file, json);
        var error = new StringWriter();

        var exit = ValidateCommand.Run(file, new StringWriter(), error);

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains(file, error.ToString());
        Assert.Contains(expected, error.ToString());
    }

    [Fact]
    public void MissingFileExitsNonZero()
    {
        var error = new StringWriter();
        Assert.Equal(ExitCodes.InvalidInput, ValidateCommand.Run("/nonexistent/campaigns.json", new StringWriter(), error));
        Assert.Contains("/nonexistent/campaigns.json", error.ToString());
    }
}
