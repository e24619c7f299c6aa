using System.Text.Json;
using Campaigns.Api.Storage;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Infrastructure;

/// <summary>
/// How the process ends when it cannot start (or stops on a failure): exit code 1 and one Fatal line. A refusal (unsafe
/// storage, an unusable DATABASE_URL, invalid options) is the operator's to fix, so the line holds its reason and fix
/// and no stack trace; anything else is a bug, and its line carries the exception.
/// </summary>
public static class StartupFailure
{
    public const int ExitCode = 1;

    /// <summary>True when this assembly's entry point is the process's (not a test host calling it).</summary>
    public static bool OwnsTheProcess => System.Reflection.Assembly.GetEntryAssembly() == typeof(StartupFailure).Assembly;

    public static async Task<int> ExitAsync(WebApplication? app, Exception exception)
    {
        var cause = Unwrap(exception);
        var refusal = IsRefusal(cause);
        var reason = cause is OptionsValidationException options ? string.Join(" ", options.Failures) : cause.Message;
        if (app is null)
        {
            // Before the host (and its logger) exists: the same compact JSON line the logger would have written.
            var line = new Dictionary<string, object?>
            {
                ["@t"] = DateTimeOffset.UtcNow,
                ["@m"] = $"Campaigns API cannot start: {reason}",
                ["@l"] = "Fatal",
            };
            if (!refusal)
            {
                line["@x"] = cause.ToString();
            }

            await Console.Error.WriteLineAsync(JsonSerializer.Serialize(line));
            return ExitCode;
        }

        if (refusal)
        {
            app.Logger.LogCritical("Campaigns API cannot start: {Reason:l}", reason);
        }
        else
        {
            app.Logger.LogCritical(cause, "Campaigns API stopped: {Reason:l}", reason);
        }

        // Disposing flushes the log queue, so the line is written before the process ends.
        await app.DisposeAsync();
        return ExitCode;
    }

    public static bool IsRefusal(Exception exception) =>
        exception is StorageNotSafeException or InvalidDatabaseSettingException or OptionsValidationException or InvalidSettingException;

    private static Exception Unwrap(Exception exception) =>
        exception is AggregateException { InnerExceptions.Count: 1 } aggregate ? Unwrap(aggregate.InnerExceptions[0]) : exception;
}

/// <summary>A setting the service cannot start with; the message names the setting and what is wrong with it.</summary>
public sealed class InvalidSettingException(string message) : InvalidOperationException(message);
