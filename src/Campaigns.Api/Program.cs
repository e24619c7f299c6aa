using Campaigns.Api.Admin;
using Campaigns.Api.Backups;
using Campaigns.Api.CampaignsApi;
using Campaigns.Api.Doctor;
using Campaigns.Api.Health;
using Campaigns.Api.Infrastructure;
using Campaigns.Api.Jobs;
using Campaigns.Api.OffSite;
using Campaigns.Api.OpenApi;
using Campaigns.Api.Restores;
using Campaigns.Api.Seeding;
using Campaigns.Api.Startup;
using Campaigns.Api.Storage;
using Serilog;

WebApplication? app = null;
try
{
    // Slim: no HTTPS or HTTP/3 set-up, no IIS or hosting-startup scanning. The platform terminates TLS, and each of
    // those was start-up work before the first 200 (docs/benchmarks.md, issue 12).
    var builder = WebApplication.CreateSlimBuilder(args);

    builder.UsePlatformPort();
    builder.AddCampaignLogging();
    builder.AddCampaignStorage();
    builder.AddOffSite();
    builder.AddCanonicalSeed();
    builder.AddCampaignStartup();
    builder.AddCampaignBackups();
    builder.AddCampaignRestores();
    builder.AddCampaignDoctor();
    builder.AddCampaignJobs();
    builder.AddAdminAuthentication();
    builder.AddAdminRateLimiting();
    builder.AddCampaignForwardedHeaders();
    builder.AddCampaignsApi();
    builder.Services.AddCampaignsOpenApi();
    builder.AddCampaignHealth();

    app = builder.Build();
    app.BeginCampaignStartup(); // on the idle core, while this thread builds the pipeline and starts the host

    app.UseRequestActivity(); // first: a backup gives way while any request is served (SqliteFiles/GiveWay)
    app.UseForwardedHeaders();
    // Request logging before the exception handler: it logs the status the client got, once the handler has written it.
    app.UseCampaignRequestLogging();
    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.UseStartupGate();
    app.UseCampaignHealthProbes(); // before routing: a deploy's first 200 does not wait for the route table
    app.UseRouting();
    app.UseRequestBodyLimit();
    app.UseDefaultFiles();
    app.UseStaticFiles();
    app.UseAuthentication();
    app.UseRateLimiter(); // after authentication: it tells a failed admin attempt from the right key
    app.UseAuthorization();

    app.MapOpenApi();
    app.MapCampaignsApi();
    var admin = app.MapAdminApi(); // every admin route, in one group: the key, its rate limit, validated input
    admin.MapCampaignWrites();
    admin.MapBackupsApi();
    admin.MapDoctorApi();
    admin.MapOffSiteApi();
    app.MapCampaignJobs();

    // Not RunAsync: it disposes the host (and its logger) when the start fails, before the reason can be logged.
    await app.StartAsync();
    await app.WaitForShutdownAsync();
    await app.DisposeAsync();
    return 0;
}
catch (Exception ex) when (ex is not HostAbortedException && StartupFailure.OwnsTheProcess)
{
    // A refusal is a clean exit (1, one Fatal line with the reason and the fix), never an unhandled exception's abort.
    // A test host driving this entry point is not the process: it gets the exception itself.
    return await StartupFailure.ExitAsync(app, ex);
}

public partial class Program;
