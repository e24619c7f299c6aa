// The data-safety panel: reads /health and says in words whether the data survives the next deploy.
import { adminKey, api, ApiError } from "./api.js";
import { age, bytes, dateTime, el, fillFacts } from "./format.js";

const states = {
  Healthy: { state: "green", summary: "Healthy: the data is safe" },
  Degraded: { state: "amber", summary: "Degraded: needs attention" },
  Unhealthy: { state: "red", summary: "Unhealthy: data at risk" },
};

const panel = document.getElementById("safety");
const summary = document.getElementById("safety-summary");
const reasons = document.getElementById("safety-reasons");
const facts = document.getElementById("safety-facts");
const doctorSummary = document.getElementById("doctor-summary");
const doctorFindings = document.getElementById("doctor-findings");

const findingStates = { ok: "ok", warning: "warning", "at-risk": "AT RISK" };

function volumeWords(storage) {
  if (!storage) return undefined;
  if (storage.persistent) return `Mounted volume at ${storage.mountPoint} (${storage.fileSystemType})`;
  if (storage.mounted) return `Mount at ${storage.mountPoint} is '${storage.fileSystemType}', which does not survive a restart`;
  return "Not a mounted volume: the container's own filesystem";
}

function reseedWords(reseed) {
  if (!reseed) return "Never";
  const changes = `${reseed.inserted} inserted, ${reseed.reactivated} reactivated, ${reseed.removed} removed`;
  return `${dateTime(reseed.at)} (${reseed.trigger}, seed v${reseed.seedVersion}: ${changes})`;
}

function newestBackupWords(backups) {
  if (!backups) return undefined;
  if (!backups.newest) return `None yet (${backups.count ?? 0} backups)`;
  const newest = backups.newest;
  const verified = newest.verified ? "verified" : "NOT verified";
  return `${newest.name}, ${age(newest.ageSeconds)} (${dateTime(newest.createdAt)}), ${verified}; ${backups.count} in total`;
}

function recoveryWords(backups) {
  if (!backups) return undefined;
  const recovery = backups.lastRecovery;
  return recovery ? `${dateTime(recovery.at)} · ${recovery.kind}${recovery.detail ? `: ${recovery.detail}` : ""}` : "None";
}

function drillWords(backups) {
  if (!backups) return undefined;
  const drill = backups.lastDrill;
  if (!drill) return "Never: no backup has been restored in a drill yet";
  const what = drill.ok ? `passed, ${drill.activeCampaigns} active campaigns restored` : `FAILED: ${drill.problem}`;
  return `${dateTime(drill.at)} · ${drill.backup}${drill.newest ? " (the newest)" : ""} ${what}`;
}

/** Where the off-site copies go and how far behind they are; never a credential (the health report holds none). */
function offSiteWords(offSite) {
  if (!offSite) return undefined;
  if (!offSite.configured) return "Off: losing the volume loses the data and its backups (set OffSite:Endpoint and OffSite:Bucket)";
  const last = offSite.lastUpload ? `last upload ${age(offSite.lastUploadAgeSeconds)} (${dateTime(offSite.lastUpload)})` : "nothing uploaded yet";
  const lag = offSite.mode === "async" ? `; ${offSite.lagSeconds} s behind, ${offSite.pending} pending` : "";
  const error = offSite.lastError ? `; last error: ${offSite.lastError}` : "";
  return `${offSite.mode} to ${offSite.endpointHost}/${offSite.bucket}: ${last}${lag}${error}`;
}

function renderDoctor(report) {
  doctorSummary.textContent = report.summary;
  doctorSummary.dataset.verdict = report.verdict;
  doctorFindings.replaceChildren(
    ...report.findings.map((finding) =>
      el(
        "li",
        { dataset: { state: finding.state, check: finding.check } },
        el("strong", {}, `${findingStates[finding.state] || finding.state} · ${finding.check}`),
        ` ${finding.detail}`,
        finding.fix ? el("span", { className: "fix" }, `Fix: ${finding.fix}`) : undefined,
      ),
    ),
  );
}

/** The doctor's findings (admin only): what would put the data at risk at the next deploy, each with its fix. */
export async function refreshDoctor() {
  if (!adminKey.get()) return;
  try {
    renderDoctor(await api("/api/admin/doctor", { admin: true }));
  } catch (error) {
    doctorSummary.textContent = `Doctor unavailable: ${error.title || error.message}${error.detail ? `: ${error.detail}` : ""}`;
    doctorFindings.replaceChildren();
  }
}

document.addEventListener("campaigns:admin", (event) => {
  if (event.detail?.unlocked) refreshDoctor();
});

function render(health) {
  const known = states[health.status] || { state: "red", summary: `${health.status}: unknown state` };
  panel.dataset.state = known.state;
  summary.textContent = known.summary;
  reasons.replaceChildren(...(health.reasons || []).map((reason) => el("li", {}, reason)));

  const { storage, database, seed, backups, jobs, offSite } = health;
  fillFacts(facts, [
    ["Database", database?.databasePath || storage?.databasePath],
    ["Provider", database?.provider],
    ["Volume", volumeWords(storage)],
    ["Writable", storage ? (storage.writable ? "Yes" : "No") : undefined],
    ["Free space", storage ? bytes(storage.freeBytes) : undefined],
    ["Active campaigns", database ? `${database.activeCampaigns} of ${database.expectedActive} expected${database.totalCampaigns === undefined ? "" : ` (${database.totalCampaigns} in total)`}` : undefined],
    ["Seed version", seed ? `v${seed.version}${seed.problems?.length ? `, ${seed.problems.length} problems` : ""}` : undefined],
    ["Last reseed", database ? reseedWords(database.lastReseed) : undefined],
    ["Newest backup", newestBackupWords(backups)],
    ["Backup schedule", backups?.schedule ? `${backups.schedule} (cron, UTC)${backups.nextScheduled ? `; next ${dateTime(backups.nextScheduled)}` : ""}` : undefined],
    ["Last restore drill", drillWords(backups)],
    ["Last recovery", recoveryWords(backups)],
    ["Off-site copies", offSiteWords(offSite)],
    ["Background jobs", jobs?.status],
    ["Checked", dateTime(health.checkedAt)],
  ]);
}

/** Loads and shows the report; returns it so the campaigns list can show the expected count. */
export async function refreshSafety() {
  try {
    const health = await api("/health", { accept: [503] });
    render(health);
    refreshDoctor();
    return health;
  } catch (error) {
    const problem = error instanceof ApiError ? error : new ApiError(0, { title: error.message });
    panel.dataset.state = "red";
    summary.textContent = "Health report unavailable";
    reasons.replaceChildren(el("li", {}, `${problem.title}${problem.detail ? `: ${problem.detail}` : ""}`));
    facts.replaceChildren();
    return null;
  }
}
