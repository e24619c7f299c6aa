using Microsoft.AspNetCore.Mvc;

namespace Campaigns.Api.Storage;

public static class StartupGate
{
    /// <summary>The title of the 503 problem, so a client can tell "still starting" from any other 503.</summary>
    public const string Title = "Starting";

    /// <summary>
    /// The server listens while the startup sequence (Startup/StartupInitializer) still runs (hosted services start concurrently, so a
    /// deploy answers sooner), but nothing may read or write a database that is not yet checked, recovered, migrated and
    /// topped up: until then every request except the health probes gets a 503 problem with Retry-After.
    /// </summary>
    public static IApplicationBuilder UseStartupGate(this IApplicationBuilder app)
    {
        var state = app.ApplicationServices.GetRequiredService<StorageState>();
        var afterFirstAnswer = app.ApplicationServices.GetRequiredService<AfterFirstAnswer>();
        return app.Use(async (context, next) =>
        {
            if (state.Ready || context.Request.Path.StartsWithSegments("/health"))
            {
                await next(context);
                if (!afterFirstAnswer.IsReleased && state.Ready && context.Response.StatusCode < StatusCodes.Status500InternalServerError)
                {
                    // Once the answer has been sent, not as soon as the pipeline returns: the held-back work (the job
                    // server's start above all) would otherwise take the cores from sending the answer a deploy waits for.
                    context.Response.OnCompleted(() =>
                    {
                        afterFirstAnswer.Release();
                        return Task.CompletedTask;
                    });
                }

                return;
            }

            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "1";
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Title = Title,
                    Detail = "The service is still checking, migrating and topping up its database; retry in a moment (GET /health answers 200 once it is ready).",
                },
            });
        });
    }
}
