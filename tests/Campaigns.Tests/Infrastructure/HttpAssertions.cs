using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Campaigns.Api.Campaigns;

namespace Campaigns.Tests.Infrastructure;

public static class HttpAssertions
{
    /// <summary>Asserts an RFC 9457 problem document with the given status, and returns it for further checks.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.True(problem.TryGetProperty("title", out _), body);
        return problem;
    }

    public static async Task<string[]> AssertValidationErrorAsync(this HttpResponseMessage response, string field)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.TryGetProperty("errors", out var errors), problem.ToString());
        Assert.True(errors.TryGetProperty(field, out var messages), $"No error for '{field}' in {errors}");
        return messages.EnumerateArray().Select(m => m.GetString()!).ToArray();
    }

    /// <summary>Posts to an endpoint that starts a job, asserts the 202 and returns the job's status URL.</summary>
    public static async Task<string> StartJobAsync(this HttpClient admin, string path, object? body)
    {
        var response = body is null ? await admin.PostAsync(path, null) : await admin.PostAsJsonAsync(path, body);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("statusUrl").GetString()!;
    }

    /// <summary>Polls a job's status URL until it has finished (succeeded or failed) and returns the job document.</summary>
    public static async Task<JsonElement> WaitForJobAsync(this HttpClient client, string statusUrl, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var job = await client.GetFromJsonAsync<JsonElement>(statusUrl);
            var state = job.GetProperty("state").GetString();
            if (state is "succeeded" or "failed")
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Job still {state} after the timeout: {job}");
            await Task.Delay(50);
        }
    }

    /// <summary>Polls until the job reaches <paramref name="state"/> (for a job a test holds open).</summary>
    public static async Task WaitForJobStateAsync(this HttpClient client, string statusUrl, string state)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await client.GetFromJsonAsync<JsonElement>(statusUrl)).GetProperty("state").GetString() != state)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Job at {statusUrl} never reached {state}");
            await Task.Delay(20);
        }
    }

    /// <summary>The backup catalog once it lists one: a start's own backup follows readiness, in the background.</summary>
    public static async Task<JsonElement[]> WaitForBackupsAsync(this HttpClient admin, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        for (JsonElement[] backups; ; await Task.Delay(100))
        {
            if ((backups = (await admin.GetFromJsonAsync<JsonElement[]>("/api/admin/backups"))!).Length > 0)
            {
                return backups;
            }

            Assert.True(DateTime.UtcNow < deadline, "no backup was listed in time (the startup backup follows readiness)");
        }
    }

    public static async Task<List<CampaignDto>> GetCampaignsAsync(this HttpClient client, string query = "") =>
        (await client.GetFromJsonAsync<List<CampaignDto>>($"/api/campaigns{query}"))!;

    public static CampaignRequest NewCampaign(string key = "spring-sale", string name = "Spring Sale") => new()
    {
        Key = key,
        Name = name,
        Property = "mmm",
        Description = "A user-created campaign.",
        OfferUrl = "https://offers.example.com/spring",
        ImageUrl = "https://cdn.example.com/spring.png",
        CallToAction = "Shop now",
        Priority = 500,
    };
}
