// What the email-generation service does with this API, written against a client generated from the served
// OpenAPI document (openapi-typescript + openapi-fetch). tsc type-checks it against the generated types, so a document
// that called `active` a string, or left `offerUrl` optional, would fail to compile.
import createClient from "openapi-fetch";
import type { paths, components } from "./out/schema.js";

type Campaign = components["schemas"]["CampaignDto"];
declare const process: { argv: string[] }; // the one Node global used; no @types/node needed for it

const [baseUrl, property] = process.argv.slice(2);
const api = createClient<paths>({ baseUrl });

// The active campaigns of one site, best first.
const list = await api.GET("/api/campaigns", { params: { query: { active: true, property, limit: 50, offset: 0 } } });
if (list.error || !list.data) {
  throw new Error(`listing failed: ${list.response.status} ${JSON.stringify(list.error)}`);
}
const campaigns: Campaign[] = list.data;
if (campaigns.length === 0) {
  throw new Error(`no active campaigns for ${property}`);
}

// Read the one the email features, then link to its offer with the email's tracking parameters.
const one = await api.GET("/api/campaigns/{id}", { params: { path: { id: campaigns[0].id } } });
if (one.error || !one.data) {
  throw new Error(`reading campaign ${campaigns[0].id} failed: ${one.response.status}`);
}
const featured: Campaign = one.data;
const link = new URL(featured.offerUrl);
link.searchParams.set("utm_source", "email");
link.searchParams.set("utm_campaign", featured.key);

// An unknown campaign is a typed problem document, not an exception.
const missing = await api.GET("/api/campaigns/{id}", { params: { path: { id: 2147483647 } } });

console.log(JSON.stringify({
  listed: campaigns.map((c) => c.key),
  allActive: campaigns.every((c) => c.active && c.property === property),
  featured: featured.key,
  link: link.toString(),
  missingStatus: missing.response.status,
  missingTitle: missing.error?.title ?? null,
}));
