using Campaigns.Api.Common;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.OffSite;

/// <summary>
/// A write the store did not confirm (the commit hook vetoed it, so SQLite rolled it back) is a 503 naming the store;
/// a bad <c>at</c> (an <see cref="InvalidInputException"/>) is a 400 validation problem on <c>at</c> rather than the domain
/// handler's plain 400. Registered before the domain handler (AddCampaignStorage runs first).
/// </summary>
public sealed class OffSiteExceptionHandler(IProblemDetailsService problemDetails, IOptions<OffSiteOptions> options, OffSiteStatus status) : IExceptionHandler
{
    public const string UnavailableTitle = "Off-site store unavailable";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails? problem = null;
        if (IsVetoedCommit(exception))
        {
            httpContext.Response.Headers.RetryAfter = "5";
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = UnavailableTitle,
                Detail = $"The write was refused and rolled back: the off-site store {options.Value.StoreName} did not confirm it " +
                         $"within {options.Value.WriteTimeoutSeconds} s ({status.Read().LastError ?? "no answer"}). Nothing was changed; reads go on. Retry later.",
            };
        }
        else if (exception is OffSiteAtException at)
        {
            problem = new ValidationProblemDetails(new Dictionary<string, string[]> { [OffSiteAtException.Field] = [at.Message] })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "One or more validation errors occurred.",
            };
        }

        if (problem is null)
        {
            return false;
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    public static bool IsVetoedCommit(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is SqliteException { SqliteExtendedErrorCode: OffSiteJournal.CommitHookVeto })
            {
                return true;
            }
        }

        return false;
    }
}
