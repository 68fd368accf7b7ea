// Image uploads (a 900×700 noisy JPEG, 8 at once): throughput and what they do to memory.
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import sharp from 'sharp';
import { options, wanted } from '../options.js';
import { record } from '../report.js';
import { largestRss, mb, withPeakRss } from '../rss.js';
import type { ScenarioContext } from './context.js';

async function multipartJpeg() {
  const jpeg = await sharp({
    create: {
      width: 900,
      height: 700,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 60 },
    },
  })
    .jpeg({ quality: 92 })
    .toBuffer();
  const boundary = `----mercato${randomBytes(8).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
    ),
    jpeg,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { jpeg, boundary, body };
}

export async function runUpload({ app, shop, result }: ScenarioContext): Promise<void> {
  if (!wanted('upload')) return;
  const { jpeg, boundary, body } = await multipartJpeg();
  const rssStart = largestRss(app.pid);
  const { result: run, peakRss } = await withPeakRss(app.pid, () =>
    autocannon({
      url: `${app.url}/api/products/${shop.productId}/image`,
      method: 'POST',
      connections: 8,
      amount: options.uploads,
      headers: {
        authorization: `Bearer ${shop.admin}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      body,
    }),
  );
  record(result, {
    scenario: `upload (${(jpeg.length / 1024).toFixed(0)} KB JPEG, 8 at once, ${options.uploads})`,
    rate: run.requests.total / run.duration,
    unit: 'uploads/s',
    p50: run.latency.p50,
    p99: run.latency.p99,
    peakRss,
    rssExempt: true,
    note: `${run.non2xx} non-2xx; RSS ${mb(rssStart)} → ${mb(largestRss(app.pid))}`,
  });
}
