using System.Net.Http.Json;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.Campaigns;

public sealed class QueryBindingTests
{
    /// <summary>Minimal APIs only throw on binding failures in Development by default; the service asks for it everywhere.</summary>
    [Theory]
    [InlineData("?limit=abc", "limit")]
    [InlineData("?active=maybe", "active")]
    public async Task BadQueryValuesNameTheFieldInProductionToo(string query, string field)
    {
        await using var api = new CampaignsApiFactory(settings: new Dictionary<string, string?> { ["Storage:AllowEphemeral"] = "true" }, environment: "Production");
        var messages = await (await api.CreateClient().GetAsync($"/api/campaigns{query}")).AssertValidationErrorAsync(field);
        Assert.Contains(messages, m => m.StartsWith($"'{field}' must be", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MalformedJsonNamesTheFieldInProductionToo()
    {
        await using var api = new CampaignsApiFactory(settings: new Dictionary<string, string?> { ["Storage:AllowEphemeral"] = "true" }, environment: "Production");
        var response = await api.CreateAdminClient().PostAsync("/api/campaigns",
            JsonContent.Create(new { key = "x-1", name = "X", property = "mmm", offerUrl = "https://a.example", priority = "high" }));
        await response.AssertValidationErrorAsync("priority");
    }
}
