import type { QueueUrls } from '@contacts/shared';

export const DEAD_LETTER_QUEUES = ['control', 'chunks'] as const;
export type DeadLetterQueueName = (typeof DEAD_LETTER_QUEUES)[number];
export type QueueSelection = DeadLetterQueueName | 'all';

/** A dead-letter queue and the work queue its messages came from (where redrive sends them). */
export interface DeadLetterRoute {
  readonly name: DeadLetterQueueName;
  readonly dlqUrl: string;
  readonly sourceUrl: string;
}

/** Control first: one stuck control message holds up a whole job. */
export function deadLetterRoutes(urls: QueueUrls): readonly DeadLetterRoute[] {
  return [
    { name: 'control', dlqUrl: urls.controlDlq, sourceUrl: urls.control },
    { name: 'chunks', dlqUrl: urls.chunkDlq, sourceUrl: urls.chunk },
  ];
}
