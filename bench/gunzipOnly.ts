/** The floor for replay: only decompress every file, streaming, and count bytes. */
import { createReadStream, readdirSync } from "node:fs";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";

async function main(): Promise<void> {
  const directory = process.argv[2];
  let bytes = 0;
  const started = process.hrtime.bigint();
  for (const name of readdirSync(directory).sort()) {
    // pipeline, not pipe: an error in either stream rejects instead of hanging the count.
    await pipeline(
      createReadStream(path.join(directory, name), { highWaterMark: 1 << 20 }),
      createGunzip({ chunkSize: 1 << 18 }),
      async (source: AsyncIterable<Buffer>) => {
        for await (const chunk of source) {
          bytes += chunk.length;
        }
      },
    );
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`${JSON.stringify({ bytes, seconds })}\n`);
}

void main();
