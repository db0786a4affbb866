import { startMailchimpSimulator } from '@contacts/local';
import type { SimulatorCall, SimulatorReply } from './remote-simulator.ts';

/**
 * The Mailchimp simulator in a process of its own, driven over IPC by remote-simulator.ts: the
 * real Mailchimp serves pages on its own machines, so a benchmark must not charge the
 * simulator's JSON work to the event loop that also runs the emulated S3, SQS and DynamoDB.
 * Page times are taken here, on the clock both processes share (timeOrigin + now).
 */
const latencyMs = Number(process.argv[2] ?? '300');
const send = (message: unknown): void => {
  process.send?.(message);
};

const simulator = await startMailchimpSimulator(
  { latencyMs, sampleSize: 0 },
  {
    // Called as a page arrives; it is answered a latency later (its own work included).
    onMembersPage: () => {
      send({ type: 'page', at: performance.timeOrigin + performance.now() + latencyMs });
    },
  },
);

process.on('message', (raw) => {
  const call = raw as SimulatorCall;
  void answer(call).then(
    (value) => {
      send({ type: 'reply', id: call.id, value } satisfies SimulatorReply);
    },
    (error: unknown) => {
      send({ type: 'reply', id: call.id, error: String(error) } satisfies SimulatorReply);
    },
  );
});
process.on('disconnect', () => {
  void simulator.close().then(() => process.exit(0));
});
send({ type: 'ready', url: simulator.url, apiKey: simulator.apiKey });

async function answer(call: SimulatorCall): Promise<unknown> {
  switch (call.op) {
    case 'createAudience':
      return simulator.createAudience(call.args);
    case 'members':
      return simulator
        .members(call.listId)
        .map((m) => ({ email: m.email, mergeFields: m.mergeFields }));
    case 'stats':
      return simulator.stats();
    case 'reset':
      simulator.reset();
      return null;
    case 'close':
      await simulator.close();
      return null;
  }
}
