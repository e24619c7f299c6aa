using Campaigns.Api.SqliteFiles;

namespace Campaigns.Api.Infrastructure;

public static class RequestActivityMiddleware
{
    /// <summary>Reports each request's start and end to <see cref="RequestActivity"/>, which a running backup asks.</summary>
    public static IApplicationBuilder UseRequestActivity(this IApplicationBuilder app)
    {
        var activity = app.ApplicationServices.GetRequiredService<RequestActivity>();
        return app.Use(async (context, next) =>
        {
            activity.Started();
            try
            {
                await next(context);
            }
            finally
            {
                activity.Ended();
            }
        });
    }
}
