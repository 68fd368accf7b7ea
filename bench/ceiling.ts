// The ceiling: a bare node:http server that answers each path with the exact bytes (status,
// content type, body) the real app answered. Whatever it achieves is what node itself can do here.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

interface Canned {
  status: number;
  contentType: string;
  body: string; // base64
}

const responses: Record<string, Canned> = JSON.parse(readFileSync(process.argv[2]!, 'utf8'));
const bodies = new Map(
  Object.entries(responses).map(([path, r]) => [path, { ...r, bytes: Buffer.from(r.body, 'base64') }]),
);

const server = createServer((req, res) => {
  const canned = bodies.get(`${req.method} ${req.url}`);
  req.resume();
  req.on('end', () => {
    if (!canned) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(canned.status, {
      'content-type': canned.contentType,
      'content-length': canned.bytes.length,
    });
    res.end(canned.bytes);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object')
    console.log(`ceiling listening on http://127.0.0.1:${address.port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
