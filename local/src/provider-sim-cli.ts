import { userFacingMessage } from '@contacts/shared';
import { pdlSimulatorHelp, pdlSimulatorOptionsFrom } from './pdl-simulator/cli-options.ts';
import { startPdlSimulator } from './pdl-simulator/pdl-simulator.ts';
import { PdlSimulatorOptionsError } from './pdl-simulator/simulator-options.ts';

/** `npm run provider:sim`: a People Data Labs stand-in on this machine, until Ctrl+C. */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(
      `npm run provider:sim -- [flags]   (flag, or environment variable)\n\n${pdlSimulatorHelp()}`,
    );
    return;
  }
  const options = pdlSimulatorOptionsFrom(argv, process.env);
  const simulator = await startPdlSimulator(options);
  const { rateLimit, faults } = simulator.options;
  console.log(`
People Data Labs simulator (PDL v5 wire format, synthetic people; seed ${options.seed})

  PDL_API_URL=${simulator.url}
  PDL_API_KEY=${simulator.apiKeys[0] ?? ''}

  Rate limit  ${rateLimit.requests} requests per ${rateLimit.windowMs} ms per key; ${options.concurrency} in flight
  Latency     ${options.latencyMs} ms + up to ${options.jitterMs} ms
  Faults      503 ${faults.serviceUnavailable}, 429 ${faults.rateLimited}, dropped ${faults.dropConnection}
  Stats       curl -s ${simulator.url}/_sim/stats

  curl -s -X POST ${simulator.url}/v5/person/bulk -H 'X-Api-Key: ${simulator.apiKeys[0] ?? ''}' \\
    -H 'Content-Type: application/json' \\
    -d '{"requests":[{"params":{"email":"bob.smith@example.com"},"metadata":{"row":1}}]}'

Stop with Ctrl+C.
`);
  const stop = (): void => {
    void simulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  // A bad flag or a taken port needs its message, not a stack; anything else needs everything.
  console.error(
    error instanceof PdlSimulatorOptionsError ? error.message : (userFacingMessage(error) ?? error),
  );
  process.exit(1);
});
