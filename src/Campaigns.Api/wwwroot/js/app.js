// Entry point: wires the campaigns table, the safety panel and the admin actions together.
import { initAdmin, isUnlocked, loadBackups } from "./admin.js";
import { showProblem } from "./api.js";
import { loadOffSitePoints } from "./offsite.js";
import { initCampaigns, loadCampaigns, setExpectedActive } from "./campaigns.js";
import { refreshSafety } from "./safety.js";

const healthRefreshMs = 30_000;

async function refreshHealth() {
  const health = await refreshSafety();
  if (health?.database) setExpectedActive(health.database.expectedActive);
}

async function refreshAll() {
  const backups = isUnlocked()
    ? Promise.all([loadBackups(), loadOffSitePoints()]).catch((error) => showProblem(document.getElementById("admin-error"), error))
    : Promise.resolve();
  await Promise.all([loadCampaigns(), refreshHealth(), backups]);
}

initCampaigns(refreshAll);
initAdmin(refreshAll);
document.getElementById("safety-refresh").addEventListener("click", refreshHealth);
setInterval(refreshHealth, healthRefreshMs);
await refreshAll();
document.body.dataset.ready = "true";
