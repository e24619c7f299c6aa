using HangfireLevel = Hangfire.Logging.LogLevel;

namespace Campaigns.Api.Jobs;

/// <summary>
/// Hangfire keeps one process-wide log provider, set by the last host that configured it. When that host is disposed
/// while another still runs (tests run several hosts at once), Hangfire's default provider throws
/// ObjectDisposedException from inside job servers; this one drops the line instead. With one host (production) it
/// simply writes Hangfire's logs to our ILogger pipeline.
/// </summary>
internal sealed class HangfireLogProvider(ILoggerFactory loggerFactory) : Hangfire.Logging.ILogProvider
{
    public Hangfire.Logging.ILog GetLogger(string name) => new Logger(loggerFactory, name);

    private sealed class Logger(ILoggerFactory loggerFactory, string name) : Hangfire.Logging.ILog
    {
        private ILogger? _logger;

        public bool Log(HangfireLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            try
            {
                var logger = _logger ??= loggerFactory.CreateLogger(name);
                var level = logLevel switch
                {
                    HangfireLevel.Trace => LogLevel.Trace,
                    HangfireLevel.Debug => LogLevel.Debug,
                    HangfireLevel.Info => LogLevel.Information,
                    HangfireLevel.Warn => LogLevel.Warning,
                    HangfireLevel.Error => LogLevel.Error,
                    _ => LogLevel.Critical,
                };
                if (messageFunc is null)
                {
                    return logger.IsEnabled(level);
                }

                logger.Log(level, exception, "{HangfireMessage}", messageFunc());
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
