import { FINAL_STATUSES, type ApiClient, type JobView } from './api-client.ts';
import { EventStreamParser } from './event-stream.ts';

const POLL_MS = 1_000;
const MAX_STREAM_RETRIES = 3;

export interface WatchOptions {
  readonly onView: (view: JobView) => void;
  /** How the page is being told: live events, or polling when the stream cannot serve. */
  readonly onChannel?: (channel: 'events' | 'polling') => void;
  readonly signal: AbortSignal;
}

/**
 * Follows a job until it ends and returns its final view (with fresh download links). Listens
 * to `GET /v1/jobs/{id}/events`; fetch rather than EventSource, because EventSource cannot
 * send the Authorization header. When the stream is missing or keeps failing it polls
 * `GET /v1/jobs/{id}` instead, so the page works against any API version.
 */
export async function watchJob(
  api: ApiClient,
  id: string,
  options: WatchOptions,
): Promise<JobView> {
  const final = await followEvents(api, id, options).catch((error: unknown) => {
    if (options.signal.aborted) throw error;
    return undefined;
  });
  if (final) return api.getJob(id);
  options.onChannel?.('polling');
  return poll(api, id, options);
}

async function poll(api: ApiClient, id: string, options: WatchOptions): Promise<JobView> {
  for (;;) {
    options.signal.throwIfAborted();
    const view = await api.getJob(id);
    options.onView(view);
    if (FINAL_STATUSES.includes(view.status)) return view;
    await sleep(POLL_MS, options.signal);
  }
}

/** True once a final event arrived; false when the stream is not offered or gave out. */
async function followEvents(api: ApiClient, id: string, options: WatchOptions): Promise<boolean> {
  let lastEventId: string | undefined;
  for (let attempt = 0; attempt <= MAX_STREAM_RETRIES; attempt++) {
    if (attempt > 0) await sleep(POLL_MS * attempt, options.signal);
    const res = await fetch(`/v1/jobs/${encodeURIComponent(id)}/events`, {
      headers: {
        Authorization: api.authorization,
        Accept: 'text/event-stream',
        ...(lastEventId === undefined ? {} : { 'Last-Event-ID': lastEventId }),
      },
      signal: options.signal,
    }).catch(() => undefined);
    if (res === undefined) continue;
    const isStream = res.headers.get('content-type')?.startsWith('text/event-stream') ?? false;
    if (!res.ok || !isStream || res.body === null) {
      await res.body?.cancel();
      // No such route (an older API) or refused: polling serves; retrying would not help.
      if (res.status >= 400 && res.status < 500) return false;
      continue;
    }
    options.onChannel?.('events');
    const parser = new EventStreamParser();
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const event of parser.push(value)) {
          if (event.id !== undefined) lastEventId = event.id;
          const view = viewOf(event.data);
          if (view) options.onView(view);
          if ((FINAL_STATUSES as readonly string[]).includes(event.event)) return true;
        }
      }
    } catch (error) {
      if (options.signal.aborted) throw error;
    } finally {
      reader.releaseLock();
    }
  }
  return false;
}

/** An event's data is the job view, possibly wrapped as `{ job }`. */
function viewOf(data: string): JobView | undefined {
  try {
    const parsed = JSON.parse(data) as Partial<JobView> & { job?: JobView };
    if (parsed.job?.status !== undefined) return parsed.job;
    return parsed.status !== undefined && parsed.progress !== undefined
      ? (parsed as JobView)
      : undefined;
  } catch {
    return undefined;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}
