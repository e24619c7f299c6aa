// Talks to the Campaigns API. Failures become ApiError carrying the API's own problem document (RFC 9457), so the
// page can show the title, detail and per-field errors exactly as the API words them.

const keyStorageName = "campaigns.adminKey";

// sessionStorage only: gone when the tab closes, never sent by the browser on its own (unlike a cookie), never in a URL.
export const adminKey = {
  get: () => sessionStorage.getItem(keyStorageName),
  set: (key) => sessionStorage.setItem(keyStorageName, key),
  clear: () => sessionStorage.removeItem(keyStorageName),
};

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.title || `HTTP ${status}`);
    this.status = status;
    this.title = problem.title || `HTTP ${status}`;
    this.detail = problem.detail || "";
    this.errors = problem.errors || {};
  }
}

async function readBody(response) {
  const text = await response.text();
  if (!text) return null;
  const type = response.headers.get("content-type") || "";
  if (type.includes("json")) {
    try {
      return JSON.parse(text);
    } catch {
      return { title: `HTTP ${response.status}`, detail: text };
    }
  }
  return { title: `HTTP ${response.status} ${response.statusText}`.trim(), detail: text };
}

/**
 * fetch with JSON in and out. `admin: true` adds the stored key; `accept` lists statuses that are answers rather than
 * failures (the health report is still a report when it says 503).
 */
export async function api(path, { method = "GET", body, admin = false, accept = [] } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (admin) headers.Authorization = `Bearer ${adminKey.get() || ""}`;

  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
  } catch (error) {
    throw new ApiError(0, { title: "The service cannot be reached", detail: `${method} ${path}: ${error.message}` });
  }

  const data = await readBody(response);
  if (response.ok || accept.includes(response.status)) return data;
  throw new ApiError(response.status, data || { title: `HTTP ${response.status} ${response.statusText}`.trim() });
}

/** Downloads an admin-only file: a plain link cannot carry the Authorization header. */
export async function downloadAdminFile(path, fileName) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${adminKey.get() || ""}` } });
  if (!response.ok) throw new ApiError(response.status, (await readBody(response)) || {});
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement("a"), { href: url, download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Shows an error in an element the way the API worded it: "Title: detail" plus any field errors. */
export function showProblem(element, error) {
  element.replaceChildren();
  if (!error) {
    element.hidden = true;
    return;
  }
  const title = document.createElement("strong");
  title.textContent = error.title || error.message;
  element.append(title);
  if (error.detail) element.append(`: ${error.detail}`);
  const fields = Object.entries(error.errors || {});
  if (fields.length) {
    const list = document.createElement("ul");
    for (const [field, messages] of fields) {
      for (const message of messages) {
        const item = document.createElement("li");
        item.textContent = `${field}: ${message}`;
        list.append(item);
      }
    }
    element.append(list);
  }
  element.hidden = false;
}
