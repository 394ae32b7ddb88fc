import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLodeError, SyncError } from '../core/index.ts';
import { BOUND_END, type Bound } from './bound.ts';
import { SyncIndex } from './item-index.ts';
import { decodeMessage, MessageWriter, PROTOCOL_VERSION } from './message.ts';
import { Reconciler } from './reconciler.ts';
import { splitSets } from './testing/items.ts';

const LIMIT = 60_000;
const bound = (timestamp: number, ...prefix: number[]): Bound => ({ timestamp, prefix: Uint8Array.from(prefix) });
const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const id = (fill: number): Uint8Array => new Uint8Array(32).fill(fill);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function responderFor(items = splitSets(500, 0, 0, 1).a): Reconciler {
  return new Reconciler(SyncIndex.from(items));
}

function initiatorAfterFirstMessage(): Reconciler {
  const r = new Reconciler(SyncIndex.from(splitSets(500, 0, 0, 1).a));
  r.initiate();
  return r;
}

/** Either a clean answer or a SyncError with a code: never another error, never a hang. */
function assertHandled(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof SyncError && isLodeError(e) && /^[A-Z_]+$/.test(e.code), `not a coded SyncError: ${String(e)}`);
  }
}

test('format is pinned: a small set goes out as one id list, a larger one as fingerprinted parts', () => {
  const small = SyncIndex.from([{ timestamp: 1000, id: id(1) }, { timestamp: 1000, id: id(2) }, { timestamp: 1000, id: id(3) }]);
  assert.equal(hex(new Reconciler(small).initiate()), '61' + '00' + '00' + '02' + '03' + hex(id(1)) + hex(id(2)) + hex(id(3)));
  // Threshold 2, two parts: the bound between them has the items' timestamp (1 + 1000 as a big-endian
  // varint: 87 69) and the one-byte id prefix that separates them; the last part ends at infinity (00 00).
  assert.equal(hex(new Reconciler(small, { enumerateThreshold: 2, branching: 2 }).initiate()),
    '61' + '8769' + '01' + '03' + '01' + hex(small.fingerprint(0, 2)) + '00' + '00' + '01' + hex(small.fingerprint(2, 3)));
});

test('every truncation of real messages is refused with a code or read as the shorter message it is', () => {
  const sets = splitSets(1000, 40, 40, 11);
  const initiator = new Reconciler(SyncIndex.from(sets.a));
  const responder = new Reconciler(SyncIndex.from(sets.b));
  const first = initiator.initiate();
  const answer = responder.reconcile(first).reply!;
  const second = initiator.reconcile(answer).reply!;
  const other = responderFor();
  for (const message of [first, answer, second]) {
    for (let cut = 0; cut < message.length; cut++) {
      assertHandled(() => decodeMessage(message.subarray(0, cut), LIMIT));
      assertHandled(() => other.reconcile(message.subarray(0, cut)));
    }
  }
  // Cut inside a fingerprint; inside an id list, whose count then announces more ids than remain.
  assert.throws(() => decodeMessage(first.subarray(0, 10), LIMIT), { code: 'TRUNCATED_MESSAGE' });
  assert.throws(() => decodeMessage(new Reconciler(SyncIndex.from(sets.a.slice(0, 3))).initiate().subarray(0, 40), LIMIT), { code: 'BAD_MESSAGE' });
  assert.throws(() => decodeMessage(new Uint8Array(0), LIMIT), { code: 'TRUNCATED_MESSAGE' });
});

test('garbage is refused with a code, by both roles', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (garbage, versioned) => {
    const message = versioned ? Uint8Array.from([PROTOCOL_VERSION, ...garbage]) : garbage;
    assertHandled(() => responderFor().reconcile(message));
    assertHandled(() => initiatorAfterFirstMessage().reconcile(message));
  }), { numRuns: 300 });
});

test('hostile framing is refused with its code', () => {
  const cases: Array<[string, Uint8Array]> = [
    ['BAD_VERSION', bytes(0x60)],
    ['BAD_MESSAGE', bytes(0x61, 0x00, 0x00, 0x02, 0x83, 0xff, 0xff, 0xff, 0x7f)], // an id list of ~1.6 billion ids
    ['BAD_MESSAGE', bytes(0x61, 0x00, 0x00, 0x09)], // unknown mode
    ['BAD_MESSAGE', bytes(0x61, 0x80, 0x01, 0x00, 0x00)], // non-minimal varint
    ['BAD_MESSAGE', bytes(0x61, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00)], // 9-byte varint
    ['BAD_MESSAGE', bytes(0x61, 0x05, 0x21, ...new Array(33).fill(1), 0x00)], // prefix longer than an id
    ['BAD_MESSAGE', bytes(0x61, 0x00, 0x01, 0x07, 0x00)], // a prefix on the bound at infinity
    ['BAD_MESSAGE', bytes(0x61, 0x00, 0x00, 0x03, 0x00)], // sketch with table size 0
    ['BAD_MESSAGE', bytes(0x61, 0x00, 0x00, 0x04, 0x83, 0xff, 0x7f)], // sketch request larger than any frame holds
    ['OUT_OF_ORDER', bytes(0x61, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00)], // a range after infinity
    ['OUT_OF_ORDER', bytes(0x61, 0x01, 0x00, 0x00)], // the first bound equals the lowest bound
  ];
  for (const [code, message] of cases) assert.throws(() => responderFor().reconcile(message), { code }, hex(message));

  const descending = new MessageWriter();
  descending.skip(bound(100, 5));
  descending.skip(bound(100, 4, 9));
  assert.throws(() => responderFor().reconcile(descending.finish()), { code: 'OUT_OF_ORDER' });

  const twice = new MessageWriter();
  twice.idList(BOUND_END, [id(1), id(2), id(1)]);
  assert.throws(() => responderFor().reconcile(twice.finish()), { code: 'BAD_MESSAGE' });

  assert.throws(() => responderFor().reconcile(new Uint8Array(LIMIT + 1).fill(0x61)), { code: 'FRAME_TOO_LARGE' });
});

test('a mode meant for the other role is refused', () => {
  const request = new MessageWriter();
  request.sketchRequest(BOUND_END, 4);
  assert.throws(() => initiatorAfterFirstMessage().reconcile(request.finish()), { code: 'UNEXPECTED_MODE' });
  const sketch = new MessageWriter();
  sketch.sketch(BOUND_END, 1, new Uint8Array(3 * 37));
  assert.throws(() => responderFor().reconcile(sketch.finish()), { code: 'UNEXPECTED_MODE' });
});

test('a forged sketch makes the initiator ask again, never report ids that are not differences', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 3 * 37 * 2, maxLength: 3 * 37 * 2 }), (cells) => {
    const forged = new MessageWriter();
    forged.sketch(BOUND_END, 2, cells);
    const result = initiatorAfterFirstMessage().reconcile(forged.finish());
    assert.equal(result.have.length + result.need.length, 0);
    assert.notEqual(result.reply, null);
  }), { numRuns: 100 });
});
