// The campaigns table with its filters, the detail dialog, and the create/edit form (admin).
import { api, showProblem } from "./api.js";
import { dateTime, el, fillFacts } from "./format.js";

const table = document.querySelector("#campaigns-table tbody");
const counts = document.getElementById("campaign-counts");
const listError = document.getElementById("campaigns-error");
const filters = document.getElementById("filters");
const propertySelect = document.getElementById("filter-property");

const detail = document.getElementById("campaign-detail");
const detailFields = document.getElementById("detail-fields");
const detailError = document.getElementById("detail-error");
const detailToggle = document.getElementById("detail-toggle");

const editor = document.getElementById("campaign-editor");
const form = document.getElementById("campaign-form");
const formProblem = document.getElementById("form-problem");

let campaigns = [];
let expectedActive = null;
let shown = null; // the campaign in the detail dialog
let editing = null; // null: creating; otherwise the campaign being edited
let onChange = () => {};

export function setExpectedActive(value) {
  expectedActive = value;
  render();
}

export async function loadCampaigns() {
  try {
    campaigns = await api("/api/campaigns");
    showProblem(listError, null);
  } catch (error) {
    showProblem(listError, error);
  }
  fillProperties();
  render();
}

function fillProperties() {
  const current = propertySelect.value;
  const properties = [...new Set(campaigns.map((c) => c.property))].sort();
  propertySelect.replaceChildren(
    el("option", { value: "" }, "All properties"),
    ...properties.map((p) => el("option", { value: p }, p)),
  );
  propertySelect.value = properties.includes(current) ? current : "";
}

function filtered() {
  const search = filters.search.value.trim().toLowerCase();
  const property = filters.property.value;
  const active = filters.active.value;
  return campaigns.filter(
    (c) =>
      (!search || c.name.toLowerCase().includes(search)) &&
      (!property || c.property === property) &&
      (!active || String(c.active) === active),
  );
}

function row(campaign) {
  const open = el("button", { type: "button", className: "link", "aria-haspopup": "dialog" }, campaign.name);
  open.addEventListener("click", (event) => {
    event.stopPropagation();
    showDetail(campaign);
  });
  const tr = el(
    "tr",
    { dataset: { id: campaign.id }, className: campaign.active ? "" : "inactive" },
    el("td", { dataset: { label: "Name" } }, open),
    el("td", { dataset: { label: "Property" } }, campaign.property),
    el("td", { dataset: { label: "Active" } }, el("span", { className: campaign.active ? "pill yes" : "pill no" }, campaign.active ? "Active" : "Inactive")),
    el("td", { dataset: { label: "Key" } }, el("code", {}, campaign.key)),
    el("td", { dataset: { label: "Source" } }, campaign.source),
    el("td", { dataset: { label: "Updated" } }, dateTime(campaign.updatedAt)),
  );
  tr.addEventListener("click", () => showDetail(campaign));
  return tr;
}

function render() {
  const visible = filtered();
  table.replaceChildren(...visible.map(row));
  if (!visible.length) {
    table.append(el("tr", { className: "empty" }, el("td", { colspan: 6 }, campaigns.length ? "No campaign matches these filters." : "No campaigns.")));
  }
  const active = campaigns.filter((c) => c.active).length;
  const expected = expectedActive === null ? "" : ` · ${active} of ${expectedActive} expected active`;
  counts.textContent = `Showing ${visible.length} of ${campaigns.length} campaigns${expected}`;
  counts.classList.toggle("short", expectedActive !== null && active < expectedActive);
}

function showDetail(campaign) {
  shown = campaign;
  document.getElementById("detail-title").textContent = campaign.name;
  const offer = el("a", { href: campaign.offerUrl, rel: "noopener noreferrer", target: "_blank" }, campaign.offerUrl);
  fillFacts(detailFields, [
    ["Key", el("code", {}, campaign.key)],
    ["Property", campaign.property],
    ["State", campaign.active ? "Active" : "Inactive"],
    ["Offer URL (used in emails)", campaign.offerUrl ? offer : "—"],
    ["Image URL", campaign.imageUrl || "—"],
    ["Call to action", campaign.callToAction || "—"],
    ["Description", campaign.description || "—"],
    ["Priority", String(campaign.priority)],
    ["Source", campaign.source],
    ["Created", dateTime(campaign.createdAt)],
    ["Updated", dateTime(campaign.updatedAt)],
    ["Id", String(campaign.id)],
  ]);
  detailToggle.textContent = campaign.active ? "Deactivate" : "Activate";
  showProblem(detailError, null);
  detail.showModal();
}

function requestFrom(campaign, changes = {}) {
  const { key, name, property, active, description, offerUrl, imageUrl, callToAction, priority } = campaign;
  return { key, name, property, active, description, offerUrl, imageUrl, callToAction, priority, ...changes };
}

async function toggleActive() {
  try {
    await api(`/api/campaigns/${shown.id}`, { method: "PUT", admin: true, body: requestFrom(shown, { active: !shown.active }) });
    detail.close();
    await onChange();
  } catch (error) {
    showProblem(detailError, error);
  }
}

function openEditor(campaign) {
  editing = campaign;
  form.reset();
  clearFieldErrors();
  document.getElementById("editor-title").textContent = campaign ? `Edit ${campaign.name}` : "New campaign";
  if (campaign) {
    for (const [name, value] of Object.entries(requestFrom(campaign))) {
      const input = form.elements[name];
      if (input.type === "checkbox") input.checked = value;
      else input.value = value ?? "";
    }
  }
  editor.showModal();
  form.elements.name.focus();
}

function clearFieldErrors() {
  showProblem(formProblem, null);
  for (const message of form.querySelectorAll(".field-error")) message.textContent = "";
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
}

function formBody() {
  const value = (name) => form.elements[name].value.trim();
  const priority = value("priority");
  return {
    key: value("key"),
    name: value("name"),
    property: value("property"),
    active: form.elements.active.checked,
    description: value("description"),
    offerUrl: value("offerUrl"),
    imageUrl: value("imageUrl"),
    callToAction: value("callToAction"),
    // Anything that is not a whole number goes to the API as typed, so its own message explains the problem.
    priority: priority === "" ? 0 : /^-?\d+$/.test(priority) ? Number(priority) : priority,
  };
}

async function save(event) {
  event.preventDefault();
  clearFieldErrors();
  const button = document.getElementById("editor-save");
  button.disabled = true;
  try {
    const path = editing ? `/api/campaigns/${editing.id}` : "/api/campaigns";
    await api(path, { method: editing ? "PUT" : "POST", admin: true, body: formBody() });
    editor.close();
    await onChange();
  } catch (error) {
    showFieldErrors(error);
  } finally {
    button.disabled = false;
  }
}

function showFieldErrors(error) {
  const unplaced = {};
  for (const [field, messages] of Object.entries(error.errors || {})) {
    const name = field.replace(/^\$\./, "");
    const target = form.querySelector(`.field-error[data-for="${CSS.escape(name)}"]`);
    if (target) {
      target.textContent = messages.join(" ");
      form.elements[name]?.setAttribute("aria-invalid", "true");
    } else {
      unplaced[field] = messages;
    }
  }
  showProblem(formProblem, { title: error.title, detail: error.detail, errors: unplaced });
  form.querySelector("[aria-invalid]")?.focus();
}

export function initCampaigns(changed) {
  onChange = changed;
  filters.addEventListener("input", render);
  filters.addEventListener("submit", (event) => event.preventDefault());
  document.getElementById("detail-close").addEventListener("click", () => detail.close());
  document.getElementById("detail-edit").addEventListener("click", () => {
    detail.close();
    openEditor(shown);
  });
  detailToggle.addEventListener("click", toggleActive);
  document.getElementById("new-campaign").addEventListener("click", () => openEditor(null));
  document.getElementById("editor-cancel").addEventListener("click", () => editor.close());
  form.addEventListener("submit", save);
}
