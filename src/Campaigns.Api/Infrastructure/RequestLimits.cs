using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace Campaigns.Api.Infrastructure;

public static class RequestLimits
{
    public const long MaxBodyBytes = 64 * 1024;

    public static IWebHostBuilder UseRequestLimits(this IWebHostBuilder webHost) =>
        webHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxBodyBytes);

    /// <summary>
    /// Rejects a declared oversize body before reading it, and caps streamed bodies on servers that honour the
    /// feature (Kestrel); the test server has no such limit of its own.
    /// </summary>
    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.Request.ContentLength > MaxBodyBytes)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status413PayloadTooLarge,
                        Title = "Request body too large",
                        Detail = $"Request bodies are limited to {MaxBodyBytes / 1024} KiB.",
                    },
                });
                return;
            }

            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = MaxBodyBytes;
            }

            await next(context);
        });
}
