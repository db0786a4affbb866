import { z } from 'zod';
import { JOB_EVENT_NAMES } from './job-snapshot.ts';

/** Query of `GET /v1/jobs/{id}/events`: for browsers, whose EventSource sets no headers. */
export const jobEventsQuery = z.object({
  /** From `POST /v1/jobs/{id}/events-token`; instead of the Authorization header. */
  token: z.string().min(1).max(1024).optional(),
  /** Same as the Last-Event-ID header, for a new EventSource resuming an old one's stream. */
  lastEventId: z.string().max(64).optional(),
});
export type JobEventsQuery = z.infer<typeof jobEventsQuery>;

/** Answer of `POST /v1/jobs/{id}/events-token`. */
export const eventsTokenResponse = z.object({
  token: z.string(),
  /** ISO 8601; a stream already open keeps going past it, a reconnect needs a new token. */
  expiresAt: z.string(),
  /** The stream's path with the token, ready for `new EventSource(url)`. */
  url: z.string(),
});
export type EventsTokenResponse = z.infer<typeof eventsTokenResponse>;

/** The `event:` names of a job's stream; `data:` is the job view (as GET /v1/jobs/{id}). */
export const jobEventName = z.enum(JOB_EVENT_NAMES);
