// Fixture bytes of the store's format version 1: pack header, record header and index row. If one of
// these changes, the format changed: bump its version and migrate, never edit the fixture.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Hash } from '../core/index.ts';
import { decodeRow, encodeRow, ROW_BYTES } from './disk-index.ts';
import { checkPackHeader, decodeRecordHeader, encodePackHeader, encodeRecordHeader, RECORD_HEADER_BYTES } from './pack-record.ts';

const ID = 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262' as Hash; // BLAKE3("")

describe('store format v1 fixtures', () => {
  it('pack header', () => {
    assert.equal(encodePackHeader().toString('hex'), '4c4f44455041434b0000000100000000');
    assert.throws(() => checkPackHeader(Buffer.from('4c4f44455041434b0000000200000000', 'hex'), 'p'), { code: 'UNSUPPORTED_VERSION' });
    assert.throws(() => checkPackHeader(Buffer.from('4c4f44455041434c0000000100000000', 'hex'), 'p'), { code: 'BAD_PACK' });
  });

  it('record header', () => {
    const h = { kind: 'manifest' as const, flags: 1, id: ID, rawLength: 1000, storedLength: 77 };
    const bytes = encodeRecordHeader(h);
    assert.equal(bytes.length, RECORD_HEADER_BYTES);
    assert.equal(bytes.toString('hex'),
      '4c524543010301' + '00' + ID + '000003e8' + '0000004d' + bytes.subarray(48).toString('hex'));
    assert.equal(bytes.subarray(48).toString('hex'), 'b954ecd8');
    assert.deepEqual(decodeRecordHeader(bytes, 'fixture'), h);
    for (const at of [0, 5, 6, 20, 43, 50]) {
      const bad = Buffer.from(bytes);
      bad[at]! ^= 1;
      assert.throws(() => decodeRecordHeader(bad, 'fixture'), { code: 'CORRUPT' }, `a flip at byte ${at} is caught`);
    }
  });

  it('index row', () => {
    const row = { kind: 'tree' as const, pack: 7, offset: 2 ** 33 + 5, storedLength: 300, rawLength: 1200 };
    const bytes = encodeRow(row);
    assert.equal(bytes.length, ROW_BYTES);
    assert.equal(bytes.toString('hex'), '01' + '00000007' + '000200000005' + '0000012c' + '000004b0');
    assert.deepEqual(decodeRow(bytes, 'fixture'), row);
    assert.throws(() => decodeRow(bytes.subarray(1), 'fixture'), { code: 'CORRUPT_INDEX' });
  });
});
