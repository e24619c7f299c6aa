using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Campaigns.Api.Storage;
using Campaigns.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Campaigns.Tests.Drills;

/// <summary>
/// Fault drill: hundreds of malformed or hostile requests. None may get a 5xx, none that is rejected may change what
/// is stored, and nothing sent without the right admin key may act.
/// </summary>
public sealed class BadInputSweep(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Json = "application/json";
    // The sweep sends 165 forged keys from one client address and checks that each gets a 401; the rate limit that
    // answers 429 from the 11th on is AdminRateLimitTests' subject, so here it is set out of reach.
    private readonly CampaignsApiFactory _api = new(settings: new Dictionary<string, string?> { ["RateLimits:FailedAdminAuthPerMinute"] = "1000000" });
    private int _unique;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task HostileRequestsGetClientErrorsAndChangeNothing()
    {
        var client = _api.CreateClient(); // starts the host: migrated and seeded
        // One canonical campaign inactive: a reseed or restore slipped through without the key would show.
        await using (var db = _api.CreateDbContext())
        {
            await db.Campaigns.OrderBy(c => c.Id).Take(1).ExecuteUpdateAsync(s => s.SetProperty(c => c.Active, false));
        }

        var cases = MalformedBodies().Concat(WrongTypes()).Concat(OversizeAndHostileText()).Concat(BadQueries())
            .Concat(BadPathsAndMethods()).Concat(ForgedKeys()).Concat(BackupNameTricks()).Concat(WrongContentTypes()).ToList();
        Assert.True(cases.Count >= 200, $"only {cases.Count} cases");

        var failures = new List<string>();
        var rejected = 0;
        await _api.WaitForAfterFirstAnswerWorkAsync(); // hangfire.db appears then: the service's doing, not a request's
        var before = Snapshot();
        foreach (var sweepCase in cases)
        {
            using var request = sweepCase.Build();
            using var response = await client.SendAsync(request);
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync();
            var after = Snapshot();
            var label = $"{sweepCase.Name} [{request.Method} {request.RequestUri}] -> {status}";

            if (status >= 500)
            {
                failures.Add($"{label}: server error {body[..Math.Min(body.Length, 300)]}");
            }
            else if (status >= 400)
            {
                rejected++;
                if (after != before)
                {
                    failures.Add($"{label}: rejected, yet stored data changed");
                }

                if (response.Content.Headers.ContentLength > 0 && status is not (404 or 405) &&
                    response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    failures.Add($"{label}: error without a problem document ({response.Content.Headers.ContentType})");
                }
            }
            else if (!sweepCase.MayBeAccepted)
            {
                failures.Add($"{label}: accepted a request that must be refused");
            }
            else if (sweepCase.ExpectedName is { } name && request.Method == HttpMethod.Post &&
                     JsonDocument.Parse(body).RootElement.GetProperty("name").GetString() != name)
            {
                failures.Add($"{label}: stored name differs from the one sent");
            }

            if (sweepCase.AllowedStatuses is { } allowed && !allowed.Contains(status))
            {
                failures.Add($"{label}: expected one of {string.Join("/", allowed)}");
            }

            if (body.Contains("SQLite format 3", StringComparison.Ordinal))
            {
                failures.Add($"{label}: served a database file");
            }

            before = after;
        }

        output.WriteLine($"{cases.Count} hostile requests: {rejected} rejected with 4xx, {cases.Count - rejected} accepted as valid, {failures.Count} failures");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(11, (await client.GetCampaignsAsync("?active=true")).Count(c => c.Source == "canonical"));
    }

    /// <summary>Every stored row and every file on the data directory except SQLite's own -wal/-shm.</summary>
    private string Snapshot()
    {
        using var db = _api.CreateDbContext();
        var rows = db.Campaigns.AsNoTracking().OrderBy(c => c.Id).ToList();
        var history = db.SeedHistory.AsNoTracking().Count();
        var files = Directory.EnumerateFiles(_api.DataDirectory, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith("-shm", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(_api.DataDirectory, f)).Order(StringComparer.Ordinal);
        var text = JsonSerializer.Serialize(new { rows, history, files });
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private string NextKey() => $"sweep-{Interlocked.Increment(ref _unique)}";

    private static SweepCase Admin(string name, HttpMethod method, string path, HttpContent? content = null,
        bool mayBeAccepted = false, string? expectedName = null) =>
        new(name, () => WithKey(new HttpRequestMessage(method, path) { Content = content }, $"Bearer {CampaignsApiFactory.AdminKey}"),
            mayBeAccepted, expectedName);

    private static HttpRequestMessage WithKey(HttpRequestMessage request, string? authorization)
    {
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return request;
    }

    private static StringContent Body(string json, string mediaType = Json) => new(json, new UTF8Encoding(false), mediaType);

    private string ValidBody(Action<Dictionary<string, object?>>? change = null)
    {
        var fields = new Dictionary<string, object?>
        {
            ["key"] = NextKey(), ["name"] = "Sweep", ["property"] = "swp", ["offerUrl"] = "https://offers.example.com/s",
            ["imageUrl"] = "https://cdn.example.com/s.png", ["callToAction"] = "Go", ["description"] = "d", ["priority"] = 5,
            ["active"] = true,
        };
        change?.Invoke(fields);
        return JsonSerializer.Serialize(fields);
    }

    private IEnumerable<SweepCase> MalformedBodies()
    {
        string[] bodies =
        [
            "", " ", "{", "}", "[", "[]", "null", "true", "42", "\"text\"", "{\"key\":", "{\"key\":\"a\",}", "{'key':'a'}",
            "{\"key\":\"a\" \"name\":\"b\"}", "{\"key\":\"k\",\"name\":\"n\"}garbage", "\0", "{\"priority\": NaN}",
            "{\"name\":\"\\u12\"}", "{\"name\":\"\\ud800\"}", "/* comment */ {}", new string('[', 5000) + new string(']', 5000),
            string.Concat(Enumerable.Repeat("{\"a\":", 2000)) + "1" + new string('}', 2000), "{\"key\":\"a\",\"name\":\"b\"",
            "\uFEFF{\"key\":\"bom\"}", "{\"key\":\"x\",\"name\":\"y\",\"priority\":}",
        ];
        foreach (var (body, i) in bodies.Select((b, i) => (b, i)))
        {
            yield return Admin($"malformed POST #{i}", HttpMethod.Post, "/api/campaigns", Body(body));
            yield return Admin($"malformed PUT #{i}", HttpMethod.Put, "/api/campaigns/1", Body(body));
        }

        yield return Admin("invalid UTF-8", HttpMethod.Post, "/api/campaigns",
            new ByteArrayContent([0x7B, 0x22, 0x6B, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D]) { Headers = { { "Content-Type", Json } } });
        yield return Admin("UTF-16 body", HttpMethod.Post, "/api/campaigns",
            new ByteArrayContent(Encoding.Unicode.GetBytes(ValidBody())) { Headers = { { "Content-Type", Json } } });
    }

    private IEnumerable<SweepCase> WrongTypes()
    {
        object?[] wrongForStrings = [123, true, Array.Empty<int>(), new { nested = 1 }, null];
        foreach (var field in new[] { "key", "name", "property", "description", "offerUrl", "imageUrl", "callToAction" })
        {
            foreach (var value in wrongForStrings)
            {
                yield return Admin($"{field} = {JsonSerializer.Serialize(value)}", HttpMethod.Post, "/api/campaigns",
                    Body(ValidBody(f => f[field] = value)));
            }
        }

        foreach (var value in new object?[] { "yes", 1, null, "true", new[] { true } })
        {
            yield return Admin($"active = {JsonSerializer.Serialize(value)}", HttpMethod.Post, "/api/campaigns", Body(ValidBody(f => f["active"] = value)));
        }

        foreach (var raw in new[] { "\"high\"", "1.5", "1e100", "-1e100", "\"1\"", "null", "2147483648", "true", "[]" })
        {
            yield return Admin($"priority = {raw}", HttpMethod.Post, "/api/campaigns",
                Body(ValidBody().Replace("\"priority\":5", $"\"priority\":{raw}", StringComparison.Ordinal)));
        }
    }

    private IEnumerable<SweepCase> OversizeAndHostileText()
    {
        (string Field, int Length)[] tooLong =
        [
            ("key", CampaignLimits.KeyLength + 1), ("key", 10_000), ("name", CampaignLimits.NameLength + 1), ("name", 60_000),
            ("property", CampaignLimits.PropertyLength + 1), ("description", CampaignLimits.DescriptionLength + 1),
            ("offerUrl", CampaignLimits.UrlLength + 1), ("imageUrl", CampaignLimits.UrlLength + 1),
            ("callToAction", CampaignLimits.CallToActionLength + 1),
        ];
        foreach (var (field, length) in tooLong)
        {
            yield return Admin($"{field} of {length} chars", HttpMethod.Post, "/api/campaigns", Body(ValidBody(f => f[field] = new string('a', length))));
        }

        yield return Admin("1 MiB body", HttpMethod.Post, "/api/campaigns", Body(ValidBody(f => f["description"] = new string('x', 1 << 20))));
        yield return Admin("1 MiB body on PUT", HttpMethod.Put, "/api/campaigns/1", Body(ValidBody(f => f["description"] = new string('x', 1 << 20))));

        string[] hostileKeys = ["'; DROP TABLE campaigns; --", "../../etc/passwd", "UPPER-case", "café", "a b", "", " ", "key\0nul", "<script>", "prizies", "PRIZIES"];
        foreach (var key in hostileKeys)
        {
            yield return Admin($"key '{key}'", HttpMethod.Post, "/api/campaigns", Body(ValidBody(f => f["key"] = key)));
        }

        yield return Admin("retired name", HttpMethod.Post, "/api/campaigns", Body(ValidBody(f => f["name"] = "Prizies")));
        yield return Admin("duplicate canonical key", HttpMethod.Post, "/api/campaigns", Body(ValidBody(f => f["key"] = "trading-tips")));
        yield return Admin("bad offer URL", HttpMethod.Post, "/api/campaigns", Body(ValidBody(f => f["offerUrl"] = "javascript:alert(1)")));
        yield return Admin("relative image URL", HttpMethod.Post, "/api/campaigns", Body(ValidBody(f => f["imageUrl"] = "../../x.png")));

        // Valid text that looks dangerous: may be stored, and must come back exactly as sent.
        string[] storableNames =
        [
            "Robert'); DROP TABLE campaigns;--", "1 OR 1=1", "🚀 Launch 🎉", "e\u0301te\u0301", "\u202Egnirts desrever", "zero\u200Bwidth",
            "\uFEFFbom", "日本語のキャンペーン", "<img src=x onerror=alert(1)>", "%00%2e%2e", "line\nbreak", "tab\tbed",
        ];
        foreach (var name in storableNames)
        {
            yield return Admin($"name '{name}'", HttpMethod.Post, "/api/campaigns", Body(ValidBody(f => f["name"] = name)), mayBeAccepted: true, expectedName: name);
        }

        yield return Admin("name of 61 four-byte characters", HttpMethod.Post, "/api/campaigns",
            Body(ValidBody(f => f["name"] = string.Concat(Enumerable.Repeat("😀", 61)))));
        yield return Admin("name with NUL", HttpMethod.Post, "/api/campaigns", Body(ValidBody(f => f["name"] = "nul\0inside")), mayBeAccepted: true);
    }

    private IEnumerable<SweepCase> BadQueries()
    {
        string[] queries =
        [
            "limit=abc", "limit=", "limit=1e3", "limit=99999999999999999999", "limit=0x10", "limit=1;DROP TABLE campaigns",
            "offset=abc", "offset=99999999999", "offset=-5", "active=1", "active=", "active=yes", $"property={new string('p', 200)}",
            "limit=1&limit=2", "active=true&active=false",
        ];
        foreach (var query in queries)
        {
            yield return new SweepCase($"query {query[..Math.Min(query.Length, 40)]}", () => new HttpRequestMessage(HttpMethod.Get, $"/api/campaigns?{query}"),
                MayBeAccepted: false, AllowedStatuses: [400]);
        }

        foreach (var query in new[] { "property=%27%20OR%20%271%27%3D%271", "property=%00", "property=..%2F..", "foo=bar", "property=%F0%9F%9A%80" })
        {
            yield return new SweepCase($"harmless query {query}", () => new HttpRequestMessage(HttpMethod.Get, $"/api/campaigns?{query}"), MayBeAccepted: true);
        }
    }

    private IEnumerable<SweepCase> BadPathsAndMethods()
    {
        string[] paths =
        [
            "/api/campaigns/0", "/api/campaigns/-1", "/api/campaigns/abc", "/api/campaigns/2147483648", "/api/campaigns/1.5",
            "/api/campaigns/%2e%2e", "/api/campaigns/..%2F..%2Fcampaigns.db", "/api/campaigns/1/extra", "/" + new string('a', 8000),
            "/campaigns.db", "/data/campaigns.db", "/..%2fcampaigns.db", "/api/campaigns/1%20OR%201=1",
        ];
        foreach (var path in paths)
        {
            yield return new SweepCase($"path {path[..Math.Min(path.Length, 40)]}", () => new HttpRequestMessage(HttpMethod.Get, path), MayBeAccepted: false);
        }

        (string Method, string Path)[] wrongMethods =
        [
            ("PATCH", "/api/campaigns"), ("PUT", "/api/campaigns"), ("DELETE", "/api/campaigns"), ("POST", "/api/campaigns/1"),
            ("PATCH", "/api/campaigns/1"), ("GET", "/api/admin/reseed"), ("PUT", "/api/admin/reseed"), ("DELETE", "/api/admin/reseed"),
            ("GET", "/api/emergency-restore-12-campaigns"), ("TRACE", "/api/campaigns"), ("DELETE", "/health"), ("POST", "/health"),
        ];
        foreach (var (method, path) in wrongMethods)
        {
            yield return Admin($"{method} {path}", new HttpMethod(method), path);
        }
    }

    private IEnumerable<SweepCase> ForgedKeys()
    {
        var key = CampaignsApiFactory.AdminKey;
        string?[] authorizations =
        [
            null, "", "Bearer", "Bearer ", "Bearer wrong-key-wrong-key-wrong", $"Bearer {key.ToUpperInvariant()}", $"Bearer {key[..^1]}",
            $"Bearer {key}x", $"Basic {Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:wrong"))}", "Basic !!not-base64!!",
            $"Token {key}", key, $"Bearer {new string('a', 10_000)}", "Bearer é-non-ascii-ключ", $"Bearer {key}\u0000",
        ];
        (HttpMethod Method, string Path, Func<string>? Body)[] actions =
        [
            (HttpMethod.Post, "/api/campaigns", () => ValidBody()), (HttpMethod.Put, "/api/campaigns/2", () => ValidBody()),
            (HttpMethod.Delete, "/api/campaigns/3", null), (HttpMethod.Post, "/api/admin/reseed", null),
            (HttpMethod.Post, "/api/emergency-restore-12-campaigns", null),
            (HttpMethod.Post, "/api/admin/restore", () => "{\"source\":\"canonical\"}"), (HttpMethod.Post, "/api/admin/backups", null),
            (HttpMethod.Get, "/api/admin/backups", null), (HttpMethod.Get, "/api/admin/backups/campaigns_backup_20261123_020000_123.sqlite", null),
            (HttpMethod.Get, "/api/admin/jobs/1", null), (HttpMethod.Get, "/hangfire", null),
        ];
        foreach (var (method, path, body) in actions)
        {
            foreach (var authorization in authorizations)
            {
                var shown = authorization is null ? "no key" : authorization.Length > 30 ? authorization[..30] + "…" : authorization;
                yield return new SweepCase($"forged '{shown}'",
                    () => WithKey(new HttpRequestMessage(method, path) { Content = body is null ? null : Body(body()) }, authorization),
                    MayBeAccepted: false, AllowedStatuses: [401]);
            }
        }
    }

    private IEnumerable<SweepCase> BackupNameTricks()
    {
        string[] names =
        [
            "..%2F..%2Fcampaigns.db", "..%2Fcampaigns.db", "campaigns.db", "%2Fetc%2Fpasswd", "....%2F%2Fcampaigns.db",
            "campaigns_backup_20261123_020000_123.sqlite.txt", "campaigns_backup_20261123_020000_123.sqlite%2500", "..%5Ccampaigns.db", new string('a', 2000) + ".sqlite",
            "campaigns_backup_..%2F..%2Fx.sqlite", "%2e%2e",
        ];
        foreach (var name in names)
        {
            yield return Admin($"download '{name[..Math.Min(name.Length, 40)]}'", HttpMethod.Get, $"/api/admin/backups/{name}");
            var decoded = Uri.UnescapeDataString(name);
            yield return Admin($"restore '{decoded[..Math.Min(decoded.Length, 40)]}'", HttpMethod.Post, "/api/admin/restore",
                Body(JsonSerializer.Serialize(new { source = "backup", backup = decoded })));
        }

        foreach (var body in new[] { "{\"source\":\"../campaigns.db\"}", "{\"source\":\"canonical\",\"backup\":\"../x\"}", "{\"source\":1}", "{}" })
        {
            yield return Admin($"restore body {body}", HttpMethod.Post, "/api/admin/restore", Body(body));
        }
    }

    private IEnumerable<SweepCase> WrongContentTypes()
    {
        foreach (var mediaType in new[] { "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data" })
        {
            yield return Admin($"content type {mediaType}", HttpMethod.Post, "/api/campaigns", Body(ValidBody(), mediaType));
        }

        yield return Admin("no content type", HttpMethod.Post, "/api/campaigns", new ByteArrayContent(Encoding.UTF8.GetBytes(ValidBody())));
    }

    private sealed record SweepCase(
        string Name, Func<HttpRequestMessage> Build, bool MayBeAccepted = false, string? ExpectedName = null, int[]? AllowedStatuses = null);
}
