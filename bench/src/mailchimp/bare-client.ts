import { createMailchimpClient, type RequestLimiter } from '@contacts/shared';

/** No fleet limiter: the simulator's own 10-connection cap is the only one. */
const NO_LIMIT: RequestLimiter = {
  acquire: () => Promise.resolve({ release: () => Promise.resolve() }),
};

/**
 * Reads every page of the audience over exactly 10 connections at once, each asking for its next
 * page as soon as the last one is in (its text, unparsed, as the pipeline's fetch stage stores
 * it: parsing 1,000 members on the one thread that sends the next requests would hold them up,
 * and measure the parser, not the machine): the most this machine lets any client take
 * from the simulator, with the client, the simulator and nothing else running. The pipeline's
 * fetch stage is compared with it as well as with the 10 / latency ceiling. It also has the
 * simulator write every member's JSON once, as Mailchimp does on machines of its own.
 */
export async function bareClientPass(options: {
  url: string;
  apiKey: string;
  listId: string;
  members: number;
  pageSize: number;
}): Promise<{ pages: number; seconds: number }> {
  const client = createMailchimpClient({
    apiKey: options.apiKey,
    apiUrl: options.url,
    limiter: NO_LIMIT,
    jobId: 'bare-client',
  });
  const pages = Math.ceil(options.members / options.pageSize);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (next < pages) {
        const offset = next++ * options.pageSize;
        // The fields the pipeline asks for, so the simulator's answers are the same.
        await client.listMembersText(options.listId, {
          offset,
          count: options.pageSize,
          fields: ['email_address', 'merge_fields'],
        });
      }
    }),
  );
  return { pages, seconds: (performance.now() - started) / 1000 };
}
