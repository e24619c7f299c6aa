using Campaigns.Api.Admin;
using Campaigns.Api.Backups;
using Campaigns.Api.Campaigns;
using Campaigns.Api.Health;
using Campaigns.Api.Infrastructure;
using Campaigns.Api.Jobs;
using Campaigns.Api.OpenApi;
using Campaigns.Api.Restores;
using Campaigns.Api.Seeding;
using Campaigns.Api.Startup;
using Campaigns.Api.Storage;
using Serilog;

var builder = WebApplication.CreateBuilder(args);

builder.UsePlatformPort();
builder.AddCampaignLogging();
builder.AddCampaignStorage();
builder.AddCanonicalSeed();
builder.AddCampaignStartup();
builder.AddCampaignBackups();
builder.AddCampaignRestores();
builder.AddCampaignJobs();
builder.AddAdminAuthentication();
builder.AddAdminRateLimiting();
builder.AddCampaignForwardedHeaders();
builder.AddCampaignsApi();
builder.Services.AddCampaignsOpenApi();
builder.AddCampaignHealth();

var app = builder.Build();

app.UseForwardedHeaders();
app.UseCampaignRequestLogging();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseStartupGate();
app.UseRequestBodyLimit();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseAuthentication();
app.UseRateLimiter(); // after authentication: it tells a failed admin attempt from the right key
app.UseAuthorization();

app.MapOpenApi();
app.MapCampaignHealth();
app.MapCampaignsApi();
var admin = app.MapAdminApi(); // every admin route, in one group: the key, its rate limit, validated input
admin.MapCampaignWrites();
admin.MapBackupsApi();
app.MapCampaignJobs();

try
{
    await app.RunAsync();
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    // Rethrown so the process exits non-zero (and test hosts see the cause); this line is what the deploy log shows.
    app.Logger.LogCritical("Campaigns API stopped: {Reason}", ex.Message);
    throw;
}

public partial class Program;
