using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Campaigns.Api.Common;
using Campaigns.Api.Restores;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.Contract;

/// <summary>The served OpenAPI document: linted, read as a client generator would, and used through a generated client.</summary>
public sealed class ContractTests
{
    [ContractFact]
    public async Task ServedDocumentPassesRedoclyLintWithNoErrorsOrWarnings()
    {
        // Served over a real socket, as in production: the test server's http://localhost would be linted as a placeholder.
        await using var api = new CampaignsApiFactory();
        using var client = new HttpClient { BaseAddress = api.StartOnLoopback() };
        var document = await FetchAsync(client);
        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "openapi.json");
        await File.WriteAllTextAsync(file, document);

        var (exitCode, output) = await ContractTools.RunAsync("redocly", $"lint \"{file}\" --config redocly.yaml --format=json");

        var json = output[output.IndexOf('{')..(output.LastIndexOf('}') + 1)];
        var totals = JsonNode.Parse(json)!["totals"]!;
        Assert.True(exitCode == 0 && totals["errors"]!.GetValue<int>() == 0 && totals["warnings"]!.GetValue<int>() == 0, output);
    }

    [Fact]
    public async Task EveryOperationExceptTheHealthProbesDocumentsAClientError()
    {
        var document = await DocumentAsync();
        var missing = Operations(document)
            .Where(o => !o.Path.StartsWith("/health", StringComparison.Ordinal))
            .Where(o => !o.Operation["responses"]!.AsObject().Any(r => r.Key.StartsWith('4')))
            .Select(o => $"{o.Method} {o.Path}").ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public async Task AdminOperationsNeedTheBearerSchemeAndAnswer401And429WhilePublicOnesNeedNoKey()
    {
        var document = await DocumentAsync();
        var scheme = document["components"]!["securitySchemes"]!["adminKey"]!;
        Assert.Equal(("http", "bearer"), (scheme["type"]!.GetValue<string>(), scheme["scheme"]!.GetValue<string>()));

        string[] publicOperations = ["GET /api/campaigns", "GET /api/campaigns/{id}", "GET /health", "GET /health/live"];
        foreach (var (method, path, operation) in Operations(document))
        {
            var name = $"{method} {path}";
            var security = operation["security"]!.AsArray();
            if (publicOperations.Contains(name))
            {
                Assert.True(security.Count == 0, $"{name} should need no key: {security}");
                continue;
            }

            Assert.True(security.Count == 1 && security[0]!.AsObject().ContainsKey("adminKey"), $"{name}: {security}");
            Assert.True(operation["responses"]!["401"] is not null, $"{name} documents no 401");
            Assert.NotNull(operation["responses"]!["429"]!["headers"]!["Retry-After"]);
        }
    }

    [Fact]
    public async Task DocumentListsWhatTheServiceAnswersWithTypedParametersAndRequiredFields()
    {
        var document = await DocumentAsync();
        var paths = document["paths"]!;
        var list = paths["/api/campaigns"]!["get"]!;
        var parameters = list["parameters"]!.AsArray().ToDictionary(p => p!["name"]!.GetValue<string>(), p => p!["schema"]!);
        Assert.Equal("boolean", parameters["active"]["type"]!.GetValue<string>());
        Assert.Equal(("integer", 1, 1000), (parameters["limit"]["type"]!.GetValue<string>(), parameters["limit"]["minimum"]!.GetValue<int>(), parameters["limit"]["maximum"]!.GetValue<int>()));
        Assert.Equal(("integer", 0), (parameters["offset"]["type"]!.GetValue<string>(), parameters["offset"]["minimum"]!.GetValue<int>()));
        Assert.Equal("HttpValidationProblemDetails", RefName(list["responses"]!["400"]!["content"]!["application/problem+json"]!["schema"]!));

        var create = paths["/api/campaigns"]!["post"]!["responses"]!.AsObject();
        Assert.Equal(["201", "400", "401", "409", "413", "415", "429", "503", "507"], create.Select(r => r.Key).Order());
        Assert.NotNull(create["201"]!["headers"]!["Location"]);
        var starting = create["503"]!;
        Assert.NotNull(starting["headers"]!["Retry-After"]);
        Assert.Equal("ProblemDetails", RefName(starting["content"]!["application/problem+json"]!["schema"]!));
        Assert.Equal("ProblemDetails", RefName(paths["/api/campaigns/{id}"]!["get"]!["responses"]!["404"]!["content"]!["application/problem+json"]!["schema"]!));

        var schemas = document["components"]!["schemas"]!;
        Assert.Equal(["key", "name", "offerUrl", "property"], schemas["CampaignRequest"]!["required"]!.AsArray().Select(r => r!.GetValue<string>()).Order());
        var key = schemas["CampaignRequest"]!["properties"]!["key"]!;
        Assert.Equal((64, "^[a-z0-9]+(-[a-z0-9]+)*$"), (key["maxLength"]!.GetValue<int>(), key["pattern"]!.GetValue<string>()));
        var restore = schemas["RestoreRequest"]!;
        Assert.Equal(["source"], restore["required"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal(WireNames.All<RestoreSource>(), restore["properties"]!["source"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()));

        var result = schemas["JobDto"]!["properties"]!["result"]!["oneOf"]!.AsArray();
        Assert.Equal(["BackupDto", "RestoreResult"], result.Where(s => s!["$ref"] is not null).Select(s => RefName(s!)));
        Assert.NotNull(paths["/api/admin/restore"]!["post"]!["responses"]!["202"]!["headers"]!["Location"]);
        Assert.NotNull(paths["/api/admin/backups/{name}"]!["get"]!["responses"]!["200"]!["content"]!["application/octet-stream"]);
        Assert.Contains("canonical seed file", paths["/api/admin/reseed"]!["post"]!["responses"]!["503"]!["description"]!.GetValue<string>());
        Assert.NotNull(paths["/health"]!["get"]!["responses"]!["503"]);
        Assert.NotNull(paths["/health/live"]!["get"]!["responses"]!["200"]);
        Assert.All(document["tags"]!.AsArray(), tag => Assert.False(string.IsNullOrEmpty(tag!["description"]?.GetValue<string>())));
        Assert.All(Operations(document), o => Assert.False(string.IsNullOrEmpty(o.Operation["summary"]?.GetValue<string>()), $"{o.Method} {o.Path}"));
    }

    [Fact]
    public async Task ResponsesThatBreakTheDocumentAreCaught()
    {
        var contract = await OpenApiContract.ServedAsync(new Dictionary<string, string?>());
        using var wrongShape = new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = JsonContent.Create(new[] { new { id = "not a number" } }) };
        using var undocumented = new HttpResponseMessage(System.Net.HttpStatusCode.Conflict) { Content = JsonContent.Create(new { }) };

        Assert.Contains("does not match its schema", contract.Check(HttpMethod.Get, "/api/campaigns", wrongShape.StatusCode, wrongShape, await wrongShape.Content.ReadAsStringAsync()));
        Assert.Contains("does not document", contract.Check(HttpMethod.Get, "/api/campaigns/7", undocumented.StatusCode, undocumented, "{}"));
        Assert.Null(contract.Check(HttpMethod.Get, "/index.html", undocumented.StatusCode, undocumented, "{}"));
    }

    [ContractFact]
    public async Task GeneratedTypeScriptClientReadsCampaignsAsEmailGenerationWould()
    {
        await using var api = new CampaignsApiFactory();
        var address = api.StartOnLoopback();
        using var client = new HttpClient { BaseAddress = address };
        var document = await FetchAsync(client);
        var out_ = Path.Combine(ContractTools.Directory, "out");
        System.IO.Directory.CreateDirectory(out_);
        var file = Path.Combine(out_, "openapi.json");
        await File.WriteAllTextAsync(file, document);

        var generated = await ContractTools.RunAsync("openapi-typescript", $"\"{file}\" -o out/schema.d.ts");
        Assert.True(generated.ExitCode == 0, generated.Output);
        var compiled = await ContractTools.RunAsync("tsc", "-p tsconfig.json");
        Assert.True(compiled.ExitCode == 0, compiled.Output);
        var run = await ContractTools.RunProcessAsync("node", $"out/email-generation.js {address.ToString().TrimEnd('/')} mmm");
        Assert.True(run.ExitCode == 0, run.Output);

        var seen = JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
        var expected = (await api.CreateClient().GetCampaignsAsync("?active=true&property=mmm")).Select(c => c.Key).ToArray();
        Assert.Equal(expected, seen["listed"]!.AsArray().Select(k => k!.GetValue<string>()));
        Assert.True(seen["allActive"]!.GetValue<bool>());
        var featured = (await api.CreateClient().GetCampaignsAsync("?active=true&property=mmm"))[0];
        Assert.Equal(featured.Key, seen["featured"]!.GetValue<string>());
        Assert.StartsWith(featured.OfferUrl.TrimEnd('/'), seen["link"]!.GetValue<string>());
        Assert.Contains($"utm_campaign={featured.Key}", seen["link"]!.GetValue<string>());
        Assert.Equal((404, "Not Found"), (seen["missingStatus"]!.GetValue<int>(), seen["missingTitle"]!.GetValue<string>()));
    }

    private static async Task<JsonNode> DocumentAsync() => (await OpenApiContract.ServedAsync(new Dictionary<string, string?>())).Document;

    private static async Task<string> FetchAsync(HttpClient client)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(60); ; await Task.Delay(100))
        {
            using var response = await client.GetAsync("/openapi/v1.json");
            if (response.IsSuccessStatusCode)
            {
                return await response.Content.ReadAsStringAsync();
            }

            Assert.True(DateTime.UtcNow < deadline, $"/openapi/v1.json answered {(int)response.StatusCode} for 60 s");
        }
    }

    private static IEnumerable<(string Method, string Path, JsonNode Operation)> Operations(JsonNode document) =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(o => o.Key is "get" or "post" or "put" or "delete" or "patch")
            .Select(o => (o.Key.ToUpperInvariant(), path.Key, o.Value!)));

    private static string RefName(JsonNode schema) => schema["$ref"]!.GetValue<string>().Split('/')[^1];
}
