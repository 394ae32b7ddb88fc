// Hostile frames on real sockets: an oversized or truncated frame ends only its own stream, with a coded
// error, while the node keeps serving another stream on the same connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameWriter, readFrames, writeFrame, FRAME_HEADER_BYTES } from './frames.ts';
import { withMembers, until } from './testing/nodes.ts';
import type { NetNodeOptions } from './transport.ts';
import type { Stream } from '@libp2p/interface';

const SUM = '/lode/test/sum/1';
const MAX_FRAME = 1024;

function header(length: number): Uint8Array {
  const h = new Uint8Array(FRAME_HEADER_BYTES);
  new DataView(h.buffer).setUint32(0, length, false);
  return h;
}

async function collect(stream: Stream): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const f of readFrames(stream, { maxFrame: MAX_FRAME })) out.push(f);
  return out;
}

// `close`: the sender ends its side, so the reader sees the stream end inside the frame.
const hostile = [
  { name: 'an oversized frame', code: 'FRAME_TOO_LARGE', bytes: header(10 * 1024 * 1024), close: false },
  { name: 'garbage bytes', code: 'FRAME_TOO_LARGE', bytes: new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'), close: false },
  { name: 'a truncated frame', code: 'TRUNCATED_FRAME', bytes: new Uint8Array([...header(100), 1, 2, 3]), close: true },
];

for (const { name, code, bytes, close } of hostile) {
  test(`${name} aborts its stream with ${code} while another stream is served`, { timeout: 20_000 }, async () => {
    const failures: string[] = [];
    const onStreamError: NetNodeOptions['onStreamError'] = (protocol, from, e) => failures.push(`${protocol} ${from} ${(e as { code: string }).code}`);
    await withMembers(async ({ a, b, ia, ib }) => {
      // Replies to each frame with the sum of its bytes, as one byte.
      await a.handleStream(SUM, async (stream) => {
        for await (const frame of readFrames(stream, { maxFrame: MAX_FRAME })) await writeFrame(stream, new Uint8Array([frame.reduce((x, y) => x + y, 0) & 0xff]));
      });
      await b.dial(ia.nodeId, a.listenAddrs());
      const good = await b.openStream(ia.nodeId, SUM);
      await writeFrame(good, new Uint8Array([1, 2]));

      const bad = await b.openStream(ia.nodeId, SUM);
      bad.send(bytes);
      if (close) await bad.close();
      await assert.rejects(collect(bad), { code: 'STREAM_RESET' });
      await until(() => failures.length > 0, 'the stream error report');
      assert.deepEqual(failures, [`${SUM} ${ib.nodeId} ${code}`]);

      // The good stream, opened before and still open, keeps working on the same connection.
      const writer = new FrameWriter(good);
      await writer.write(new Uint8Array([3, 4]));
      await writer.end();
      assert.deepEqual((await collect(good)).map((f) => [...f]), [[3], [7]]);
      assert.deepEqual(b.connectedNodes(), [ia.nodeId]);
      await until(() => b.libp2p.getConnections()[0]?.streams.length === 0, 'the streams to be released');
    }, { a: { onStreamError } });
  });
}

test('a slow reader pauses the stream rather than buffering it, and every frame arrives intact', { timeout: 20_000 }, async () => {
  await withMembers(async ({ a, b, ia, ib }) => {
    const FRAME = 512 * 1024;
    const COUNT = 24; // 12 MiB: more than the stream's 4 MiB read buffer would hold unpaused
    let sawPause = false;
    let received = 0;
    let intact = true;
    const done = Promise.withResolvers<void>();
    await a.handleStream('/lode/test/slow/1', async (stream) => {
      try {
        for await (const frame of readFrames(stream, { maxFrame: FRAME })) {
          intact &&= frame.length === FRAME && frame[0] === received % 256 && frame[FRAME - 1] === received % 256;
          received++;
          await new Promise((r) => setTimeout(r, 5));
          sawPause ||= stream.readStatus === 'paused';
        }
        done.resolve();
      } catch (e) {
        done.reject(e);
      }
    });
    await b.dial(ia.nodeId, a.listenAddrs());
    const stream = await b.openStream(ia.nodeId, '/lode/test/slow/1');
    const writer = new FrameWriter(stream);
    for (let i = 0; i < COUNT; i++) await writer.write(new Uint8Array(FRAME).fill(i % 256));
    await writer.end();
    await done.promise;
    assert.equal(received, COUNT);
    assert.ok(intact, 'frames arrive in order and unchanged');
    assert.ok(sawPause, 'the reader paused the stream while it was behind');
  });
});
