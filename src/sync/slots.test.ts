import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Slots } from './slots.ts';

test('slots are taken at once while free, then handed out in the order asked as they are given back', async () => {
  const slots = new Slots(2);
  assert.equal(slots.take(), undefined);
  assert.equal(slots.take(), undefined);
  assert.equal(slots.free, 0);
  const order: number[] = [];
  const waits = [1, 2, 3].map((n) => slots.take()!.then(() => order.push(n)));
  slots.give();
  slots.give();
  await Promise.all(waits.slice(0, 2));
  assert.deepEqual(order, [1, 2]);
  assert.equal(slots.free, 0, 'a slot given back to a waiter is not free');
  slots.give();
  await waits[2];
  slots.give();
  assert.deepEqual(order, [1, 2, 3]);
  assert.equal(slots.free, 1);
  assert.throws(() => new Slots(0), RangeError);
});
