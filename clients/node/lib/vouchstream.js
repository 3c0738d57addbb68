'use strict';
// A small client for the vouchstream event service (vouchstream.v1.EventService).
//
//   const vs = require('vouchstream-client');
//   const client = new vs.Client('127.0.0.1:50051');
//   // TLS: {ca: 'ca.pem'}; mTLS: also {cert: 'client.pem', key: 'client.key'};
//   // {token} sends "authorization: Bearer <token>" on every call.
//   const cursor = new vs.FileCursor('last_seq');
//   const sub = client.subscribe({
//     filter: {types: ['publication.*']}, afterSeq: cursor.load()});
//   for await (const event of sub) {   // a vouchstream.v1.Event, keepCase
//     handle(event);
//     cursor.save(event.seq);          // resume after it on restart
//   }
//
// The protos are loaded from proto/ at run time with @grpc/proto-loader: no
// generated code. Messages are plain objects with the proto's snake_case
// field names; 64-bit integers are JS numbers (seqs stay far below 2^53);
// enums are their names; oneofs also set a virtual field naming the member
// (`response.kind === 'event'`).
//
// `subscribe` resumes by itself after UNAVAILABLE (server restart, network
// blip) with exponential backoff, from the last event it handed out: no gap,
// no duplicate. Across process restarts the cursor file carries the position.
// Delivery is at-least-once: an event handled but not saved is delivered again.

const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const PROTO_DIR = process.env.VOUCHSTREAM_PROTO_DIR ||
    path.resolve(__dirname, '..', '..', '..', 'proto');
const API_PROTO = 'vouchstream/v1/api.proto';

const LOADER_OPTIONS = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

let loaded = null;

// Loads the contract once: the gRPC service definition and a protobufjs Root
// for the JSON conversion of `fromJson`.
function load() {
  if (loaded === null) {
    const definition = protoLoader.loadSync(API_PROTO, LOADER_OPTIONS);
    const api = grpc.loadPackageDefinition(definition).vouchstream.v1;
    const root = new protobuf.Root();
    root.resolvePath = (origin, target) => {
      const local = path.join(PROTO_DIR, target);
      return fs.existsSync(local) ? local :
          protobuf.util.path.resolve(origin, target);
    };
    root.loadSync(API_PROTO, {keepCase: true});
    // protobufjs bundles google/protobuf/*.proto as "common" definitions.
    root.resolveAll();
    loaded = {api, root};
  }
  return loaded;
}

// Exponential backoff with full jitter: the first delay is up to `initialMs`
// (100), doubling up to `maxMs` (10000); `reset()` after a successful read.
class Backoff {
  constructor({initialMs = 100, maxMs = 10000, multiplier = 2} = {}) {
    Object.assign(this, {initialMs, maxMs, multiplier});
    this.nextMs = initialMs;
  }
  nextDelayMs() {
    const delay = Math.random() * this.nextMs;
    this.nextMs = Math.min(this.nextMs * this.multiplier, this.maxMs);
    return delay;
  }
  reset() {
    this.nextMs = this.initialMs;
  }
}

// The last processed seq in a small text file, replaced atomically (write a
// temporary file, fsync, rename): a crash leaves the old or the new value.
class FileCursor {
  constructor(file) {
    this.file = file;
  }
  // The saved seq, or null when nothing was saved yet.
  load() {
    let text;
    try {
      text = fs.readFileSync(this.file, 'ascii').trim();
    } catch (err) {
      if (err.code === 'ENOENT') return null;
      throw err;
    }
    return text === '' ? null : Number(text);
  }
  save(seq) {
    const tmp = path.join(path.dirname(path.resolve(this.file)),
        `.cursor-${process.pid}-${path.basename(this.file)}`);
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, `${seq}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
  }
}

// Codes after which a new Subscribe may succeed: the server is restarting or
// unreachable. CANCELLED counts when we did not cancel: a C++ gRPC server
// that stops with a deadline (`Server::Shutdown`) cancels the streams still
// open. Others end the iteration with the error (a bad filter stays bad).
const RETRYABLE = new Set([grpc.status.UNAVAILABLE, grpc.status.CANCELLED]);

// An async iterable over the events of a Subscribe stream that resumes
// itself. Made by `Client.subscribe`. `cancel()` ends the iteration cleanly.
// Events: 'caught_up' (last_seq), 'heartbeat' (last_seq), 'reconnect' (err).
class Subscription extends require('events').EventEmitter {
  constructor(stub, request, backoff) {
    super();
    this.stub = stub;
    this.request = request;
    this.backoff = backoff;
    this.cancelled = false;
    this.call = null;
    this.lastSeq = request.after_seq !== undefined ? request.after_seq : null;
    this.caughtUp = false;
    this.reconnects = 0;
    this.wake = null;
    // Where a reconnect starts: the last event yielded, or further once a
    // caught_up said every match up to its seq was delivered (which also
    // keeps a `latest` stream from skipping what arrives meanwhile).
    this.resumeAfter = this.lastSeq;
  }

  cancel() {
    this.cancelled = true;
    if (this.call) this.call.cancel();
    if (this.wake) this.wake();
  }

  nextRequest() {
    const request = {...this.request};
    if (this.resumeAfter !== null) {
      delete request.from;
      request.after_seq = this.resumeAfter;
    }
    return request;
  }

  sleep(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      this.wake = null;
    });
  }

  async* [Symbol.asyncIterator]() {
    while (!this.cancelled) {
      this.call = this.stub.Subscribe(this.nextRequest());
      try {
        for await (const response of this.call) {
          this.backoff.reset();
          if (response.kind === 'event') {
            this.lastSeq = response.event.seq;
            this.resumeAfter = this.lastSeq;
            yield response.event;
          } else if (response.kind === 'caught_up') {
            this.caughtUp = true;
            this.resumeAfter = Math.max(this.resumeAfter || 0,
                response.caught_up.last_seq);
            this.emit('caught_up', response.caught_up.last_seq);
          } else if (response.kind === 'heartbeat') {
            this.emit('heartbeat', response.heartbeat.last_seq);
          }
          if (this.cancelled) break;
        }
        if (this.cancelled) return;
        this.emit('reconnect', null);  // the server ended the stream
      } catch (err) {
        if (this.cancelled) return;
        if (!RETRYABLE.has(err.code)) throw err;
        this.emit('reconnect', err);
      } finally {
        this.call.cancel();
        this.call = null;
      }
      await this.sleep(this.backoff.nextDelayMs());
      this.reconnects++;
    }
  }
}

// A connection to one vouchstream server ("host:port"); plaintext unless
// `credentials` (grpc.credentials) are given.
// Adds `authorization: Bearer <token>` to every call. An interceptor rather
// than call credentials: gRPC refuses call credentials on a plaintext
// channel, and a loopback deployment (plaintext) must send the token too.
function bearerTokenInterceptor(token) {
  return (options, nextCall) => new grpc.InterceptingCall(nextCall(options), {
    start(metadata, listener, next) {
      metadata.set('authorization', `Bearer ${token}`);
      next(metadata, listener);
    },
  });
}

// Channel credentials and options from the TLS settings: plaintext unless
// `tls`, `ca`, `cert` or `key`; `ca`, `cert`, `key` are PEM file paths
// (`cert` and `key` together, for mTLS); `serverName` is the name expected
// in the server's certificate when it is not the target's host; `token` is
// sent as `authorization: Bearer <token>` on every call.
function channelSettings({tls = false, ca, cert, key, serverName, token,
  options = {}} = {}) {
  if (Boolean(cert) !== Boolean(key)) {
    throw new Error('cert and key (client certificate and key) go together');
  }
  const channelOptions = {...options};
  let credentials;
  if (tls || ca || cert) {
    credentials = grpc.credentials.createSsl(
        ca ? fs.readFileSync(ca) : null, key ? fs.readFileSync(key) : null,
        cert ? fs.readFileSync(cert) : null);
    if (serverName) {
      channelOptions['grpc.ssl_target_name_override'] = serverName;
      channelOptions['grpc.default_authority'] = serverName;
    }
  } else {
    if (serverName) throw new Error('serverName needs TLS (tls or ca)');
    credentials = grpc.credentials.createInsecure();
  }
  if (token) {
    channelOptions.interceptors = [
      ...(channelOptions.interceptors || []), bearerTokenInterceptor(token)];
  }
  return {credentials, options: channelOptions};
}

// A connection to one server ("host:port"). Plaintext by default; TLS, mTLS
// and a bearer token as in `channelSettings`:
//
//   new Client('vs.internal:50051', {ca: 'ca.pem', cert: 'client.pem',
//     key: 'client.key', token: process.env.VOUCHSTREAM_TOKEN});
//
// `credentials` (with `options`) brings your own instead.
class Client {
  constructor(target, {credentials, options, ...security} = {}) {
    const {api} = load();
    let settings = {credentials, options};
    if (!credentials) {
      settings = channelSettings({...security, options: options || {}});
    } else if (Object.keys(security).length) {
      throw new Error('pass either credentials or TLS/token settings');
    }
    this.stub = new api.EventService(
        target, settings.credentials, settings.options);
  }

  close() {
    this.stub.close();
  }

  // Resolves to {seq, duplicate}. Waits for the connection to be ready
  // (waitForReady) up to the deadline, which is safe because Publish is
  // idempotent on the event id. Rejects with a grpc error: INVALID_ARGUMENT
  // (field violations in its metadata), UNAVAILABLE or DEADLINE_EXCEEDED.
  publish(event, {deadlineMs = 10000} = {}) {
    return new Promise((resolve, reject) => {
      this.stub.Publish({event},
          {deadline: Date.now() + deadlineMs, waitForReady: true},
          (err, response) => (err ? reject(err) : resolve(response)));
    });
  }

  // A Subscription. `filter`: {types, campaign_ids, customer_ids, metadata,
  // code_pattern} (AND across criteria, OR within one; `*` in types). Starts
  // after `afterSeq` when it is a number (a resume), else at the latest end
  // when `latest`, else at the earliest event the log holds.
  subscribe({filter = {}, afterSeq = null, latest = false,
    heartbeatSeconds = 0, backoff = new Backoff()} = {}) {
    const request = {filter, heartbeat_seconds: heartbeatSeconds};
    if (afterSeq !== null && afterSeq !== undefined) {
      request.after_seq = afterSeq;
    } else {
      request.from = latest ? 'BOUNDARY_LATEST' : 'BOUNDARY_EARLIEST';
    }
    return new Subscription(this.stub, request, backoff);
  }

  // Every stored event matching `filter`, page by page (async iterable).
  async* listEvents({filter = {}, pageSize = 100} = {}) {
    let pageToken = '';
    do {
      const response = await new Promise((resolve, reject) => {
        this.stub.ListEvents({filter, page_size: pageSize,
          page_token: pageToken}, (err, r) => (err ? reject(err) : resolve(r)));
      });
      yield* response.events;
      pageToken = response.next_page_token;
    } while (pageToken);
  }
}

const WRAPPERS = new Set(['DoubleValue', 'FloatValue', 'Int64Value',
  'UInt64Value', 'Int32Value', 'UInt32Value', 'BoolValue', 'StringValue',
  'BytesValue'].map((n) => `.google.protobuf.${n}`));

// protobufjs bundles google/protobuf/struct.proto with camelCase field names
// (`stringValue`) whatever `keepCase` says, so ask the loaded type.
function valueKey(snake) {
  const fields = load().root.lookupType('google.protobuf.Value').fields;
  return fields[snake] ? snake :
      snake.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
}

function toValue(json) {
  if (json === null) return {[valueKey('null_value')]: 'NULL_VALUE'};
  if (Array.isArray(json)) {
    return {[valueKey('list_value')]: {values: json.map(toValue)}};
  }
  switch (typeof json) {
    case 'number': return {[valueKey('number_value')]: json};
    case 'string': return {[valueKey('string_value')]: json};
    case 'boolean': return {[valueKey('bool_value')]: json};
    default: return {[valueKey('struct_value')]: toStruct(json)};
  }
}

function toStruct(json) {
  const fields = {};
  for (const [k, v] of Object.entries(json)) fields[k] = toValue(v);
  return {fields};
}

// RFC 3339 ("2024-01-24T12:39:58.736Z", 0-9 fractional digits).
function toTimestamp(text) {
  const m = /^(.*?)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/i.exec(text);
  const ms = m ? Date.parse(m[1] + m[3]) : NaN;
  if (Number.isNaN(ms)) throw new TypeError(`bad timestamp: ${text}`);
  return {seconds: Math.floor(ms / 1000),
    nanos: m[2] ? Number(m[2].padEnd(9, '0')) : 0};
}

function convert(type, json) {
  const out = {};
  for (const [key, value] of Object.entries(json)) {
    const field = type.fields[key] ||
        type.fieldsArray.find((f) => f.options && f.options.json_name === key);
    if (!field) continue;  // a field the contract lacks: the raw body keeps it
    if (value === null && field.resolvedType &&
        field.resolvedType.fullName === '.google.protobuf.Value') {
      out[field.name] = toValue(null);
      continue;
    }
    if (value === null) continue;  // JSON null = absent
    const one = (v) => convertField(field, v);
    if (field.map) {
      out[field.name] = Object.fromEntries(
          Object.entries(value).map(([k, v]) => [k, one(v)]));
    } else if (field.repeated) {
      out[field.name] = value.map(one);
    } else {
      out[field.name] = one(value);
    }
  }
  return out;
}

function convertField(field, value) {
  const t = field.resolvedType;
  if (!(t instanceof protobuf.Type)) return value;  // scalar or enum name
  switch (t.fullName) {
    case '.google.protobuf.Timestamp': return toTimestamp(value);
    case '.google.protobuf.Struct': return toStruct(value);
    case '.google.protobuf.Value': return toValue(value);
    case '.google.protobuf.ListValue': return {values: value.map(toValue)};
    default:
      if (WRAPPERS.has(t.fullName)) return {value};
      return convert(t, value);
  }
}

// Converts a JSON object (as Voucherify sends it, the standard proto3 JSON
// mapping) into the plain-object form of message `typeName` that
// grpc-js/protobufjs serialise. Covers what the contract uses: Timestamp,
// Struct/Value/ListValue, wrappers, enums by name, null as absent; fields
// the contract lacks are dropped.
function fromJson(typeName, json) {
  return convert(load().root.lookupType(typeName), json);
}

// An Event for a bare publication.succeeded body (its parsed JSON). The id
// is the body's `publication.id`, as the gateway derives it for bare bodies;
// the server sets `received_at` and `seq`.
function publicationSucceededEvent(body) {
  return {
    id: body.publication.id,
    type: 'publication.succeeded',
    publication_succeeded:
        fromJson('voucherify.v1.PublicationSucceeded', body),
  };
}

module.exports = {
  Backoff, Client, FileCursor, Subscription, channelSettings, fromJson,
  publicationSucceededEvent, toStruct, load, PROTO_DIR, grpc,
};
