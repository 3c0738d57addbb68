'use strict';
// Test harness: a real vouchstream-server on a free loopback port, child
// processes read line by line with deadlines, and test events from the seed.
//
// The server binary comes from $VOUCHSTREAM_SERVER (ctest passes the CMake
// target's path), else <repo>/build/bin/vouchstream-server. A missing
// binary fails the test; nothing is skipped.

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const {spawn} = require('child_process');
const vs = require('../lib/vouchstream');

const REPO = path.resolve(__dirname, '..', '..', '..');
const SEED = process.env.VOUCHSTREAM_SEED || path.resolve(
    REPO, 'testdata', 'voucherify', 'publication.succeeded.seed.json');
const DEADLINE_MS = 20000;

// Lines of a child's stdout, awaited one at a time with a deadline.
class LineReader {
  constructor(stream) {
    this.lines = [];
    this.waiters = [];
    this.ended = false;
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop();
      for (const line of parts) this.push(line);
    });
    stream.on('end', () => {
      this.ended = true;
      this.push(null);
    });
  }
  push(line) {
    const waiter = this.waiters.shift();
    if (waiter) waiter(line); else this.lines.push(line);
  }
  // The next line, null at EOF; rejects when `deadline` (ms epoch) passes.
  readline(deadline) {
    if (this.lines.length) return Promise.resolve(this.lines.shift());
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(done), 1);
        reject(new Error('no line before the deadline'));
      }, Math.max(0, deadline - Date.now()));
      const done = (line) => {
        clearTimeout(timer);
        resolve(line);
      };
      this.waiters.push(done);
    });
  }
}

function serverBinary() {
  const bin = process.env.VOUCHSTREAM_SERVER ||
      path.join(REPO, 'build', 'bin', 'vouchstream-server');
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    throw new Error(`vouchstream-server not found at ${bin}: build it ` +
        '(ninja -C build vouchstream-server) or set $VOUCHSTREAM_SERVER');
  }
  return bin;
}

// grpc.health.v1.Health/Check with raw bytes: the request is empty (service
// ""), the response b"\x08\x01" means SERVING. No health stubs needed.
// `security`: vs.channelSettings' TLS settings, for a TLS server.
async function waitServing(target, deadline, security = {}) {
  const {credentials, options} = vs.channelSettings(security);
  const client = new vs.grpc.Client(target, credentials, options);
  try {
    for (;;) {
      const status = await new Promise((resolve) => {
        client.makeUnaryRequest('/grpc.health.v1.Health/Check', (b) => b,
            (b) => b, Buffer.alloc(0), {deadline: Date.now() + 1000},
            (err, response) => resolve(err ? null : response));
      });
      if (status && status.equals(Buffer.from([8, 1]))) return;
      if (Date.now() > deadline) throw new Error(`${target} not SERVING`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    client.close();
  }
}

// One vouchstream-server on 127.0.0.1. `extraArgs`: more flags (e.g.
// --tls-cert=...); `security`: the TLS settings of the start-up health check.
class Server {
  static async start(storePath, port = 0, {extraArgs = [], security = {}} = {}) {
    const server = new Server();
    server.storePath = storePath;
    server.process = spawn(serverBinary(),
        [`--listen=127.0.0.1:${port}`, `--store=sqlite:${storePath}`,
          ...extraArgs],
        {stdio: ['ignore', 'pipe', 'inherit']});
    server.exited = new Promise((r) => server.process.on('exit', r));
    const reader = new LineReader(server.process.stdout);
    const deadline = Date.now() + DEADLINE_MS;
    for (;;) {
      const line = await reader.readline(deadline);
      if (line === null) throw new Error('server exited before listening');
      if (line.startsWith('listening on ')) {
        server.target = line.split(' ').pop();
        break;
      }
    }
    server.port = Number(server.target.split(':').pop());
    await waitServing(server.target, deadline, security);
    return server;
  }

  async stop() {
    if (this.process.exitCode !== null || this.process.signalCode !== null) {
      return;
    }
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), DEADLINE_MS);
    await this.exited;
    clearTimeout(timer);
  }
}

// A throwaway PKI by scripts/make_test_certs.sh in `dir`: paths of ca,
// serverCert, serverKey, clientCert, clientKey, otherCa, otherClientCert,
// otherClientKey.
function makeTestCerts(dir) {
  const {execFileSync} = require('child_process');
  execFileSync('/bin/bash',
      [path.join(REPO, 'scripts', 'make_test_certs.sh'), dir],
      {stdio: ['ignore', 'inherit', 'inherit']});
  const names = {ca: 'ca.pem', serverCert: 'server.pem',
    serverKey: 'server.key', clientCert: 'client.pem',
    clientKey: 'client.key', otherCa: 'other-ca.pem',
    otherClientCert: 'other-client.pem', otherClientKey: 'other-client.key'};
  return Object.fromEntries(
      Object.entries(names).map(([k, v]) => [k, path.join(dir, v)]));
}

function loadSeed() {
  return JSON.parse(fs.readFileSync(SEED, 'utf8'));
}

// testdata/voucherify/events/<type>.json, parsed.
function loadEventFixture(type) {
  return JSON.parse(fs.readFileSync(path.join(
      REPO, 'testdata', 'voucherify', 'events', `${type}.json`), 'utf8'));
}

// A valid publication.succeeded event with ids made from `n`.
function publication(seed, n, campaign, customer) {
  const body = structuredClone(seed);
  const id = String(n).padStart(6, '0');
  const voucherId = `v_js${id}`;
  body.campaign.id = campaign;
  body.customer.id = customer;
  for (const voucher of body.vouchers) {
    voucher.id = voucherId;
    voucher.campaign_id = campaign;
    voucher.holder_id = customer;
  }
  body.publication.id = `pub_js${id}`;
  body.publication.customer_id = customer;
  body.publication.customer.id = customer;
  body.publication.vouchers_id = [voucherId];
  return vs.publicationSucceededEvent(body);
}

// An event of a type the contract does not type (generic `data`).
function otherEvent(n, campaign) {
  const id = String(n).padStart(6, '0');
  return {id: `evvp_js${id}`, type: 'voucher.published',
    data: vs.toStruct({voucher: {id: `v_jso${id}`, campaign_id: campaign}})};
}

module.exports = {
  DEADLINE_MS, LineReader, Server, loadEventFixture, loadSeed, makeTestCerts,
  otherEvent, publication,
  assert,
};
