using System.Text.Json;
using Campaigns.Api.Campaigns;
using Campaigns.Api.CampaignsApi;
using Campaigns.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Campaigns.Tests.Contract;

public sealed class HttpJsonMetadataTests
{
    /// <summary>
    /// A body type left out of <c>HttpJsonContext</c> still works (the reflection resolver serves it), so nothing else
    /// would notice: only the start would pay again for building its metadata by reflection before the server listens.
    /// </summary>
    [Fact]
    public async Task EveryBodyAnEndpointReadsOrWritesHasBuildTimeJsonMetadata()
    {
        await using var api = new CampaignsApiFactory();
        using var client = api.CreateClient(); // builds the host and its endpoints
        var json = api.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;

        var bodies = api.Services.GetServices<EndpointDataSource>()
            .SelectMany(source => source.Endpoints)
            .SelectMany(endpoint => endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Where(m => IsJson(m.ContentTypes)).Select(m => m.Type)
                .Concat(endpoint.Metadata.OfType<IAcceptsMetadata>().Where(m => IsJson(m.ContentTypes)).Select(m => m.RequestType)))
            .OfType<Type>()
            .Where(type => type.Namespace?.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) != true && type != typeof(void))
            .Distinct()
            .ToList();

        Assert.Contains(typeof(List<CampaignDto>), bodies);
        Assert.All(bodies, type => Assert.True(json.GetTypeInfo(type).OriginatingResolver is HttpJsonContext,
            $"{type} has no entry in HttpJsonContext: its JSON metadata is built by reflection at every start"));
    }

    private static bool IsJson(IEnumerable<string> contentTypes) => contentTypes.Any(type => type.Contains("json", StringComparison.OrdinalIgnoreCase));
}
