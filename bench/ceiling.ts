// The ceiling: a bare node:http server that answers each request with the exact bytes (status,
// headers, body — compressed when the app compressed it) the real app answered to the same path,
// Accept-Encoding and Authorization. Whatever it achieves is what node itself can do here.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { type CannedFile, cannedKey } from './canned.js';

const canned: CannedFile = JSON.parse(readFileSync(process.argv[2]!, 'utf8'));
const answers = new Map(
  Object.entries(canned).map(([key, r]) => {
    const body = Buffer.from(r.body, 'base64');
    return [key, { status: r.status, headers: { ...r.headers, 'content-length': body.length }, body }];
  }),
);

const server = createServer((req, res) => {
  const answer = answers.get(
    cannedKey(req.method ?? 'GET', req.url ?? '/', {
      'accept-encoding': req.headers['accept-encoding'],
      authorization: req.headers.authorization,
    }),
  );
  req.resume();
  req.on('end', () => {
    if (!answer) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object')
    console.log(`ceiling listening on http://127.0.0.1:${address.port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
