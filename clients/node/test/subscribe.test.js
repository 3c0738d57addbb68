'use strict';
// End-to-end: the Node client and example consumer against the real server.
// Filter: types ["publication.*"] and campaign CAMPAIGN. Each batch mixes
// events of another campaign and of another type (filtered out) with
// matching ones, and ends with a matching one, so an exact list compare also
// proves that nothing extra was delivered in between. Then a
// redemption.succeeded from its fixture, read typed under "redemption.*".

const test = require('node:test');
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const {spawn} = require('child_process');
const vs = require('../lib/vouchstream');
const h = require('./harness');

const CAMPAIGN = 'camp_jsA';
const OTHER_CAMPAIGN = 'camp_jsB';
const CONSUMER = path.join(__dirname, '..', 'examples', 'consumer.js');

async function publishBatch(client, firstN, count) {
  const seed = h.loadSeed();
  const expected = [];
  for (let i = 0; i < count; i++) {
    const n = firstN + i;
    const kind = i % 4;
    let event;
    if (kind === 0) {
      event = h.publication(seed, n, OTHER_CAMPAIGN, 'cust_js1');
    } else if (kind === 1) {
      event = h.otherEvent(n, CAMPAIGN);
    } else {
      event = h.publication(seed, n, CAMPAIGN,
          kind === 2 ? 'cust_js1' : 'cust_js2');
    }
    const response = await client.publish(event);
    assert.strictEqual(response.duplicate, false);
    if (kind >= 2) expected.push(response.seq);
  }
  return expected;
}

class Consumer {
  constructor(target, cursor,
      filters = ['--types=publication.*', `--campaign=${CAMPAIGN}`]) {
    this.process = spawn(process.execPath, [CONSUMER, `--server=${target}`,
      ...filters, `--cursor=${cursor}`],
    {stdio: ['ignore', 'pipe', 'inherit']});
    this.exited = new Promise((r) => this.process.on('exit', (code) => r(code)));
    this.reader = new h.LineReader(this.process.stdout);
  }
  async readEvents(count) {
    const deadline = Date.now() + h.DEADLINE_MS;
    const events = [];
    while (events.length < count) {
      const line = await this.reader.readline(deadline);
      assert.notStrictEqual(line, null, 'consumer exited early');
      events.push(JSON.parse(line));
    }
    return events;
  }
  async stop() {
    this.process.kill('SIGTERM');
    assert.strictEqual(await this.exited, 0);
  }
}

function tempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'vouchstream-node-'));
}

test('publish is idempotent', async () => {
  const server = await h.Server.start(path.join(tempDir(), 'events.db'));
  const client = new vs.Client(server.target);
  try {
    const event = h.publication(h.loadSeed(), 1, CAMPAIGN, 'cust_js1');
    const first = await client.publish(event);
    const again = await client.publish(event);
    assert.strictEqual(again.seq, first.seq);
    assert.strictEqual(again.duplicate, true);
  } finally {
    client.close();
    await server.stop();
  }
});

test('example consumer filters and resumes', async () => {
  const dir = tempDir();
  const cursor = path.join(dir, 'consumer.seq');
  const server = await h.Server.start(path.join(dir, 'events.db'));
  const client = new vs.Client(server.target);
  try {
    const expected = await publishBatch(client, 100, 12);
    let consumer = new Consumer(server.target, cursor);
    const got = await consumer.readEvents(expected.length);
    assert.deepStrictEqual(got.map((e) => e.seq), expected);
    assert.ok(got.every((e) => e.type === 'publication.succeeded'));
    assert.ok(got.every((e) => e.campaign_id === CAMPAIGN));

    // Live: published while the consumer is attached.
    const live = await publishBatch(client, 200, 8);
    assert.deepStrictEqual(
        (await consumer.readEvents(live.length)).map((e) => e.seq), live);
    await consumer.stop();
    assert.strictEqual(new vs.FileCursor(cursor).load(), live.at(-1));

    // Published while it is down: it resumes after the saved seq, no gap,
    // no duplicate.
    const missed = await publishBatch(client, 300, 8);
    consumer = new Consumer(server.target, cursor);
    assert.deepStrictEqual(
        (await consumer.readEvents(missed.length)).map((e) => e.seq), missed);
    const after = await publishBatch(client, 400, 4);
    assert.deepStrictEqual(
        (await consumer.readEvents(after.length)).map((e) => e.seq), after);
    await consumer.stop();
    assert.strictEqual(new vs.FileCursor(cursor).load(), after.at(-1));
  } finally {
    client.close();
    await server.stop();
  }
});

test('subscription resumes after a server restart', async () => {
  const store = path.join(tempDir(), 'events.db');
  let server = await h.Server.start(store);
  const client = new vs.Client(server.target);
  let subscription = null;
  let consuming = Promise.resolve();
  try {
    const expected = await publishBatch(client, 500, 8);
    subscription = client.subscribe({
      filter: {types: ['publication.*'], campaign_ids: [CAMPAIGN]},
      backoff: new vs.Backoff({initialMs: 50, maxMs: 500}),
    });
    const caughtUp = new Promise((r) => subscription.once('caught_up', r));
    const seen = [];
    const want = 2 * expected.length;  // this batch and the one after restart
    let allSeen;
    const done = new Promise((r) => {
      allSeen = r;
    });
    consuming = (async () => {
      for await (const event of subscription) {
        seen.push(event.seq);
        if (seen.length === want) allSeen();
      }
    })();
    await caughtUp;

    // Same port, same store: the subscription reconnects by itself.
    const port = server.port;
    await server.stop();
    server = await h.Server.start(store, port);
    expected.push(...await publishBatch(client, 600, 8));
    let timer;
    await Promise.race([done, new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(
          `got ${seen}, want ${expected}`)), h.DEADLINE_MS);
    })]);
    clearTimeout(timer);
    subscription.cancel();
    await consuming;
    assert.deepStrictEqual(seen, expected);
    assert.ok(subscription.reconnects >= 1);
  } finally {
    if (subscription) subscription.cancel();
    await consuming.catch(() => {});
    client.close();
    await server.stop();
  }
});

// A redemption.succeeded built from its fixture reaches "redemption.*"
// typed: the library's event has `redemption_succeeded.order.amount` and the
// example consumer prints it as "order_amount". The same body published as
// untyped `data` is the control: no typed payload, no "order_amount"; so a
// payload that arrived as a Struct fails the typed checks.
test('a redemption arrives typed', async () => {
  const dir = tempDir();
  const server = await h.Server.start(path.join(dir, 'events.db'));
  const client = new vs.Client(server.target);
  let consumer = null;
  try {
    const body = h.loadEventFixture('redemption.succeeded');
    const want = body.order.amount;
    const typed = {id: body.redemption.id, type: 'redemption.succeeded',
      redemption_succeeded: vs.fromJson('voucherify.v1.RedemptionOutcome',
          body)};
    const untyped = {id: 'evred_js_untyped', type: 'redemption.succeeded',
      data: vs.toStruct(body)};
    const seqs = [];
    for (const event of [typed, untyped]) {
      seqs.push((await client.publish(event)).seq);
    }

    const subscription = client.subscribe({filter: {types: ['redemption.*']}});
    const timer = setTimeout(() => subscription.cancel(), h.DEADLINE_MS);
    const got = [];
    for await (const event of subscription) {
      got.push(event);
      if (got.length === 2) break;
    }
    clearTimeout(timer);
    subscription.cancel();
    assert.deepStrictEqual(got.map((e) => e.seq), seqs);
    assert.strictEqual(got[0].payload, 'redemption_succeeded');
    assert.strictEqual(got[0].redemption_succeeded.order.amount, want);
    assert.strictEqual(got[1].payload, 'data');

    consumer = new Consumer(server.target, path.join(dir, 'consumer.seq'),
        ['--types=redemption.*']);
    const lines = await consumer.readEvents(2);
    await consumer.stop();
    consumer = null;
    assert.deepStrictEqual(lines.map((e) => e.seq), seqs);
    assert.strictEqual(lines[0].type, 'redemption.succeeded');
    assert.strictEqual(lines[0].order_amount, want);
    assert.ok(!('order_amount' in lines[1]), JSON.stringify(lines[1]));
  } finally {
    if (consumer) consumer.process.kill('SIGKILL');
    client.close();
    await server.stop();
  }
});
