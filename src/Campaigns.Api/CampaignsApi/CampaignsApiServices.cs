using System.Text.Json.Serialization;
using Campaigns.Api.Campaigns;
using Campaigns.Api.Infrastructure;
using FluentValidation;

namespace Campaigns.Api.CampaignsApi;

public static class CampaignsApiServices
{
    /// <summary>What the HTTP API needs: validators, the list cache, problem details and JSON rules.</summary>
    public static IHostApplicationBuilder AddCampaignsApi(this IHostApplicationBuilder builder)
    {
        builder.AddCampaignValidators();
        builder.Services.AddSingleton<CampaignListCache>();
        builder.Services.AddHostedService<CampaignListPreload>();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<DomainExceptionHandler>();
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, HttpJsonContext.Default);
        });
        // Binding failures (a query value that is not a number, malformed JSON) reach DomainExceptionHandler in every
        // environment, so a client gets the same problem naming the field in Production as in Development.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return builder;
    }

    /// <summary>The request validators alone, with field names spelled as in the JSON: the CLI needs no more.</summary>
    public static IHostApplicationBuilder AddCampaignValidators(this IHostApplicationBuilder builder)
    {
        JsonFieldNames.Apply();
        builder.Services.AddValidatorsFromAssemblyContaining<CampaignRequestValidator>(ServiceLifetime.Singleton);
        return builder;
    }
}
