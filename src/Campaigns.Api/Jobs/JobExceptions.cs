namespace Campaigns.Api.Jobs;

/// <summary>The reason recorded on a job the process stopped under: Hangfire shows it as the failure's exception.</summary>
public sealed class JobInterruptedException(string message) : Exception(message);
