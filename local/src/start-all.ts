import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connectToAws, createLogger, loadConfig, retry } from '@contacts/shared';
import { seedNicknames } from './seed-nicknames.ts';
import { startEmulators, type Emulators } from './emulators.ts';
import { LOCAL_TENANT, localApiKey } from './local-api-key.ts';
import { mailchimpSimulatorOptionsFrom } from './mailchimp-simulator/cli-options.ts';
import {
  startMailchimpSimulator,
  type MailchimpSimulator,
} from './mailchimp-simulator/mailchimp-simulator.ts';
import { pdlSimulatorOptionsFrom } from './pdl-simulator/cli-options.ts';
import { startPdlSimulator, type PdlSimulator } from './pdl-simulator/pdl-simulator.ts';

/**
 * `npm start`: the embedded default on one machine. Emulators run in this process (persisted
 * under DATA_DIR); the API and a worker run as child processes configured only by environment,
 * exactly as they run in containers.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel, name: 'start' });
  const { host, s3SqsPort, dynamodbPort, dataDir } = config.emulators;
  const emulators = await startEmulators({ host, s3SqsPort, dynamodbPort, dataDir });
  // People Data Labs is simulated locally unless PDL_API_URL names a real service.
  const pdl =
    process.env.PDL_API_URL === undefined
      ? await startPdlSimulator(pdlSimulatorOptionsFrom([], process.env))
      : undefined;
  // Mailchimp likewise, unless MAILCHIMP_API_URL names the real API (or another stand-in).
  const mailchimp =
    process.env.MAILCHIMP_API_URL === undefined
      ? await startMailchimpSimulator(mailchimpSimulatorOptionsFrom([], process.env).options)
      : undefined;
  const key = localApiKey(dataDir);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...emulators.env,
    API_KEYS: process.env.API_KEYS ?? `${LOCAL_TENANT}:${key}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...(pdl && { PDL_API_URL: pdl.url, PDL_API_KEY: pdl.apiKeys[0] }),
    ...(mailchimp && { MAILCHIMP_API_URL: mailchimp.url }),
  };
  const local = loadConfig(env);
  const { clients } = await connectToAws(local, logger, { provision: true });
  await seedNicknames(clients.dynamodb, local.resources.nicknamesTable, logger);
  clients.destroy();

  const children = [
    spawnService('api', 'api/src/server.ts', env),
    spawnService('worker', 'worker/src/main.ts', env),
  ];
  const stop = onceOnly(async (code: number) => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map(exited));
    await Promise.all([emulators.close(), pdl?.close(), mailchimp?.close()]);
    process.exit(code);
  });
  for (const child of children) {
    child.once('exit', (status) => {
      if (status !== 0)
        logger.error({ service: child.spawnargs.at(-1), status }, 'a service exited; stopping');
      void stop(status === 0 ? 0 : 1);
    });
  }
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));

  const apiUrl = `http://${local.api.host}:${local.api.port}`;
  await waitUntilReady(apiUrl);
  printBanner(
    apiUrl,
    process.env.API_KEYS === undefined ? key : '<one of your API_KEYS>',
    emulators,
    dataDir,
    pdl,
    mailchimp,
  );
}

function spawnService(name: string, entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  const path = fileURLToPath(new URL(`../../${entry}`, import.meta.url));
  const child = spawn(process.execPath, ['--conditions=source', path], { env, stdio: 'inherit' });
  child.on('error', (error) => {
    console.error(`${name} could not start:`, error);
  });
  return child;
}

/** The API answers /readyz once it can reach its dependencies; a minute covers a cold start. */
async function waitUntilReady(apiUrl: string): Promise<void> {
  try {
    await retry(
      async () => {
        const res = await fetch(`${apiUrl}/readyz`);
        if (!res.ok) throw new Error(`readyz answered ${res.status}`);
      },
      // Not listening yet, or not ready yet: both end by themselves.
      { attempts: Infinity, deadlineMs: 60_000, baseMs: 200, capMs: 1000, shouldRetry: () => true },
    );
  } catch (error) {
    throw new Error(`the API did not become ready at ${apiUrl}`, { cause: error });
  }
}

function printBanner(
  apiUrl: string,
  key: string,
  emulators: Emulators,
  dataDir: string,
  pdl: PdlSimulator | undefined,
  mailchimp: MailchimpSimulator | undefined,
): void {
  const pdlLine = pdl
    ? `${pdl.url}   (simulated People Data Labs, key ${pdl.apiKeys[0] ?? ''}; stats at /_sim/stats)`
    : `${process.env.PDL_API_URL ?? ''}   (your PDL_API_URL)`;
  const mailchimpLine = mailchimp
    ? `${mailchimp.url}   (simulated Mailchimp, key ${mailchimp.apiKey}, audience ${mailchimp.sampleListId ?? '(none)'}; stats at /_sim/stats)`
    : `${process.env.MAILCHIMP_API_URL ?? ''}   (your MAILCHIMP_API_URL)`;
  console.log(`
Contact enricher is running (embedded default: no AWS account, no Docker).

  API         ${apiUrl}
  API key     ${key}          (tenant "${LOCAL_TENANT}", stored in ${dataDir}/local-api-key)
  S3 + SQS    ${emulators.s3SqsEndpoint}   DynamoDB ${emulators.dynamodbEndpoint}   (state in ${dataDir}/)
  PDL         ${pdlLine}
  Mailchimp   ${mailchimpLine}

Try it (in another terminal, from this folder):

  npm run submit -- samples/contacts.csv
  npm run submit -- samples/contacts.csv --directory samples/directory.csv   (with matching)
  npm run submit -- samples/contacts.csv --provider pdl                      (People Data Labs)
  npm run submit -- samples/contacts.csv --directory samples/directory.csv --provider pdl

or with curl:

  curl -s -X POST "${apiUrl}/v1/jobs?fileName=contacts.csv" \\
    -H "Authorization: Bearer ${key}" -H "Content-Type: text/csv" \\
    --data-binary @samples/contacts.csv
  curl -s "${apiUrl}/v1/jobs/<id from above>" -H "Authorization: Bearer ${key}"
  curl -s "<result.url from above>" -o contacts-enriched.csv

Stop with Ctrl+C.
`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
}

function onceOnly<A extends unknown[]>(
  fn: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  let running: Promise<void> | undefined;
  return (...args) => (running ??= fn(...args));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
