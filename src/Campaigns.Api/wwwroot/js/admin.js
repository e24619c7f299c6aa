// Admin actions: the key, the backups list, "Back up now", the restores, and following a job to its end.
import { adminKey, api, ApiError, downloadAdminFile, showProblem } from "./api.js";
import { bytes, dateTime, el } from "./format.js";

const keyForm = document.getElementById("admin-key-form");
const keyInput = document.getElementById("admin-key");
const keyError = document.getElementById("admin-key-error");
const unlocked = document.getElementById("admin-unlocked");
const adminError = document.getElementById("admin-error");
const backupsList = document.getElementById("backups-list");
const backupsEmpty = document.getElementById("backups-empty");

const job = document.getElementById("job");
const jobStatus = document.getElementById("job-status");
const jobProgress = document.getElementById("job-progress");
const jobResult = document.getElementById("job-result");

const confirmDialog = document.getElementById("confirm");

const jobSteps = { enqueued: 1, processing: 2, succeeded: 3, failed: 3 };
const pollMs = 500;

let onDataChanged = async () => {};
let running = false;

function setUnlocked(isUnlocked) {
  keyForm.hidden = isUnlocked;
  unlocked.hidden = !isUnlocked;
  for (const element of document.querySelectorAll(".admin-only")) element.hidden = !isUnlocked;
  document.dispatchEvent(new CustomEvent("campaigns:admin", { detail: { unlocked: isUnlocked } }));
}

async function unlock(event) {
  event.preventDefault();
  const key = keyInput.value.trim();
  if (!key) {
    showProblem(keyError, { title: "Enter the admin key", detail: "It is the ADMIN_API_KEY the service was started with." });
    return;
  }
  adminKey.set(key);
  keyInput.value = "";
  try {
    await loadBackups();
  } catch (error) {
    if (error.status === 401 || error.status === 403) {
      // A wrong key is forgotten at once, so it is not resent with every later click.
      adminKey.clear();
      showProblem(keyError, error);
      return;
    }
    showProblem(adminError, error);
  }
  showProblem(keyError, null);
  setUnlocked(true);
}

function forget() {
  adminKey.clear();
  setUnlocked(false);
  backupsList.replaceChildren();
  keyInput.focus();
}

/** Throws on a wrong key (401), which is how unlocking checks the key. */
export async function loadBackups() {
  const backups = await api("/api/admin/backups", { admin: true });
  backupsEmpty.hidden = backups.length > 0;
  backupsList.replaceChildren(...backups.map(backupItem));
}

function backupItem(backup) {
  const download = el("button", { type: "button", className: "secondary small" }, "Download");
  download.addEventListener("click", () =>
    downloadAdminFile(backup.downloadUrl, backup.name).catch((error) => showProblem(adminError, error)),
  );
  const restore = el("button", { type: "button", className: "warning small" }, "Restore from this backup");
  restore.addEventListener("click", () => restoreFromBackup(backup));
  return el(
    "li",
    { className: "backup", dataset: { name: backup.name } },
    el("p", { className: "backup-name" }, el("code", {}, backup.name)),
    el(
      "p",
      { className: "backup-meta" },
      `${dateTime(backup.createdAt)} · ${bytes(backup.sizeBytes)} · ${backup.activeCampaigns} active campaigns · ${backup.trigger} · `,
      el("span", { className: backup.verified ? "pill yes" : "pill no" }, backup.verified ? "verified" : "not verified"),
    ),
    el("div", { className: "backup-actions" }, download, restore),
  );
}

export function confirmAction(title, text, yes) {
  document.getElementById("confirm-title").textContent = title;
  document.getElementById("confirm-text").textContent = text;
  document.getElementById("confirm-yes").textContent = yes;
  return new Promise((resolve) => {
    const yesButton = document.getElementById("confirm-yes");
    const noButton = document.getElementById("confirm-no");
    const finish = (answer) => {
      yesButton.onclick = noButton.onclick = confirmDialog.onclose = null;
      if (confirmDialog.open) confirmDialog.close();
      resolve(answer);
    };
    yesButton.onclick = () => finish(true);
    noButton.onclick = () => finish(false);
    confirmDialog.onclose = () => finish(false);
    confirmDialog.showModal();
    noButton.focus();
  });
}

async function restoreCanonical() {
  const yes = await confirmAction(
    "Restore canonical campaigns?",
    "Every canonical campaign that is missing is put back and every inactive one is reactivated, from the seed file shipped with the service. Campaigns users created are not touched.",
    "Restore canonical campaigns",
  );
  if (yes) await startJob("/api/admin/restore", { source: "canonical" });
}

async function restoreFromBackup(backup) {
  const yes = await confirmAction(
    `Restore from ${backup.name}?`,
    `The whole database is replaced by this backup from ${dateTime(backup.createdAt)} (${backup.activeCampaigns} active campaigns). ` +
      "Every change made since then is lost. A backup of the current data is taken first.",
    "Replace the database with this backup",
  );
  if (yes) await startJob("/api/admin/restore", { source: "backup", backup: backup.name });
}

function describeResult(state) {
  if (state.state === "failed") return `${capitalised(state.kind)} failed: ${state.error || "no reason given"}`;
  const result = state.result || {};
  if (state.kind === "restore") {
    const counts = result.activeAfter !== undefined ? `: ${result.activeAfter} active campaigns (${result.activeBefore} before)` : "";
    const names = (list) => (list?.length ? list.join(", ") : "none");
    const topUp = result.topUp ? ` Canonical campaigns inserted: ${names(result.topUp.inserted)}; reactivated: ${names(result.topUp.reactivated)}.` : "";
    const saved = result.preRestoreBackup ? ` The data before the restore was saved as ${result.preRestoreBackup}.` : "";
    return `Restore succeeded${counts}.${topUp}${saved}`;
  }
  if (!result.name) return "Backup succeeded.";
  const verified = result.verified ? "verified" : "NOT verified";
  return `Backup succeeded: ${result.activeCampaigns} active campaigns, ${bytes(result.sizeBytes)}, ${verified}. Saved as ${result.name}.`;
}

const capitalised = (word) => (word ? word[0].toUpperCase() + word.slice(1) : "Job");

function showJob(state) {
  job.hidden = false;
  job.dataset.state = state.state;
  const source = state.source ? ` (${state.source})` : "";
  jobStatus.textContent = `${capitalised(state.kind)}${source}: ${state.state}`;
  jobProgress.value = jobSteps[state.state] ?? 0;
  jobResult.textContent = state.state === "succeeded" || state.state === "failed" ? describeResult(state) : "";
}

/** Starts a job, then polls its status URL until it succeeds or fails; only one job at a time from this page. */
export async function startJob(path, body) {
  if (running) return;
  running = true;
  showProblem(adminError, null);
  const setBusy = (busy) => document.querySelectorAll("#admin-panel button").forEach((button) => (button.disabled = busy));
  setBusy(true);
  try {
    let state = await api(path, { method: "POST", admin: true, body });
    const statusUrl = state.statusUrl || `/api/admin/jobs/${state.jobId}`;
    showJob(state);
    while (state.state !== "succeeded" && state.state !== "failed") {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      state = await api(statusUrl, { admin: true });
      showJob(state);
    }
    await onDataChanged();
  } catch (error) {
    showProblem(adminError, error instanceof ApiError ? error : new ApiError(0, { title: error.message }));
  } finally {
    running = false;
    setBusy(false);
  }
}

export function isUnlocked() {
  return Boolean(adminKey.get());
}

export function initAdmin(dataChanged) {
  onDataChanged = dataChanged;
  keyForm.addEventListener("submit", unlock);
  document.getElementById("admin-forget").addEventListener("click", forget);
  document.getElementById("backup-now").addEventListener("click", () => startJob("/api/admin/backups"));
  document.getElementById("restore-canonical").addEventListener("click", restoreCanonical);
  setUnlocked(isUnlocked());
}
