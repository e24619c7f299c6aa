using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Campaigns.Tests.Infrastructure;
using Json.Schema;

namespace Campaigns.Tests.Contract;

/// <summary>
/// The OpenAPI document as the service serves it, used as a contract: a response to a documented operation must have
/// a documented status, content type, required headers, and a body valid against the schema for them.
/// </summary>
public sealed class OpenApiContract
{
    private static readonly Uri BaseUri = new("https://contract.campaigns.test/openapi/v1.json");
    private static readonly ConcurrentDictionary<string, Lazy<Task<OpenApiContract>>> Served = new();

    private readonly EvaluationOptions _options;
    private readonly List<(Regex Path, string Template)> _paths;

    public OpenApiContract(JsonNode document)
    {
        Document = document;
        _options = new EvaluationOptions { OutputFormat = OutputFormat.List };
        _options.SchemaRegistry.Register(new JsonNodeBaseDocument(document, BaseUri));
        _paths = document["paths"]!.AsObject()
            .Select(p => (new Regex("^" + Regex.Replace(Regex.Escape(p.Key), @"\\\{[^/]+?}", "[^/]+") + "$"), p.Key))
            .ToList();
    }

    public JsonNode Document { get; }

    /// <summary>
    /// The document served with these settings, fetched once per variant from a host of its own (the host under test
    /// may be held in its startup on purpose, when it answers everything but /health with 503).
    /// </summary>
    public static Task<OpenApiContract> ServedAsync(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        // Of the settings, only a limit on public reads changes the document (their 429).
        var documentSettings = settings.Where(s => s.Key == "RateLimits:PublicRequestsPerMinute").ToDictionary(s => s.Key, s => s.Value);
        var variant = string.Join(";", documentSettings.Select(s => $"{s.Key}={s.Value}"));
        return Served.GetOrAdd(variant, _ => new Lazy<Task<OpenApiContract>>(() => FetchAsync(documentSettings))).Value;
    }

    private static async Task<OpenApiContract> FetchAsync(IDictionary<string, string?> settings)
    {
        await using var api = new CampaignsApiFactory(settings: settings);
        using var client = api.Server.CreateClient(); // not api.CreateClient(): that one checks responses against this document
        for (var deadline = DateTime.UtcNow.AddSeconds(60); ; await Task.Delay(100))
        {
            using var response = await client.GetAsync("/openapi/v1.json");
            if (response.IsSuccessStatusCode)
            {
                return new OpenApiContract(JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
            }

            Assert.True(DateTime.UtcNow < deadline, $"/openapi/v1.json answered {(int)response.StatusCode} for 60 s");
        }
    }

    /// <summary>The operation's path template, or null when the request is outside the documented API (pages, /hangfire).</summary>
    public string? TemplateOf(string path) => _paths.FirstOrDefault(p => p.Path.IsMatch(path)).Template;

    /// <returns>What is wrong with the response, or null when it keeps the contract (or is outside it).</returns>
    public string? Check(HttpMethod method, string path, HttpStatusCode status, HttpResponseMessage response, string? body)
    {
        if (TemplateOf(path) is not { } template || Document["paths"]![template]![method.Method.ToLowerInvariant()] is not JsonObject operation)
        {
            return null;
        }

        var where = $"{method} {path} ({operation["operationId"]}) answered {(int)status}";
        if (operation["responses"]![((int)status).ToString()] is not JsonObject documented)
        {
            return $"{where}, which its operation does not document: {Shorten(body)}";
        }

        foreach (var (name, header) in documented["headers"]?.AsObject() ?? [])
        {
            if (header?["required"]?.GetValue<bool>() == true && !response.Headers.Contains(name) && response.Content?.Headers.Contains(name) != true)
            {
                return $"{where} without the required {name} header";
            }
        }

        var mediaType = response.Content?.Headers.ContentType?.MediaType;
        var content = documented["content"]?.AsObject();
        if (content is null || content.Count == 0)
        {
            return string.IsNullOrEmpty(body) ? null : $"{where} with a body the document does not describe: {Shorten(body)}";
        }

        if (mediaType is null || !content.ContainsKey(mediaType))
        {
            return $"{where} as '{mediaType}', not one of {string.Join(", ", content.Select(c => c.Key))}";
        }

        if (body is null || content[mediaType]?["schema"] is null)
        {
            return null;
        }

        JsonNode? instance;
        try
        {
            instance = mediaType.EndsWith("json", StringComparison.Ordinal) ? JsonNode.Parse(body) : JsonValue.Create(body);
        }
        catch (System.Text.Json.JsonException ex)
        {
            return $"{where} with a {mediaType} body that is not JSON ({ex.Message}): {Shorten(body)}";
        }

        var pointer = Pointer("paths", template, method.Method.ToLowerInvariant(), "responses", ((int)status).ToString(), "content", mediaType, "schema");
        var schema = JsonSchema.FromText($$"""{"$schema":"https://json-schema.org/draft/2020-12/schema","$ref":"{{BaseUri}}#{{pointer}}"}""");
        var result = schema.Evaluate(instance, _options);
        if (result.IsValid)
        {
            return null;
        }

        var errors = (result.Details ?? []).Where(d => d.HasErrors)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Value}"));
        return $"{where} with a body that does not match its schema:\n  {string.Join("\n  ", errors.Take(10))}\n  body: {Shorten(body)}";
    }

    /// <summary>A JSON pointer in its URI-fragment form (RFC 6901 section 6), as a $ref needs it.</summary>
    private static string Pointer(params string[] segments) =>
        string.Concat(segments.Select(s => "/" + Uri.EscapeDataString(s.Replace("~", "~0").Replace("/", "~1"))));

    private static string Shorten(string? body) => body is null ? "(none)" : body.Length > 400 ? body[..400] + "…" : body;
}
