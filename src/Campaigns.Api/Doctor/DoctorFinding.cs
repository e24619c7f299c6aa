using System.Text.Json.Serialization;
using Campaigns.Api.Common;

namespace Campaigns.Api.Doctor;

/// <summary>Written as "ok", "warning" and "at-risk".</summary>
[JsonConverter(typeof(WireEnumConverter<DoctorState>))]
public enum DoctorState
{
    Ok,
    Warning,

    /// <summary>The data will not survive the next deploy (or may not) unless this is fixed.</summary>
    AtRisk,
}

/// <summary>One line of the doctor's report: what was checked, what it found, and when not ok the fix in one sentence.</summary>
public sealed record DoctorFinding(string Check, DoctorState State, string Detail, string? Fix = null)
{
    public static DoctorFinding Ok(string check, string detail) => new(check, DoctorState.Ok, detail);

    public static DoctorFinding Warning(string check, string detail, string fix) => new(check, DoctorState.Warning, detail, fix);

    public static DoctorFinding AtRisk(string check, string detail, string fix) => new(check, DoctorState.AtRisk, detail, fix);

    /// <summary>Warning or at risk, as the environment makes it: what loses data in Production is only a warning while developing.</summary>
    public static DoctorFinding Risk(bool atRisk, string check, string detail, string fix) =>
        new(check, atRisk ? DoctorState.AtRisk : DoctorState.Warning, detail, fix);
}

/// <summary>Everything the doctor found. Safe (exit 0) unless a finding is at risk; warnings do not fail it.</summary>
public sealed record DoctorReport(DateTimeOffset CheckedAt, IReadOnlyList<DoctorFinding> Findings)
{
    public bool Safe => Findings.All(f => f.State != DoctorState.AtRisk);

    public string Verdict => Safe ? "safe" : "at-risk";

    public string Summary
    {
        get
        {
            var atRisk = Findings.Count(f => f.State == DoctorState.AtRisk);
            var warnings = Findings.Count(f => f.State == DoctorState.Warning);
            return Safe
                ? $"The data will survive the next deploy ({warnings} warning(s))."
                : $"The data is at risk at the next deploy: {atRisk} check(s) at risk, {warnings} warning(s).";
        }
    }
}
