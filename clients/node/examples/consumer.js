#!/usr/bin/env node
'use strict';
// Example consumer: prints matching events, one JSON line each, and resumes.
//
//   node clients/node/examples/consumer.js --server=127.0.0.1:50051 \
//       --types='publication.*' --campaign=camp_EV79Z6CjaAMpX4pFxVivvzzk \
//       --cursor=/tmp/consumer-node.seq
//
// TLS: --ca=ca.pem (or --tls for the system roots); mTLS: also
// --cert=client.pem --key=client.key; --server-name=NAME when the server's
// certificate does not name the --server host; --token-file=FILE (or
// $VOUCHSTREAM_TOKEN) sends "authorization: Bearer <token>" on every call.
//
// Each event is handled (printed), then its seq is saved in the cursor file;
// on restart the consumer resumes after the saved seq. SIGINT/SIGTERM stop it
// after the event in hand is handled and saved.
//
// A line is {"seq", "id", "type", "campaign_id", "customer_id"}; a
// redemption.* event whose payload is typed also gets "order_amount", the
// typed `order.amount` (smallest currency unit; null when the body has none).
// An untyped one (`data`) does not.

const fs = require('fs');
const {parseArgs} = require('util');
const vs = require('../lib/vouchstream');

// The typed payloads of redemption.* (proto/vouchstream/v1/event.proto):
// RedemptionOutcome and RedemptionRollbackOutcome, both with an `order`.
const REDEMPTION_PAYLOADS = new Set(['redemption_succeeded',
  'redemption_failed', 'redemption_rollback_succeeded',
  'redemption_rollback_failed']);

// The JSON line for `event` (a vouchstream.v1.Event). `event.payload` names
// the oneof member that is set; an unset `optional` field is undefined.
function eventLine(event) {
  const line = {
    seq: event.seq, id: event.id, type: event.type,
    campaign_id: event.enrichment ? event.enrichment.campaign_id : '',
    customer_id: event.enrichment ? event.enrichment.customer_id : '',
  };
  if (REDEMPTION_PAYLOADS.has(event.payload)) {
    const order = event[event.payload].order;
    line.order_amount = order && order.amount !== undefined ?
      order.amount : null;
  }
  return JSON.stringify(line);
}

async function main() {
  const {values: args} = parseArgs({options: {
    server: {type: 'string', default: '127.0.0.1:50051'},
    types: {type: 'string', multiple: true, default: []},
    campaign: {type: 'string', multiple: true, default: []},
    customer: {type: 'string', multiple: true, default: []},
    cursor: {type: 'string', default: 'consumer.seq'},
    'tls': {type: 'boolean', default: false},
    'ca': {type: 'string'},
    'cert': {type: 'string'},
    'key': {type: 'string'},
    'server-name': {type: 'string'},
    'token-file': {type: 'string'},
  }});
  const token = args['token-file'] ?
    fs.readFileSync(args['token-file'], 'utf8').trim() :
    process.env.VOUCHSTREAM_TOKEN;
  const cursor = new vs.FileCursor(args.cursor);
  const after = cursor.load();
  const client = new vs.Client(args.server, {tls: args.tls, ca: args.ca,
    cert: args.cert, key: args.key, serverName: args['server-name'], token});
  const subscription = client.subscribe({
    filter: {types: args.types, campaign_ids: args.campaign,
      customer_ids: args.customer},
    afterSeq: after,
  });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => subscription.cancel());
  }
  subscription.on('caught_up', (seq) =>
    console.error(`consumer: caught up at seq ${seq}, now live`));
  console.error(`consumer: subscribed to ${args.server} after seq ${after}`);

  for await (const event of subscription) {
    process.stdout.write(eventLine(event) + '\n');
    cursor.save(event.seq);
  }
  client.close();
  console.error(`consumer: stopped after seq ${subscription.lastSeq}`);
}

main().catch((err) => {
  console.error(`consumer: ${err.message}`);
  process.exit(1);
});
