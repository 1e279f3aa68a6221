// The load side of bench/web_serve.sh: how long one page takes to start
// arriving and to arrive whole, and how many requests a second a server
// answers with several clients at once. Node's own http client.
//   node bench/web_serve_load.mjs URL [CONCURRENCY] [SECONDS]
// prints "ttfb_ms N", "full_ms N" (medians of up to 20 sequential
// requests), "bytes N", "rps N" and "errors N". A page slower than a
// second is timed 3 times and not loaded further ("rps -"): its time is
// the finding.
import http from 'node:http';

const [url, concurrencyArg = '8', secondsArg = '3'] = process.argv.slice(2);
const concurrency = Number(concurrencyArg);
const seconds = Number(secondsArg);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

function once() {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    let first = null;
    let bytes = 0;
    http.get(url, { agent }, (res) => {
      res.on('data', (chunk) => {
        if (first === null) first = process.hrtime.bigint();
        bytes += chunk.length;
      });
      res.on('end', () => {
        const end = process.hrtime.bigint();
        resolve({ status: res.statusCode, bytes, ttfb: Number((first ?? end) - start) / 1e6,
          full: Number(end - start) / 1e6 });
      });
    }).on('error', reject);
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const samples = [await once()];
const slow = samples[0].full > 1000;
while (samples.length < (slow ? 3 : 20)) samples.push(await once());
let errors = samples.filter((s) => s.status !== 200).length;

let answered = 0;
const deadline = slow ? 0 : Date.now() + seconds * 1000;
const started = process.hrtime.bigint();
await Promise.all(Array.from({ length: concurrency }, async () => {
  while (Date.now() < deadline) {
    const r = await once();
    if (r.status === 200) answered++;
    else errors++;
  }
}));
const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
agent.destroy();

console.log(`ttfb_ms ${median(samples.map((s) => s.ttfb)).toFixed(1)}`);
console.log(`full_ms ${median(samples.map((s) => s.full)).toFixed(1)}`);
console.log(`bytes ${samples[0].bytes}`);
console.log(`rps ${slow ? '-' : (answered / elapsed).toFixed(0)}`);
console.log(`errors ${errors}`);
