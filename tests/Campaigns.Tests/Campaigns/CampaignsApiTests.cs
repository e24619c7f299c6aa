using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Campaigns.Api.Campaigns;
using Campaigns.Api.Storage;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.Campaigns;

/// <summary>Every test runs once on SQLite and once on PostgreSQL: the API must behave the same on both.</summary>
public sealed class CampaignsApiTests
{
    [Theory]
    [Providers]
    public async Task ListingFiltersByPropertyAndActiveState(DatabaseProvider provider)
    {
        await using var api = new CampaignsApiFactory(provider: provider);
        var client = api.CreateClient();
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
    [Providers("?active=maybe", "active")]
    [Providers("?limit=0", "limit")]
    [Providers("?limit=1001", "limit")]
    [Providers("?offset=-1", "offset")]
    [Providers("?limit=abc", "limit")]
    [Providers("?limit=", "limit")]
    [Providers("?offset=1.5", "offset")]
    [Providers("?active=", "active")]
    [Providers("?active=true&active=false", "active")]
    public async Task BadQueryValuesReturnProblemDetailsNamingTheField(DatabaseProvider provider, string query, string field)
    {
        await using var api = new CampaignsApiFactory(provider: provider);
        var response = await api.CreateClient().GetAsync($"/api/campaigns{query}");
        await response.AssertValidationErrorAsync(field);
    }

    [Theory]
    [Providers]
    public async Task UnknownCampaignIdReturnsNotFoundProblem(DatabaseProvider provider)
    {
        await using var api = new CampaignsApiFactory(provider: provider);
        var response = await api.CreateClient().GetAsync("/api/campaigns/999999");
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [Providers]
    public async Task CreatingCampaignReturnsCreatedWithLocation(DatabaseProvider provider)
    {
        await using var api = new CampaignsApiFactory(provider: provider);
        var response = await api.CreateAdminClient().PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<CampaignDto>();
        Assert.Equal($"/api/campaigns/{created!.Id}", response.Headers.Location!.OriginalString);
        Assert.Equal("user", created.Source);
        var fetched = await api.CreateClient().GetFromJsonAsync<CampaignDto>(response.Headers.Location);
        Assert.Equal("Spring Sale", fetched!.Name);
    }

    [Theory]
    [Providers]
    public async Task CreatingCampaignWithoutKeyReturnsProblemDetails(DatabaseProvider provider)
    {
        await using var api = new CampaignsApiFactory(provider: provider);
        var response = await api.CreateAdminClient().PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign() with { Key = "" });
        await response.AssertValidationErrorAsync("key");
    }

    [Theory]
    [Providers("offerUrl", """{"key":"x-1","name":"X","property":"mmm","offerUrl":"javascript:alert(1)"}""")]
    [Providers("key", """{"key":"Has Spaces","name":"X","property":"mmm","offerUrl":"https://a.example"}""")]
    [Providers("name", """{"key":"x-2","name":"","property":"mmm","offerUrl":"https://a.example"}""")]
    [Providers("property", """{"key":"x-3","name":"X","property":"","offerUrl":"https://a.example"}""")]
    [Providers("priority", """{"key":"x-4","name":"X","property":"mmm","offerUrl":"https://a.example","priority":-5}""")]
    public async Task InvalidCampaignsAreRejectedWithTheFieldAtFault(DatabaseProvider provider, string field, string json)
    {
        await using var api = new CampaignsApiFactory(provider: provider);
        var response = await api.CreateAdminClient().PostAsync("/api/campaigns", Json(json));
        await response.AssertValidationErrorAsync(field);
    }

    [Theory]
    [Providers]
    public async Task RetiredCampaignCannotBeRecreated(DatabaseProvider provider)
    {
        await using var api = new CampaignsApiFactory(provider: provider);
        var response = await api.CreateAdminClient().PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("prizies", "Prizies"));
        var messages = await response.AssertValidationErrorAsync("key");
        Assert.Contains(messages, m => m.Contains("retired"));
    }

    [Theory]
    [Providers]
    public async Task DuplicateKeyReturnsConflict(DatabaseProvider provider)
    {
        await using var api = new CampaignsApiFactory(provider: provider);
        var response = await api.CreateAdminClient().PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("trading-tips", "Another"));
        await response.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Theory]
    [Providers("{ not json")]
    [Providers("""{"key":"a","name":"b","property":"mmm","priority":"high"}""")]
    [Providers("""{"key":"a","name":"b","property":"mmm","active":"yes"}""")]
    [Providers("[]")]
    public async Task MalformedJsonReturnsBadRequestNotServerError(DatabaseProvider provider, string body)
    {
        await using var api = new CampaignsApiFactory(provider: provider);
        var response = await api.CreateAdminClient().PostAsync("/api/campaigns", Json(body));
        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [Providers]
    public async Task OversizedBodyReturns413(DatabaseProvider provider)
    {
        await using var api = new CampaignsApiFactory(provider: provider);
        var huge = $$"""{"key":"big","name":"{{new string('x', 70 * 1024)}}"}""";
        var response = await api.CreateAdminClient().PostAsync("/api/campaigns", Json(huge));
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [Providers]
    public async Task UpdateAndDeleteChangeOnlyTheChosenCampaign(DatabaseProvider provider)
    {
        await using var api = new CampaignsApiFactory(provider: provider);
        var admin = api.CreateAdminClient();
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
    [Providers(null)]
    [Providers("Bearer wrong-key-wrong-key-wrong")]
    [Providers("Basic Og==")]
    [Providers("Bearer")]
    public async Task AdminEndpointsRejectMissingOrWrongKey(DatabaseProvider provider, string? authorization)
    {
        await using var api = new CampaignsApiFactory(provider: provider);
        var client = api.CreateClient();
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }

        await (await client.PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign())).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await client.DeleteAsync("/api/campaigns/1")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await client.PostAsync("/api/admin/reseed", null)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(12, (await client.GetCampaignsAsync()).Count);
    }

    [Theory]
    [Providers]
    public async Task AdminEndpointsStayLockedWhenNoKeyIsConfigured(DatabaseProvider provider)
    {
        await using var locked = new CampaignsApiFactory(settings: new Dictionary<string, string?> { ["ADMIN_API_KEY"] = "" }, provider: provider);
        var client = locked.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "");

        var problem = await (await client.PostAsync("/api/admin/reseed", null)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("ADMIN_API_KEY", problem.GetProperty("detail").GetString());
        Assert.True(locked.Logs.Contains("ADMIN_API_KEY is not set"));
    }

    [Theory]
    [Providers]
    public async Task OpenApiDocumentDescribesTheCampaignsApi(DatabaseProvider provider)
    {
        await using var api = new CampaignsApiFactory(provider: provider);
        var document = await api.CreateClient().GetStringAsync("/openapi/v1.json");
        Assert.Contains("/api/campaigns", document);
    }

    [Theory]
    [Providers]
    public async Task HealthReportsStorageDatabaseAndSeed(DatabaseProvider provider)
    {
        await using var api = new CampaignsApiFactory(provider: provider);
        var client = api.CreateClient();
        var health = await client.GetAsync("/health");
        var report = System.Text.Json.JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement;
        var database = report.GetProperty("database");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(12, database.GetProperty("activeCampaigns").GetInt32());
        if (provider == DatabaseProvider.Sqlite)
        {
            Assert.Equal("Degraded", report.GetProperty("status").GetString()); // a temp dir is not a volume
            Assert.Equal(api.DatabasePath, report.GetProperty("storage").GetProperty("databasePath").GetString());
            Assert.Equal("sqlite", database.GetProperty("provider").GetString());
            Assert.Contains("data will be lost", report.GetProperty("reasons")[0].GetString());
        }
        else
        {
            // The data is in the server: no volume needed, and the report names where it is but not the password.
            var url = DatabaseTarget.ParsePostgresUrl(api.DatabaseUrl!, "url");
            Assert.Equal("Healthy", report.GetProperty("status").GetString());
            Assert.Equal("postgresql", database.GetProperty("provider").GetString());
            Assert.Equal(url.Database, database.GetProperty("database").GetString());
            Assert.Equal(url.Host, report.GetProperty("storage").GetProperty("host").GetString());
            Assert.DoesNotContain(url.Password!, report.ToString());
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
