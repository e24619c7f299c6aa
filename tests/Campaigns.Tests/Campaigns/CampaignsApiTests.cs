using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Campaigns.Api.Campaigns;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.Campaigns;

public sealed class CampaignsApiTests : IAsyncLifetime
{
    private readonly CampaignsApiFactory _api = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task ListingFiltersByPropertyAndActiveState()
    {
        var client = _api.CreateClient();
        var mmm = await client.GetCampaignsAsync("?property=mmm");
        var inactive = await client.GetCampaignsAsync("?active=false");
        var page = await client.GetCampaignsAsync("?limit=5&offset=10");

        Assert.NotEmpty(mmm);
        Assert.All(mmm, c => Assert.Equal("mmm", c.Property));
        Assert.True(mmm.Count < 12);
        Assert.Empty(inactive);
        Assert.Equal(2, page.Count);
    }

    [Theory]
    [InlineData("?active=maybe", "active")]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=1001", "limit")]
    [InlineData("?offset=-1", "offset")]
    public async Task BadQueryValuesReturnProblemDetailsNamingTheField(string query, string field)
    {
        var response = await _api.CreateClient().GetAsync($"/api/campaigns{query}");
        await response.AssertValidationErrorAsync(field);
    }

    [Fact]
    public async Task UnknownCampaignIdReturnsNotFoundProblem()
    {
        var response = await _api.CreateClient().GetAsync("/api/campaigns/999999");
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task CreatingCampaignReturnsCreatedWithLocation()
    {
        var response = await _api.CreateAdminClient().PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<CampaignDto>();
        Assert.Equal($"/api/campaigns/{created!.Id}", response.Headers.Location!.OriginalString);
        Assert.Equal("user", created.Source);
        var fetched = await _api.CreateClient().GetFromJsonAsync<CampaignDto>(response.Headers.Location);
        Assert.Equal("Spring Sale", fetched!.Name);
    }

    [Fact]
    public async Task CreatingCampaignWithoutKeyReturnsProblemDetails()
    {
        var response = await _api.CreateAdminClient().PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign() with { Key = "" });
        await response.AssertValidationErrorAsync("key");
    }

    [Theory]
    [InlineData("offerUrl", """{"key":"x-1","name":"X","property":"mmm","offerUrl":"javascript:alert(1)"}""")]
    [InlineData("key", """{"key":"Has Spaces","name":"X","property":"mmm","offerUrl":"https://a.example"}""")]
    [InlineData("name", """{"key":"x-2","name":"","property":"mmm","offerUrl":"https://a.example"}""")]
    [InlineData("property", """{"key":"x-3","name":"X","property":"","offerUrl":"https://a.example"}""")]
    [InlineData("priority", """{"key":"x-4","name":"X","property":"mmm","offerUrl":"https://a.example","priority":-5}""")]
    public async Task InvalidCampaignsAreRejectedWithTheFieldAtFault(string field, string json)
    {
        var response = await _api.CreateAdminClient().PostAsync("/api/campaigns", Json(json));
        await response.AssertValidationErrorAsync(field);
    }

    [Fact]
    public async Task RetiredCampaignCannotBeRecreated()
    {
        var response = await _api.CreateAdminClient().PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("prizies", "Prizies"));
        var messages = await response.AssertValidationErrorAsync("key");
        Assert.Contains(messages, m => m.Contains("retired"));
    }

    [Fact]
    public async Task DuplicateKeyReturnsConflict()
    {
        var response = await _api.CreateAdminClient().PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("trading-tips", "Another"));
        await response.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("""{"key":"a","name":"b","property":"mmm","priority":"high"}""")]
    [InlineData("""{"key":"a","name":"b","property":"mmm","active":"yes"}""")]
    [InlineData("[]")]
    public async Task MalformedJsonReturnsBadRequestNotServerError(string body)
    {
        var response = await _api.CreateAdminClient().PostAsync("/api/campaigns", Json(body));
        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task OversizedBodyReturns413()
    {
        var huge = $$"""{"key":"big","name":"{{new string('x', 70 * 1024)}}"}""";
        var response = await _api.CreateAdminClient().PostAsync("/api/campaigns", Json(huge));
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task UpdateAndDeleteChangeOnlyTheChosenCampaign()
    {
        var admin = _api.CreateAdminClient();
        var created = await (await admin.PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign())).Content.ReadFromJsonAsync<CampaignDto>();

        var update = await admin.PutAsJsonAsync($"/api/campaigns/{created!.Id}", HttpAssertions.NewCampaign() with { Name = "Summer Sale", Active = false });
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.False((await update.Content.ReadFromJsonAsync<CampaignDto>())!.Active);

        var missing = await admin.PutAsJsonAsync("/api/campaigns/987654", HttpAssertions.NewCampaign("other-key"));
        await missing.AssertProblemAsync(HttpStatusCode.NotFound);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/campaigns/{created.Id}")).StatusCode);
        await (await admin.DeleteAsync($"/api/campaigns/{created.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(12, (await admin.GetCampaignsAsync()).Count);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-key-wrong-key-wrong")]
    [InlineData("Basic Og==")]
    [InlineData("Bearer")]
    public async Task AdminEndpointsRejectMissingOrWrongKey(string? authorization)
    {
        var client = _api.CreateClient();
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }

        await (await client.PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign())).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await client.DeleteAsync("/api/campaigns/1")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await client.PostAsync("/api/admin/reseed", null)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(12, (await client.GetCampaignsAsync()).Count);
    }

    [Fact]
    public async Task AdminEndpointsStayLockedWhenNoKeyIsConfigured()
    {
        await using var locked = new CampaignsApiFactory(settings: new Dictionary<string, string?> { ["ADMIN_API_KEY"] = "" });
        var client = locked.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "");

        var problem = await (await client.PostAsync("/api/admin/reseed", null)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("ADMIN_API_KEY", problem.GetProperty("detail").GetString());
        Assert.True(locked.Logs.Contains("ADMIN_API_KEY is not set"));
    }

    [Fact]
    public async Task OpenApiDocumentDescribesTheCampaignsApi()
    {
        var document = await _api.CreateClient().GetStringAsync("/openapi/v1.json");
        Assert.Contains("/api/campaigns", document);
    }

    [Fact]
    public async Task HealthReportsStorageDatabaseAndSeed()
    {
        var client = _api.CreateClient();
        var health = await client.GetAsync("/health");
        var report = System.Text.Json.JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Degraded", report.GetProperty("status").GetString()); // a temp dir is not a volume
        Assert.Equal(_api.DatabasePath, report.GetProperty("storage").GetProperty("databasePath").GetString());
        Assert.Equal(12, report.GetProperty("database").GetProperty("activeCampaigns").GetInt32());
        Assert.Equal("sqlite", report.GetProperty("database").GetProperty("provider").GetString());
        Assert.Contains("data will be lost", report.GetProperty("reasons")[0].GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
