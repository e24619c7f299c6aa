using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.Campaigns;

public sealed class FieldNameSpellingTests
{
    [Fact]
    public async Task FieldErrorsNameTheFieldAsTheJsonSpellsItInTheKeyAndTheMessage()
    {
        await using var api = new CampaignsApiFactory();

        var response = await api.CreateAdminClient().PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign() with { OfferUrl = "ftp://x", CallToAction = new string('x', 500) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.Equal("'offerUrl' must be an absolute http or https URL.", errors.GetProperty("offerUrl")[0].GetString());
        Assert.StartsWith("The length of 'callToAction' must be", errors.GetProperty("callToAction")[0].GetString());
    }
}
