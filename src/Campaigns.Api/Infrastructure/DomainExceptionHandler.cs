using System.Text.Json;
using Campaigns.Api.Common;
using Campaigns.Api.OffSite;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Campaigns.Api.Infrastructure;

/// <summary>The one place where exceptions become RFC 9457 ProblemDetails, so endpoints carry no try/catch.</summary>
public sealed class DomainExceptionHandler(IProblemDetailsService problemDetails, OffSiteStatus offSite, ILogger<DomainExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException { InnerException: JsonException json } => InvalidJson(json),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => new ProblemDetails
            {
                Status = StatusCodes.Status413PayloadTooLarge,
                Title = "Request body too large",
                Detail = $"Request bodies are limited to {RequestLimits.MaxBodyBytes / 1024} KiB.",
            },
            BadHttpRequestException bad when ParameterBindingProblem.From(bad) is { } binding => binding,
            BadHttpRequestException bad => new ProblemDetails { Status = bad.StatusCode, Title = "Bad request", Detail = bad.Message },
            InvalidInputException { Field: { } field } invalid => new ValidationProblemDetails(new Dictionary<string, string[]> { [field] = [invalid.Message] })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = invalid.Title,
            },
            DomainException domain => new ProblemDetails { Status = StatusOf(domain), Title = domain.Title, Detail = domain.Message },
            _ when DatabaseErrors.IsUniqueViolation(exception) => new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = "Duplicate key",
                Detail = "A campaign with this key already exists; keys are unique.",
            },
            _ when DatabaseErrors.IsCommitVetoed(exception) => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Off-site store unavailable",
                Detail = offSite.LastRefusal ?? "The write was refused and rolled back: the off-site store did not confirm it. Retry later.",
            },
            _ when DatabaseErrors.IsStorageFull(exception) => new ProblemDetails
            {
                Status = StatusCodes.Status507InsufficientStorage,
                Title = "Storage full",
                Detail = "The data volume is full; nothing was written. Free space or grow the volume.",
            },
            _ => null,
        };

        if (problem is null)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status500InternalServerError,
                Title = "Unexpected error",
                Detail = "The server failed to handle the request; the error is logged.",
            };
        }
        else if (problem.Status >= 500)
        {
            logger.LogError(exception, "{Title} on {Method} {Path}", problem.Title, httpContext.Request.Method, httpContext.Request.Path);
        }

        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "5";
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    private static int StatusOf(DomainException exception) => exception switch
    {
        NotFoundException => StatusCodes.Status404NotFound,
        InvalidInputException => StatusCodes.Status400BadRequest,
        ConflictException => StatusCodes.Status409Conflict,
        RefusedException => StatusCodes.Status422UnprocessableEntity,
        UnavailableException => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static ValidationProblemDetails InvalidJson(JsonException json)
    {
        var field = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? "body" : json.Path.TrimStart('$', '.');
        return new ValidationProblemDetails(new Dictionary<string, string[]>
        {
            [field] = [json.Path is null ? "The body is not valid JSON." : $"The value at {json.Path} is not valid for this field."],
        })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "Malformed JSON",
            Detail = "The request body could not be read as JSON of the expected shape.",
        };
    }
}
