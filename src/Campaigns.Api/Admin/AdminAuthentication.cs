using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Admin;

/// <summary>
/// One shared admin key, accepted as "Bearer &lt;key&gt;" (API clients) or as the password of HTTP Basic (so a browser
/// can open the Hangfire dashboard). Compared in constant time; the key never reaches a log line.
/// </summary>
public sealed class AdminKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    IOptions<AdminOptions> admin,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IProblemDetailsService problemDetails) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var expected = admin.Value.ApiKey;
        if (string.IsNullOrEmpty(expected))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header) || header.Parameter is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var presented = header.Scheme.ToLowerInvariant() switch
        {
            "bearer" => header.Parameter,
            "basic" => PasswordFromBasic(header.Parameter),
            _ => null,
        };

        if (presented is null || !KeysMatch(presented, expected))
        {
            return Task.FromResult(AuthenticateResult.Fail("The admin key is wrong."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin"), new Claim(ClaimTypes.Role, "admin")], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = Request.Path.StartsWithSegments("/hangfire")
            ? "Basic realm=\"Campaigns admin\", charset=\"UTF-8\""
            : "Bearer";
        var detail = string.IsNullOrEmpty(admin.Value.ApiKey)
            ? "Admin endpoints are locked: ADMIN_API_KEY is not set on the server."
            : "Send the admin key as 'Authorization: Bearer <key>'.";
        await problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = StatusCodes.Status401Unauthorized, Title = "Admin key required", Detail = detail },
        });
    }

    private static string? PasswordFromBasic(string parameter)
    {
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
            var colon = decoded.IndexOf(':');
            return colon < 0 ? null : decoded[(colon + 1)..];
        }
        catch (FormatException)
        {
            return null;
        }
    }

    // Hashing first gives equal-length inputs, so FixedTimeEquals does not leak the key's length either.
    private static bool KeysMatch(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}

public static class AdminAuthentication
{
    public const string Scheme = "AdminKey";
    public const string Policy = "Admin";

    public static IHostApplicationBuilder AddAdminAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdminOptions>()
            .Configure<IConfiguration>((options, configuration) =>
                options.ApiKey = configuration["ADMIN_API_KEY"] ?? configuration["Admin:ApiKey"])
            .Validate(o => string.IsNullOrEmpty(o.ApiKey) || o.ApiKey.Length >= AdminOptions.MinimumKeyLength,
                $"ADMIN_API_KEY must be at least {AdminOptions.MinimumKeyLength} characters long.")
            .ValidateOnStart();

        // AddAuthentication() would also add data protection, whose key ring is created or loaded before the server
        // listens (a sixth of a second of every start); nothing here protects data: the key is compared, never issued.
        builder.Services.AddAuthenticationCore(o => o.DefaultScheme = Scheme);
        builder.Services.AddWebEncoders();
        new AuthenticationBuilder(builder.Services).AddScheme<AuthenticationSchemeOptions, AdminKeyHandler>(Scheme, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Scheme).RequireRole("admin"));
        builder.Services.AddHostedService<AdminKeyStartupCheck>();
        return builder;
    }
}

internal sealed class AdminKeyStartupCheck(IOptions<AdminOptions> admin, ILogger<AdminKeyStartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(admin.Value.ApiKey))
        {
            logger.LogWarning("ADMIN_API_KEY is not set: admin endpoints (writes, reseed, restore, backups) stay locked");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
