using Microsoft.AspNetCore.Http.HttpResults;

namespace Campaigns.Api.Doctor;

/// <summary>What the dashboard's safety panel and scripts read: the doctor's findings for the running service.</summary>
public sealed record DoctorReportDto(string Verdict, bool Safe, string Summary, DateTimeOffset CheckedAt, IReadOnlyList<DoctorFinding> Findings)
{
    public static DoctorReportDto From(DoctorReport report) => new(report.Verdict, report.Safe, report.Summary, report.CheckedAt, report.Findings);
}

public static class DoctorApi
{
    /// <param name="admin">The admin group (<c>MapAdminApi</c>): the key, its rate limit.</param>
    public static IEndpointRouteBuilder MapDoctorApi(this IEndpointRouteBuilder admin)
    {
        admin.MapGet("/api/admin/doctor", GetDoctorReport).WithTags("Admin").WithName("GetDoctorReport")
            .WithSummary("Will the data survive the next deploy? One finding per check (ok, warning, at-risk) with its fix.");
        return admin;
    }

    /// <param name="drill">Run a restore drill of the newest backup now (a copy of the whole backup); otherwise its last recorded drill is reported.</param>
    public static async Task<Ok<DoctorReportDto>> GetDoctorReport(DoctorService doctor, bool? drill, CancellationToken cancellationToken) =>
        TypedResults.Ok(DoctorReportDto.From(await doctor.RunAsync(new DoctorRequest(RunDrill: drill ?? false), cancellationToken)));
}
