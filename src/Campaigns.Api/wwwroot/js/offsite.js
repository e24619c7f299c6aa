// The off-site restore points (admin only): the lineages, snapshots and journal span in the store, and a restore to a
// moment the admin picks, asked first.
import { adminKey, api, showProblem } from "./api.js";
import { confirmAction, startJob } from "./admin.js";
import { bytes, dateTime, el } from "./format.js";

const section = document.getElementById("offsite-points");
const summary = document.getElementById("offsite-summary");
const lineages = document.getElementById("offsite-lineages");
const form = document.getElementById("offsite-restore-form");
const atInput = document.getElementById("offsite-at");
const adminError = document.getElementById("admin-error");

const shownSnapshots = 5;
let points = null;

const utc = (iso) => (iso ? `${iso.replace(/\.\d+/, "").replace(/(Z|[+-]\d\d:\d\d)$/, "")} UTC` : "—");

function lineageItem(lineage) {
  const journal = lineage.journal
    ? `journal ${utc(lineage.journal.from)} – ${utc(lineage.journal.to)}, ${lineage.journal.entries} entries`
    : "no journal entries";
  const snapshots = lineage.snapshots.slice(0, shownSnapshots).map((snapshot) => el("li", {}, `snapshot ${utc(snapshot.at)} · ${bytes(snapshot.sizeBytes)}`));
  const more = lineage.snapshots.length > shownSnapshots ? el("li", {}, `… ${lineage.snapshots.length - shownSnapshots} older snapshots`) : undefined;
  return el(
    "li",
    { className: "backup", dataset: { lineage: lineage.lineage } },
    el("p", { className: "backup-name" }, el("code", {}, lineage.lineage), lineage.current ? " (current)" : ""),
    el("p", { className: "backup-meta" }, `started ${dateTime(lineage.startedAt)} · ${lineage.snapshots.length} snapshots · ${journal} · ${bytes(lineage.sizeBytes)}`),
    el("ul", { className: "offsite-snapshots" }, snapshots, more),
  );
}

/** Loads the restore points; hidden while off-site copies are off. */
export async function loadOffSitePoints() {
  if (!adminKey.get()) return;
  points = await api("/api/admin/offsite", { admin: true });
  section.hidden = !points.configured;
  if (!points.configured) return;
  form.hidden = !points.restorable;
  summary.textContent = points.lineages.length
    ? `${points.store} (${points.provider}, ${points.mode} mode): restorable from ${utc(points.oldest)} to ${utc(points.newest)}.`
    : `${points.store}: no restore point yet.`;
  lineages.replaceChildren(...points.lineages.map(lineageItem));
}

async function restoreToMoment(event) {
  event.preventDefault();
  // datetime-local has no zone: the label says UTC, so the value is sent as UTC.
  const at = atInput.value ? `${atInput.value.length === 16 ? `${atInput.value}:00` : atInput.value}Z` : undefined;
  const yes = await confirmAction(
    at ? `Restore the off-site state as of ${utc(at)}?` : "Restore the newest off-site state?",
    `The whole database is replaced by the state the off-site copies hold ${at ? `as of ${utc(at)}: every change acknowledged after that moment is lost` : "now"}. ` +
      "A backup of the current data is taken first.",
    "Replace the database with the off-site state",
  );
  if (!yes) return;
  // startJob refreshes the page's data (these points included) once the job ends.
  await startJob("/api/admin/restore", at ? { source: "offsite", at } : { source: "offsite" });
}

form.addEventListener("submit", restoreToMoment);
document.addEventListener("campaigns:admin", (event) => {
  if (event.detail?.unlocked) loadOffSitePoints().catch((error) => showProblem(adminError, error));
  else section.hidden = true;
});
