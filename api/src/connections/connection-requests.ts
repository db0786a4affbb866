import { z } from 'zod';

/** POST /v1/connections. The key's format (`<key>-<dc>`) is checked by the service, with its own message. */
export const createConnectionBody = z
  .object({
    type: z.literal('mailchimp'),
    apiKey: z.string().trim().min(1).max(200),
  })
  .strict();

export const connectionIdParam = z.object({
  id: z.uuid({ message: 'connection ids are UUIDs' }),
});

export type CreateConnectionBody = z.infer<typeof createConnectionBody>;

/** A connection as the API shows it: never the key. */
export interface ConnectionView {
  readonly id: string;
  readonly type: 'mailchimp';
  readonly dataCenter: string;
  readonly createdAt: string;
}
