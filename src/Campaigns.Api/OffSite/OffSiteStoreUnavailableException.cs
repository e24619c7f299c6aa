using Campaigns.Api.Common;

namespace Campaigns.Api.OffSite;

/// <summary>What a request that needed the store is told when it did not answer (a 503 naming the store).</summary>
public sealed class OffSiteStoreUnavailableException(string detail) : UnavailableException("Off-site store unavailable", detail);
