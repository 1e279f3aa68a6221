// The reference for bench/web_serve.sh: node's http module serving a file's
// bytes from memory, the fastest a page of that size can be answered on
// this machine, whatever made it.
//   node bench/web_serve_static.mjs FILE   (prints the port, then serves)
import fs from 'node:fs';
import http from 'node:http';

const body = fs.readFileSync(process.argv[2]);
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => console.log(`port ${server.address().port}`));
