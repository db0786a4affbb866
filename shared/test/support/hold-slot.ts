import { createAwsClients, DynamoRequestLimiter, loadConfig } from '@contacts/shared';

/**
 * A worker that takes a limiter slot and never gives it back: the test kills it with SIGKILL
 * while it holds the slot. Arguments: account, slot lease in ms (or `default`).
 */
const [account = 'unset', leaseMs = '1000'] = process.argv.slice(2);
const config = loadConfig(process.env);
const clients = createAwsClients(config.aws);
const limiter = new DynamoRequestLimiter({
  client: clients.dynamodb,
  table: config.resources.providersTable,
  account,
  maxConcurrency: 1,
  // 'default': the limiter's own lease.
  ...(leaseMs === 'default' ? {} : { slotLeaseMs: Number(leaseMs) }),
});
await limiter.acquire({ jobId: 'killed-job' });
process.stdout.write('held\n');
// Keeps renewing the lease until it is killed.
setInterval(() => undefined, 60_000);
