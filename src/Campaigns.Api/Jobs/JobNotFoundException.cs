using Campaigns.Api.Common;

namespace Campaigns.Api.Jobs;

public sealed class JobNotFoundException(string jobId) : NotFoundException("Job not found", $"There is no job '{jobId}'.");
