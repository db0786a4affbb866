import { userFacingMessage } from '@contacts/shared';
import {
  mailchimpSimulatorHelp,
  mailchimpSimulatorOptionsFrom,
} from './mailchimp-simulator/cli-options.ts';
import { startMailchimpSimulator } from './mailchimp-simulator/mailchimp-simulator.ts';
import { MailchimpSimulatorOptionsError } from './mailchimp-simulator/simulator-options.ts';

/** `npm run mailchimp:sim`: a Mailchimp Marketing API stand-in on this machine, until Ctrl+C. */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(
      `npm run mailchimp:sim -- [flags]   (flag, or environment variable)\n\n${mailchimpSimulatorHelp()}`,
    );
    return;
  }
  const { options, generatedMembers } = mailchimpSimulatorOptionsFrom(argv, process.env);
  const simulator = await startMailchimpSimulator(options);
  const generated =
    generatedMembers > 0 ? simulator.createAudience({ size: generatedMembers }) : undefined;
  const auth = `anystring:${simulator.apiKey}`;
  console.log(`
Mailchimp simulator (Marketing API v3 subset, synthetic audiences; seed ${String(options.seed)})

  MAILCHIMP_API_URL=${simulator.url}
  API key     ${simulator.apiKey}
  Audience    ${simulator.sampleListId ?? '(none)'}   (sample, ${String(options.sampleSize)} members)${
    generated === undefined
      ? ''
      : `\n  Audience    ${generated}   (generated, ${String(generatedMembers)} members)`
  }
  Limits      ${String(options.maxConnections)} connections per account, ${String(options.maxPageSize)} members per page, ${String(options.maxBatchMembers)} per batch
  Latency     ${String(options.latencyMs)} ms per members page or batch upsert
  Stats       curl -s ${simulator.url}/_sim/stats
  Faults      curl -s -d '{"route":"batch","status":503,"times":2}' ${simulator.url}/_sim/faults

  curl -s -u '${auth}' ${simulator.url}/3.0/ping
  curl -s -u '${auth}' '${simulator.url}/3.0/lists/${simulator.sampleListId ?? '<list id>'}/members?count=2&fields=members.email_address,members.merge_fields,total_items'

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
    error instanceof MailchimpSimulatorOptionsError
      ? error.message
      : (userFacingMessage(error) ?? error),
  );
  process.exit(1);
});
