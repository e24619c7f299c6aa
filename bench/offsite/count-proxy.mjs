// A counting reverse proxy in front of the S3 API server: every request it forwards is one line in the log
// ("<epoch ms> <METHOD> <path?query> <status> <request bytes> <ms from request to answer>"), so bench/offsite.sh can count what each contender
// asks of the store in a window (line counts before and after). Loopback only; no dependencies beyond Node.
//   node count-proxy.mjs LISTEN_PORT UPSTREAM_PORT LOG_FILE
import http from 'node:http';
import fs from 'node:fs';

const [listenPort, upstreamPort, logFile] = process.argv.slice(2);
if (!listenPort || !upstreamPort || !logFile) {
  console.error('usage: count-proxy.mjs LISTEN_PORT UPSTREAM_PORT LOG_FILE');
  process.exit(2);
}

const log = fs.openSync(logFile, 'a');
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

const server = http.createServer((req, res) => {
  const started = performance.now();
  const took = () => (performance.now() - started).toFixed(1);
  let bytes = 0;
  req.on('data', (chunk) => { bytes += chunk.length; });
  const upstream = http.request({
    host: '127.0.0.1', port: Number(upstreamPort), method: req.method, path: req.url, headers: req.headers, agent,
  }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
    answer.on('end', () => fs.writeSync(log, `${Date.now()} ${req.method} ${req.url} ${answer.statusCode} ${bytes} ${took()}\n`));
  });
  upstream.on('error', (error) => {
    fs.writeSync(log, `${Date.now()} ${req.method} ${req.url} 502 ${bytes} ${took()}\n`);
    if (!res.headersSent) res.writeHead(502);
    res.end(String(error));
  });
  req.pipe(upstream);
});
server.keepAliveTimeout = 60_000;
server.listen(Number(listenPort), '127.0.0.1');
