// The off-site benchmark's client: writes campaigns and records every write that was acknowledged (2xx) with its
// latency, then, after the service came back on an empty volume, checks that every acknowledged write is there.
// No dependencies beyond Node (http with keep-alive, one connection per writer).
//
//   node writer.mjs write URL ADMIN_KEY PREFIX OUT.json [WRITERS=4] [MAX_SECONDS=120]
//     WRITERS loops, each: create PREFIX-<writer>-<i> (name v1); every third key is then edited (name v2), every
//     third deleted. A loop stops at its first failed connection (the service was killed) or after MAX_SECONDS.
//     OUT.json: per key the last acknowledged state ("v1", "v2", null = deleted) and the write in flight when the
//     service died (either outcome is fine for that one), the latencies of the acknowledged writes, the counts.
//   node writer.mjs check URL OUT.json [OUT.json...]
//     Reads every campaign (paged) and prints one JSON line: acknowledged writes, how many are lost, examples.
//   node writer.mjs report OUT_DIR
//     The table of bench/offsite.sh's run from OUT_DIR/rounds.tsv, idle.tsv and the acks-*.json files, in Markdown.
import http from 'node:http';
import fs from 'node:fs';

const [mode, ...args] = process.argv.slice(2);

function request(agent, base, method, path, adminKey, body) {
  const url = new URL(path, base);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname, port: url.port, path: url.pathname + url.search, method, agent,
      headers: {
        ...(adminKey ? { authorization: `Bearer ${adminKey}` } : {}),
        ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
      },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(60_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

const campaign = (key, name) => ({
  key, name, property: 'mmm', description: 'Off-site benchmark write.', offerUrl: 'https://offers.example.com/bench',
  imageUrl: 'https://cdn.example.com/bench.png', callToAction: 'Shop now', priority: 500,
});

async function write([base, adminKey, prefix, out, writers = '4', maxSeconds = '120']) {
  const keys = {}; // key -> { acked: undefined | 'v1' | 'v2' | null, inflight?: 'v1' | 'v2' | null }
  const latencies = { create: [], update: [], delete: [] };
  let attempted = 0, acknowledged = 0, refused = 0;
  const refusals = {};
  const started = performance.now();
  let lastAck = started;
  const deadline = started + Number(maxSeconds) * 1000;

  async function op(agent, key, kind, method, path, body, target) {
    keys[key].inflight = target;
    attempted++;
    const t0 = performance.now();
    const res = await request(agent, base, method, path, adminKey, body); // throws once the service is gone
    const ms = performance.now() - t0;
    if (res.status >= 200 && res.status < 300) {
      acknowledged++;
      lastAck = performance.now();
      latencies[kind].push(ms);
      keys[key].acked = target;
      delete keys[key].inflight;
      return res;
    }
    refused++;
    refusals[res.status] = (refusals[res.status] ?? 0) + 1;
    delete keys[key].inflight; // a refused write must leave nothing: the earlier acknowledged state stands
    return null;
  }

  async function loop(w) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; performance.now() < deadline; i++) {
        const key = `${prefix}-${w}-${i}`;
        keys[key] = {};
        const created = await op(agent, key, 'create', 'POST', '/api/campaigns', campaign(key, 'v1'), 'v1');
        if (!created) continue;
        const id = JSON.parse(created.body).id;
        if (i % 3 === 1) await op(agent, key, 'update', 'PUT', `/api/campaigns/${id}`, campaign(key, 'v2'), 'v2');
        else if (i % 3 === 2) await op(agent, key, 'delete', 'DELETE', `/api/campaigns/${id}`, undefined, null);
      }
    } catch {
      // the service is gone: the write in flight was never acknowledged
    } finally {
      agent.destroy();
    }
  }

  await Promise.all(Array.from({ length: Number(writers) }, (_, w) => loop(w)));
  const seconds = (lastAck - started) / 1000;
  fs.writeFileSync(out, JSON.stringify({ attempted, acknowledged, refused, refusals, seconds, latencies, keys }));
  const all = [...latencies.create, ...latencies.update, ...latencies.delete];
  console.log(JSON.stringify({ attempted, acknowledged, refused, seconds: +seconds.toFixed(2), p50: pct(all, 50), p99: pct(all, 99) }));
}

export function pct(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return +sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)].toFixed(2);
}

async function check([base, ...files]) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const stored = new Map();
  for (let offset = 0; ; offset += 1000) {
    const res = await request(agent, base, 'GET', `/api/campaigns?limit=1000&offset=${offset}`);
    if (res.status !== 200) throw new Error(`GET /api/campaigns: ${res.status} ${res.body.slice(0, 300)}`);
    const page = JSON.parse(res.body);
    for (const c of page) stored.set(c.key, c.name);
    if (page.length < 1000) break;
  }
  agent.destroy();

  // Each key's acknowledged writes in order: create (v1), then an edit (v2) or a delete. A write is lost when the
  // stored state is older than it; the write in flight at the kill may or may not have landed, so either state passes.
  let acknowledgedWrites = 0, lost = 0;
  const examples = [];
  const show = (state) => (state === undefined ? 'nothing' : state === null ? 'deleted' : state);
  for (const file of files) {
    const { keys } = JSON.parse(fs.readFileSync(file, 'utf8'));
    for (const [key, entry] of Object.entries(keys)) {
      const { acked } = entry;
      if (acked === undefined) continue; // never acknowledged
      const count = acked === 'v1' ? 1 : 2;
      acknowledgedWrites += count;
      const found = stored.has(key) ? stored.get(key) : null; // absent reads as deleted
      if (found === acked || ('inflight' in entry && found === entry.inflight)) continue;
      lost += Math.max(1, count - (found === 'v1' ? 1 : found === 'v2' ? 2 : 0));
      if (examples.length < 5) examples.push(`${key}: acknowledged ${show(acked)}, found ${stored.has(key) ? found : 'nothing'}`);
    }
  }
  console.log(JSON.stringify({ acknowledgedWrites, lost, stored: stored.size, examples }));
}

function readTsv(file) {
  if (!fs.existsSync(file)) return [];
  const [head, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const names = head.split('\t');
  return lines.filter(Boolean).map((l) => Object.fromEntries(l.split('\t').map((v, i) => [names[i], v])));
}

const median = (values) => pct(values, 50);
const ms = (v) => (v === null ? '-' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v < 10 ? 1 : 0)} ms`);

function report([dir]) {
  const rounds = readTsv(`${dir}/rounds.tsv`);
  const idle = Object.fromEntries(readTsv(`${dir}/idle.tsv`).map((r) => [r.contender, r]));
  const names = { off: 'service, off-site off (baseline)', litestream: 'Litestream 0.3.13 beside the service', sync: 'service, off-site sync', async: 'service, off-site async' };
  const figures = {};
  for (const c of [...new Set(rounds.map((r) => r.contender))]) {
    const mine = rounds.filter((r) => r.contender === c);
    const lat = [];
    const rates = [];
    let acknowledged = 0, attempted = 0, refused = 0;
    for (const r of mine) {
      const a = JSON.parse(fs.readFileSync(`${dir}/acks-${c}-${r.round}.json`, 'utf8'));
      lat.push(...a.latencies.create, ...a.latencies.update, ...a.latencies.delete);
      rates.push(a.acknowledged / a.seconds);
      acknowledged += a.acknowledged; attempted += a.attempted; refused += a.refused;
    }
    const num = (k) => mine.map((r) => r[k]).filter((v) => v !== '-' && v !== undefined).map(Number);
    const lostPerRound = num('lost');
    const writingRequests = num('requests_writing').reduce((s, v) => s + v, 0);
    figures[c] = {
      rounds: mine.length, acknowledged, attempted, refused,
      lost: lostPerRound.length ? lostPerRound.reduce((s, v) => s + v, 0) : null, lostPerRound,
      rate: median(rates), p50: pct(lat, 50), p99: pct(lat, 99), max: lat.length ? Math.max(...lat) : null,
      ready: num('ready_ms'), perThousand: acknowledged ? (writingRequests / acknowledged) * 1000 : 0,
      restoring: median(num('requests_restoring')), bytes: median(num('bytes')), load: num('load1'),
      idleHour: idle[c] ? (Number(idle[c].requests) * 3600) / Number(idle[c].seconds) : null, idle: idle[c],
    };
  }

  const out = [];
  out.push(fs.existsSync(`${dir}/header.txt`) ? fs.readFileSync(`${dir}/header.txt`, 'utf8').trim() : '');
  out.push('');
  out.push('| contender | acknowledged writes (rounds) | lost | writes/s (median round) | p50 | p99 | max | empty volume → ready with all data (median; min–max) | store requests per 1,000 writes | while restoring (median) | per idle hour | bytes stored per round (median) | load (1 min) during rounds |');
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [c, f] of Object.entries(figures)) {
    const ready = f.ready.length ? `${ms(median(f.ready))}; ${ms(Math.min(...f.ready))}–${ms(Math.max(...f.ready))}` : '-';
    const idleText = f.idleHour === null ? '-' : `${Math.round(f.idleHour)} (${f.idle.requests} in ${f.idle.seconds} s)`;
    out.push(`| ${names[c] ?? c} | ${f.acknowledged} (${f.rounds})${f.refused ? `, ${f.refused} refused` : ''} | ${f.lost === null ? 'n/a' : `**${f.lost}** (${f.lostPerRound.join(', ')})`} | ${f.rate?.toFixed(0)} | ${ms(f.p50)} | ${ms(f.p99)} | ${ms(f.max)} | ${ready} | ${c === 'off' ? '-' : Math.round(f.perThousand)} | ${f.restoring ?? '-'} | ${idleText} | ${c === 'off' ? '-' : f.bytes} | ${Math.min(...f.load).toFixed(1)}–${Math.max(...f.load).toFixed(1)} |`);
  }
  out.push('');
  const off = figures.off, ls = figures.litestream;
  for (const c of ['sync', 'async']) {
    const f = figures[c];
    if (!f) continue;
    const targets = [];
    if (off) targets.push(`p99 ${(f.p99 / off.p99).toFixed(2)}× off${c === 'sync' ? ' (target ≤ 3×)' : ''}, p50 ${(f.p50 / off.p50).toFixed(2)}× off, throughput ${(f.rate / off.rate).toFixed(2)}× off`);
    if (ls) targets.push(`ready ${ms(median(f.ready))} against Litestream's restore + start ${ms(median(ls.ready))} (target ≤ ${ms(median(ls.ready) + 1000)})`);
    targets.push(c === 'sync' ? `lost ${f.lost} (target 0)` : `lost ${f.lost}${ls ? ` against Litestream's ${ls.lost} (target: no more)` : ''}`);
    out.push(`- ${c}: ${targets.join('; ')}`);
  }
  if (fs.existsSync(`${dir}/file-replica.txt`)) out.push(`- ${fs.readFileSync(`${dir}/file-replica.txt`, 'utf8').trim()}`);
  out.push(`- idle: requests counted in the window, times 3600 / window; work scheduled less often than the window (hourly retention, snapshot intervals) is not in it`);
  console.log(out.join('\n'));
}

if (mode === 'write') await write(args);
else if (mode === 'check') await check(args);
else if (mode === 'report') report(args);
else { console.error('usage: writer.mjs write|check ...'); process.exit(2); }
