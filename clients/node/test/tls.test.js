'use strict';
// TLS, mTLS and the bearer token (issue 8), against the real server.
// Certificates come from scripts/make_test_certs.sh into a temp dir. The
// token test checks only that the client SENDS the header, on an in-process
// recording server; the real server's checking of it belongs to the auth
// tests.

const test = require('node:test');
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const {spawn} = require('child_process');
const vs = require('../lib/vouchstream');
const h = require('./harness');

const CONSUMER = path.join(__dirname, '..', 'examples', 'consumer.js');

// GetEvent, failing fast (no waitForReady) so a refusal shows.
function getEvent(client, seq) {
  return new Promise((resolve, reject) => {
    client.stub.GetEvent({seq}, {deadline: Date.now() + 10000},
        (err, response) => (err ? reject(err) : resolve(response)));
  });
}

test('TLS and mTLS against the real server', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-node-tls-'));
  const pki = h.makeTestCerts(path.join(dir, 'pki'));
  const good = {ca: pki.ca, cert: pki.clientCert, key: pki.clientKey};
  const server = await h.Server.start(path.join(dir, 'events.db'), 0, {
    extraArgs: [`--tls-cert=${pki.serverCert}`, `--tls-key=${pki.serverKey}`,
      `--client-ca=${pki.ca}`],
    security: good,
  });
  t.after(async () => {
    await server.stop();
    fs.rmSync(dir, {recursive: true, force: true});
  });

  await t.test('mTLS: publish, subscribe, get', async () => {
    const client = new vs.Client(server.target,
        {...good, serverName: 'localhost'});
    try {
      const published = await client.publish(
          h.publication(h.loadSeed(), 900001, 'camp_jsTLS', 'cust_js1'));
      const sub = client.subscribe({filter: {types: ['publication.*']}});
      let seen = null;
      for await (const event of sub) {
        seen = event;
        sub.cancel();
      }
      assert.strictEqual(seen.seq, published.seq);
      const got = await getEvent(client, published.seq);
      assert.strictEqual(got.event.id, seen.id);
    } finally {
      client.close();
    }
  });

  await t.test('the example consumer over mTLS', async () => {
    const tokenFile = path.join(dir, 'token');
    fs.writeFileSync(tokenFile, 'consumer-token\n');
    const consumer = spawn(process.execPath, [CONSUMER,
      `--server=${server.target}`, '--types=publication.*',
      `--cursor=${path.join(dir, 'cursor')}`, `--ca=${pki.ca}`,
      `--cert=${pki.clientCert}`, `--key=${pki.clientKey}`,
      `--token-file=${tokenFile}`], {stdio: ['ignore', 'pipe', 'inherit']});
    const exited = new Promise((r) => consumer.on('exit', (code) => r(code)));
    try {
      const line = await new h.LineReader(consumer.stdout).readline(
          Date.now() + h.DEADLINE_MS);
      assert.notStrictEqual(line, null);
      assert.strictEqual(JSON.parse(line).type, 'publication.succeeded');
    } finally {
      consumer.kill('SIGTERM');
    }
    assert.strictEqual(await exited, 0);
  });

  const refusals = {
    'without a client certificate': {ca: pki.ca},
    'with a certificate of another CA': {ca: pki.ca,
      cert: pki.otherClientCert, key: pki.otherClientKey},
    'in plaintext': {},
  };
  for (const [name, security] of Object.entries(refusals)) {
    await t.test(`refused ${name}`, async () => {
      const client = new vs.Client(server.target, security);
      try {
        await assert.rejects(getEvent(client, 1),
            (err) => err.code === vs.grpc.status.UNAVAILABLE);
      } finally {
        client.close();
      }
    });
  }

  await t.test('cert without key is a usage error', () => {
    assert.throws(() => new vs.Client(server.target,
        {ca: pki.ca, cert: pki.clientCert}), /cert and key/);
  });
});

test('the token is sent on every call, plaintext and TLS', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-node-token-'));
  const pki = h.makeTestCerts(path.join(dir, 'pki'));
  t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
  for (const useTls of [false, true]) {
    const seen = [];
    const {api} = vs.load();
    const server = new vs.grpc.Server();
    // Every method records the header and answers UNIMPLEMENTED.
    const handlers = {};
    for (const name of Object.keys(api.EventService.service)) {
      handlers[name] = (call, callback) => {
        seen.push(call.metadata.get('authorization')[0]);
        const err = {code: vs.grpc.status.UNIMPLEMENTED, details: 'recorder'};
        if (callback) callback(err); else call.destroy(err);
      };
    }
    server.addService(api.EventService.service, handlers);
    const credentials = useTls ?
      vs.grpc.ServerCredentials.createSsl(null, [{
        private_key: fs.readFileSync(pki.serverKey),
        cert_chain: fs.readFileSync(pki.serverCert)}]) :
      vs.grpc.ServerCredentials.createInsecure();
    const port = await new Promise((resolve, reject) => server.bindAsync(
        '127.0.0.1:0', credentials,
        (err, p) => (err ? reject(err) : resolve(p))));
    const client = new vs.Client(`127.0.0.1:${port}`,
        {token: 'js-t0ken', ...(useTls ? {ca: pki.ca} : {})});
    try {
      for (let i = 0; i < 2; i++) {
        await assert.rejects(getEvent(client, 1),
            (err) => err.code === vs.grpc.status.UNIMPLEMENTED);
      }
    } finally {
      client.close();
      server.forceShutdown();
    }
    assert.deepStrictEqual(seen, ['Bearer js-t0ken', 'Bearer js-t0ken']);
  }
});
